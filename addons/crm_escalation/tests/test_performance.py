from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.base_process_guide.tools import engine_flag

from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestPerformance(EscalationCommon):
    """Query budgets of the cron."""

    def _queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - start

    def _filler_clocks(self, rule, count, due, offset):
        """Clocks of fake records, not due (the table size must not matter)."""
        base = 10**8 + offset
        self.Clock._guide_bulk_create(
            [
                {
                    "res_model": "crm.lead",
                    "res_id": base + index,
                    "rule_id": rule.id,
                    "state": "running",
                    "episode": 1,
                    "next_escalation_at": due + timedelta(days=1 + index % 30),
                }
                for index in range(count)
            ]
        )

    def test_finding_due_records_is_constant(self):
        rule = self._rule()
        now = self._h(5)
        counts = []
        for offset, size in ((0, 10), (1000, 2000)):
            self._filler_clocks(rule, size, now, offset)
            counts.append(self._queries(lambda: self.Clock._escalation_claim(now, 50)))
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[1], 3)

    def _fire_queries(self, count):
        with self._at(T0):
            leads = self.env["crm.lead"].create(
                [
                    {
                        "name": f"Perf {count} {index}",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "user_id": self.user_salesman.id,
                        "stage_id": self.stage_qualif.id,
                    }
                    for index in range(count)
                ]
            )
        with self._at(self._h(4.5)):
            queries = self._queries(self.Clock._cron_escalate)
        logs = self.Log.search([("res_id", "in", leads.ids), ("outcome", "=", "done")])
        self.assertEqual(len(logs), count)
        self.assertEqual(set(leads.mapped("user_id")), {self.user_leader})
        return queries

    def test_processing_cost_per_record_is_bounded(self):
        self._rule(
            levels=[
                {
                    "name": "L1",
                    "delay": 4,
                    "assign_to": "team_leader",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "raise_priority": "2",
                },
                {"name": "L2", "delay": 8},
            ]
        )
        self._fire_queries(5)  # warm-up
        small = self._fire_queries(10)
        large = self._fire_queries(40)
        per_record = (large - small) / 30
        self.assertLessEqual(per_record, 3, f"{small} queries for 10, {large} for 40 records")

    def test_due_records_fired_in_batches_of_constant_cost(self):
        """200 due records are one batch: the cron's queries do not grow with them (a batch's
        claim, cache check, configuration and the records' write are per batch, not per record)."""
        self._rule(
            levels=[{"name": "L1", "delay": 4, "assign_to": "team_leader"}, {"name": "L2", "delay": 8}]
        )
        self._fire_queries(5)  # warm-up
        small = self._fire_queries(10)
        large = self._fire_queries(200)
        self.assertLessEqual(large - small, 10, f"{small} queries for 10, {large} for 200 records")

    def _write_overhead(self, count):
        """Extra queries of a stage write on leads running two rules' clocks."""
        self._rule(
            name="Resolution",
            trigger_type="creation",
            pause_step_ids=[(6, 0, self.step_waiting.ids)],
            met_step_ids=[(6, 0, self.step_won.ids)],
            levels=[{"name": "R1", "delay": 10}],
        )
        self._rule(name="Stale", levels=[{"name": "S1", "delay": 4}, {"name": "S2", "delay": 8}])

        def leads():
            return self.env["crm.lead"].create(
                [
                    {
                        "name": f"Write {count} {index}",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "user_id": self.user_salesman.id,
                        "stage_id": self.stage_qualif.id,
                    }
                    for index in range(count)
                ]
            )

        with self._at(T0):
            escalated, plain = leads(), leads()
            leads().write({"stage_id": self.stage_proposal.id})  # warm-up
        self.assertEqual(self.Clock.search_count([("res_id", "in", escalated.ids)]), 2 * count)
        with self._at(self._h(1)):
            with engine_flag(self.env, "escalation_no_sync"):  # the write without the escalation engine
                baseline = self._queries(lambda: plain.write({"stage_id": self.stage_waiting.id}))
            measured = self._queries(lambda: escalated.write({"stage_id": self.stage_waiting.id}))
        states = self.Clock.search([("res_id", "in", escalated.ids)]).mapped("state")
        self.assertEqual(sorted(set(states)), ["paused", "running"], "paused, and a new stale episode")
        return measured - baseline

    def test_stage_write_overhead_10(self):
        overhead = self._write_overhead(10)
        self.assertLessEqual(overhead, 10, f"stage write of 10 escalated leads: +{overhead} queries")

    def test_stage_write_overhead_100(self):
        overhead = self._write_overhead(100)
        self.assertLessEqual(overhead, 10, f"stage write of 100 escalated leads: +{overhead} queries")

    def test_one_work_interval_fetch_per_calendar_per_batch(self):
        other_calendar = self.calendar.copy({"name": "Other hours"})
        self._rule(
            name="Working A",
            time_mode="working",
            resource_calendar_id=self.calendar.id,
            levels=[{"name": "A1", "delay": 2}, {"name": "A2", "delay": 6}],
        )
        self._rule(
            name="Working B",
            time_mode="working",
            resource_calendar_id=other_calendar.id,
            levels=[{"name": "B1", "delay": 3}, {"name": "B2", "delay": 7}],
        )
        with self._at(T0):
            leads = self.env["crm.lead"].create(
                [
                    {
                        "name": f"W {i}",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "stage_id": self.stage_qualif.id,
                    }
                    for i in range(30)
                ]
            )
        Calendar = type(self.env["resource.calendar"])
        original = Calendar._work_intervals_batch
        calls = []

        def counting(calendar, *args, **kwargs):
            calls.append(calendar.id)
            return original(calendar, *args, **kwargs)

        with patch.object(Calendar, "_work_intervals_batch", counting), self._at(self._h(3.5)):
            self.env.invalidate_all()
            self.assertEqual(self.Clock._cron_escalate(batch_size=100), 60, "one batch")
            self.env.invalidate_all()
        self.assertEqual(sorted(calls), sorted([self.calendar.id, other_calendar.id]))
        self.assertEqual(len(self.Log.search([("res_id", "in", leads.ids), ("outcome", "=", "done")])), 60)


