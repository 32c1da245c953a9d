"""Benchmark: the process map and the variants at 1,000,000 stage-history rows.

Generates (SQL, committed, deleted at the end) a lead process of six steps
on a sales team, about 100,000 opportunities and their stage history along twelve
variants (the designed path, skips, loops back, drop-outs; a few per cent of moves
overridden), 1,000,000 ``guide_history`` rows in all. Then times, as a salesperson:

- the cold build of the step visits and record variants (``_pi_refresh(full=True)``),
- an incremental refresh after 1,000 new stage changes,
- the map's nodes and edges (``_pi_map_data``) and the variants and conformance
  (``_pi_variant_data``) of the whole period and of one month,
- the whole ``get_process_map`` call.

each twice: at the first read after the build (cold cache, the new rows not yet
vacuumed) and in the steady state (after VACUUM, as autovacuum leaves the tables).

Budget (issue 16): the map and the variant list under 2 s each on this machine, in
the steady state.

Run: ./dev bench bench/bench_process_map.py [--extra --rows 1000000]
(or: python bench/bench_process_map.py -c ODOO_CONF -d DB [--rows N])
"""

import argparse
import time
from datetime import timedelta

import odoo
from odoo.tools import SQL, config

BUDGET_SECONDS = 2.0
# step positions (1..6, 6 = won) of the variants; a path ending before 6 ends lost
# when its last position is listed in LOST_AT, open otherwise
VARIANTS = [
    [1, 2, 3, 4, 5, 6],
    [1, 2, 3, 4, 5, 6],
    [1, 2, 3, 4, 5, 6],
    [1, 2, 4, 5, 6],
    [1, 2, 3, 2, 3, 4, 5, 6],
    [1, 3, 4, 5, 6],
    [1, 2, 3, 4, 3, 4, 5, 6],
    [1, 2, 3],
    [1, 2, 3, 4],
    [2, 3, 4, 5, 6],
    [1, 2, 3, 4, 5, 4, 5, 6, 5, 6],
    [1, 2, 3, 4, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6],
]
LOST_AT = (3, 4)


def timed(env, func):
    env.flush_all()
    env.invalidate_all()
    start = time.perf_counter()
    result = func()
    env.flush_all()
    return result, time.perf_counter() - start


def ensure_modules(registry, names):
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        missing = env["ir.module.module"].search([("name", "in", names), ("state", "!=", "installed")])
        if not missing:
            return registry
        print(f"installing {', '.join(missing.mapped('name'))} in the benchmark database...")
        missing.button_immediate_install()
    return odoo.modules.registry.Registry(registry.db_name)


