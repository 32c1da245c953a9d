from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

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
                "compliance.log",
                "user_id",
                lambda count: self.env._("policy checks: %(count)s", count=count),
            ),
        ]
