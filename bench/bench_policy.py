"""Benchmark: cost of policies on crm.lead stage writes, against vanilla Odoo.

Three sides in the same database and the same run: "vanilla" leads belong to a
team no process guides; "guided" leads follow a process (the process guide
only, no policy); "policed" leads follow the same process with five active
policies, three of them triggered by the move (passing, so that the write is
made and audited). Everything is rolled back.

Run: ./dev bench bench/bench_policy.py  (or: python bench/bench_policy.py -c ODOO_CONF -d DB)
"""

from _common import main_sized, measure


def setup(env):
    env["compliance.policy"].search([]).write({"active": False})
    team_guided = env["crm.team"].create({"name": "Bench guided"})
    team_vanilla = env["crm.team"].create({"name": "Bench vanilla"})
    stages = env["crm.stage"].create([{"name": f"Bench {i}", "sequence": 2000 + i} for i in range(3)])
    process = env["guide.process"].create(
        {"name": "Bench", "model_name": "crm.lead", "crm_team_ids": [(6, 0, team_guided.ids)]}
    )
    steps = env["guide.step"].create(
        [{"process_id": process.id, "crm_stage_id": stage.id, "gate_mode": "advisory"} for stage in stages]
    )
    return team_guided, team_vanilla, stages, process, steps


def add_policies(env, process, steps):
    common = {"model_name": "crm.lead", "process_id": process.id, "message": "Bench", "enforcement": "block"}
    revenue = env["ir.model.fields"]._get("crm.lead", "expected_revenue")
    env["compliance.policy"].create(
        [
            {
                **common,
                "name": "Revenue",
                "trigger": "stage",
                "requirement": "[('expected_revenue', '>', 0)]",
            },
            {
                **common,
                "name": "Email in step 1",
                "trigger": "stage",
                "step_ids": [(6, 0, steps[1].ids)],
                "requirement": "[('email_from', '!=', False)]",
            },
            {
                **common,
                "name": "Big deals",
                "trigger": "stage",
                "domain": "[('expected_revenue', '>', 10)]",
                "requirement": "[('name', '!=', False)]",
                "enforcement": "warn",
            },
            {**common, "name": "VAT", "trigger": "won", "requirement": "[('partner_id.vat', '!=', False)]"},
            {
                **common,
                "name": "Revenue change",
                "trigger": "fields",
                "field_ids": [(6, 0, revenue.ids)],
                "requirement": "[('partner_id', '!=', False)]",
            },
        ]
    )


def run(env, sizes):
    team_guided, team_vanilla, stages, process, steps = setup(env)

    def leads(label, team, size):
        return env["crm.lead"].create(
            [
                {
                    "name": f"{label} {i}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "stage_id": stages[0].id,
                    "expected_revenue": 100,
                    "email_from": "bench@example.com",
                }
                for i in range(size)
            ]
        )

    results = {}
    for size in sizes:
        for label, team in (("vanilla", team_vanilla), ("guided", team_guided)):
            records = leads(label, team, size)
            results[(size, label)] = measure(env, lambda r=records: r.write({"stage_id": stages[1].id}))
    add_policies(env, process, steps)
    for size in sizes:
        records = leads("policed", team_guided, size)
        results[(size, "policed")] = measure(env, lambda r=records: r.write({"stage_id": stages[1].id}))
        logs = env["compliance.log"].search_count(
            [("res_model", "=", "crm.lead"), ("res_id", "in", records.ids)]
        )
        assert logs == 3 * size, f"expected {3 * size} audit rows, got {logs}"
    print(
        f"{'records':>8} {'vanilla s':>10} {'guided s':>9} {'policed s':>10} {'vs vanilla':>11} "
        f"{'vs guided':>10} {'vanilla q':>10} {'guided q':>9} {'policed q':>10}"
    )
    for size in sizes:
        (vt, vq), (gt, gq), (pt, pq) = (results[(size, k)] for k in ("vanilla", "guided", "policed"))
        print(
            f"{size:>8} {vt:>10.3f} {gt:>9.3f} {pt:>10.3f} {pt / vt:>11.2f} {pt / gt:>10.2f} "
            f"{vq:>10} {gq:>9} {pq:>10}"
        )


if __name__ == "__main__":
    main_sized(run)
