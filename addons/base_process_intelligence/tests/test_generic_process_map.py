"""The process intelligence on a model no business app knows (the engine's test-only
model), with nothing but the engines installed."""

from odoo_test_helper import FakeModelLoader

from odoo.tests import TransactionCase, new_test_user, tagged

from .pi_common import HandCaseMixin, at


class GenericHandCase(HandCaseMixin, TransactionCase):
    """The hand case on the engine's test-only model (no test of its own)."""

    team_field = False

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

        from .generic_models import GuideTestRecord as GuideTestRecordOutcome

        cls.loader.update_registry((GuideTestStage, GuideTestRecord, GuideStep, GuideTestRecordOutcome))
        cls.agent = new_test_user(
            cls.env, login="pi_generic_user", groups="base_process_guide.group_guide_user"
        )
        cls.env["ir.model.access"].create(
            [
                {
                    "name": f"{model} user",
                    "model_id": cls.env["ir.model"]._get_id(model),
                    "group_id": cls.env.ref("base_process_guide.group_guide_user").id,
                    "perm_read": True,
                    "perm_write": True,
                    "perm_create": True,
                }
                for model in ("guide.test.record", "guide.test.stage")
            ]
        )
        cls.process = cls.env["guide.process"].create(
            {"name": "PI Generic", "model_name": "guide.test.record", "domain": "[('amount', '>', 0)]"}
        )
        cls.stages = {
            key: cls.env["guide.test.stage"].create({"name": key.upper(), "sequence": i})
            for i, key in enumerate("abcd")
        }
        cls.steps = {
            key: cls.env["guide.step"].create(
                {
                    "process_id": cls.process.id,
                    "test_stage_id": cls.stages[key].id,
                    "sequence": i,
                    "gate_mode": "advisory",
                    "expected_duration": {"a": 24, "b": 48}.get(key, 0),
                    "expected_duration_unit": "hours",
                }
            )
            for i, key in enumerate("abcd")
        }
        # records out of the process's scope (no amount): their history is the hand case's
        cls.records = {
            key: cls.env["guide.test.record"].create({"name": key, "user_id": cls.agent.id})
            for key in ("r1", "r2", "r3", "r4", "r5")
        }
        cls.setup_hand_case()

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    @classmethod
    def set_outcome(cls, record, outcome, hours):
        record.write({"outcome": outcome, "closed_at": at(hours)})
        cls.env.flush_all()


@tagged("post_install", "-at_install")
class TestGenericProcessMap(GenericHandCase):
    def test_engine_does_not_depend_on_crm(self):
        module = self.env["ir.module.module"].search([("name", "=", "base_process_intelligence")])
        deps = module.dependencies_id.mapped("name")
        self.assertNotIn("crm", deps)
        self.assertNotIn("helpdesk_mgmt", deps)

    def test_hand_case(self):
        data = self.pi_map(user=self.agent)
        self.check_hand_case_nodes(data)
        self.check_hand_case_edges(data)
        self.check_hand_case_variants(data)
        self.check_hand_case_filters()
        self.assertEqual(data["outcome_labels"]["success"], "Succeeded")

    def test_period_of_the_users_days(self):
        self.check_hand_case_local_days()

    def test_engine_moves_are_mapped(self):
        record = (
            self.env["guide.test.record"]
            .with_user(self.agent)
            .create({"name": "live", "amount": 1, "stage_id": self.stages["a"].id})
        )
        self.assertEqual(record.guide_step_id, self.steps["a"])
        record.write({"stage_id": self.stages["b"].id})
        record.write({"stage_id": self.stages["a"].id})
        data = self.pi_map(user=self.agent)
        self.assertEqual(self.pi_edges(data)[("b", "a")]["count"], 2)
        self.assertEqual(self.pi_nodes(data)["b"]["backward"], 2)
        variant = self.env["guide.record.variant"].with_user(self.agent).search([("res_id", "=", record.id)])
        self.assertEqual(variant.backward_count, 1)
        deviations = {(d["step_id"], d["kind"]): d["count"] for d in data["conformance"]["deviations"]}
        self.assertEqual(deviations[(self.steps["b"].id, "backward")], 2)

    def test_empty_process(self):
        process = self.env["guide.process"].create({"name": "PI Empty", "model_name": "guide.test.record"})
        data = self.env["guide.process"].with_user(self.agent).get_process_map(process.id, {})
        self.assertEqual((data["nodes"], data["edges"], data["variants"]), ([], [], []))
        self.assertEqual(data["conformance"]["share"], False)
