from odoo import api, fields, models

from odoo.addons.base_process_guide.tools import refuse_not_one


class ComplianceRejectWizard(models.TransientModel):
    _name = "compliance.reject.wizard"
    # the ids and numbers a client sends are checked before the database sees them
    _inherit = ["guide.bounded.mixin"]
    _description = "Reject an Approval Request"
    # refused when typed, too long, naming the field (not only at Confirm)
    _guide_typed_text_fields = ("reason",)

    request_id = fields.Many2one("compliance.approval.request", required=True, readonly=True)
    reason = fields.Text(required=True)

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # opened on a request the user may read (its approvers, its requester): the dialog
        # shows the request's name, which is no way to read the others
        wizards.request_id.check_access("read")
        return wizards

    def action_reject(self):
        refuse_not_one(self)
        self.request_id.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
