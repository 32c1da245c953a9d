"""Benchmark: configuration saves on a database of 100,000 guided leads (issue 12).

Generates (SQL bulk inserts) 100,000 guided opportunities of one sales team in
the first step of a process, their escalation clocks (as the engine creates
them) and the process, rule and policy configuration; then times, as the
administrator (not the superuser), each kind of configuration save as the
forms send it, and finally the scheduler applying what the saves left to it
(``guide.apply.job``, chunks of 1,000). Everything is rolled back at the end.

Budget: every save returns within 1 s (``BUDGET_SAVE``).

Run: ./dev bench bench/bench_admin_saves.py --db p5_bench [--extra --leads 100000]
(or: python bench/bench_admin_saves.py -c ODOO_CONF -d DB)
"""

import argparse
import json
import resource
import time

import odoo
from odoo.tools import SQL, config

BUDGET_SAVE = 1.0  # seconds per configuration save, whatever the number of records


def measure(env, func):
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    result = func()
    env.flush_all()
    env.cr.precommit.run()
    env.flush_all()
    return result, time.perf_counter() - start, env.cr.sql_log_count - queries


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def setup(env, leads):
    env["escalation.rule"].search([]).write({"active": False})
    env["compliance.policy"].search([]).write({"active": False})
    env["guide.process"].search([]).write({"active": False})
    env["guide.apply.job"].search([]).unlink()
    Users = env["res.users"].with_context(no_reset_password=True)
    salesman = Users.create({"name": "Bench Salesman", "login": "bench_admin_salesman"})
    team = env["crm.team"].create({"name": "Bench saves", "member_ids": [(6, 0, salesman.ids)]})
    other_team = env["crm.team"].create({"name": "Bench saves (other)"})
    stages = env["crm.stage"].create(
        [{"name": f"Bench saves {i}", "sequence": 4000 + i} for i in range(1, 6)]
    )
    process = env["guide.process"].create(
        {
            "name": "Bench saves",
            "model_name": "crm.lead",
            "crm_team_ids": [(6, 0, team.ids)],
            "step_ids": [
                (0, 0, {"crm_stage_id": stages[0].id, "gate_mode": "advisory"}),
                (0, 0, {"crm_stage_id": stages[1].id, "gate_mode": "advisory"}),
            ],
        }
    )
    step1, _step2 = process.step_ids.sorted("sequence")
    rule = env["escalation.rule"].create(
        {
            "name": "Bench saves: stale",
            "model_name": "crm.lead",
            "process_id": process.id,
            "crm_team_ids": [(6, 0, team.ids)],
            "trigger_type": "step_time",
            "delay_unit": "hours",
            "level_ids": [
                (0, 0, {"name": "L1", "sequence": 1, "delay": 4, "post_message": True}),
                (0, 0, {"name": "L2", "sequence": 2, "delay": 8, "post_message": True}),
            ],
        }
    )
    level1 = rule.level_ids.sorted("sequence")[0]
    policy = env["compliance.policy"].create(
        {
            "name": "Bench saves: revenue",
            "model_name": "crm.lead",
            "process_id": process.id,
            "trigger": "stage",
            "requirement": "[('expected_revenue', '>', 0)]",
            "enforcement": "warn",
            "message": "Set the expected revenue.",
        }
    )
    env.flush_all()
    now = env.cr.now().replace(tzinfo=None, microsecond=0)
    env.cr.execute(
        SQL(
            """
            INSERT INTO crm_lead (name, type, team_id, user_id, stage_id, company_id, active, priority,
                                  probability, guide_process_id, guide_step_id, guide_step_entered_at,
                                  create_date, write_date, create_uid, write_uid)
            SELECT 'Bench saves ' || i, 'opportunity', %(team)s, %(user)s, %(stage)s, %(company)s, true, '0',
                   10, %(process)s, %(step)s, %(now)s - interval '1 hour',
                   %(now)s - interval '1 day', %(now)s, 1, 1
              FROM generate_series(1, %(leads)s) AS i
            """,
            team=team.id,
            user=salesman.id,
            stage=stages[0].id,
            company=env.company.id,
            process=process.id,
            step=step1.id,
            now=now,
            leads=leads,
        )
    )
    env.cr.execute(
        SQL(
            """
            INSERT INTO escalation_clock (res_model, res_id, record_name, rule_id, company_id, state, episode,
                                          episode_start, step_id, step_entered_at, base_hours, paused_seconds,
                                          level_index, next_level_id, next_escalation_at, breached,
                                          breach_rate, failure_count, create_date, write_date, create_uid,
                                          write_uid)
            SELECT 'crm.lead', l.id, l.name, %(rule)s, l.company_id, 'running', 1,
                   l.guide_step_entered_at, l.guide_step_id, l.guide_step_entered_at, 0, 0,
                   0, %(level)s, l.guide_step_entered_at + interval '4 hours', false, 0, 0,
                   %(now)s, %(now)s, 1, 1
              FROM crm_lead l
             WHERE l.team_id = %(team)s
            """,
            rule=rule.id,
            level=level1.id,
            now=now,
            team=team.id,
        )
    )
    env.cr.execute("ANALYZE crm_lead")
    env.cr.execute("ANALYZE escalation_clock")
    env.invalidate_all()
    return {
        "team": team,
        "other_team": other_team,
        "stages": stages,
        "process": process,
        "rule": rule,
        "policy": policy,
    }


