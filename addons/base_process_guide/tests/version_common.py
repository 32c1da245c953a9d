"""Process versions on a bridge's guided model (not a test itself).

The test class is the bridge's guide fixture and sets ``version_fixture()``:
(manager, agent, a record of the agent in an advisory step, the stage it moves to
forward, the step that stage belongs to)."""

from odoo.exceptions import AccessError


class VersionEngineMixin:
    def versions(self):
        return self.process.version_ids.sorted("version")

    def check_one_version_per_transaction(self):
        manager = self.version_fixture()[0]
        # the fixtures' transaction (process, then its steps and items): v1 only
        self.env.cr.flush()
        [v1] = self.versions()
        self.assertEqual(v1.version, 1)
        self.assertIn(self.process.step_ids[0].item_ids[0].name, v1.summary)
        # several changes of the design in one transaction: one version
        step = self.process.step_ids.sorted("sequence")[-1]
        item = self.env["guide.item"].with_user(manager).create({"name": "Signed off", "step_id": step.id})
        step.with_user(manager).write({"expected_duration": 3, "expected_duration_unit": "days"})
        self.env["guide.hint"].with_user(manager).create(
            {
                "name": "Ask for the signature",
                "model_name": self.process.model_name,
                "process_id": self.process.id,
            }
        )
        self.env.cr.flush()
        v1, v2 = self.versions()
        self.assertEqual(v2.author_id, manager)
        self.assertIn("+   Item Signed off (Ticked by a person, mandatory)", v2.changes)
        self.assertIn("+ Hint Ask for the signature (every step)", v2.changes)
        self.assertIn("72 h expected", v2.summary)
        # a change that is not the design (the description): no version
        self.process.with_user(manager).write({"description": "<p>Read me</p>"})
        self.env.cr.flush()
        self.assertEqual(len(self.versions()), 2)
        # deleting a part of the design is a change
        item.with_user(manager).unlink()
        self.env.cr.flush()
        v3 = self.versions()[-1]
        self.assertEqual(v3.version, 3)
        self.assertIn("-   Item Signed off (Ticked by a person, mandatory)", v3.changes)

    def check_new_process_has_v1(self):
        manager = self.version_fixture()[0]
        process = (
            self.env["guide.process"]
            .with_user(manager)
            .create({"name": "Versioned", "model_name": self.process.model_name, "active": False})
        )
        # at once, before the end of the transaction: records may move meanwhile
        self.assertEqual(process.version_ids.mapped("version"), [1])
        self.assertEqual(process.version_ids.author_id, manager)
        self.assertEqual(process.with_user(manager).version_count, 1)
        action = self.process.with_user(manager).action_view_versions()
        self.assertEqual(action["res_model"], "guide.process.version")

    def check_history_names_version(self):
        manager, agent, record, forward_stage, step = self.version_fixture()
        self.env.cr.flush()
        [v1] = self.versions()
        stage_field = record._guide_stage_field
        back_stage = record[stage_field]
        record.with_user(agent).write({stage_field: forward_stage.id})
        history = self.env["guide.history"].search(
            [("res_id", "=", record.id), ("res_model", "=", record._name)]
        )
        self.assertEqual(history[0].process_version_id, v1)
        step.with_user(manager).write({"expected_duration": 9})
        self.env.cr.flush()
        v2 = self.versions()[-1]
        record.with_user(agent).write({stage_field: back_stage.id})
        history = self.env["guide.history"].search(
            [("res_id", "=", record.id), ("res_model", "=", record._name)]
        )
        self.assertEqual(history[0].process_version_id, v2)
        self.assertEqual(history[1].process_version_id, v1)
        # the agent reads the versions of the process, never writes them
        self.assertEqual(history[0].with_user(agent).process_version_id.version, 2)
        with self.assertRaises(AccessError):
            v2.with_user(agent).write({"summary": "x"})
