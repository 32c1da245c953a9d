from odoo.tests import tagged

from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestAlternateStepEscalation(EscalationCommon):
    """Escalation rules on alternate steps: a clock runs while the lead is in one."""

    def test_rule_on_an_alternate_step(self):
        legal = self.env["guide.step"].create(
            {
                "process_id": self.process.id,
                "kind": "alternate",
                "name": "Legal review",
                "alt_reason_required": False,
            }
        )
        rule = self._rule(step_ids=[(6, 0, legal.ids)], levels=[{"name": "Legal is late", "delay": 4}])
        with self._at(T0):
            lead = self._lead()
        self.assertFalse(self._clock(lead, rule), "no clock outside the alternate step")
        with self._at(self._h(1)):
            lead.with_user(self.user_salesman).action_guide_enter_alternate(legal.id)
        clock = self._clock(lead, rule)
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.next_escalation_at, self._h(5), "counted from the entry in the alternate step")
        self._run_at(self._h(5.5))
        self.assertEqual(clock.state, "breached")
        with self._at(self._h(6)):
            lead.with_user(self.user_salesman).action_guide_complete_alternate()
        self.assertEqual(clock.state, "done", "the clock stops when the lead leaves the alternate step")

    def test_pause_while_in_an_alternate_step(self):
        waiting = self.env["guide.step"].create(
            {"process_id": self.process.id, "kind": "alternate", "name": "Waiting on a third party"}
        )
        rule = self._rule(
            trigger_type="creation",
            pause_step_ids=[(6, 0, waiting.ids)],
            levels=[{"name": "Resolution late", "delay": 10}],
        )
        with self._at(T0):
            lead = self._lead()
        clock = self._clock(lead, rule)
        clock.episode_start = T0
        clock._escalation_reschedule()
        with self._at(self._h(2)):
            lead.with_user(self.user_salesman).action_guide_enter_alternate(waiting.id, "Supplier")
        self.assertEqual(clock.state, "paused")
        self.assertEqual(self._run_at(self._h(30)), 0)
        with self._at(self._h(32)):
            lead.with_user(self.user_salesman).action_guide_complete_alternate()
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.paused_seconds, 30 * 3600)
        self.assertEqual(clock.next_escalation_at, self._h(40))