def saves(data):
    """(label, function) of each kind of save, as the forms send them."""
    process, rule, policy, stages = data["process"], data["rule"], data["policy"], data["stages"]
    level1, level2 = rule.level_ids.sorted("sequence")
    step2 = process.step_ids.sorted("sequence")[1]
    return [
        (
            "process scope: + sales team",
            lambda: process.write({"crm_team_ids": [(4, data["other_team"].id)]}),
        ),
        (
            "process: add a step",
            lambda: process.write({"step_ids": [(0, 0, {"crm_stage_id": stages[2].id})]}),
        ),
        ("step: change its stage", lambda: step2.write({"crm_stage_id": stages[3].id})),
        ("escalation level: delay", lambda: rule.write({"level_ids": [(1, level1.id, {"delay": 5})]})),
        ("escalation level: delete", lambda: rule.write({"level_ids": [(2, level2.id)]})),
        ("escalation rule scope: + team", lambda: rule.write({"crm_team_ids": [(4, data["other_team"].id)]})),
        ("policy: requirement", lambda: policy.write({"requirement": "[('expected_revenue', '>', 10)]"})),
        ("process: apply to open records", lambda: process.action_apply_to_open_records()),
    ]


def delete_fired_level(env, rule):
    """Delete the level every clock has fired: the save archives it, the job it leaves
    renumbers the clocks (they go on after the last level they fired) and deletes it.
    Measured last, after the other jobs: (save row, job row)."""
    levels = rule.level_ids.sorted("sequence")
    level, last = levels[:1], levels[-1:]
    # a rule keeps one level at least: one after the others, not fired yet
    rule.write(
        {
            "level_ids": [
                (
                    0,
                    0,
                    {
                        "name": "After",
                        "sequence": last.sequence + 1,
                        "delay": last.delay + 4,
                        "post_message": True,
                    },
                )
            ]
        }
    )
    env.cr.execute(
        SQL(
            "UPDATE escalation_clock SET current_level_id = %s, level_index = 1, breached = true "
            "WHERE rule_id = %s",
            level.id,
            rule.id,
        )
    )
    env.invalidate_all()
    _result, seconds, queries = measure(env, lambda: rule.write({"level_ids": [(2, level.id)]}))
    save = {"save": "escalation level: delete a fired one", "seconds": round(seconds, 3), "queries": queries}
    from odoo.addons.base_process_guide.models.guide_apply_job import FLAG_NO_COMMIT  # noqa: PLC0415
    from odoo.addons.base_process_guide.tools import engine_flag  # noqa: PLC0415

    Job = env["guide.apply.job"].sudo()
    job = Job.search([("res_model", "=", "escalation.rule"), ("res_id", "=", rule.id)])
    total = job.total
    with engine_flag(env, FLAG_NO_COMMIT):
        _result, seconds, queries = measure(
            env, lambda: Job._guide_run([("id", "=", job.id)], time_limit=3600)
        )
    if level.exists():
        raise AssertionError("the deleted level is still there after its job")
    label = "escalation.rule / reschedule (fired level deleted)"
    return save, {"job": label, "records": total, "seconds": round(seconds, 2), "queries": queries}


