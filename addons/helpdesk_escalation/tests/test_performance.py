from odoo.tests import tagged

from odoo.addons.base_process_guide.tools import engine_flag

from .common import T0, HelpdeskEscalationCommon

# extra queries of a ticket stage write() on tickets running an escalation clock
WRITE_BUDGET = 8


@tagged("post_install", "-at_install")
class TestPerformance(HelpdeskEscalationCommon):
    """Query budget: a stage write on escalated tickets costs at most 8 queries
    more than the same write without escalation, whatever the number of tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._rule(
            name="Resolution",
            trigger_type="creation",
            time_mode="working",
            resource_calendar_id=cls.calendar.id,
            pause_step_ids=[(6, 0, cls.step_waiting.ids)],
            met_step_ids=[(6, 0, cls.step_resolved.ids)],
            levels=[{"name": "R1", "delay": 4, "assign_to": "team_leader"}, {"name": "R2", "delay": 8}],
        )

    def _tickets(self, count):
        return self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Perf {count} {index}",
                    "description": "<p>Perf</p>",
                    "team_id": self.team.id,
                    "stage_id": self.stage_triage.id,
                    "user_id": self.user_agent.id,
                }
                for index in range(count)
            ]
        )

    def _queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - start

    def _check_budget(self, count):
        agent = self.user_agent
        with self._at(T0):
            escalated, plain = self._tickets(count), self._tickets(count)
            warm_escalated, warm_plain = self._tickets(2), self._tickets(2)
        self.assertEqual(
            self.Clock.search_count([("res_model", "=", "helpdesk.ticket"), ("res_id", "in", escalated.ids)]),
            count,
        )
        with self._at(self._h(1)):
            # warm the caches (configuration, access rules, ORM metadata) on other tickets
            with engine_flag(self.env, "escalation_no_sync"):  # the write without the escalation engine
                self._queries(lambda: warm_plain.with_user(agent).write({"stage_id": self.stage_waiting.id}))
            self._queries(lambda: warm_escalated.with_user(agent).write({"stage_id": self.stage_waiting.id}))
            with engine_flag(self.env, "escalation_no_sync"):
                baseline = self._queries(
                    lambda: plain.with_user(agent).write({"stage_id": self.stage_waiting.id})
                )
            self.env.invalidate_all()
            with self.assertQueryCount(baseline + WRITE_BUDGET):
                escalated.with_user(agent).write({"stage_id": self.stage_waiting.id})
        clocks = self.Clock.search([("res_model", "=", "helpdesk.ticket"), ("res_id", "in", escalated.ids)])
        self.assertEqual(set(clocks.mapped("state")), {"paused"})

    def test_stage_write_budget_1_ticket(self):
        self._check_budget(1)

    def test_stage_write_budget_50_tickets(self):
        self._check_budget(50)


# extra queries of a ticket stage write() pausing one rule's clocks and restarting another's
MASS_WRITE_BUDGET = 3


@tagged("post_install", "-at_install")
class TestStageWriteQueries(HelpdeskEscalationCommon):
    """Issue 12: a stage write of tickets that pauses the clocks of a working-time rule
    and restarts the episodes of a step-time rule costs a constant number of queries
    more than the same write without the escalation engine, as a helpdesk user, whatever
    the number of tickets (the clocks are written in one statement per set of new values)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.resolution = cls._rule(
            name="Resolution",
            trigger_type="creation",
            time_mode="working",
            resource_calendar_id=cls.calendar.id,
            pause_step_ids=[(6, 0, cls.step_waiting.ids)],
            met_step_ids=[(6, 0, cls.step_resolved.ids)],
            levels=[{"name": "R1", "delay": 4, "assign_to": "team_leader"}, {"name": "R2", "delay": 8}],
        )
        cls.stale = cls._rule(name="Stale", levels=[{"name": "S1", "delay": 4}, {"name": "S2", "delay": 8}])

    def _tickets(self, count):
        return self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Mass {count} {index}",
                    "description": "<p>Mass</p>",
                    "team_id": self.team.id,
                    "stage_id": self.stage_triage.id,
                    "user_id": self.user_agent.id,
                }
                for index in range(count)
            ]
        )

    def _write_overhead(self, count):
        agent, vals = self.user_agent, {"stage_id": self.stage_waiting.id}
        with self._at(T0):
            escalated, plain, warm, warm_plain = (self._tickets(count) for _i in range(4))
        with self._at(self._h(1)):
            with engine_flag(self.env, "escalation_no_sync"):  # the write without the escalation engine
                self._count_queries(lambda: warm_plain.with_user(agent).write(vals))
                baseline = self._count_queries(lambda: plain.with_user(agent).write(vals))
            self._count_queries(lambda: warm.with_user(agent).write(vals))
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            with self.assertQueryCount(baseline + MASS_WRITE_BUDGET):
                escalated.with_user(agent).write(vals)
            overhead = self.env.cr.sql_log_count - start - baseline
        clocks = self.Clock.search([("res_model", "=", "helpdesk.ticket"), ("res_id", "in", escalated.ids)])
        self.assertEqual(len(clocks), 2 * count)
        paused = clocks.filtered(lambda c: c.rule_id == self.resolution)
        restarted = clocks - paused
        self.assertEqual(set(paused.mapped("state")), {"paused"})
        self.assertEqual(set(paused.mapped("step_id")), {self.step_waiting})
        self.assertEqual(set(restarted.mapped("state")), {"running"})
        self.assertEqual(set(restarted.mapped("episode")), {2})
        self.assertEqual(set(restarted.mapped("next_escalation_at")), {self._h(5)})
        return overhead

    def test_stage_write_queries_1_ticket(self):
        self._write_overhead(1)

    def test_stage_write_queries_50_tickets(self):
        self._write_overhead(50)

    def test_stage_write_queries_do_not_grow_with_the_tickets(self):
        # 150 tickets, 300 clocks: the ORM would flush them 100 rows per UPDATE
        self.assertEqual(self._write_overhead(150), self._write_overhead(1))


@tagged("post_install", "-at_install")
class TestUnguidedCost(HelpdeskEscalationCommon):
    """Tickets no process or rule can cover cost what they cost without the product
    (at most one query more per write, at any size), as a helpdesk user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quiet_team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Quiet Desk", "user_ids": [(6, 0, (cls.user_agent | cls.user_leader).ids)]}
        )
        cls._rule()
        cls._rule(
            name="Urgent tickets of any team",
            process_id=False,
            helpdesk_team_ids=[(5, 0, 0)],
            domain="[('priority', '=', '3')]",
        )

    def _plain_tickets(self, count):
        return lambda: self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Plain {index}",
                    "description": "<p>Plain</p>",
                    "team_id": self.quiet_team.id,
                    "user_id": self.user_agent.id,
                    "stage_id": self.stage_triage.id,
                    "priority": "1",
                }
                for index in range(count)
            ]
        )

    def test_unguided_stage_write(self):
        for count in (1, 50):
            extra = self._unguided_write_cost(
                self._plain_tickets(count), {"stage_id": self.stage_progress.id}, self.user_agent
            )
            self.assertLessEqual(extra, 1, f"stage write of {count} unguided tickets: +{extra} queries")

    def test_unguided_reassignment_write(self):
        for count in (1, 50):
            extra = self._unguided_write_cost(
                self._plain_tickets(count),
                {"team_id": self.quiet_team.id, "user_id": self.user_leader.id},
                self.user_agent,
            )
            self.assertLessEqual(extra, 1, f"reassignment of {count} unguided tickets: +{extra} queries")
