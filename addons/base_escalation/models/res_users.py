from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _guide_audit_trail_models(self):
        return [
            *super()._guide_audit_trail_models(),
            (
                "escalation.log",
                "user_id",
                lambda count: self.env._("escalations: %(count)s", count=count),
            ),
            (
                "escalation.log",
                "ack_user_id",
                lambda count: self.env._("escalations acknowledged: %(count)s", count=count),
            ),
        ]
