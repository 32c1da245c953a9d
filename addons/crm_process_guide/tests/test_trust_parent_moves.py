"""A sales manager configures the lead processes only: moving a row of his (a step, a
checklist item, an optional task, a branch, a milestone, a hint) into a ticket process is
judged where it puts the row, not where it was (Odoo's record rules judge a write by the
rows before it)."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestTrustParentMovesLead(GuideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.helpdesk = "helpdesk_stage_id" in cls.env["guide.step"]._fields
        if not cls.helpdesk:
            return
        Stage = cls.env["helpdesk.ticket.stage"]
        cls.hd_stage_new = Stage.create({"name": "M-New", "sequence": 3001})
        cls.hd_stage_done = Stage.create({"name": "M-Done", "sequence": 3002, "closed": True})
        cls.hd_process = cls.env["guide.process"].create(
            {"name": "Support (moves)", "model_name": "helpdesk.ticket"}
        )
        Step = cls.env["guide.step"]
        cls.hd_step = Step.create({"process_id": cls.hd_process.id, "helpdesk_stage_id": cls.hd_stage_new.id})
        cls.hd_step_done = Step.create(
            {"process_id": cls.hd_process.id, "helpdesk_stage_id": cls.hd_stage_done.id}
        )
        cls.lead_process_2 = cls.env["guide.process"].create(
            {"name": "B2C Sales", "model_name": "crm.lead", "crm_team_ids": [(6, 0, cls.other_team.ids)]}
        )
        cls.lead_step_2 = Step.create(
            {"process_id": cls.lead_process_2.id, "crm_stage_id": cls.stage_qualif.id}
        )

    def setUp(self):
        super().setUp()
        if not self.helpdesk:
            self.skipTest("helpdesk_process_guide is not installed")
        self.as_manager = self.env(user=self.user_manager)

    def _refused(self, record, vals, error=AccessError):
        """``vals`` written by the sales manager on ``record`` (his own) is refused and changes
        nothing."""
        before = {fname: record[fname] for fname in vals}
        with self.assertRaises(error):
            record.with_env(self.as_manager).write(vals)
        self.env.invalidate_all()
        for fname, value in before.items():
            self.assertEqual(record[fname], value, f"{record._name}.{fname} moved")

    def test_item_not_moved_into_a_ticket_step(self):
        item = (
            self.env["guide.item"]
            .with_env(self.as_manager)
            .create({"name": "Ask sales first", "step_id": self.step_nego.id})
        )
        self._refused(item, {"step_id": self.hd_step.id})
        # within the lead processes it moves
        item.write({"step_id": self.lead_step_2.id})
        self.assertEqual(item.process_id, self.lead_process_2)

    def test_task_not_moved_into_a_ticket_step(self):
        task = (
            self.env["guide.task"]
            .with_env(self.as_manager)
            .create({"name": "Call the buyer", "step_id": self.step_nego.id})
        )
        self._refused(task, {"step_id": self.hd_step.id})
        task.write({"step_id": self.lead_step_2.id})
        self.assertEqual(task.process_id, self.lead_process_2)

    def test_branch_not_moved_into_a_ticket_step(self):
        branch = (
            self.env["guide.step.branch"]
            .with_env(self.as_manager)
            .create({"step_id": self.step_proposal.id, "to_step_id": self.step_nego.id, "name": "Big deal"})
        )
        self._refused(branch, {"step_id": self.hd_step.id, "to_step_id": self.hd_step_done.id})
        branch.write({"step_id": self.step_qualif.id, "to_step_id": self.step_won.id})
        self.assertEqual(branch.step_id, self.step_qualif)

    def test_milestone_not_moved_into_a_ticket_process(self):
        milestone = (
            self.env["guide.milestone"]
            .with_env(self.as_manager)
            .create({"name": "Contract signed", "process_id": self.process.id, "reach_mode": "manual"})
        )
        self._refused(milestone, {"process_id": self.hd_process.id})
        milestone.write({"process_id": self.lead_process_2.id})
        self.assertEqual(milestone.model_name, "crm.lead")

    def test_step_not_moved_into_a_ticket_process(self):
        Step = self.env["guide.step"].with_env(self.as_manager)
        # a stage step: refused for its model, named, before any stage is compared
        step = Step.create({"process_id": self.lead_process_2.id, "crm_stage_id": self.stage_nego.id})
        with self.assertRaisesRegex(ValidationError, "cannot move into process Support \\(moves\\)"):
            step.write({"process_id": self.hd_process.id})
        # an alternate step (no stage)
        alternate = Step.create({"process_id": self.lead_process_2.id, "kind": "alternate", "name": "Legal"})
        self._refused(alternate, {"process_id": self.hd_process.id}, ValidationError)
        # between lead processes it moves
        alternate.write({"process_id": self.process.id})
        self.assertEqual(alternate.process_id, self.process)

    def test_ticket_step_not_moved_into_a_lead_process_by_an_administrator(self):
        # the model check holds for everybody: the step of a ticket stage is not a lead step
        with self.assertRaisesRegex(ValidationError, "cannot move into process B2C Sales"):
            self.hd_step.write({"process_id": self.lead_process_2.id})

    def test_rows_not_moved_to_tickets_by_an_administrator(self):
        """The model check holds for everybody, as for a step: a checklist item, an optional
        task or a milestone of the leads (reached by leads, named by their rules) does not
        move to a ticket step or process, the row and both models named."""
        item = self.env["guide.item"].create({"name": "Ask sales first", "step_id": self.step_nego.id})
        task = self.env["guide.task"].create({"name": "Call the buyer", "step_id": self.step_nego.id})
        milestone = self.env["guide.milestone"].create(
            {"name": "Contract signed", "process_id": self.process.id, "reach_mode": "manual"}
        )
        for row, vals, message in (
            (item, {"step_id": self.hd_step.id}, "Ask sales first is for Lead/Opportunity"),
            (task, {"step_id": self.hd_step.id}, "Call the buyer is for Lead/Opportunity"),
            (milestone, {"process_id": self.hd_process.id}, "Contract signed is for Lead/Opportunity"),
        ):
            with self.subTest(row=row._name):
                with self.assertRaises(ValidationError) as caught:
                    row.write(vals)
                self.assertIn(message, str(caught.exception))
                self.assertIn("Helpdesk Ticket", str(caught.exception))
                self.env.invalidate_all()
                self.assertEqual(row.model_name, "crm.lead")
        # between lead processes they move
        item.write({"step_id": self.lead_step_2.id})
        task.write({"step_id": self.lead_step_2.id})
        milestone.write({"process_id": self.lead_process_2.id})
        self.assertEqual(item.process_id, self.lead_process_2)
        self.assertEqual(task.process_id, self.lead_process_2)
        self.assertEqual(milestone.process_id, self.lead_process_2)

    def test_hint_not_moved_to_tickets(self):
        Hint = self.env["guide.hint"].with_env(self.as_manager)
        hint = Hint.create({"name": "Pricing grid", "model_name": "crm.lead", "body": "<p>x</p>"})
        # to another model: his rule judges the hint where it goes
        self._refused(hint, {"model_name": "helpdesk.ticket"})
        # a lead hint on a ticket process: refused, the hint named
        with self.assertRaisesRegex(ValidationError, "Pricing grid"):
            hint.write({"process_id": self.hd_process.id})
        with self.assertRaisesRegex(ValidationError, "Stray hint"):
            Hint.create(
                {
                    "name": "Stray hint",
                    "model_name": "crm.lead",
                    "process_id": self.hd_process.id,
                    "body": "<p>x</p>",
                }
            )
        with self.assertRaises(ValidationError):
            hint.write({"step_ids": [(6, 0, self.hd_step.ids)]})
        hint.write({"process_id": self.lead_process_2.id, "step_ids": [(6, 0, self.lead_step_2.ids)]})
        self.assertEqual(hint.process_id, self.lead_process_2)

    def test_process_not_turned_to_tickets(self):
        process = (
            self.env["guide.process"]
            .with_env(self.as_manager)
            .create({"name": "Empty lead process", "model_name": "crm.lead"})
        )
        self._refused(process, {"model_name": "helpdesk.ticket"})
