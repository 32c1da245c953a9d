"""Benchmark: the product against a real vanilla database (crm + helpdesk_mgmt only).

Both registries are loaded in one process, each with its own cursor; every
row of the table is measured on the vanilla database and on the product's,
interleaved per pair (vanilla, product, vanilla, product...), as a real
salesperson (``with_user``; a helpdesk user for tickets), mail tracking off
then on. Each side's data is made once in a transaction; each measurement
runs in a savepoint rolled back afterwards; everything is rolled back at the
end. The ratio of a row is the median of the per-pair time ratios.

The process and both database backends are pinned to one CPU first (a query
costs several times more when its backend must be woken on another CPU, and the
system places each backend as it likes); ``--no-pin`` leaves them where they are.

Rows (the product side; the vanilla side makes the same ORM call on the same
data without any module of ours):

- ``unguided N``: stage write of N leads of a team no process, rule or policy covers
- ``guided N``: stage write of N leads of a guided team (5 checklist items, 2 of
  them automatic, 2 hints, advisory gate)
- ``policed N``: the same + 2 triggered policies (passing) + 2 escalation rules
- ``kanban 80``: ``web_search_read`` of 80 guided opportunities with the
  fields of the kanban view
- ``form 1``: ``web_read`` of one guided opportunity with the fields of the form view
- ``ticket-kanban 80``, ``ticket-form 1``: the same for guided helpdesk tickets, as a
  helpdesk user, with the ticket views' fields
- ``ticket 1000``: stage write of 1,000 guided helpdesk tickets
- ``create 1000``: creation of 1,000 leads in the guided team

Run: ./dev bench bench/bench_vanilla.py
  (or: python bench/bench_vanilla.py -c ODOO_CONF --vanilla-db DB1 --product-db DB2)
Prints a table and one JSON line; exits non-zero when a budget is exceeded
(with ``--check``).
"""

import argparse
import json
import statistics
import sys
import time

from _common import pin_to_one_cpu

import odoo
from odoo.tools import SQL, config

# (row, query budget over vanilla, time ratio budget) at tracking off
BUDGETS = {
    "unguided 1": (1, 1.05),
    "unguided 1000": (1, 1.05),
    "guided 1": (8, None),
    "guided 1000": (8, 1.5),
    "policed 1": (12, None),
    "policed 100": (12, None),
    "policed 1000": (12, 2.0),
    "kanban 80": (2, 1.3),
    "form 1": (8, 1.5),
    "ticket-kanban 80": (2, 1.3),
    "ticket-form 1": (8, 1.5),
    "ticket 1000": (8, 1.5),
    "create 1000": (None, 1.1),
}


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------
def setup(env, product, size):
    """Teams, stages, users and records of one side; the product's configuration on the product."""
    env = env(context=dict(env.context, tracking_disable=True, mail_create_nolog=True))
    groups = env.ref("sales_team.group_sale_salesman")
    salesman = env["res.users"].create(
        {"name": "Bench Salesman", "login": "bench_salesman", "groups_id": [(6, 0, groups.ids)]}
    )
    agent = env["res.users"].create(
        {
            "name": "Bench Agent",
            "login": "bench_agent",
            "groups_id": [(6, 0, env.ref("helpdesk_mgmt.group_helpdesk_user").ids)],
        }
    )
    teams = {
        label: env["crm.team"].create({"name": f"Bench {label}", "member_ids": [(6, 0, salesman.ids)]})
        for label in ("unguided", "guided", "policed")
    }
    stages = env["crm.stage"].create([{"name": f"Bench {i}", "sequence": 2000 + i} for i in range(3)])
    partner = env["res.partner"].create({"name": "Bench customer", "email": "bench@example.com"})
    leads = {
        label: env["crm.lead"].create(
            [
                {
                    "name": f"{label} {i}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "stage_id": stages[0].id,
                    "user_id": salesman.id,
                    "partner_id": partner.id,
                    "expected_revenue": 100,
                    "email_from": "bench@example.com",
                }
                for i in range(size)
            ]
        )
        for label, team in teams.items()
    }
    hd_team = env["helpdesk.ticket.team"].create({"name": "Bench", "user_ids": [(6, 0, agent.ids)]})
    hd_stages = env["helpdesk.ticket.stage"].create(
        [{"name": f"Bench {i}", "sequence": 2000 + i, "team_ids": [(6, 0, hd_team.ids)]} for i in range(2)]
    )
    if product:
        configure_product(env, teams, stages, hd_team, hd_stages)
    tickets = env["helpdesk.ticket"].create(
        [
            {
                "name": f"Ticket {i}",
                "description": "<p>Bench</p>",
                "team_id": hd_team.id,
                "stage_id": hd_stages[0].id,
                "user_id": agent.id,
            }
            for i in range(size)
        ]
    )
    # guided leads were created before the configuration: match them like the install does
    if product:
        env["crm.lead"]._guide_rematch_all()
        for lead_set in leads.values():
            lead_set._escalation_sync()
        tickets._guide_rematch_all()
    env.flush_all()
    # statistics as on a database in use (the planner sees the rows made above); not the
    # shared catalogs, which the other side's open transaction would keep locked
    models = ("crm.lead", "helpdesk.ticket", "guide.line", "guide.history", "escalation.clock")
    for model in (*models, "compliance.log"):
        if model in env:
            env.cr.execute(SQL("ANALYZE %s", SQL.identifier(env[model]._table)))
    return {
        "salesman": salesman,
        "agent": agent,
        "teams": teams,
        "stages": stages,
        "leads": leads,
        "tickets": tickets,
        "hd_stages": hd_stages,
        "team_hd": hd_team,
    }