def generate(env, rows):
    """The process, the leads and their history; returns (process, salesperson)."""
    team = env["crm.team"].create({"name": "Bench PI Team"})
    stages = [
        env["crm.stage"].create({"name": f"Bench PI {i}", "sequence": 3000 + i, "is_won": i == 6})
        for i in range(1, 7)
    ]
    process = env["guide.process"].create(
        {"name": "Bench PI", "model_name": "crm.lead", "crm_team_ids": [(6, 0, team.ids)]}
    )
    steps = [
        env["guide.step"].create(
            {
                "process_id": process.id,
                "crm_stage_id": stage.id,
                "sequence": i,
                "gate_mode": "advisory",
                "expected_duration": 2,
            }
        )
        for i, stage in enumerate(stages)
    ]
    # two versions of the process (the end of the transaction makes v1, a gate change
    # v2): the history of half the leads names v1, the other half v2
    env.cr.flush()
    steps[2].gate_mode = "override"
    env.cr.flush()
    versions = process.version_ids.sorted("version").ids
    users = [
        env["res.users"].create(
            {
                "name": f"Bench PI {i}",
                "login": f"bench_pi_{i}",
                "groups_id": [(6, 0, env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        for i in range(10)
    ]
    avg = sum(len(v) for v in VARIANTS) / len(VARIANTS)
    leads = int(rows / avg)
    cr = env.cr
    env.flush_all()
    cr.execute(
        SQL(
            """
        CREATE TEMP TABLE bench_variant AS
        SELECT ord - 1 AS vid, path FROM unnest(%s::text[]) WITH ORDINALITY AS t(path_text, ord),
               LATERAL (SELECT string_to_array(path_text, ',')::int[] AS path) p
        """,
            [",".join(map(str, v)) for v in VARIANTS],
        )
    )
    cr.execute(
        SQL(
            """
        INSERT INTO crm_lead (name, type, active, probability, stage_id, team_id, user_id, company_id,
                              date_closed, create_date, write_date, create_uid, write_uid)
        SELECT 'Bench PI ' || n, 'opportunity',
               NOT (v.path[array_length(v.path, 1)] IN %(lost)s),
               CASE WHEN v.path[array_length(v.path, 1)] = 6 THEN 100 ELSE 10 END,
               (%(stages)s::int[])[v.path[array_length(v.path, 1)]], %(team)s,
               (%(users)s::int[])[1 + mod(n, 10)], %(company)s,
               CASE WHEN v.path[array_length(v.path, 1)] IN %(closed)s
                    THEN now() - interval '1 day' * mod(n, 700) END,
               now(), now(), 1, 1
          FROM generate_series(1, %(leads)s) n
          JOIN bench_variant v ON v.vid = mod(n * 7919, %(nvariants)s)
        """,
            lost=LOST_AT,
            closed=(*LOST_AT, 6),
            stages=[s.id for s in stages],
            team=team.id,
            users=[u.id for u in users],
            company=env.company.id,
            leads=leads,
            nvariants=len(VARIANTS),
        )
    )
    cr.execute(
        SQL(
            """
        INSERT INTO guide_history (res_model, res_id, record_name, process_id, process_version_id,
            from_step_id, to_step_id,
            direction, gate_result, date, owner_id, company_id, crm_team_id, duration_hours,
            expected_hours, overdue, overdue_count, overridden_count, checklist_done, checklist_total,
            checklist_rate, create_uid, create_date, write_uid, write_date)
        SELECT 'crm.lead', l.id, l.name, %(process)s, (%(versions)s::int[])[mod(l.id, 2) + 1],
               CASE WHEN i > 1 THEN (%(steps)s::int[])[v.path[i - 1]] END,
               (%(steps)s::int[])[v.path[i]],
               CASE WHEN i = 1 THEN 'initial' WHEN v.path[i] > v.path[i - 1] THEN 'forward'
                    ELSE 'backward' END,
               CASE WHEN mod(l.id * 31 + i, 29) = 0 THEN 'overridden' ELSE 'free' END,
               l.create_date - interval '1 day' * (800 - mod(l.id, 700))
                   + interval '1 hour' * (i * 40 + mod(l.id * i, 37)),
               l.user_id, l.company_id, %(team)s, 0, 48, false,
               0, 0, 0, 0, 100, 1, now(), 1, now()
          FROM crm_lead l
          JOIN bench_variant v ON v.vid = mod(substring(l.name from 10)::int * 7919, %(nvariants)s)
          CROSS JOIN LATERAL generate_subscripts(v.path, 1) i
         WHERE l.team_id = %(team)s
        """,
            process=process.id,
            versions=versions,
            steps=[s.id for s in steps],
            team=team.id,
            nvariants=len(VARIANTS),
        )
    )
    count = cr.rowcount
    cr.execute("ANALYZE crm_lead")
    cr.execute("ANALYZE guide_history")
    print(f"generated {leads:,} leads and {count:,} history rows")
    return process, users[0], steps


def measure_queries(env, process, salesman, label):
    """Time the map and the variants (whole period, one month, one salesperson)."""
    Process = env["guide.process"].with_user(salesman)
    failed = False
    ordered = process.step_ids.sorted(lambda s: (s.sequence, s.id))
    env.cr.execute("SELECT min(date), max(date) FROM guide_history WHERE process_id = %s", [process.id])
    first, last = env.cr.fetchone()
    middle = (first + (last - first) / 2).date().replace(day=1)
    month = {"date_from": str(middle), "date_to": str(middle + timedelta(days=30))}
    print(f"-- {label}")
    for period, filters in (
        ("all time", {}),
        ("one month", month),
        ("one salesperson", {"user_id": salesman.id}),
        ("one version", {"version_id": process.version_ids[:1].id}),
    ):
        data, seconds = timed(env, lambda f=filters: Process._pi_map_data(process, ordered, f))
        visits = sum(node["visits"] for node in data["nodes"])
        print(f"map ({period}): {seconds:.2f} s, {visits:,} visits, {len(data['edges'])} edges")
        failed |= seconds > BUDGET_SECONDS
        data, seconds = timed(env, lambda f=filters: Process._pi_variant_data(process, ordered, f))
        print(
            f"variants ({period}): {seconds:.2f} s, {data['variant_count']} variants, "
            f"{data['conformance']['records']:,} records, conformance {data['conformance']['share'] or 0:.1%}"
        )
        failed |= seconds > BUDGET_SECONDS
    _res, seconds = timed(env, lambda: Process.get_process_map(process.id, {}))
    print(f"get_process_map (all time, as a salesperson): {seconds:.2f} s")
    return failed


def run(registry, rows):
    """Generate and build (committed, so that the tables can be vacuumed as autovacuum
    would), time the first read and the steady state, then delete what was generated."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        process, salesman, steps = generate(env, rows)
        ids = {"process": process.id, "salesman": salesman.id}
        Visit = env["guide.step.visit"]
        _res, seconds = timed(env, lambda: Visit._pi_refresh(full=True))
        env.cr.execute("SELECT count(*) FROM guide_step_visit")
        print(f"cold build of the visits and variants: {seconds:.2f} s ({env.cr.fetchone()[0]:,} visits)")
        # 1,000 new stage changes
        env.cr.execute(
            SQL(
                """
            INSERT INTO guide_history (res_model, res_id, process_id, from_step_id, to_step_id, direction,
                                       gate_result, date, company_id, create_date, write_date)
            SELECT 'crm.lead', id, %s, %s, %s, 'forward', 'free', now(), company_id, now(), now()
              FROM crm_lead WHERE name LIKE %s ORDER BY id LIMIT 1000
            """,
                process.id,
                steps[3].id,
                steps[4].id,
                "Bench PI %",
            )
        )
        _res, seconds = timed(env, Visit._pi_refresh)
        print(f"incremental refresh after 1,000 stage changes: {seconds:.2f} s")
        env.cr.execute("ANALYZE guide_step_visit")
        env.cr.execute("ANALYZE guide_record_variant")
        measure_queries(env, process, salesman, "first read after the build (before any vacuum)")
        cr.commit()
    try:
        with registry.cursor() as cr:
            cr._cnx.autocommit = True
            for table in ("guide_history", "crm_lead", "guide_step_visit", "guide_record_variant"):
                cr.execute(f"VACUUM ANALYZE {table}")  # pylint: disable=sql-injection
            cr._cnx.autocommit = False
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            process, salesman = (
                env["guide.process"].browse(ids["process"]),
                env["res.users"].browse(ids["salesman"]),
            )
            failed = measure_queries(
                env, process, salesman, "steady state (vacuumed, as autovacuum leaves it)"
            )
            cr.rollback()
    finally:
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            process = env["guide.process"].browse(ids["process"])
            for table in ("guide_record_variant", "guide_step_visit", "guide_history"):
                cr.execute(SQL("DELETE FROM %s WHERE process_id = %s", SQL.identifier(table), process.id))
            cr.execute(SQL("DELETE FROM crm_lead WHERE name LIKE %s", "Bench PI %"))
            team = process.crm_team_ids
            stages = process.step_ids.crm_stage_id
            process.unlink()
            stages.unlink()
            team.unlink()
            env["res.users"].search([("login", "like", "bench_pi_%")]).unlink()
            Visit = env["guide.step.visit"]
            Visit._pi_refresh()
    print(f"budget {BUDGET_SECONDS} s each (steady state): {'FAILED' if failed else 'ok'}")
    return failed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database])
    registry = ensure_modules(odoo.modules.registry.Registry(args.database), ["crm_process_intelligence"])
    failed = run(registry, args.rows)
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
