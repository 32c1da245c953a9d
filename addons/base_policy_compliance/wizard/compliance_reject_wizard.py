from odoo import fields, models


class ComplianceRejectWizard(models.TransientModel):
    _name = "compliance.reject.wizard"
    _description = "Reject an Approval Request"

    request_id = fields.Many2one("compliance.approval.request", required=True, readonly=True)
    reason = fields.Text(required=True)

    def action_reject(self):
        self.ensure_one()
        self.request_id.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
