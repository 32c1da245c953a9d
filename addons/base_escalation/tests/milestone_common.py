"""Escalation rules met by a milestone, on a bridge's guided model (issue 15): the
first-response rule met when *First reply sent* is reached. A bridge's test class mixes it
in before its fixture class and sets ``_milestone_record`` and ``agent``."""

from odoo.exceptions import UserError, ValidationError


class MilestoneEscalationCases:
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    @classmethod
    def _milestone_record(cls):
        raise NotImplementedError

    @classmethod
    def _milestone_agent(cls):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Milestone = cls.env["guide.milestone"]
        cls.ms_reply = Milestone.create(
            {
                "process_id": cls.process.id,
                "name": "First reply sent",
                "condition": "[('guide_last_reply_date', '!=', False)]",
            }
        )
        cls.ms_manual = Milestone.create(
            {"process_id": cls.process.id, "name": "Customer called back", "reach_mode": "manual"}
        )

    def test_rule_met_by_a_milestone(self):
        rule = self._rule(
            trigger_type="creation",
            met_milestone_ids=[(6, 0, self.ms_reply.ids)],
            levels=[{"name": "First response late", "delay": 4}],
        )
        record = self._milestone_record()
        clock = self._clock(record, rule)
        self.assertEqual(clock.state, "running")
        # an internal note is no reply: the clock runs on
        record.with_user(self._milestone_agent()).message_post(
            body="Looking into it", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.assertEqual(clock.state, "running")
        record.with_user(self._milestone_agent()).message_post(
            body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(record.guide_milestone_ids, self.ms_reply)
        self.assertEqual(clock.state, "met")
        self.assertTrue(clock.met_at)
        # met for good: a later change does not start the clock again
        record.write({"name": "Renamed"})
        record._escalation_sync()
        self.assertEqual(clock.state, "met")
        self.assertFalse(clock.next_escalation_at)

    def test_rule_met_by_a_milestone_reached_by_hand(self):
        rule = self._rule(
            trigger_type="creation",
            met_milestone_ids=[(6, 0, self.ms_manual.ids)],
            levels=[{"name": "Call back late", "delay": 4}],
        )
        record = self._milestone_record()
        clock = self._clock(record, rule)
        record.with_user(self._milestone_agent()).action_guide_reach_milestone(self.ms_manual.id)
        self.assertEqual(clock.state, "met")
        # a record that reached it before the rule existed gets no running clock
        other = self._milestone_record()
        other.action_guide_reach_milestone(self.ms_manual.id)
        rule2 = self._rule(
            name="Second", trigger_type="creation", met_milestone_ids=[(6, 0, self.ms_manual.ids)]
        )
        clock2 = self._clock(other, rule2)
        self.assertNotIn(clock2.state, ("running", "breached"))

    def test_milestone_meeting_a_rule_is_not_deleted(self):
        """Deleting a milestone an escalation rule is met by is refused naming the rule (its
        link row cascaded, and the rule went on escalating records that had reached it)."""
        rule = self._rule(
            name="Call back",
            trigger_type="creation",
            met_milestone_ids=[(6, 0, self.ms_manual.ids)],
            levels=[{"name": "Call back late", "delay": 4}],
        )
        with self.assertRaises(UserError) as err:
            self.ms_manual.unlink()
        self.assertIn("Milestone “Customer called back” cannot be deleted", str(err.exception))
        self.assertIn("Escalation Rule: Call back", str(err.exception))
        self.assertEqual(rule.met_milestone_ids, self.ms_manual)

    def test_met_milestone_of_another_process_refused(self):
        other = self.env["guide.process"].create({"name": "Elsewhere", "model_name": self.process.model_name})
        foreign = self.env["guide.milestone"].create(
            {"process_id": other.id, "name": "Foreign", "reach_mode": "manual"}
        )
        with self.assertRaises(ValidationError) as err:
            self._rule(met_milestone_ids=[(6, 0, foreign.ids)])
        self.assertIn("Met by Milestones Foreign are outside its model or process", str(err.exception))
