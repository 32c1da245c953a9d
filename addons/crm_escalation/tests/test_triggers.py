from datetime import timedelta

from odoo.tests import tagged

from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestTriggers(EscalationCommon):
    def test_step_time_fixed_delay(self):
        rule = self._rule(step_ids=[(6, 0, self.step_qualif.ids)])
        with self._at(T0):
            lead = self._lead()
        clock = self._clock(lead, rule)
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.crm_team_id, self.team, "breach rate per team")
        self.assertEqual(clock.next_escalation_at, self._h(4))
        self.assertEqual(lead.escalation_next_at, self._h(4))
        self.assertEqual(self._run_at(self._h(3.9)), 0)
        self.assertEqual(lead.user_id, self.user_salesman)
        self._run_at(self._h(4.1))
        self.assertEqual(lead.user_id, self.user_leader, "L1 reassigns to the team leader")
        self.assertEqual(lead.team_id, self.team, "the team is kept")
        self.assertEqual(clock.state, "breached")
        self.assertEqual(clock.current_level_id, rule.level_ids[0])
        self.assertEqual(clock.next_escalation_at, self._h(8))
        self.assertEqual(lead.escalation_state, "escalated")
        self.assertTrue(lead.escalation_badge)
        self._run_at(self._h(9))
        self.assertEqual(lead.user_id, self.user_manager)
        self.assertFalse(clock.next_escalation_at, "all levels done")
        logs = self._logs(lead, outcome="done")
        self.assertEqual(logs.mapped("level_id"), rule.level_ids)
        self.assertEqual(logs[0].from_user_id, self.user_salesman)
        self.assertEqual(logs[0].to_user_id, self.user_leader)
        self.assertEqual(logs[0].crm_team_id, self.team)
        self.assertIn(lead, self.env["crm.lead"].search([("escalation_escalated", "=", True)]))
        self.assertIn(lead, self.env["crm.lead"].search([("escalation_breached", "=", True)]))

    def test_step_time_after_expected_duration(self):
        rule = self._rule(
            step_delay_base="expected",
            levels=[{"name": "Overdue", "delay": 0}, {"name": "Very overdue", "delay": 2}],
        )
        with self._at(T0):
            lead = self._lead()
        # step Qualified expects 8 hours
        self.assertEqual(self._clock(lead, rule).next_escalation_at, self._h(8))
        with self._at(self._h(1)):
            lead.stage_id = self.stage_proposal
        # step Proposal expects 1 day: a new episode from the step entry
        clock = self._clock(lead, rule)
        self.assertEqual(clock.episode, 2)
        self.assertEqual(clock.next_escalation_at, self._h(25))

    def test_creation_until_step_met(self):
        rule = self._rule(
            trigger_type="creation",
            met_step_ids=[(6, 0, self.step_proposal.ids)],
            levels=[{"name": "Slow first response", "delay": 2}],
        )
        lead = self._lead()
        start = lead.create_date.replace(microsecond=0)
        clock = self._clock(lead, rule)
        self.assertEqual(clock.episode_start, start)
        self.assertEqual(clock.next_escalation_at, start + timedelta(hours=2))
        # moving between other steps does not restart the clock
        with self._at(start + timedelta(hours=1)):
            lead.stage_id = self.stage_new
        self.assertEqual(clock.episode, 1)
        with self._at(start + timedelta(hours=1, minutes=30)):
            lead.stage_id = self.stage_proposal
        self.assertEqual(clock.state, "met")
        self.assertFalse(clock.next_escalation_at)
        self.assertEqual(self._run_at(start + timedelta(hours=3)), 0)
        # met for good: going back does not restart it
        with self._at(start + timedelta(hours=4)):
            lead.stage_id = self.stage_qualif
        self.assertEqual(clock.state, "met")
        lead.invalidate_recordset()
        self.assertEqual(lead.escalation_state, "met")

    def test_no_activity_from_team(self):
        rule = self._rule(trigger_type="no_activity", levels=[{"name": "Silent", "delay": 24}])
        lead = self._lead()
        start = lead.create_date.replace(microsecond=0)
        clock = self._clock(lead, rule)
        self.assertEqual(clock.next_escalation_at, start + timedelta(hours=24))
        # the customer writes: not team activity
        lead.message_post(
            body="Any news?", author_id=self.env["res.partner"].create({"name": "C"}).id, message_type="email"
        )
        # a salesman answers 10 hours later: the clock restarts from his message
        with self._at(start + timedelta(hours=10)):
            lead.with_user(self.user_salesman).message_post(body="Working on it", message_type="comment")
        self.assertEqual(self._run_at(start + timedelta(hours=25)), 1, "due clock is re-evaluated, not fired")
        self.assertFalse(self._logs(lead, outcome="done").filtered(lambda log: log.kind == "escalation"))
        self.assertEqual(clock.episode_start, start + timedelta(hours=10))
        self.assertEqual(clock.next_escalation_at, start + timedelta(hours=34))
        self._run_at(start + timedelta(hours=35))
        self.assertEqual(clock.state, "breached")

    def test_no_activity_not_put_off_by_a_date_to_come(self):
        """A salesperson's message dated in 2099 is dated when it is posted: the clock of a
        rule waiting on the team's activity restarts from then, not from 2099."""
        rule = self._rule(trigger_type="no_activity", levels=[{"name": "Silent", "delay": 24}])
        lead = self._lead()
        start = lead.create_date.replace(microsecond=0)
        clock = self._clock(lead, rule)
        with self._at(start + timedelta(hours=10)):
            message = lead.with_user(self.user_salesman).message_post(
                body="Later", message_type="comment", date="2099-12-31 00:00:00"
            )
        self.assertEqual(message.date, start + timedelta(hours=10))
        self._run_at(start + timedelta(hours=25))
        self.assertEqual(clock.episode_start, start + timedelta(hours=10))
        self.assertEqual(clock.next_escalation_at, start + timedelta(hours=34))

    def test_date_field_passed(self):
        field = self.env["ir.model.fields"]._get("crm.lead", "date_deadline")
        rule = self._rule(
            trigger_type="date_field",
            date_field_id=field.id,
            step_ids=False,
            process_id=False,
            levels=[{"name": "Closing date passed", "delay": 0}, {"name": "Long passed", "delay": 48}],
        )
        with self._at(T0):
            lead = self._lead(date_deadline=T0.date())
            no_date = self._lead()
        clock = self._clock(lead, rule)
        self.assertEqual(clock.next_escalation_at, T0.replace(hour=0) + timedelta(days=1))
        self.assertFalse(self._clock(no_date, rule))
        # postponing the deadline restarts the clock
        with self._at(self._h(1)):
            lead.date_deadline = T0.date() + timedelta(days=3)
        self.assertEqual(clock.episode, 2)
        self.assertEqual(clock.next_escalation_at, T0.replace(hour=0) + timedelta(days=4))
        self._run_at(T0 + timedelta(days=4, hours=1))
        self.assertEqual(clock.current_level_id.name, "Closing date passed")

    def test_several_rules_at_once_and_scope(self):
        rule_a = self._rule(name="A", levels=[{"name": "A1", "delay": 1}])
        rule_b = self._rule(name="B", domain="[('priority', '=', '3')]", levels=[{"name": "B1", "delay": 2}])
        with self._at(T0):
            lead = self._lead(priority="3")
            other = self._lead(priority="0")
            foreign = self._lead(team_id=self.other_team.id)
        self.assertTrue(self._clock(lead, rule_a) and self._clock(lead, rule_b))
        self.assertTrue(self._clock(other, rule_a))
        self.assertFalse(self._clock(other, rule_b))
        self.assertFalse(self._clock(foreign, rule_a))
        self._run_at(self._h(3))
        self.assertEqual(self._logs(lead, outcome="done").mapped("rule_id"), rule_a | rule_b)
        # the condition stops holding: de-escalated
        with self._at(self._h(4)):
            lead.priority = "1"
        self.assertEqual(self._clock(lead, rule_b).state, "done")
        self.assertEqual(self._logs(lead, kind="deescalation").rule_id, rule_b)
