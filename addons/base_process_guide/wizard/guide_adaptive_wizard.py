from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import refuse_not_one, shortened


class GuideTaskWizard(models.TransientModel):
    """Add an optional task of the current step to a record, with a note (why)."""

    _name = "guide.task.wizard"
    # the ids and numbers a client sends are checked before the database sees them
    _inherit = ["guide.bounded.mixin"]
    _description = "Add an Optional Task"
    # refused when typed, too long, naming the field (not only at Confirm)
    _guide_typed_text_fields = ("note",)

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Integer(required=True, readonly=True)
    step_id = fields.Many2one("guide.step", readonly=True)
    task_id = fields.Many2one("guide.task", required=True, domain="[('step_id', '=', step_id)]")
    # read as the user: a task of another company tells nothing
    task_description = fields.Text(related="task_id.description", compute_sudo=False)
    note = fields.Text(string="Why", help="Recorded with the task: who added it, when and why.")

    @api.constrains("task_id", "res_model", "res_id")
    def _check_task(self):
        """The task is one the record's current step offers (the page names it)."""
        for wizard in self.filtered("task_id"):
            record = self._guide_readable_record(wizard.res_model, wizard.res_id)
            if wizard.sudo().task_id.step_id != record.guide_step_id:
                raise ValidationError(
                    self.env._(
                        "This optional task is not one of the current step of %(record)s.",
                        record=record.display_name,
                    )
                )

    @api.model
    def _guide_readable_record(self, res_model, res_id):
        """``_guide_record``, refused as Odoo refuses it to a user who may not read it."""
        record = self._guide_record(res_model, res_id)
        record.check_access("read")
        return record

    @api.model
    def _guide_record(self, res_model, res_id):
        """The guided record ``res_model``/``res_id`` (refused for any other model). The
        values may come from a client's context (``guide_res_model``/``guide_res_id``):
        anything but a model name and an id is refused naming it, shortened."""
        if not res_model:
            raise UserError(self.env._("Open this dialog from the record it is for."))
        if (
            not isinstance(res_model, str)
            or res_model not in self.env
            or "guide.mixin" not in self.env[res_model]._inherit_module
        ):
            raise UserError(self.env._("%(model)s is not a guided model.", model=shortened(res_model)))
        Model = self.env[res_model]
        if res_id and (isinstance(res_id, bool) or not isinstance(res_id, int)):
            raise UserError(
                self.env._(
                    "%(value)s is not an id of %(model)s.", value=shortened(res_id), model=Model._description
                )
            )
        record = Model.browse(res_id if res_id and 0 < res_id < 2**31 else ()).exists()
        if not record:
            raise UserError(self.env._("The record no longer exists."))
        return record

    def action_confirm(self):
        refuse_not_one(self)
        self._guide_record(self.res_model, self.res_id).action_guide_add_task(self.task_id.id, self.note)
        return {"type": "ir.actions.client", "tag": "soft_reload"}


class GuideMilestoneWizard(models.TransientModel):
    """Mark a milestone reached by hand, with a note."""

    _name = "guide.milestone.wizard"
    # the ids and numbers a client sends are checked before the database sees them
    _inherit = ["guide.bounded.mixin"]
    _description = "Mark a Milestone Reached"
    # refused when typed, too long, naming the field (not only at Confirm)
    _guide_typed_text_fields = ("note",)

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Integer(required=True, readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True)
    milestone_id = fields.Many2one(
        "guide.milestone",
        required=True,
        domain="[('process_id', '=', process_id), ('reach_mode', '=', 'manual')]",
    )
    note = fields.Text()

    @api.constrains("milestone_id", "res_model", "res_id")
    def _check_milestone(self):
        """The milestone is one of the record's process (the page names it)."""
        Wizard = self.env["guide.task.wizard"]
        for wizard in self.filtered("milestone_id"):
            record = Wizard._guide_readable_record(wizard.res_model, wizard.res_id)
            if wizard.sudo().milestone_id.process_id != record.guide_process_id:
                raise ValidationError(
                    self.env._(
                        "This milestone is not one of the process of %(record)s.", record=record.display_name
                    )
                )

    def action_confirm(self):
        refuse_not_one(self)
        record = self.env["guide.task.wizard"]._guide_record(self.res_model, self.res_id)
        record.action_guide_reach_milestone(self.milestone_id.id, self.note)
        return {"type": "ir.actions.client", "tag": "soft_reload"}
