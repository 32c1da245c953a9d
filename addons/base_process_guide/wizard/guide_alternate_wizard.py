from odoo import fields, models

from ..tools import refuse_not_one


class GuideAlternateWizard(models.TransientModel):
    """Enter an alternate step of the record's process, with the reason."""

    _name = "guide.alternate.wizard"
    # the ids and numbers a client sends are checked before the database sees them
    _inherit = ["guide.bounded.mixin"]
    _description = "Enter an Alternate Step"

    res_model = fields.Char(required=True, readonly=True)
    res_id = fields.Integer(required=True, readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True)
    step_id = fields.Many2one(
        "guide.step",
        string="Alternate Step",
        required=True,
        domain="[('process_id', '=', process_id), ('kind', '=', 'alternate')]",
    )
    instructions = fields.Html(related="step_id.instructions")
    reason_required = fields.Boolean(related="step_id.alt_reason_required")
    reason = fields.Text()

    def action_confirm(self):
        refuse_not_one(self)
        record = self.env["guide.task.wizard"]._guide_record(self.res_model, self.res_id)
        record.action_guide_enter_alternate(self.step_id.id, self.reason or False)
        return {"type": "ir.actions.client", "tag": "soft_reload"}