def configure_product(env, teams, stages, hd_team, hd_stages):
    items = [(0, 0, {"name": f"Manual {i}", "mandatory": i == 0}) for i in range(3)] + [
        (0, 0, {"name": "Revenue", "completion": "auto", "auto_domain": "[('expected_revenue', '>', 0)]"}),
        (0, 0, {"name": "Email", "completion": "auto", "auto_domain": "[('email_from', '!=', False)]"}),
    ]
    steps = {}
    for label in ("guided", "policed"):
        process = env["guide.process"].create(
            {"name": f"Bench {label}", "model_name": "crm.lead", "crm_team_ids": [(6, 0, teams[label].ids)]}
        )
        steps[label] = env["guide.step"].create(
            [
                {
                    "process_id": process.id,
                    "crm_stage_id": stage.id,
                    "gate_mode": "advisory",
                    "item_ids": items,
                }
                for stage in stages
            ]
        )
    env["guide.hint"].create(
        [
            {"name": "Big", "model_name": "crm.lead", "domain": "[('expected_revenue', '>', 10)]"},
            {"name": "Always", "model_name": "crm.lead"},
        ]
    )
    process = steps["policed"].process_id
    common = {"model_name": "crm.lead", "process_id": process.id, "message": "Bench", "trigger": "stage"}
    env["compliance.policy"].create(
        [
            {
                **common,
                "name": "Revenue",
                "enforcement": "block",
                "requirement": "[('expected_revenue', '>', 0)]",
            },
            {
                **common,
                "name": "Email in step 1",
                "enforcement": "warn",
                "step_ids": [(6, 0, steps["policed"][1].ids)],
                "requirement": "[('email_from', '!=', False)]",
            },
        ]
    )
    for hours in (4, 8):
        env["escalation.rule"].create(
            {
                "name": f"Bench {hours}h",
                "model_name": "crm.lead",
                "process_id": process.id,
                "trigger_type": "step_time",
                "delay_unit": "hours",
                "level_ids": [
                    (0, 0, {"name": "L1", "sequence": 1, "delay": hours, "assign_to": "team_leader"}),
                    (0, 0, {"name": "L2", "sequence": 2, "delay": 2 * hours, "post_message": True}),
                ],
            }
        )
    ticket_items = items[:3] + [
        (0, 0, {"name": "Described", "completion": "auto", "auto_domain": "[('description', '!=', False)]"}),
        (0, 0, {"name": "Prioritized", "completion": "auto", "auto_domain": "[('priority', '!=', False)]"}),
    ]
    hd_process = env["guide.process"].create(
        {"name": "Bench tickets", "model_name": "helpdesk.ticket", "helpdesk_team_ids": [(6, 0, hd_team.ids)]}
    )
    env["guide.step"].create(
        [
            {
                "process_id": hd_process.id,
                "helpdesk_stage_id": stage.id,
                "gate_mode": "advisory",
                "item_ids": ticket_items,
            }
            for stage in hd_stages
        ]
    )
    env["guide.hint"].create({"name": "Always", "model_name": "helpdesk.ticket"})


