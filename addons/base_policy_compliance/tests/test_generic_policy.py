"""Policies on a model no business app knows, with nothing but ``base_policy_compliance``
(issue 14: the policy engine does not depend on CRM)."""

from unittest.mock import patch

from odoo_test_helper import FakeModelLoader

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired


@tagged("post_install", "-at_install")
class TestGenericPolicy(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from odoo.addons.base_process_guide.tests.generic_models import (
            GuideStep,
            GuideTestRecord,
            GuideTestStage,
        )

        cls.loader.update_registry((GuideTestStage, GuideTestRecord, GuideStep))
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.env["compliance.policy"].search([]).write({"active": False})
        user_group = cls.env.ref("base_process_guide.group_guide_user")
        cls.user = new_test_user(
            cls.env, login="policy_generic_user", groups="base_process_guide.group_guide_user"
        )
        cls.approver = new_test_user(
            cls.env, login="policy_generic_approver", groups="base_process_guide.group_guide_user"
        )
        cls.admin = new_test_user(
            cls.env, login="policy_generic_admin", groups="base_process_guide.group_guide_manager"
        )
        Access = cls.env["ir.model.access"]
        for model, perms in (("guide.test.record", (1, 1, 1)), ("guide.test.stage", (1, 0, 0))):
            Access.create(
                {
                    "name": f"{model} user",
                    "model_id": cls.env["ir.model"]._get_id(model),
                    "group_id": user_group.id,
                    "perm_read": perms[0],
                    "perm_write": perms[1],
                    "perm_create": perms[2],
                }
            )
        Stage = cls.env["guide.test.stage"]
        cls.stage_new = Stage.create({"name": "New", "sequence": 1})
        cls.stage_review = Stage.create({"name": "Review", "sequence": 2})
        cls.stage_done = Stage.create({"name": "Done", "sequence": 3})
        cls.process = cls.env["guide.process"].create({"name": "Generic", "model_name": "guide.test.record"})
        Step = cls.env["guide.step"]
        cls.step_new, cls.step_review, cls.step_done = (
            Step.create({"process_id": cls.process.id, "test_stage_id": stage.id, "gate_mode": "advisory"})
            for stage in (cls.stage_new, cls.stage_review, cls.stage_done)
        )
        # configured by an engine administrator, as on any model
        Policy = cls.env["compliance.policy"].with_user(cls.admin)
        cls.policy_block = Policy.create(
            {
                "name": "Amount before review",
                "model_name": "guide.test.record",
                "process_id": cls.process.id,
                "trigger": "stage",
                "step_ids": [(6, 0, cls.step_review.ids)],
                "requirement": "[('amount', '>', 0)]",
                "message": "Set the amount.",
                "enforcement": "block",
            }
        )
        cls.policy_approval = Policy.create(
            {
                "name": "Large amounts are approved",
                "model_name": "guide.test.record",
                "process_id": cls.process.id,
                "trigger": "stage",
                "step_ids": [(6, 0, cls.step_done.ids)],
                "requirement": "[('amount', '<=', 1000)]",
                "message": "Above 1,000 an approver decides.",
                "enforcement": "approval",
                "tier_ids": [
                    (0, 0, {"name": "Approver", "approver_type": "users", "user_ids": [(4, cls.approver.id)]})
                ],
            }
        )

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def _logs(self, record, user=None):
        # this transaction's rows (the test model's ids restart with its table)
        policies = self.policy_block | self.policy_approval
        return (
            self.env["compliance.log"]
            .with_user(record.env.user)
            .search(
                [
                    ("res_model", "=", record._name),
                    ("res_id", "=", record.id),
                    ("policy_id", "in", policies.ids),
                ],
                order="id",
            )
        )

    def test_engine_does_not_depend_on_crm(self):
        module = self.env["ir.module.module"].search([("name", "=", "base_policy_compliance")])
        seen = todo = module.dependencies_id.depend_id
        while todo:
            todo = todo.dependencies_id.depend_id - seen
            seen |= todo
        names = set(seen.mapped("name"))
        self.assertIn("base_process_guide", names)
        self.assertFalse(names & {"crm", "sales_team", "helpdesk_mgmt"}, names)
        self.assertIn("guide.test.record", dict(self.env["compliance.policy"]._selection_guide_models()))

    def test_block_then_pass_audited(self):
        record = (
            self.env["guide.test.record"]
            .with_user(self.user)
            .create({"name": "Generic doc", "stage_id": self.stage_new.id})
        )
        refusals = []
        Log = type(self.env["compliance.log"])
        # the refusal's row is written by a transaction of its own: captured, not committed
        with (
            patch.object(
                Log, "_compliance_log_refusals", lambda log, rows, infos=None: refusals.extend(rows)
            ),
            self.assertRaises(UserError) as caught,
        ):
            record.write({"stage_id": self.stage_review.id})
        self.assertIn("Amount before review: Set the amount.", str(caught.exception.args[0]))
        self.assertEqual([(row["outcome"], row["res_id"]) for row in refusals], [("blocked", record.id)])
        self.assertEqual(record.stage_id, self.stage_new)
        record.write({"amount": 10.0, "stage_id": self.stage_review.id})
        self.assertEqual(record.guide_step_id, self.step_review)
        log = self._logs(record)
        self.assertEqual(log.mapped("outcome"), ["passed"])
        self.assertEqual((log.owner_id, log.policy_version_id), (self.user, self.policy_block.version_id))
        # the user reads the checks of the record, as the record itself
        self.assertEqual(self._logs(record, user=self.user), log)

    def test_approval_held_then_applied(self):
        record = (
            self.env["guide.test.record"]
            .with_user(self.user)
            .create({"name": "Big doc", "stage_id": self.stage_review.id, "amount": 5000.0})
        )
        with self.assertRaises(GuideDecisionRequired):
            record.write({"stage_id": self.stage_done.id})
        request_ids = record.compliance_request_approval({"stage_id": self.stage_done.id}, "Key customer")
        request = self.env["compliance.approval.request"].browse(request_ids)
        self.assertEqual(request.current_approver_ids, self.approver)
        self.assertTrue(record.compliance_awaiting_approval)
        self.assertEqual(record.stage_id, self.stage_review)
        with self.assertRaises(AccessError):
            request.with_user(self.user).action_approve()
        self.assertIs(request.with_user(self.approver).action_approve(), True)
        self.assertEqual((request.state, request.applied), ("approved", True))
        self.assertEqual(record.stage_id, self.stage_done)
        self.assertEqual(request.deviation_id.kind, "approval")
        self.assertEqual(
            self._logs(record).mapped("outcome"), ["passed", "approval_requested", "approved", "approved"]
        )
