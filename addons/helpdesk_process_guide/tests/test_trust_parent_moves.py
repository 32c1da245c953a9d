"""A helpdesk manager configures the ticket processes only: moving a row of his (a step, a
checklist item, an optional task, a branch, a milestone, a hint) into a lead process is
judged where it puts the row, not where it was (Odoo's record rules judge a write by the
rows before it)."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTrustParentMovesTicket(HelpdeskGuideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.crm_guided:
            return
        Stage = cls.env["crm.stage"]
        cls.crm_stage_new = Stage.create({"name": "M-New", "sequence": 3001})
        cls.crm_stage_won = Stage.create({"name": "M-Won", "sequence": 3002, "is_won": True})
        cls.lead_process = cls.env["guide.process"].create(
            {"name": "Sales (moves)", "model_name": "crm.lead"}
        )
        Step = cls.env["guide.step"]
        cls.lead_step = Step.create({"process_id": cls.lead_process.id, "crm_stage_id": cls.crm_stage_new.id})
        cls.lead_step_won = Step.create(
            {"process_id": cls.lead_process.id, "crm_stage_id": cls.crm_stage_won.id}
        )
        cls.process_2 = cls.env["guide.process"].create(
            {
                "name": "Second line",
                "model_name": "helpdesk.ticket",
                "helpdesk_team_ids": [(6, 0, cls.other_team.ids)],
            }
        )
        cls.step_2 = Step.create({"process_id": cls.process_2.id, "helpdesk_stage_id": cls.stage_triage.id})

    def setUp(self):
        super().setUp()
        self._require_crm()
        self.as_manager = self.env(user=self.user_manager)

    def _refused(self, record, vals, error=AccessError):
        """``vals`` written by the helpdesk manager on ``record`` (his own) is refused and
        changes nothing."""
        before = {fname: record[fname] for fname in vals}
        with self.assertRaises(error):
            record.with_env(self.as_manager).write(vals)
        self.env.invalidate_all()
        for fname, value in before.items():
            self.assertEqual(record[fname], value, f"{record._name}.{fname} moved")

    def test_item_not_moved_into_a_lead_step(self):
        item = (
            self.env["guide.item"]
            .with_env(self.as_manager)
            .create({"name": "Ask support first", "step_id": self.step_waiting.id})
        )
        self._refused(item, {"step_id": self.lead_step.id})
        item.write({"step_id": self.step_2.id})
        self.assertEqual(item.process_id, self.process_2)

    def test_task_not_moved_into_a_lead_step(self):
        task = (
            self.env["guide.task"]
            .with_env(self.as_manager)
            .create({"name": "Call the customer", "step_id": self.step_waiting.id})
        )
        self._refused(task, {"step_id": self.lead_step.id})
        task.write({"step_id": self.step_2.id})
        self.assertEqual(task.process_id, self.process_2)

    def test_branch_not_moved_into_a_lead_step(self):
        branch = (
            self.env["guide.step.branch"]
            .with_env(self.as_manager)
            .create(
                {
                    "step_id": self.step_progress.id,
                    "to_step_id": self.step_waiting.id,
                    "name": "Needs the customer",
                }
            )
        )
        self._refused(branch, {"step_id": self.lead_step.id, "to_step_id": self.lead_step_won.id})
        branch.write({"step_id": self.step_triage.id, "to_step_id": self.step_resolved.id})
        self.assertEqual(branch.step_id, self.step_triage)

    def test_milestone_not_moved_into_a_lead_process(self):
        milestone = (
            self.env["guide.milestone"]
            .with_env(self.as_manager)
            .create({"name": "Customer called", "process_id": self.process.id, "reach_mode": "manual"})
        )
        self._refused(milestone, {"process_id": self.lead_process.id})
        milestone.write({"process_id": self.process_2.id})
        self.assertEqual(milestone.model_name, "helpdesk.ticket")

    def test_step_not_moved_into_a_lead_process(self):
        Step = self.env["guide.step"].with_env(self.as_manager)
        step = Step.create({"process_id": self.process_2.id, "helpdesk_stage_id": self.stage_waiting.id})
        # refused for its model, named, before its stage is compared with the lead stages
        with self.assertRaisesRegex(ValidationError, "cannot move into process Sales \\(moves\\)"):
            step.write({"process_id": self.lead_process.id})
        alternate = Step.create({"process_id": self.process_2.id, "kind": "alternate", "name": "Expert"})
        self._refused(alternate, {"process_id": self.lead_process.id}, ValidationError)
        alternate.write({"process_id": self.process.id})
        self.assertEqual(alternate.process_id, self.process)

    def test_hint_not_moved_to_leads(self):
        Hint = self.env["guide.hint"].with_env(self.as_manager)
        hint = Hint.create({"name": "Known outage", "model_name": "helpdesk.ticket", "body": "<p>x</p>"})
        self._refused(hint, {"model_name": "crm.lead"})
        # the probe's move: the model and a lead process at once
        self._refused(hint, {"model_name": "crm.lead", "process_id": self.lead_process.id})
        with self.assertRaisesRegex(ValidationError, "Known outage"):
            hint.write({"process_id": self.lead_process.id})
        with self.assertRaises(ValidationError):
            hint.write({"step_ids": [(6, 0, self.lead_step.ids)]})
        hint.write({"process_id": self.process_2.id, "step_ids": [(6, 0, self.step_2.ids)]})
        self.assertEqual(hint.process_id, self.process_2)

    def test_process_not_turned_to_leads(self):
        process = (
            self.env["guide.process"]
            .with_env(self.as_manager)
            .create({"name": "Empty ticket process", "model_name": "helpdesk.ticket"})
        )
        self._refused(process, {"model_name": "crm.lead"})
