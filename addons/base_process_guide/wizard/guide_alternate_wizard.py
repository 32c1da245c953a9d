from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import refuse_not_one


class GuideAlternateWizard(models.TransientModel):
    """Enter an alternate step of the record's process, with the reason."""

    _name = "guide.alternate.wizard"
    # the ids and numbers a client sends are checked before the database sees them
    _inherit = ["guide.bounded.mixin"]
    _description = "Enter an Alternate Step"
    # refused when typed, too long, naming the field (not only at Confirm)
    _guide_typed_text_fields = ("reason",)

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Integer(required=True, readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True)
    step_id = fields.Many2one(
        "guide.step",
        string="Alternate Step",
        required=True,
        domain="[('process_id', '=', process_id), ('kind', '=', 'alternate')]",
    )
    # read as the user: a step of another company tells nothing
    instructions = fields.Html(related="step_id.instructions", compute_sudo=False)
    reason_required = fields.Boolean(related="step_id.alt_reason_required", compute_sudo=False)
    reason = fields.Text()

    @api.constrains("step_id", "res_model", "res_id")
    def _check_step(self):
        """The step is an alternate step of the record's process (the page names it)."""
        Wizard = self.env["guide.task.wizard"]
        for wizard in self.filtered("step_id"):
            record = Wizard._guide_readable_record(wizard.res_model, wizard.res_id)
            step = wizard.sudo().step_id
            if step.kind != "alternate" or step.process_id != record.guide_process_id:
                raise ValidationError(
                    self.env._(
                        "This step is not an alternate step of the process of %(record)s.",
                        record=record.display_name,
                    )
                )

    def action_confirm(self):
        refuse_not_one(self)
        record = self.env["guide.task.wizard"]._guide_record(self.res_model, self.res_id)
        record.action_guide_enter_alternate(self.step_id.id, self.reason or False)
        return {"type": "ir.actions.client", "tag": "soft_reload"}
