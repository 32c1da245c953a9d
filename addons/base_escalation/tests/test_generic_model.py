"""The escalation engine on a model no business app knows, with nothing but
``base_escalation`` (issue 14: the engines do not depend on CRM): clocks, levels and
their actions, pause, target and manual escalation, as engine users."""

from datetime import timedelta

from odoo_test_helper import FakeModelLoader

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import T0, EscalationTestHelpers


@tagged("post_install", "-at_install")
class TestGenericEscalation(EscalationTestHelpers, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # before the test models are loaded: the loader rebuilds the engine's models without
        # the bridges' extensions (the log's team columns), which closing a lead's clocks writes
        cls.env["escalation.rule"].search([]).write({"active": False})
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from odoo.addons.base_process_guide.tests.generic_models import (  # noqa: PLC0415
            GuideStep,
            GuideTestRecord,
            GuideTestStage,
        )

        cls.loader.update_registry((GuideTestStage, GuideTestRecord, GuideStep))
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        group = cls.env.ref("base_process_guide.group_guide_user")
        cls.user = new_test_user(
            cls.env, login="esc_generic_user", groups="base_process_guide.group_guide_user"
        )
        cls.user_lead = new_test_user(
            cls.env, login="esc_generic_lead", groups="base_process_guide.group_guide_user"
        )
        cls.user_manager = new_test_user(
            cls.env, login="esc_generic_manager", groups="base_process_guide.group_guide_manager"
        )
        for model, write in (("guide.test.record", True), ("guide.test.stage", False)):
            cls.env["ir.model.access"].create(
                {
                    "name": f"{model} user",
                    "model_id": cls.env["ir.model"]._get_id(model),
                    "group_id": group.id,
                    "perm_read": True,
                    "perm_write": write,
                    "perm_create": write,
                }
            )
        Stage = cls.env["guide.test.stage"]
        cls.stage_new = Stage.create({"name": "New", "sequence": 1})
        cls.stage_waiting = Stage.create({"name": "Waiting", "sequence": 2})
        cls.stage_done = Stage.create({"name": "Done", "sequence": 3})
        cls.process = cls.env["guide.process"].create({"name": "Generic", "model_name": "guide.test.record"})
        Step = cls.env["guide.step"]
        cls.step_new, cls.step_waiting, cls.step_done = (
            Step.create({"process_id": cls.process.id, "test_stage_id": stage.id, "gate_mode": "advisory"})
            for stage in (cls.stage_new, cls.stage_waiting, cls.stage_done)
        )
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")
        cls.Clock = cls.env["escalation.clock"]
        cls.Log = cls.env["escalation.log"]

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    @classmethod
    def _rule_defaults(cls):
        return {"name": "Generic SLA", "model_name": "guide.test.record", "process_id": cls.process.id}

    def _record(self, **vals):
        values = {"name": "Generic doc", "stage_id": self.stage_new.id, **vals}
        return self.env["guide.test.record"].with_user(self.user).create(values)

    def test_engine_does_not_depend_on_crm(self):
        module = self.env["ir.module.module"].search([("name", "=", "base_escalation")])
        seen = todo = module.dependencies_id.depend_id
        while todo:
            todo = todo.dependencies_id.depend_id - seen
            seen |= todo
        names = set(seen.mapped("name"))
        self.assertTrue({"base_process_guide", "resource", "mail"} <= names, names)
        self.assertFalse(names & {"crm", "sales_team", "helpdesk_mgmt"}, names)
        selection = self.env["escalation.rule"]._fields["model_name"]._description_selection(self.env)
        self.assertIn("guide.test.record", dict(selection))

    def test_levels_fire_on_the_test_model(self):
        rule = self._rule(
            levels=[
                {"name": "Warn", "kind": "warning", "delay": 2},
                {
                    "name": "Breach",
                    "delay": 4,
                    "assign_to": "user",
                    "assign_user_id": self.user_lead.id,
                    "follower_partner_ids": [(6, 0, self.user_manager.partner_id.ids)],
                },
            ]
        )
        with self._at(T0):
            record = self._record()
        clock = self._clock(record, rule)
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.next_escalation_at, self._h(2))
        self.assertEqual(self._run_at(self._h(1)), 0)
        self.assertEqual(self._run_at(self._h(2.5)), 1)
        self.assertEqual(record.with_user(self.user).escalation_state, "at_risk")
        self.assertEqual(self._run_at(self._h(4.5)), 1)
        self.assertEqual(record.user_id, self.user_lead)
        self.assertIn(self.user_manager.partner_id, record.message_partner_ids)
        self.assertEqual(clock.state, "breached")
        record_as_lead = record.with_user(self.user_lead)
        self.assertEqual(record_as_lead.escalation_state, "escalated")
        self.assertTrue(record_as_lead.escalation_need_ack)
        # the new owner reads the log of the record and acknowledges the escalation
        logs = self.Log.with_user(self.user_lead).search(
            [("res_model", "=", "guide.test.record"), ("res_id", "=", record.id)]
        )
        self.assertEqual(logs.mapped("kind"), ["escalation", "warning"])
        self.assertEqual(logs[0].from_user_id, self.user)
        self.assertEqual(logs[0].to_user_id, self.user_lead)
        self.assertTrue(record_as_lead.action_escalation_acknowledge())
        self.assertEqual(clock.acknowledged_by, self.user_lead)

    def test_pause_and_target(self):
        rule = self._rule(
            trigger_type="creation",
            pause_step_ids=[(6, 0, self.step_waiting.ids)],
            met_step_ids=[(6, 0, self.step_done.ids)],
            levels=[{"name": "Breach", "delay": 4, "assign_to": "user", "assign_user_id": self.user_lead.id}],
        )
        record = self._record()
        start = record.create_date.replace(microsecond=0)  # the transaction's time, not frozen
        clock = self._clock(record, rule)
        self.assertEqual(clock.next_escalation_at, start + timedelta(hours=4))
        with self._at(start + timedelta(hours=1)):
            record.with_user(self.user).stage_id = self.stage_waiting
        self.assertEqual(clock.state, "paused")
        self.assertFalse(clock.next_escalation_at)
        with self._at(start + timedelta(hours=3)):
            record.with_user(self.user).stage_id = self.stage_new
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.next_escalation_at, start + timedelta(hours=6), "two paused hours added")
        self.assertEqual(self._run_at(start + timedelta(hours=5)), 0)
        with self._at(start + timedelta(hours=5, minutes=30)):
            record.with_user(self.user).stage_id = self.stage_done
        self.assertEqual(clock.state, "met")
        self.assertFalse(clock.next_escalation_at)
        self.assertEqual(self._run_at(start + timedelta(hours=7)), 0)
        self.assertEqual(record.user_id, self.user)

    def test_activity_needs_a_model_with_activities(self):
        with self.assertRaisesRegex(ValidationError, "have no activities"):
            self._rule(levels=[{"name": "Call", "delay": 1, "activity_type_id": self.todo.id}])

    def test_manual_escalation_by_an_engine_user(self):
        rule = self._rule(levels=[{"name": "Breach", "delay": 4}])
        with self._at(T0):
            record = self._record()
        wizard = (
            self.env["escalation.manual.wizard"]
            .with_user(self.user)
            .create(
                {
                    "res_model": "guide.test.record",
                    "res_id": record.id,
                    "rule_id": rule.id,
                    "level_id": rule.level_ids.id,
                    "user_id": self.user_lead.id,
                    "reason": "The customer called twice",
                }
            )
        )
        action = wizard.action_confirm()
        self.assertIsInstance(action, dict)
        self.assertEqual(record.user_id, self.user_lead)
        log = self._logs(record, kind="manual")
        self.assertEqual(log.reason, "The customer called twice")
        self.assertEqual(log.user_id, self.user)
        self.assertEqual(self._clock(record, rule).state, "breached")

    def test_dialog_tells_nothing_of_a_record_the_user_may_not_read(self):
        """The dialog opened (onchange) or saved (create, read) on a record the user may not
        read names neither its owner nor its company nor itself, as on a record that does
        not exist; on one they may read, it names them and escalates it."""
        self.env["ir.rule"].create(
            {
                "name": "Own generic records only",
                "model_id": self.env["ir.model"]._get_id("guide.test.record"),
                "groups": [(6, 0, self.env.ref("base_process_guide.group_guide_user").ids)],
                "domain_force": "[('user_id', '=', user.id)]",
            }
        )
        theirs = self.env["guide.test.record"].with_user(self.user_lead).create({"name": "Their secret doc"})
        mine = self._record()
        Wizard = self.env["escalation.manual.wizard"].with_user(self.user)
        spec = {
            "record_name": {},
            "owner_id": {"fields": {"display_name": {}}},
            "user_company_ids": {"fields": {"display_name": {}}},
        }
        names = ["record_name", "owner_id", "user_company_ids"]
        for record, readable in ((theirs, False), (mine, True)):
            with self.subTest(record=record.name):
                vals = {"res_model": "guide.test.record", "res_id": record.id}
                value = Wizard.onchange(vals, [], spec)["value"]
                wizard = Wizard.create({**vals, "reason": "Too long waiting"})
                read = wizard.read(names)[0]
                if readable:
                    self.assertEqual(value["owner_id"]["id"], self.user.id)
                    self.assertEqual(read["owner_id"][0], self.user.id)
                    self.assertEqual(read["user_company_ids"], record.company_id.ids)
                    self.assertEqual(read["record_name"], record.name)
                else:
                    self.assertFalse(value.get("owner_id"))
                    self.assertFalse(value.get("user_company_ids"))
                    self.assertFalse(value.get("record_name"))
                    expected = {"id": wizard.id, "record_name": False, "owner_id": False}
                    self.assertEqual(read, {**expected, "user_company_ids": []})
        wizard.user_id = self.user_lead
        wizard.action_confirm()
        self.assertEqual(mine.user_id, self.user_lead)
