from odoo import _, api, fields, models
from odoo.exceptions import UserError


class GuideFeedback(models.Model):
    """An agent's suggestion about a step or item, reviewed by the process owner."""

    _name = "guide.feedback"
    _inherit = ["mail.thread", "guide.record.link.mixin"]
    _description = "Process Feedback"
    _order = "create_date desc, id desc"

    name = fields.Char(string="Summary", required=True)
    description = fields.Text(string="Details")
    process_id = fields.Many2one("guide.process", required=True, index=True, ondelete="cascade")
    step_id = fields.Many2one("guide.step", domain="[('process_id', '=', process_id)]", ondelete="set null")
    item_id = fields.Many2one("guide.item", domain="[('step_id', '=', step_id)]", ondelete="set null")
    res_model = fields.Char("Model", readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", readonly=True)
    user_id = fields.Many2one("res.users", string="From", default=lambda self: self.env.user, readonly=True)
    company_id = fields.Many2one(related="process_id.company_id", store=True)
    state = fields.Selection(
        [("new", "New"), ("accepted", "Accepted"), ("rejected", "Rejected")],
        default="new",
        required=True,
        tracking=True,
    )
    response = fields.Text(tracking=True)

    @api.model_create_multi
    def create(self, vals_list):
        feedback = super().create(vals_list)
        for fb in feedback.filtered(lambda f: f.process_id.owner_id):
            fb.message_subscribe(partner_ids=fb.process_id.owner_id.partner_id.ids)
        return feedback

    def write(self, vals):
        if {"state", "response"} & set(vals) and not self.env.su:
            for model_name in set(self.mapped("process_id.model_name")):
                if not self.env[model_name]._guide_is_manager():
                    raise UserError(_("Only process administrators accept or reject feedback."))
        return super().write(vals)

    def action_accept(self):
        self.write({"state": "accepted"})

    def action_reject(self):
        self.write({"state": "rejected"})