# extra queries of a stage write() on guided leads running two rules' clocks, as a salesperson:
# the clocks read in one query, written in one UPDATE per set of new values (pause, restart)
MASS_WRITE_BUDGET = 3


@tagged("post_install", "-at_install")
class TestStageWriteQueries(EscalationCommon):
    """Issue 12: a stage write that pauses one rule's clocks, moves them to the new step
    and restarts another rule's episodes costs a constant number of queries more than
    the same write without the escalation engine, as a salesperson, whatever the number
    of leads (the clocks are written in one statement per set of new values, not 100
    rows per UPDATE), and leaves the clocks in the database as the cache holds them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.resolution = cls._rule(
            name="Resolution",
            trigger_type="creation",
            pause_step_ids=[(6, 0, cls.step_waiting.ids)],
            met_step_ids=[(6, 0, cls.step_won.ids)],
            levels=[{"name": "R1", "delay": 10}],
        )
        cls.stale = cls._rule(name="Stale", levels=[{"name": "S1", "delay": 4}, {"name": "S2", "delay": 8}])

    def _leads(self, count):
        return self.env["crm.lead"].create(
            [
                {
                    "name": f"Mass {count} {index}",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "user_id": self.user_salesman.id,
                    "stage_id": self.stage_qualif.id,
                }
                for index in range(count)
            ]
        )

    def _write_overhead(self, count):
        """Extra queries of the escalation engine in a stage write of ``count`` leads (asserted
        within the budget), the clocks checked afterwards."""
        user, vals = self.user_salesman, {"stage_id": self.stage_waiting.id}
        with self._at(T0):
            escalated, plain, warm, warm_plain = (self._leads(count) for _i in range(4))
        with self._at(self._h(1)):
            # warm the caches (configuration, access rules, ORM metadata) on other leads
            with engine_flag(self.env, "escalation_no_sync"):  # the write without the escalation engine
                self._count_queries(lambda: warm_plain.with_user(user).write(vals))
                baseline = self._count_queries(lambda: plain.with_user(user).write(vals))
            self._count_queries(lambda: warm.with_user(user).write(vals))
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            with self.assertQueryCount(baseline + MASS_WRITE_BUDGET):
                escalated.with_user(user).write(vals)
            overhead = self.env.cr.sql_log_count - start - baseline
        clocks = self.Clock.search([("res_model", "=", "crm.lead"), ("res_id", "in", escalated.ids)])
        self.assertEqual(len(clocks), 2 * count)
        paused = clocks.filtered(lambda c: c.rule_id == self.resolution)
        restarted = clocks - paused
        self.assertEqual(set(paused.mapped("state")), {"paused"})
        self.assertEqual(set(paused.mapped("step_id")), {self.step_waiting})
        self.assertEqual(set(paused.mapped("paused_since")), {self._h(1)})
        self.assertEqual(set(paused.mapped("next_escalation_at")), {False})
        self.assertEqual(set(restarted.mapped("state")), {"running"})
        self.assertEqual(set(restarted.mapped("episode")), {2})
        self.assertEqual(set(restarted.mapped("episode_start")), {self._h(1)})
        self.assertEqual(set(restarted.mapped("next_escalation_at")), {self._h(5)})
        self.assertEqual(set(restarted.mapped("next_level_id.name")), {"S1"})
        return overhead

    def test_stage_write_queries_1_lead(self):
        self._write_overhead(1)

    def test_stage_write_queries_50_leads(self):
        self._write_overhead(50)

    def test_stage_write_queries_do_not_grow_with_the_leads(self):
        # 250 leads, 500 clocks: the ORM would flush them 100 rows per UPDATE
        self.assertEqual(self._write_overhead(250), self._write_overhead(1))

    def test_bulk_written_clocks_match_the_database(self):
        """What the engine leaves in the cache is what a fresh read finds."""
        with self._at(T0):
            leads = self._leads(120)
        with self._at(self._h(2)):
            leads.with_user(self.user_salesman).write({"stage_id": self.stage_waiting.id})
            clocks = self.Clock.search([("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)])
            fnames = [name for name, field in self.Clock._fields.items() if field.store and field.column_type]
            fnames.remove("write_date")
            cached = clocks.read(fnames)
            self.env.invalidate_all()
            self.assertEqual(clocks.read(fnames), cached)
        with self._at(self._h(3)):
            # the clocks go on from there: resumed in the next step, restarted
            leads.with_user(self.user_salesman).write({"stage_id": self.stage_proposal.id})
        self.env.invalidate_all()
        resolution = clocks.filtered(lambda c: c.rule_id == self.resolution)
        self.assertEqual(set(resolution.mapped("state")), {"running"})
        self.assertEqual(set(resolution.mapped("paused_seconds")), {3600.0})
        # (the creation date is the database's clock, not the frozen one)
        self.assertEqual({c.next_escalation_at - c.episode_start for c in resolution}, {timedelta(hours=11)})
        stale = clocks - resolution
        self.assertEqual(set(stale.mapped("episode")), {3})
        self.assertEqual(set(stale.mapped("next_escalation_at")), {self._h(7)})


@tagged("post_install", "-at_install")
class TestUnguidedCost(EscalationCommon):
    """Leads no process or rule can cover cost what they cost in vanilla Odoo (at
    most one query more per write, at any size) although processes and rules exist
    for other teams: a stage write, and the writes of lead assignment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._rule()
        cls._rule(
            name="Opportunities of any team",
            process_id=False,
            crm_team_ids=[(5, 0, 0)],
            domain="[('type', '=', 'opportunity')]",
        )

    def _plain_leads(self, count):
        return lambda: self.env["crm.lead"].create(
            [
                {
                    "name": f"Plain {index}",
                    "type": "lead",
                    "team_id": self.other_team.id,
                    "user_id": self.user_salesman.id,
                    "stage_id": self.stage_new.id,
                }
                for index in range(count)
            ]
        )

    def test_unguided_stage_write(self):
        for count in (1, 50):
            extra = self._unguided_write_cost(
                self._plain_leads(count), {"stage_id": self.stage_qualif.id}, self.user_salesman
            )
            self.assertLessEqual(extra, 1, f"stage write of {count} unguided leads: +{extra} queries")

    def test_unguided_assignment_write(self):
        for count in (1, 50):
            extra = self._unguided_write_cost(
                self._plain_leads(count),
                {"team_id": self.other_team.id, "user_id": self.user_salesman_all.id},
                self.user_salesman,
            )
            self.assertLessEqual(extra, 1, f"assignment of {count} unguided leads: +{extra} queries")

    def test_rules_of_no_process_act_outside_processes(self):
        """A rule of no process covers leads outside every process: their writes are not
        short-cut past the engines (``guide.mixin._guide_write_outside_processes``), and a
        lead that comes to meet its condition gets its clock."""
        if "compliance.policy" in self.env:
            # policies of no process would keep every write on the long path
            self.env["compliance.policy"].search([("process_id", "=", False)]).active = False
        self.env["escalation.rule"].search([("process_id", "=", False)]).active = False
        rule = self._rule(
            name="Urgent leads of any team",
            process_id=False,
            crm_team_ids=[(5, 0, 0)],
            domain="[('priority', '=', '3')]",
        )
        lead = self._plain_leads(1)()
        self.assertFalse(lead.guide_process_id)
        self.assertIsNone(lead._guide_outside_processes_scope())
        self.assertFalse(self._clock(lead, rule))
        lead.with_user(self.user_salesman).write({"priority": "3"})
        self.assertTrue(self._clock(lead, rule))


