from odoo.tests import tagged

from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestPause(EscalationCommon):
    def test_pause_and_resume_exclude_paused_time(self):
        rule = self._rule(
            trigger_type="creation",
            pause_step_ids=[(6, 0, self.step_waiting.ids)],
            met_step_ids=[(6, 0, self.step_won.ids)],
            levels=[{"name": "Resolution late", "delay": 10}],
        )
        with self._at(T0):
            lead = self._lead()
        clock = self._clock(lead, rule)
        clock.episode_start = T0  # the creation date is the database's clock
        clock._escalation_reschedule()
        self.assertEqual(clock.next_escalation_at, self._h(10))
        with self._at(self._h(2)):
            lead.stage_id = self.stage_waiting
        self.assertEqual(clock.state, "paused")
        self.assertFalse(clock.next_escalation_at)
        self.assertEqual(clock.next_level_id, rule.level_ids, "the level it fires once it resumes")
        self.assertEqual(lead.escalation_state, "paused")
        # nothing fires while paused, even long after the delay
        self.assertEqual(self._run_at(self._h(30)), 0)
        with self._at(self._h(32)):
            lead.stage_id = self.stage_qualif
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.paused_seconds, 30 * 3600)
        self.assertEqual(clock.next_escalation_at, self._h(40))
        self._run_at(self._h(39))
        self.assertFalse(clock.current_level_id)
        self._run_at(self._h(40.5))
        self.assertEqual(clock.state, "breached")
        # pausing an escalated clock keeps it escalated when it resumes
        with self._at(self._h(41)):
            lead.stage_id = self.stage_waiting
        with self._at(self._h(42)):
            lead.stage_id = self.stage_qualif
        self.assertEqual(clock.state, "breached")
        with self._at(self._h(43)):
            lead.stage_id = self.stage_won
        self.assertEqual(clock.state, "met")
        self.assertTrue(clock.breached, "a late target stays in the breach rate")
        self.assertFalse(clock.next_level_id, "met for good: no next level")

    def test_created_in_pause_step(self):
        rule = self._rule(
            trigger_type="creation",
            pause_step_ids=[(6, 0, self.step_waiting.ids)],
            levels=[{"name": "L1", "delay": 1}],
        )
        with self._at(T0):
            lead = self._lead(stage_id=self.stage_waiting.id)
        self.assertEqual(self._clock(lead, rule).state, "paused")
