"""The engine guides a model no business app knows, with nothing but ``base_process_guide``
(issue 14: the engine does not depend on CRM)."""

from odoo_test_helper import FakeModelLoader

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestGenericModel(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .generic_models import GuideStep, GuideTestRecord, GuideTestStage

        cls.loader.update_registry((GuideTestStage, GuideTestRecord, GuideStep))
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=False))
        # the agents of the test model: engine users who may work its records
        cls.user = new_test_user(
            cls.env, login="guide_generic_user", groups="base_process_guide.group_guide_user"
        )
        cls.env["ir.model.access"].create(
            {
                "name": "guide.test.record user",
                "model_id": cls.env["ir.model"]._get_id("guide.test.record"),
                "group_id": cls.env.ref("base_process_guide.group_guide_user").id,
                "perm_read": True,
                "perm_write": True,
                "perm_create": True,
            }
        )
        cls.env["ir.model.access"].create(
            {
                "name": "guide.test.stage user",
                "model_id": cls.env["ir.model"]._get_id("guide.test.stage"),
                "group_id": cls.env.ref("base_process_guide.group_guide_user").id,
                "perm_read": True,
            }
        )
        Stage = cls.env["guide.test.stage"]
        cls.stage_new = Stage.create({"name": "New", "sequence": 1})
        cls.stage_review = Stage.create({"name": "Review", "sequence": 2})
        cls.stage_done = Stage.create({"name": "Done", "sequence": 3})
        cls.process = cls.env["guide.process"].create({"name": "Generic", "model_name": "guide.test.record"})
        Step = cls.env["guide.step"]
        cls.step_new = Step.create(
            {
                "process_id": cls.process.id,
                "test_stage_id": cls.stage_new.id,
                "gate_mode": "block",
                "item_ids": [
                    (0, 0, {"name": "Reviewer chosen", "sequence": 1}),
                    (
                        0,
                        0,
                        {
                            "name": "Amount set",
                            "sequence": 2,
                            "completion": "auto",
                            "auto_domain": "[('amount', '>', 0)]",
                        },
                    ),
                ],
            }
        )
        cls.step_review = Step.create({"process_id": cls.process.id, "test_stage_id": cls.stage_review.id})
        cls.step_done = Step.create({"process_id": cls.process.id, "test_stage_id": cls.stage_done.id})

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def test_engine_does_not_depend_on_crm(self):
        module = self.env["ir.module.module"].search([("name", "=", "base_process_guide")])
        seen = todo = module.dependencies_id.depend_id
        while todo:
            todo = todo.dependencies_id.depend_id - seen
            seen |= todo
        names = set(seen.mapped("name"))
        self.assertIn("mail", names)
        self.assertFalse(names & {"crm", "sales_team", "helpdesk_mgmt"}, names)
        self.assertIn("guide.test.record", self.env["guide.process"]._guide_model_names())

    def test_guided_with_gate_checklist_and_history(self):
        Record = self.env["guide.test.record"].with_user(self.user)
        record = Record.create({"name": "Generic doc", "stage_id": self.stage_new.id})
        self.assertEqual(record.guide_process_id, self.process)
        self.assertEqual(record.guide_step_id, self.step_new)
        lines = {line.name: line for line in record.guide_current_line_ids}
        self.assertEqual(set(lines), {"Reviewer chosen", "Amount set"})
        # the gate holds for a user of the model, listing what is missing
        with self.assertRaises(UserError) as err:
            record.write({"stage_id": self.stage_review.id})
        self.assertIn("Reviewer chosen", str(err.exception))
        self.assertIn("Amount set", str(err.exception))
        self.assertEqual(record.stage_id, self.stage_new)
        # a manual tick by the user and an automatic item following the record
        lines["Reviewer chosen"].with_user(self.user).action_check()
        record.write({"amount": 10.0})
        record.write({"stage_id": self.stage_review.id})
        self.assertEqual(record.guide_step_id, self.step_review)
        history = self.env["guide.history"].search(
            [("res_model", "=", "guide.test.record"), ("res_id", "=", record.id)], order="id"
        )
        self.assertEqual(history.mapped("direction"), ["initial", "forward"])
        self.assertEqual(history[-1].to_step_id, self.step_review)
        self.assertEqual(history[-1].gate_result, "passed")
        # the user reads the rows of the record, as the record itself
        self.assertEqual(
            self.env["guide.history"].with_user(self.user).search([("res_id", "=", record.id)]),
            history.filtered(lambda row: row.res_model == "guide.test.record"),
        )

    def test_feedback_form_tells_nothing_of_a_record_the_user_may_not_read(self):
        """The feedback form's values (onchange) naming a record the user may not read give
        neither its company nor its name, as for a record that does not exist; a record they
        may read is named, with its company."""
        self.env["ir.rule"].create(
            {
                "name": "Own generic records only",
                "model_id": self.env["ir.model"]._get_id("guide.test.record"),
                "groups": [(6, 0, self.env.ref("base_process_guide.group_guide_user").ids)],
                "domain_force": "[('create_uid', '=', user.id)]",
            }
        )
        theirs = self.env["guide.test.record"].create({"name": "Their secret doc"})
        mine = self.env["guide.test.record"].with_user(self.user).create({"name": "My doc"})
        Feedback = self.env["guide.feedback"].with_user(self.user)
        spec = {"record_company_id": {"fields": {"display_name": {}}}, "record_name": {}}
        for res_id in (theirs.id, 2**31 - 1):
            with self.subTest(res_id=res_id):
                value = Feedback.onchange({"res_model": "guide.test.record", "res_id": res_id}, [], spec)
                self.assertFalse(value["value"].get("record_company_id"))
                self.assertFalse(value["value"].get("record_name"))
        value = Feedback.onchange({"res_model": "guide.test.record", "res_id": mine.id}, [], spec)["value"]
        self.assertEqual(value["record_company_id"]["id"], mine.company_id.id)
        self.assertEqual(value["record_name"], "My doc")