@tagged("post_install", "-at_install")
class TestBadgeReadPerformance(EscalationCommon):
    """Issue 12, read path: the escalation state and badge lists and kanbans show
    cost one query for the whole page, as a salesperson, whatever its size."""

    def _badge_queries(self, count):
        self._rule(name="Stale", levels=[{"name": "S1", "delay": 4}, {"name": "S2", "delay": 8}])
        with self._at(T0):
            leads = self.env["crm.lead"].create(
                [
                    {
                        "name": f"Badge {count} {index}",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "user_id": self.user_salesman.id,
                        "stage_id": self.stage_qualif.id,
                    }
                    for index in range(count)
                ]
            )
        self._run_at(self._h(5))  # the first level fires: a badge to show
        leads = leads.with_user(self.user_salesman)
        spec = {"name": {}, "escalation_state": {}, "escalation_badge": {}}
        leads.web_read(spec)  # warm-up
        counts = []
        for read_spec in ({"name": {}}, spec):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            result = leads.web_read(read_spec)
            counts.append(self.env.cr.sql_log_count - start)
        self.assertEqual({row["escalation_state"] for row in result}, {"escalated"})
        self.assertEqual({row["escalation_badge"] for row in result}, {"Escalated: S1"})
        return counts[1] - counts[0]

    def test_badge_read_5(self):
        self.assertEqual(self._badge_queries(5), 1)

    def test_badge_read_40(self):
        self.assertEqual(self._badge_queries(40), 1)