# ---------------------------------------------------------------------------
# view specifications (what the web client asks for)
# ---------------------------------------------------------------------------
def view_spec(env, model, view_type):
    """The ``specification`` of the web client for the default view of ``model``: the
    tests' helper, imported once the configuration gives the addons path."""
    from odoo.addons.base_process_guide.tools import view_spec as spec_of_view

    return spec_of_view(env[model], view_type)


# ---------------------------------------------------------------------------
# measurement
# ---------------------------------------------------------------------------
class Side:
    def __init__(self, dbname, product, size):
        self.registry = odoo.modules.registry.Registry(dbname)
        self.cr = self.registry.cursor()
        self.env = odoo.api.Environment(self.cr, odoo.SUPERUSER_ID, {})
        self.product = product
        self.data = setup(self.env, product, size)

    def operation(self, row, tracking):
        """The callable measured for ``row`` (as the salesperson / helpdesk user)."""
        data, ctx = self.data, {} if tracking else {"tracking_disable": True}
        kind, size = row.split()
        size = int(size)
        leads_env = self.env(user=data["salesman"], context=ctx)["crm.lead"]
        if kind in ("unguided", "guided", "policed"):
            leads = leads_env.browse(data["leads"][kind].ids[:size])
            return lambda: leads.write({"stage_id": data["stages"][1].id})
        if kind == "kanban":
            spec = view_spec(leads_env.env, "crm.lead", "kanban")
            domain = [("team_id", "=", data["teams"]["guided"].id), ("type", "=", "opportunity")]
            return lambda: leads_env.web_search_read(domain, spec, limit=size)
        if kind == "form":
            spec = view_spec(leads_env.env, "crm.lead", "form")
            lead = leads_env.browse(data["leads"]["guided"].ids[:1])
            return lambda: lead.web_read(spec)
        if kind in ("ticket-kanban", "ticket-form"):
            tickets = self.env(user=data["agent"], context=ctx)["helpdesk.ticket"]
            spec = view_spec(tickets.env, "helpdesk.ticket", kind.split("-")[1])
            if kind == "ticket-form":
                ticket = tickets.browse(data["tickets"].ids[:1])
                return lambda: ticket.web_read(spec)
            domain = [("team_id", "=", data["team_hd"].id)]
            return lambda: tickets.web_search_read(domain, spec, limit=size)
        if kind == "ticket":
            tickets = self.env(user=data["agent"], context=ctx)["helpdesk.ticket"]
            tickets = tickets.browse(data["tickets"].ids[:size])
            return lambda: tickets.write({"stage_id": data["hd_stages"][1].id})
        if kind == "create":
            vals = [
                {
                    "name": f"New {i}",
                    "type": "opportunity",
                    "team_id": data["teams"]["guided"].id,
                    "stage_id": data["stages"][0].id,
                    "user_id": data["salesman"].id,
                    "expected_revenue": 100,
                }
                for i in range(size)
            ]
            return lambda: leads_env.create(vals)
        raise ValueError(row)

    def measure(self, row, tracking):
        """(seconds, queries) of one run of ``row``, in a savepoint rolled back afterwards."""
        env = self.env
        func = self.operation(row, tracking)
        env.flush_all()
        env.invalidate_all()
        self.cr.execute("SAVEPOINT bench")
        try:
            queries = self.cr.sql_log_count
            start = time.perf_counter()
            func()
            env.flush_all()
            self.cr.precommit.run()  # mail tracking, as at the end of a real request
            env.flush_all()
            elapsed = time.perf_counter() - start
            queries = self.cr.sql_log_count - queries
        finally:
            self.cr.precommit.clear()
            self.cr.postcommit.clear()
            self.cr.execute("ROLLBACK TO SAVEPOINT bench")
            env.invalidate_all()
        return elapsed, queries

    def close(self):
        self.cr.rollback()
        self.cr.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", help="the product's database (alias of --product-db)")
    parser.add_argument("--product-db")
    parser.add_argument("--vanilla-db", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", type=int, default=1000, help="records per team (largest row)")
    parser.add_argument("--rows", help="comma-separated rows (default: all)")
    parser.add_argument("--check", action="store_true", help="exit non-zero when a budget is exceeded")
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="leave the process and the database backends where the system puts them",
    )
    args = parser.parse_args()
    product_db = args.product_db or args.database
    config.parse_config(["-c", args.config, "-d", product_db, "--log-level=warn"])
    rows = args.rows.split(",") if args.rows else list(BUDGETS)
    rows = list(dict.fromkeys(row.replace(" 1000", f" {args.size}") for row in rows))
    sides = {"vanilla": Side(args.vanilla_db, False, args.size), "product": Side(product_db, True, args.size)}
    results = []
    cpu = None if args.no_pin else pin_to_one_cpu([side.cr for side in sides.values()])
    print(
        f"process and database backends on CPU {cpu}"
        if cpu is not None
        else "CPUs: as the system places them"
    )
    try:
        for tracking in (False, True):
            for row in rows:
                for side in sides.values():  # warm-up (ORM metadata, caches)
                    side.measure(row, tracking)
                samples = []
                for _i in range(args.repeat):
                    pair = {label: side.measure(row, tracking) for label, side in sides.items()}
                    samples.append(pair)
                results.append(summarize(row, tracking, samples))
    finally:
        for side in sides.values():
            side.close()
    failed = report(results, cpu)
    return 1 if failed and args.check else 0


