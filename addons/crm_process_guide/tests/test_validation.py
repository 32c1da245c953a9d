from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestValidation(GuideCommon):
    def test_invalid_domains_refused(self):
        with self.assertRaisesRegex(ValidationError, "Invalid condition"):
            self.env["guide.item"].create(
                {"step_id": self.step_qualif.id, "name": "Bad", "apply_domain": "[('no_such_field', '=', 1)]"}
            )
        with self.assertRaisesRegex(ValidationError, "Invalid condition"):
            self.env["guide.item"].create(
                {
                    "step_id": self.step_qualif.id,
                    "name": "Bad",
                    "completion": "auto",
                    "auto_domain": "[('name', '=",
                }
            )
        with self.assertRaisesRegex(ValidationError, "B2B Sales"):
            self.process.domain = "[('expected_revenue', 'like-ish', 3)]"
        with self.assertRaisesRegex(ValidationError, "Invalid condition"):
            self.env["guide.hint"].create({"name": "Bad", "model_name": "crm.lead", "domain": "42"})

    def test_automatic_item_needs_condition(self):
        with self.assertRaisesRegex(ValidationError, 'Item "Auto" is set to "Automatic".*"Done When"'):
            self.env["guide.item"].create(
                {"step_id": self.step_qualif.id, "name": "Auto", "completion": "auto"}
            )

    def test_one_step_per_stage(self):
        """A second step on a stage of the process is refused naming the process and the
        step there, when created, duplicated or changed (not by the database's unique index,
        whose violation is logged as an error); the index stays as the last line."""
        Step = self.env["guide.step"].with_user(self.user_manager)
        message = "B2B Sales already has a step for this stage"
        with self.assertRaisesRegex(ValidationError, message):
            Step.create({"process_id": self.process.id, "crm_stage_id": self.stage_qualif.id})
        with self.assertRaisesRegex(ValidationError, message):
            Step.with_context(default_process_id=self.process.id).create(
                {"crm_stage_id": self.stage_qualif.id}
            )
        with self.assertRaisesRegex(ValidationError, message):
            Step.browse(self.step_qualif.id).copy()
        with self.assertRaisesRegex(ValidationError, message):
            Step.browse(self.step_proposal.id).write({"crm_stage_id": self.stage_qualif.id})
        stage = self.env["crm.stage"].create({"name": "G-Extra", "sequence": 1010})
        with self.assertRaisesRegex(ValidationError, "another new step"):
            Step.create([{"process_id": self.process.id, "crm_stage_id": stage.id}] * 2)
        # no stage, or the stage id itself sent by a client (the step's stage gives it): refused
        # before the index (two steps without a stage would conflict there)
        for vals in ({}, {"stage_res_id": stage.id}, {"stage_res_id": self.stage_qualif.id}):
            with self.assertNoLogs("odoo.sql_db", "ERROR"):
                with self.assertRaisesRegex(ValidationError, "By id: choose the stage it guides"):
                    Step.create([{"process_id": self.process.id, "name": "By id", **vals}] * 2)
        Step.browse(self.step_nego.id).write({"stage_res_id": stage.id})
        self.assertEqual(self.step_nego.stage_res_id, self.stage_nego.id)
        # the step moved to a free stage, and another process's step on the same stage, are fine
        Step.browse(self.step_proposal.id).write({"crm_stage_id": stage.id})
        other = self.env["guide.process"].create({"name": "Other", "model_name": "crm.lead"})
        Step.create({"process_id": other.id, "crm_stage_id": self.stage_qualif.id})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["guide.step"]._guide_check_stage_free([])
            self.env.cr.execute(
                "UPDATE guide_step SET stage_res_id = %s WHERE id = %s",
                (self.stage_qualif.id, self.step_nego.id),
            )

    def test_allowed_steps_same_process(self):
        other = self.env["guide.process"].create({"name": "Other", "model_name": "crm.lead"})
        foreign = self.env["guide.step"].create(
            {"process_id": other.id, "crm_stage_id": self.stage_qualif.id}
        )
        with self.assertRaisesRegex(ValidationError, "same process"):
            self.step_qualif.allowed_step_ids = foreign

    def test_negative_duration(self):
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.step_qualif.expected_duration = -1
