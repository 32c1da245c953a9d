from odoo.tests import tagged

from .common import T0, HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestTicketAlternateStepEscalation(HelpdeskEscalationCommon):
    def test_resolution_sla_paused_while_waiting_on_a_third_party(self):
        waiting = self.env["guide.step"].create(
            {"process_id": self.process.id, "kind": "alternate", "name": "Waiting on a third party"}
        )
        rule = self._rule(
            trigger_type="creation",
            pause_step_ids=[(6, 0, waiting.ids)],
            met_step_ids=[(6, 0, self.step_resolved.ids)],
            levels=[{"name": "Resolution late", "delay": 10}],
        )
        with self._at(T0):
            ticket = self._ticket()
        clock = self._clock(ticket, rule)
        clock.episode_start = T0
        clock._escalation_reschedule()
        with self._at(self._h(2)):
            ticket.with_user(self.user_agent).action_guide_enter_alternate(waiting.id, "Vendor")
        self.assertEqual(clock.state, "paused")
        self.assertEqual(ticket.stage_id, self.stage_triage)
        self.assertEqual(self._run_at(self._h(30)), 0, "nothing fires while the third party is awaited")
        with self._at(self._h(32)):
            ticket.with_user(self.user_agent).action_guide_complete_alternate()
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.paused_seconds, 30 * 3600)
        self.assertEqual(clock.next_escalation_at, self._h(40))
