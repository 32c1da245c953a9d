from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def write(self, vals):
        res = super().write(vals)
        if {"active", "company_ids", "groups_id"} & set(vals):
            # approvers who can no longer decide leave the tiers of pending requests
            self.env["compliance.approval.request"].sudo()._compliance_approvers_changed(self)
        return res

    def _guide_audit_trail_models(self):
        return [
            *super()._guide_audit_trail_models(),
            (
                "compliance.approval.request",
                "requester_id",
                lambda count: self.env._("approvals requested: %(count)s", count=count),
            ),
            (
                "compliance.approval.line",
                "decided_by_id",
                lambda count: self.env._("approval decisions: %(count)s", count=count),
            ),
            (
                "compliance.approval.request",
                "decided_by_id",
                lambda count: self.env._("approval requests closed: %(count)s", count=count),
            ),
            (
                "compliance.log",
                "user_id",
                lambda count: self.env._("policy checks: %(count)s", count=count),
            ),
        ]