def run(env, leads):
    start = time.perf_counter()
    data = setup(env, leads)
    print(f"generated {leads} guided leads and their clocks in {time.perf_counter() - start:.1f} s")
    Job = env["guide.apply.job"].sudo()
    admin = env.ref("base.user_admin")
    rows = []
    for label, func in saves({key: value.with_user(admin) for key, value in data.items()}):
        _result, seconds, queries = measure(env, func)
        rows.append({"save": label, "seconds": round(seconds, 3), "queries": queries})
    pending = Job.search([])
    rss = rss_mb()
    # imported once the addons path is set (after the configuration is parsed)
    from odoo.addons.base_process_guide.models.guide_apply_job import FLAG_NO_COMMIT  # noqa: PLC0415
    from odoo.addons.base_process_guide.tools import engine_flag  # noqa: PLC0415

    jobs = []
    with engine_flag(env, FLAG_NO_COMMIT):
        for job in pending:
            label, total = f"{job.res_model} / {job.kind}", job.total
            _result, seconds, queries = measure(
                env, lambda job_id=job.id: Job._guide_run([("id", "=", job_id)], time_limit=3600)
            )
            jobs.append({"job": label, "records": total, "seconds": round(seconds, 2), "queries": queries})
    records = sum(job["records"] for job in jobs)
    job_seconds = sum(job["seconds"] for job in jobs)
    job_queries = sum(job["queries"] for job in jobs)
    left = Job.search_count([])
    # what the scheduler applied: every clock due at the level's new delay (5 hours)
    env.cr.execute(
        SQL(
            "SELECT count(*) FROM escalation_clock WHERE rule_id = %s AND state = 'running' "
            "AND next_escalation_at = step_entered_at + interval '5 hours'",
            data["rule"].id,
        )
    )
    rescheduled = env.cr.fetchone()[0]
    guided = env["crm.lead"].search_count([("guide_process_id", "=", data["process"].id)])
    print(f"clocks due at the new delay: {rescheduled}, leads still guided: {guided} (of {leads})")
    save_row, job_row = delete_fired_level(env, data["rule"].with_user(admin))
    rows.append(save_row)
    jobs.append(job_row)
    print()
    print(f"{'save (as the administrator)':<36} {'seconds':>8} {'queries':>8}")
    for row in rows:
        print(f"{row['save']:<36} {row['seconds']:>8.3f} {row['queries']:>8}")
    print(
        f"\n{'job left to the scheduler':<36} {'records':>8} {'seconds':>8} {'queries':>8} {'ms/record':>9}"
    )
    for job in jobs:
        per = job["seconds"] / job["records"] * 1000 if job["records"] else 0.0
        print(f"{job['job']:<36} {job['records']:>8} {job['seconds']:>8.1f} {job['queries']:>8} {per:>9.3f}")
    per_record = job_seconds / records * 1000 if records else 0.0
    print(
        f"scheduler: {records} record visits in {job_seconds:.1f} s ({job_queries} queries, "
        f"{per_record:.2f} ms per record), jobs left: {left}, memory growth {rss_mb() - rss:.0f} MB"
    )
    worst = max(row["seconds"] for row in rows)
    ok = worst <= BUDGET_SAVE and not left and rescheduled == guided == leads
    print(f"slowest save {worst:.3f} s (budget {BUDGET_SAVE} s): {'ok' if ok else 'OVER BUDGET'}")
    summary = {
        "leads": leads,
        "saves": rows,
        "jobs": jobs,
        "job_records": records,
        "job_seconds": round(job_seconds, 2),
        "job_queries": job_queries,
        "job_ms_per_record": round(per_record, 3),
        "clocks_rescheduled": rescheduled,
        "leads_guided": guided,
    }
    print("JSON " + json.dumps(summary))
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": False})
        try:
            ok = run(env, args.leads)
        finally:
            cr.rollback()
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
