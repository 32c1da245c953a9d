from odoo import fields, models
from odoo.exceptions import UserError


class GuideAlternateWizard(models.TransientModel):
    """Enter an alternate step of the record's process, with the reason."""

    _name = "guide.alternate.wizard"
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
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        if self.res_model not in self.env or "guide.mixin" not in self.env[self.res_model]._inherit_module:
            raise UserError(self.env._("%(model)s is not a guided model.", model=self.res_model))
        record = self.env[self.res_model].browse(self.res_id).exists()
        record.action_guide_enter_alternate(self.step_id.id, self.reason or False)
        return {"type": "ir.actions.client", "tag": "soft_reload"}