def summarize(row, tracking, samples):
    vt = statistics.median(s["vanilla"][0] for s in samples)
    pt = statistics.median(s["product"][0] for s in samples)
    ratio = statistics.median(s["product"][0] / s["vanilla"][0] for s in samples)
    vq = max(s["vanilla"][1] for s in samples)
    pq = max(s["product"][1] for s in samples)
    size = int(row.split()[1])
    return {
        "row": row,
        "tracking": tracking,
        "vanilla_s": round(vt, 4),
        "product_s": round(pt, 4),
        "ratio": round(ratio, 2),
        "vanilla_q": vq,
        "product_q": pq,
        "extra_ms_per_record": round(1000 * (pt - vt) / size, 3),
    }


def report(results, cpu=None):
    failed = []
    header = (
        f"{'row':<16} {'tracking':>8} {'vanilla s':>10} {'product s':>10} {'ratio':>6} "
        f"{'vanilla q':>10} {'product q':>10} {'+ms/rec':>8}  budget"
    )
    print(header)
    for res in results:
        budget_q, budget_t = BUDGETS.get(res["row"], (None, None)) if not res["tracking"] else (None, None)
        verdict = []
        if budget_q is not None:
            ok = res["product_q"] - res["vanilla_q"] <= budget_q
            verdict.append(f"+{budget_q}q {'ok' if ok else 'FAIL'}")
            failed += [] if ok else [res["row"]]
        if budget_t is not None:
            ok = res["ratio"] <= budget_t
            verdict.append(f"{budget_t}x {'ok' if ok else 'FAIL'}")
            failed += [] if ok else [res["row"]]
        res["budget_ok"] = not verdict or all(v.endswith("ok") for v in verdict)
        print(
            f"{res['row']:<16} {'on' if res['tracking'] else 'off':>8} {res['vanilla_s']:>10.4f} "
            f"{res['product_s']:>10.4f} {res['ratio']:>6.2f} {res['vanilla_q']:>10} {res['product_q']:>10} "
            f"{res['extra_ms_per_record']:>8.3f}  {', '.join(verdict)}"
        )
    print(
        json.dumps({"bench": "vanilla", "pinned_cpu": cpu, "results": results, "failed": sorted(set(failed))})
    )
    return failed


if __name__ == "__main__":
    sys.exit(main())
