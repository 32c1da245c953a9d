"""Optional tasks, milestones and event fields on a model no business app knows
(issue 15), with nothing but ``base_process_guide``."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from odoo_test_helper import FakeModelLoader

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..models.mail_activity import MERGING_FLAG
from ..tools import engine_flag


@tagged("post_install", "-at_install")
class TestGenericAdaptive(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .generic_models import GuideStep, GuideTestRecord, GuideTestStage

        cls.loader.update_registry((GuideTestStage, GuideTestRecord, GuideStep))
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=False))
        cls.user = new_test_user(
            cls.env, login="guide_adaptive_user", groups="base_process_guide.group_guide_user"
        )
        cls.group_lead = cls.env["res.groups"].create({"name": "Adaptive Leads"})
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
        cls.stage_new = Stage.create({"name": "New", "sequence": 1})
        cls.stage_review = Stage.create({"name": "Review", "sequence": 2})
        cls.process = cls.env["guide.process"].create({"name": "Adaptive", "model_name": "guide.test.record"})
        cls.other_process = cls.env["guide.process"].create(
            {"name": "Other", "model_name": "guide.test.record", "domain": "[('name', '=', 'never')]"}
        )
        Step = cls.env["guide.step"]
        cls.step_new = Step.create({"process_id": cls.process.id, "test_stage_id": cls.stage_new.id})
        cls.step_review = Step.create({"process_id": cls.process.id, "test_stage_id": cls.stage_review.id})
        Milestone = cls.env["guide.milestone"]
        cls.ms_big = Milestone.create(
            {"process_id": cls.process.id, "name": "Big deal", "condition": "[('amount', '>', 100)]"}
        )
        cls.ms_signed = Milestone.create(
            {
                "process_id": cls.process.id,
                "name": "Contract signed",
                "reach_mode": "manual",
                "group_ids": [(6, 0, cls.group_lead.ids)],
            }
        )
        cls.ms_other = Milestone.create(
            {"process_id": cls.other_process.id, "name": "Elsewhere", "reach_mode": "manual"}
        )
        Task = cls.env["guide.task"]
        cls.task_check = Task.create(
            {
                "step_id": cls.step_new.id,
                "name": "Security questionnaire",
                "mandatory": True,
                "suggest_domain": "[('amount', '>', 1000)]",
            }
        )
        cls.task_repeat = Task.create({"step_id": cls.step_new.id, "name": "Extra call", "repeatable": True})
        cls.task_restricted = Task.create(
            {"step_id": cls.step_new.id, "name": "Legal opinion", "group_ids": [(6, 0, cls.group_lead.ids)]}
        )
        cls.task_review = Task.create({"step_id": cls.step_review.id, "name": "Review only"})
        cls.activity_type = cls.env["mail.activity.type"].create({"name": "Remote session", "delay_count": 0})
        cls.task_activity = Task.create(
            {
                "step_id": cls.step_new.id,
                "name": "Remote session",
                "kind": "activity",
                "activity_type_id": cls.activity_type.id,
                "deadline_days": 3,
                "mandatory": True,
            }
        )

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def _record(self, **vals):
        return (
            self.env["guide.test.record"]
            .with_user(self.user)
            .create({"name": "Doc", "stage_id": self.stage_new.id, **vals})
        )

    def _reached(self, record):
        return self.env["guide.milestone.reached"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    # ------------------------------------------------------------
    # milestones
    # ------------------------------------------------------------
    def test_milestone_reached_by_condition_on_write(self):
        record = self._record()
        self.assertFalse(record.guide_milestone_ids)
        record.write({"amount": 150.0})
        self.assertEqual(record.guide_milestone_ids, self.ms_big)
        row = self._reached(record)
        self.assertEqual((row.milestone_id, row.user_id, row.mode), (self.ms_big, self.user, "auto"))
        self.assertIn("Big deal", record.guide_milestone_timeline)
        # reached once, whatever happens next
        record.write({"amount": 5.0})
        record.write({"amount": 500.0})
        self.assertEqual(len(self._reached(record)), 1)
        # the rule language reads it: by id and by name
        Record = self.env["guide.test.record"].with_user(self.user)
        self.assertEqual(Record.search([("guide_milestone_ids", "in", [self.ms_big.id])]), record)
        self.assertEqual(Record.search([("guide_milestone_ids.name", "=", "Big deal")]), record)
        self.assertIn(record, Record.search([("guide_milestone_ids", "=", False)]) | record)
        self.assertNotIn(record, Record.search([("guide_milestone_ids", "=", False)]))
        # created matching: reached at creation
        self.assertEqual(self._record(amount=200.0).guide_milestone_ids, self.ms_big)

    def test_milestone_rows_are_the_engine_s(self):
        record = self._record(amount=150.0)
        row = self._reached(record).with_user(self.user)
        self.assertTrue(row.read(["milestone_id"]))
        with self.assertRaises(AccessError):
            row.write({"user_id": self.env.ref("base.user_admin").id})
        with self.assertRaises(AccessError):
            self.env["guide.milestone.reached"].with_user(self.user).create(
                {
                    "res_model": record._name,
                    "res_id": record.id,
                    "milestone_id": self.ms_signed.id,
                    "date": "2020-01-01 00:00:00",
                }
            )
        with self.assertRaises(AccessError):
            row.unlink()
        for vals in (
            {"guide_milestone_ids": [(6, 0, self.ms_signed.ids)]},
            {"guide_last_customer_message_date": "2020-01-01 00:00:00"},
            {"guide_last_reply_date": "2020-01-01 00:00:00"},
        ):
            with self.assertRaises(AccessError):
                record.write(vals)
            with self.assertRaises(AccessError):
                self.env["guide.test.record"].with_user(self.user).create({"name": "x", **vals})

    def test_milestone_by_hand(self):
        record = self._record()
        # a group the user is not in
        with self.assertRaises(AccessError) as err:
            record.action_guide_reach_milestone(self.ms_signed.id)
        self.assertIn("Contract signed", str(err.exception))
        self.user.groups_id |= self.group_lead
        self.assertIs(record.action_guide_reach_milestone(self.ms_signed.id, "Signed today"), True)
        row = self._reached(record)
        self.assertEqual((row.user_id, row.mode, row.note), (self.user, "manual", "Signed today"))
        with self.assertRaises(UserError):
            record.action_guide_reach_milestone(self.ms_signed.id)
        # automatic ones follow their condition; another process's are refused, naming the record
        with self.assertRaises(UserError):
            record.action_guide_reach_milestone(self.ms_big.id)
        with self.assertRaises(UserError) as err:
            record.action_guide_reach_milestone(self.ms_other.id)
        self.assertIn("Doc", str(err.exception))

    def test_milestone_validation(self):
        with self.assertRaises(ValidationError) as err:
            self.env["guide.milestone"].create({"process_id": self.process.id, "name": "No condition"})
        self.assertIn("No condition", str(err.exception))
        with self.assertRaises(ValidationError) as err:
            self.env["guide.milestone"].create(
                {"process_id": self.process.id, "name": "Broken", "condition": "[('no_such_field', '=', 1)]"}
            )
        self.assertIn("Broken", str(err.exception))
        with self.assertRaises(ValidationError):
            self.env["guide.milestone"].create(
                {
                    "process_id": self.process.id,
                    "name": "Code",
                    "condition": "[('name', '=', __import__('os'))]",
                }
            )

    # ------------------------------------------------------------
    # optional tasks
    # ------------------------------------------------------------
    def test_task_checklist_gates_once_added(self):
        record = self._record()
        record.write({"stage_id": self.stage_review.id})
        record.write({"stage_id": self.stage_new.id})
        self.assertIs(record.action_guide_add_task(self.task_check.id, "Public sector customer"), True)
        line = record.guide_current_line_ids.filtered(lambda line: line.name == "Security questionnaire")
        self.assertTrue(line.mandatory)
        self.assertTrue(record.guide_blocked)
        with self.assertRaises(UserError) as err:
            record.write({"stage_id": self.stage_review.id})
        self.assertIn("Security questionnaire", str(err.exception))
        log = self.env["guide.task.log"].search(
            [("res_id", "=", record.id), ("res_model", "=", record._name)]
        )
        self.assertEqual((log.user_id, log.note, log.line_id), (self.user, "Public sector customer", line))
        # once only; the repeatable one twice
        with self.assertRaises(UserError):
            record.action_guide_add_task(self.task_check.id)
        record.action_guide_add_task(self.task_repeat.id)
        record.action_guide_add_task(self.task_repeat.id)
        self.assertEqual(record.guide_task_log_count, 3)
        # the line survives "apply to open records", and once ticked the gate opens
        self.process.action_apply_to_open_records()
        self.assertTrue(line.exists())
        line.with_user(self.user).action_check()
        record.write({"stage_id": self.stage_review.id})
        self.assertEqual(record.guide_step_id, self.step_review)

    def test_task_refusals(self):
        record = self._record()
        with self.assertRaises(UserError) as err:
            record.action_guide_add_task(self.task_review.id)
        self.assertIn("Review only", str(err.exception))
        self.assertIn("Doc", str(err.exception))
        with self.assertRaises(AccessError):
            record.action_guide_add_task(self.task_restricted.id)
        with self.assertRaises(UserError):
            record.action_guide_add_task(999999)
        # the rows are the engine's
        with self.assertRaises(AccessError):
            self.env["guide.task.log"].with_user(self.user).create(
                {
                    "res_model": record._name,
                    "res_id": record.id,
                    "task_id": self.task_check.id,
                    "kind": "checklist",
                }
            )
        self.assertFalse(self.env["guide.task.log"].search([("res_id", "=", record.id)]))

    def test_task_activity_done_ticks_its_line(self):
        record = self._record()
        record.action_guide_add_task(self.task_activity.id, "Customer cannot share logs")
        log = self.env["guide.task.log"].search(
            [("res_id", "=", record.id), ("res_model", "=", record._name)]
        )
        activity = log.activity_id
        self.assertEqual(activity.activity_type_id, self.activity_type)
        self.assertFalse(log.line_id.checked)
        self.assertTrue(record.guide_blocked)
        activity.with_user(self.user).action_feedback("Done")
        self.assertTrue(log.line_id.checked)
        self.assertEqual(log.line_id.checked_by_id, self.user)
        self.assertFalse(record.guide_blocked)
        self.assertEqual(record.guide_done_activity_type_ids, self.activity_type)
        Record = self.env["guide.test.record"].with_user(self.user)
        self.assertEqual(
            Record.search([("guide_done_activity_type_ids", "in", self.activity_type.ids)]), record
        )

    def test_task_activity_ticks_only_its_own_record_line(self):
        """The activity an optional task added is done on the record it was added to: moving
        it to another record is refused (its line would be ticked by work done elsewhere);
        one moved anyway (a merge) and done there ticks no line."""
        record, other = self._record(), self._record(name="Other")
        record.action_guide_add_task(self.task_activity.id)
        log = self.env["guide.task.log"].search(
            [("res_id", "=", record.id), ("res_model", "=", record._name)]
        )
        activity = log.activity_id.with_user(self.user)
        with self.assertRaises(UserError) as caught:
            activity.write({"res_id": other.id})
        self.assertIn("cannot be moved to another record", str(caught.exception))
        self.assertIn("Remote session", str(caught.exception))
        with self.assertRaises(UserError):
            activity.write({"res_model_id": self.env["ir.model"]._get_id("res.partner")})
        # a write keeping its record, and other activities, move freely
        activity.write({"res_id": record.id, "summary": "Screen share"})
        free = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id(record._name),
                "res_id": record.id,
                "activity_type_id": self.activity_type.id,
            }
        )
        free.with_user(self.user).write({"res_id": other.id})
        self.assertEqual(free.res_id, other.id)
        # a context key changes nothing: only the engine's merge moves it
        with self.assertRaises(UserError):
            activity.with_context(guide_merging=True).write({"res_id": other.id})
        with engine_flag(self.env, MERGING_FLAG):
            activity.write({"res_id": other.id})
        activity.action_feedback("Done on the other record")
        self.assertFalse(log.line_id.checked)
        self.assertTrue(record.guide_blocked)

    def test_task_suggested_by_condition(self):
        record = self._record(amount=10.0)
        self.assertFalse(record.guide_task_suggested_ids)
        record.write({"amount": 5000.0})
        record.invalidate_recordset(["guide_task_suggested_ids"])
        self.assertEqual(record.guide_task_suggested_ids, self.task_check)
        action = (
            self.task_check.with_user(self.user)
            .with_context(guide_res_model=record._name, guide_res_id=record.id)
            .action_guide_open_add()
        )
        self.assertEqual(action["context"]["default_task_id"], self.task_check.id)
        wizard = (
            self.env["guide.task.wizard"]
            .with_user(self.user)
            .with_context(**action["context"])
            .create({"note": "Tender"})
        )
        wizard.action_confirm()
        self.assertFalse(record.guide_task_suggested_ids)

    # ------------------------------------------------------------
    # events
    # ------------------------------------------------------------
    def test_message_events_read_nothing_for_notifications(self):
        """A tracking notification on a guided record (Odoo posts one per tracked write, one
        ``create`` each) costs the event fields no query: the values given to ``create``
        decide (Odoo core's lead-assignment query budgets depend on it)."""
        record = self._record()
        vals = {"model": record._name, "res_id": record.id, "message_type": "notification"}
        vals_list = [dict(vals, body="x")]
        messages = self.env["mail.message"].create(vals_list)
        messages.invalidate_recordset()
        self.env["guide.process"]._guide_model_names()
        with self.assertQueryCount(0):
            messages._guide_record_events(vals_list)
        self.assertFalse(record.guide_last_reply_date)
        self.assertFalse(record.guide_last_customer_message_date)

    def test_message_events(self):
        self.env["guide.milestone"].create(
            {
                "process_id": self.process.id,
                "name": "First reply sent",
                "condition": "[('guide_last_reply_date', '!=', False)]",
            }
        )
        record = self._record()
        customer = self.env["res.partner"].create({"name": "Customer", "email": "c@example.com"})
        # the customer's email, received as the mail gateway receives it (the engine)
        record.sudo().message_post(body="Help!", author_id=customer.id, message_type="email")
        self.assertTrue(record.guide_last_customer_message_date)
        self.assertFalse(record.guide_last_reply_date)
        # an internal note is no reply
        record.message_post(body="internal", message_type="comment", subtype_xmlid="mail.mt_note")
        self.assertFalse(record.guide_last_reply_date)
        self.assertFalse(record.guide_milestone_ids)
        # when it was posted, not the date the poster sent (a frozen clock: a real one may pass
        # a second between two posts)
        first_reply = datetime(2026, 3, 2, 10, 0, 0)
        with freeze_time(first_reply):
            record.message_post(body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertEqual(record.guide_last_reply_date, first_reply)
        posted_at = first_reply + timedelta(hours=1)
        for date in ("2099-12-31 00:00:00", "2000-01-01 00:00:00"):
            with freeze_time(posted_at):
                record.message_post(
                    body="Dated", message_type="comment", subtype_xmlid="mail.mt_comment", date=date
                )
            self.assertEqual(record.guide_last_reply_date, posted_at)
        self.assertEqual(record.guide_milestone_ids.mapped("name"), ["First reply sent"])
        self.assertEqual(self._reached(record).user_id, self.user)
