"""Process versions on a model no business app knows (the engine alone)."""

from odoo_test_helper import FakeModelLoader

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL


@tagged("post_install", "-at_install")
class TestGenericVersion(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .generic_models import GuideStep, GuideTestRecord, GuideTestStage

        cls.loader.update_registry((GuideTestStage, GuideTestRecord, GuideStep))
        cls.user = new_test_user(
            cls.env, login="guide_version_user", groups="base_process_guide.group_guide_user"
        )
        cls.manager = new_test_user(
            cls.env, login="guide_version_manager", groups="base_process_guide.group_guide_manager"
        )
        for model, perms in (("guide.test.record", (1, 1, 1)), ("guide.test.stage", (1, 0, 0))):
            cls.env["ir.model.access"].create(
                {
                    "name": f"{model} user",
                    "model_id": cls.env["ir.model"]._get_id(model),
                    "group_id": cls.env.ref("base_process_guide.group_guide_user").id,
                    "perm_read": perms[0],
                    "perm_write": perms[1],
                    "perm_create": perms[2],
                }
            )
        Stage = cls.env["guide.test.stage"]
        cls.stage_review = Stage.create({"name": "Review", "sequence": 2})
        cls.stage_done = Stage.create({"name": "Done", "sequence": 3})
        cls.process = cls.env["guide.process"].create({"name": "Generic", "model_name": "guide.test.record"})
        Step = cls.env["guide.step"]
        cls.step_review = Step.create(
            {"process_id": cls.process.id, "test_stage_id": cls.stage_review.id, "gate_mode": "advisory"}
        )
        cls.step_done = Step.create({"process_id": cls.process.id, "test_stage_id": cls.stage_done.id})

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def _history(self, record):
        return self.env["guide.history"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)],
            order="id",
        )

    def test_stage_changes_name_the_version(self):
        record = (
            self.env["guide.test.record"]
            .with_context(guide_import_in_step=True)
            .create({"name": "Doc", "stage_id": self.stage_review.id})
        )
        self.env.cr.flush()
        [v1] = self.process.version_ids
        self.assertIn("Step Review (stage Review, gate Advisory", v1.summary)
        self.step_review.with_user(self.manager).write({"gate_mode": "block"})
        self.env.cr.flush()
        v2 = self.process.version_ids[0]
        self.assertEqual(v2.version, 2)
        self.assertIn("- Step Review (stage Review, gate Advisory", v2.changes)
        self.assertIn("+ Step Review (stage Review, gate Block", v2.changes)
        record.with_user(self.user).write({"stage_id": self.stage_done.id})
        self.assertEqual(self._history(record).mapped("process_version_id.version"), [1, 2])

    def test_migration_gives_v1(self):
        """A database of before the versions: processes without versions, history rows
        without one. The migration (and the install hook) give each process its v1 and
        name it on its rows; run again, it changes nothing."""
        record = (
            self.env["guide.test.record"]
            .with_context(guide_import_in_step=True)
            .create({"name": "Doc", "stage_id": self.stage_review.id})
        )
        record.write({"stage_id": self.stage_done.id})
        self.env.flush_all()
        self.env.cr.execute(
            SQL("UPDATE guide_history SET process_version_id = NULL WHERE process_id = %s", self.process.id)
        )
        self.env.cr.execute(SQL("DELETE FROM guide_process_version WHERE process_id = %s", self.process.id))
        self.env.invalidate_all()
        self.env["guide.process.version"]._guide_version_install()
        [v1] = self.process.version_ids
        self.assertEqual(v1.version, 1)
        self.assertEqual(self._history(record).process_version_id, v1)
        self.env["guide.process.version"]._guide_version_install()
        self.assertEqual(self.process.version_ids, v1)

    def test_deleting_a_process_after_its_steps(self):
        """Uninstalling a bridge deletes the steps, then the process, in one transaction.
        In one statement, PostgreSQL empties the history rows' process, then checks the
        rows (changed earlier in the transaction by the step's deletion) against a version
        its cascade has already deleted: the process's versions go first."""
        record = (
            self.env["guide.test.record"]
            .with_context(guide_import_in_step=True)
            .create({"name": "Doc", "stage_id": self.stage_review.id})
        )
        record.write({"stage_id": self.stage_done.id})
        history = self._history(record)
        self.assertTrue(history.process_version_id)
        uninstalling = {"_force_unlink": True}  # Odoo's flag, as the superuser
        self.step_done.with_context(**uninstalling).unlink()
        self.step_review.with_context(**uninstalling).unlink()
        process = self.process
        process.with_context(**uninstalling).unlink()
        self.assertFalse(process.exists())
        self.assertEqual(len(history.exists()), 2)
        self.assertFalse(history.process_id)
        self.assertFalse(history.process_version_id)

    def test_changes_compare_designs_not_wordings(self):
        """The summary shows the configuration screens' labels; the changes of a new
        version compare the previous design as this code words it, so a summary
        written by an earlier release (option codes) shows no spurious change."""
        self.env.cr.flush()
        v1 = self.process.version_ids[0]
        self.assertIn("Step Review (stage Review, gate Advisory", v1.summary)
        self.assertNotIn("gate advisory", v1.summary)
        old_wording = v1.summary.replace("gate Advisory", "gate advisory").replace("gate Block", "gate block")
        self.env.cr.execute(
            SQL("UPDATE guide_process_version SET summary = %s WHERE id = %s", old_wording, v1.id)
        )
        v1.invalidate_recordset(["summary"])
        self.step_done.with_user(self.manager).write({"expected_hours": 12})
        self.env.cr.flush()
        v2 = self.process.version_ids[0]
        self.assertEqual(v2.version, 2)
        changed = v2.changes.splitlines()
        self.assertEqual(len(changed), 2, v2.changes)
        self.assertIn("Step Done (stage Done, gate Block, 12 h expected)", changed[1])
