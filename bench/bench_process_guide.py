"""Benchmark: cost of process guidance on crm.lead writes, against vanilla Odoo.

Both sides run in the same database and the same run: "vanilla" leads belong to
a team no process guides (the module's write() then does nothing but a cached
configuration lookup), "guided" leads follow a process whose step has 5
checklist items (2 automatic) and history on. Everything is rolled back.

Run: ./dev bench  (or: python bench/bench_process_guide.py -c ODOO_CONF -d DB)
"""

from _common import main_sized, measure


def setup(env):
    team_guided = env["crm.team"].create({"name": "Bench guided"})
    team_vanilla = env["crm.team"].create({"name": "Bench vanilla"})
    stages = env["crm.stage"].create([{"name": f"Bench {i}", "sequence": 2000 + i} for i in range(3)])
    process = env["guide.process"].create(
        {"name": "Bench", "model_name": "crm.lead", "crm_team_ids": [(6, 0, team_guided.ids)]}
    )
    items = [(0, 0, {"name": f"Manual {i}"}) for i in range(3)] + [
        (0, 0, {"name": "Revenue", "completion": "auto", "auto_domain": "[('expected_revenue', '>', 0)]"}),
        (0, 0, {"name": "Email", "completion": "auto", "auto_domain": "[('email_from', '!=', False)]"}),
    ]
    for stage in stages:
        env["guide.step"].create(
            {"process_id": process.id, "crm_stage_id": stage.id, "gate_mode": "advisory", "item_ids": items}
        )
    env["guide.hint"].create(
        [
            {"name": "Big", "model_name": "crm.lead", "domain": "[('expected_revenue', '>', 1000)]"},
            {"name": "Always", "model_name": "crm.lead"},
        ]
    )
    return team_guided, team_vanilla, stages


def run(env, sizes):
    team_guided, team_vanilla, stages = setup(env)
    print(
        f"{'records':>8} {'operation':<12} {'vanilla s':>10} {'guided s':>10} {'ratio':>6} "
        f"{'vanilla q':>10} {'guided q':>9}"
    )
    for size in sizes:
        results = {}
        for label, team in (("vanilla", team_vanilla), ("guided", team_guided)):
            vals = [
                {"name": f"{label} {i}", "type": "opportunity", "team_id": team.id, "stage_id": stages[0].id}
                for i in range(size)
            ]
            created = {}
            results[(label, "create")] = measure(
                env, lambda vals=vals, c=created: c.update(leads=env["crm.lead"].create(vals))
            )
            leads = created["leads"]
            results[(label, "stage write")] = measure(
                env, lambda leads=leads: leads.write({"stage_id": stages[1].id})
            )
        for op in ("create", "stage write"):
            (vt, vq), (gt, gq) = results[("vanilla", op)], results[("guided", op)]
            print(f"{size:>8} {op:<12} {vt:>10.3f} {gt:>10.3f} {gt / vt:>6.2f} {vq:>10} {gq:>9}")


if __name__ == "__main__":
    main_sized(run)
