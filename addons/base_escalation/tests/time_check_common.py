"""The scheduled time checks (issue 15) and escalation, on a bridge's guided model: an
alternate step entered by time alone pauses the clock of a rule pausing there, a milestone
reached by time alone meets the clock of a rule it meets, as after a write. A bridge's
test class mixes it in before its fixture class and sets ``_time_record``."""

from .common import T0


class TimeCheckEscalationCases:
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    @classmethod
    def _time_record(cls):
        """A record of the rules' process, created at the frozen time."""
        raise NotImplementedError

    def _time_checks_at(self, hours):
        self.env.invalidate_all()
        with self._at(self._h(hours)):
            done = self.env["guide.time.check"]._cron_guide_time_checks()
        self.env.invalidate_all()
        return done

    def test_time_checks_pause_and_meet_clocks(self):
        waiting = self.env["guide.step"].create(
            {
                "process_id": self.process.id,
                "kind": "alternate",
                "name": "Quiet for three hours",
                "alt_auto_domain": "[('guide_step_entered_at', '<', now(hours=-3))]",
            }
        )
        five_hours = self.env["guide.milestone"].create(
            {
                "process_id": self.process.id,
                "name": "Five hours in the step",
                "condition": "[('guide_step_entered_at', '<', now(hours=-5))]",
            }
        )
        paused_rule = self._rule(
            name="Paused by time",
            trigger_type="creation",
            pause_step_ids=[(6, 0, waiting.ids)],
            levels=[{"name": "Resolution late", "delay": 10}],
        )
        met_rule = self._rule(
            name="Met by time",
            trigger_type="creation",
            met_milestone_ids=[(6, 0, five_hours.ids)],
            levels=[{"name": "Five hours late", "delay": 48}],
        )
        with self._at(T0):
            record = self._time_record()
            self.env.flush_all()
        paused, met = self._clock(record, paused_rule), self._clock(record, met_rule)
        for clock in paused | met:
            clock.episode_start = T0
            clock._escalation_reschedule()
        self.assertEqual((paused.state, met.state), ("running", "running"))
        self._time_checks_at(2)
        self.assertEqual((paused.state, met.state), ("running", "running"))
        self._time_checks_at(4)
        self.assertEqual(record.guide_alt_step_id, waiting)
        self.assertEqual(paused.state, "paused", "entered by the time checks: the clock pauses")
        self.assertEqual(self._run_at(self._h(20)), 0, "nothing fires while paused")
        self._time_checks_at(6)
        self.assertEqual(record.guide_milestone_ids & five_hours, five_hours)
        self.assertEqual(met.state, "met", "reached by the time checks: the clock is met")
