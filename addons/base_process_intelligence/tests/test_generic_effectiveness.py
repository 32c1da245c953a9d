"""Step effectiveness and scorecards on a model no business app knows: the engine's
outcome hook (``_guide_outcome_sql``) is all a bridge provides."""

from odoo_test_helper import FakeModelLoader

from odoo.tests import TransactionCase, new_test_user, tagged

REPORTS = ("guide.effectiveness.report", "guide.effectiveness.summary", "guide.scorecard.report")


@tagged("post_install", "-at_install")
class TestGenericEffectiveness(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .generic_effectiveness_models import GuideStep, GuideTestRecord, GuideTestStage

        cls.loader.update_registry((GuideTestStage, GuideTestRecord, GuideStep))
        # the views over the guided models, with the test model (rolled back with the test)
        for model_name in REPORTS:
            cls.env[model_name].init()
        group = "base_process_guide.group_guide_user"
        cls.user = new_test_user(cls.env, login="pi_generic_user", groups=group)
        cls.other = new_test_user(cls.env, login="pi_generic_other", groups=group)
        for model_name in ("guide.test.record", "guide.test.stage"):
            cls.env["ir.model.access"].create(
                {
                    "name": f"{model_name} user",
                    "model_id": cls.env["ir.model"]._get_id(model_name),
                    "group_id": cls.env.ref("base_process_guide.group_guide_user").id,
                    "perm_read": True,
                    "perm_write": True,
                    "perm_create": True,
                }
            )
        Stage = cls.env["guide.test.stage"]
        cls.stage_new = Stage.create({"name": "New", "sequence": 1})
        cls.stage_done = Stage.create({"name": "Done", "sequence": 2, "closing": True})
        cls.process = cls.env["guide.process"].create({"name": "Generic", "model_name": "guide.test.record"})
        cls.step_new = cls.env["guide.step"].create(
            {
                "process_id": cls.process.id,
                "test_stage_id": cls.stage_new.id,
                "gate_mode": "advisory",
                "item_ids": [(0, 0, {"name": "Reviewer chosen"})],
            }
        )
        cls.env["guide.step"].create({"process_id": cls.process.id, "test_stage_id": cls.stage_done.id})

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def test_generic_effectiveness_and_scorecard(self):
        Record = self.env["guide.test.record"].with_user(self.user)
        records = Record.create(
            [{"name": f"Doc {index}", "stage_id": self.stage_new.id} for index in range(3)]
        )
        # ticked on the first two; the first closes after 6 h, the third after 12 h
        records[:2].guide_current_line_ids.with_user(self.user).action_check()
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE guide_test_record SET create_date = '2026-01-01', stage_id = %s, "
            "date_closed = timestamp '2026-01-01' + %s * interval '1 hour' WHERE id = %s",
            (self.stage_done.id, 6, records[0].id),
        )
        self.env.cr.execute(
            "UPDATE guide_test_record SET create_date = '2026-01-01', stage_id = %s, "
            "date_closed = timestamp '2026-01-01' + %s * interval '1 hour' WHERE id = %s",
            (self.stage_done.id, 12, records[2].id),
        )
        self.env.invalidate_all()
        self.env["ir.config_parameter"].set_param("base_process_intelligence.min_sample", "1")
        item = self.step_new.item_ids
        row = self.env["guide.effectiveness.summary"].with_user(self.user).search([("item_id", "=", item.id)])
        self.assertEqual(
            (row.record_count, row.done_count, row.closed_done, row.closed_not_done), (3, 2, 1, 1)
        )
        self.assertAlmostEqual(row.closed_rate_done, 50.0)
        self.assertAlmostEqual(row.hours_done, 6.0, places=4)
        self.assertAlmostEqual(row.hours_not_done, 12.0, places=4)
        # the agent's records handled (their entry in the process); another agent reads none
        Scorecard = self.env["guide.scorecard.report"]
        domain = [("res_model", "=", "guide.test.record"), ("user_id", "=", self.user.id)]
        [(handled,)] = Scorecard.with_user(self.user)._read_group(domain, [], ["record_key:count_distinct"])
        self.assertEqual(handled, 3)
        self.assertFalse(Scorecard.with_user(self.other).search(domain))
