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
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env["guide.step"].create(
                {"process_id": self.process.id, "crm_stage_id": self.stage_qualif.id}
            )
            self.env.flush_all()

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
