"""Policies requiring a milestone, on a bridge's guided model (issue 15): "no win before
*Contract signed*". A bridge's test class mixes it in before its fixture class and sets the
hooks below."""

from odoo.exceptions import UserError, ValidationError


class MilestonePolicyCases:
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    @classmethod
    def _milestone_policy_vals(cls):
        """Values of a blocking policy checked when the record is closed (the event)."""
        raise NotImplementedError

    @classmethod
    def _milestone_record(cls):
        raise NotImplementedError

    @classmethod
    def _milestone_agent(cls):
        raise NotImplementedError

    def _close(self, record):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["compliance.policy"].search([]).write({"active": False})
        cls.ms_signed = cls.env["guide.milestone"].create(
            {"process_id": cls.process.id, "name": "Contract signed", "reach_mode": "manual"}
        )
        cls.milestone_policy = cls.env["compliance.policy"].create(
            {
                **cls._milestone_policy_vals(),
                "name": "Signed first",
                "requirement": "[]",
                "required_milestone_ids": [(6, 0, cls.ms_signed.ids)],
                "message": "The contract must be signed first.",
                "enforcement": "block",
            }
        )

    def test_policy_requires_a_milestone(self):
        record = self._milestone_record().with_user(self._milestone_agent())
        with self.assertRaises(UserError) as err:
            self._close(record)
        self.assertIn("The contract must be signed first.", str(err.exception))
        record.action_guide_reach_milestone(self.ms_signed.id)
        self._close(record)
        log = self.env["compliance.log"].search(
            [
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("policy_id", "=", self.milestone_policy.id),
            ]
        )
        self.assertEqual(log.mapped("outcome")[-1:], ["passed"])

    def test_requirement_and_milestone_hold_together(self):
        self.milestone_policy.requirement = "[('name', 'ilike', 'approved')]"
        record = self._milestone_record().with_user(self._milestone_agent())
        record.action_guide_reach_milestone(self.ms_signed.id)
        with self.assertRaises(UserError):
            self._close(record)
        record.name = "Approved deal"
        self._close(record)

    def test_milestones_change_the_version(self):
        version = self.milestone_policy.version
        other = self.env["guide.milestone"].create(
            {"process_id": self.process.id, "name": "Paid", "reach_mode": "manual"}
        )
        self.milestone_policy.required_milestone_ids |= other
        self.assertEqual(self.milestone_policy.version, version + 1)
        self.assertIn(
            "Paid", self.milestone_policy.version_id.snapshot or self.milestone_policy._policy_snapshot()
        )

    def test_required_milestone_is_not_deleted(self):
        """Deleting a milestone a policy requires (not reached yet) is refused naming the
        policy: its link row cascaded, and the policy let records close without it, with no
        new version (its audit rows cited a version requiring it). Once the policy no longer
        requires it, it is deleted."""
        version = self.milestone_policy.version
        with self.assertRaises(UserError) as err:
            self.ms_signed.unlink()
        self.assertIn(
            "Milestone “Contract signed” cannot be deleted: these rules name it", str(err.exception)
        )
        self.assertIn("Compliance Policy: Signed first", str(err.exception))
        self.assertEqual(self.milestone_policy.required_milestone_ids, self.ms_signed)
        self.assertEqual(self.milestone_policy.version, version)
        record = self._milestone_record().with_user(self._milestone_agent())
        with self.assertRaises(UserError):
            self._close(record)
        self.milestone_policy.required_milestone_ids = False
        self.ms_signed.unlink()
        self.assertFalse(self.ms_signed.exists())

    def test_milestone_of_another_process_refused(self):
        process = self.env["guide.process"].create(
            {"name": "Elsewhere", "model_name": self.process.model_name}
        )
        foreign = self.env["guide.milestone"].create(
            {"process_id": process.id, "name": "Foreign", "reach_mode": "manual"}
        )
        with self.assertRaises(ValidationError) as err:
            self.milestone_policy.required_milestone_ids = foreign
        self.assertIn("Requires Milestones Foreign are outside its model or process", str(err.exception))
        # a step of another process: the same scope check (guide.condition.mixin)
        step = self.env["guide.step"].create(
            {"process_id": process.id, "name": "Elsewhere", "kind": "alternate"}
        )
        with self.assertRaises(ValidationError) as err:
            self.milestone_policy.step_ids = step
        self.assertIn("Steps Elsewhere / Elsewhere are outside its model or process", str(err.exception))
