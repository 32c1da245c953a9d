"""Alternate steps and branches on a model no business app knows (issue 15)."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_generic_model import TestGenericModel


@tagged("post_install", "-at_install")
class TestGenericDetour(TestGenericModel):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alt_hold = cls.env["guide.step"].create(
            {
                "process_id": cls.process.id,
                "kind": "alternate",
                "name": "On hold",
                "alt_auto_domain": "[('amount', '>', 1000)]",
                "item_ids": [(0, 0, {"name": "Budget owner agreed"})],
            }
        )
        cls.env["guide.step.branch"].create(
            [
                {
                    "step_id": cls.step_new.id,
                    "to_step_id": cls.step_done.id,
                    "domain": "[('amount', '<', 5)]",
                },
                {"step_id": cls.step_new.id, "to_step_id": cls.step_review.id, "sequence": 20},
            ]
        )

    def test_detour_and_branch_on_a_generic_model(self):
        Record = self.env["guide.test.record"].with_user(self.user)
        record = Record.create({"name": "Generic doc", "stage_id": self.stage_new.id, "amount": 2000.0})
        self.assertEqual(record.guide_alt_step_id, self.alt_hold, "entered automatically at creation")
        with self.assertRaises(AccessError):
            record.write({"guide_alt_step_id": False})
        record.guide_current_line_ids.filtered(lambda line: line.completion == "manual").action_check()
        with self.assertRaisesRegex(UserError, "On hold"):
            record.write({"stage_id": self.stage_review.id})
        record.guide_alt_line_ids.action_check()
        record.action_guide_complete_alternate()
        self.assertEqual(record.guide_next_step_id, self.step_review)
        with self.assertRaisesRegex(UserError, "Done"):
            record.write({"stage_id": self.stage_done.id})
        record.write({"stage_id": self.stage_review.id})
        history = self.env["guide.history"].search(
            [("res_model", "=", "guide.test.record"), ("res_id", "=", record.id)], order="id"
        )
        # a new stay, in Review: its condition still holds, the alternate step (from any
        # step) is entered again — even in the second the first stay ended
        self.assertEqual(history.mapped("direction"), ["initial", "detour", "return", "forward", "detour"])
        self.assertEqual(record.guide_alt_step_id, self.alt_hold)
