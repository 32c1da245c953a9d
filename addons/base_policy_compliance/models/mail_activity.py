from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _check_access(self, operation):
        """The to-dos of an approval request are its approvers': each changes, cancels or
        marks done their own only. Odoo lets whoever created an activity (the requester,
        in whose session the engine schedules them) or may post on its record (whoever
        reads the request) change any: the requester would move the approvers' to-dos to
        themselves or close them, the request left waiting with nobody reminded."""
        result = super()._check_access(operation)
        if operation not in ("write", "unlink") or self.env.su or not self:
            return result
        allowed = self - result[0] if result else self
        others = allowed.sudo().filtered(
            lambda activity: activity.res_model == "compliance.approval.request"
            and activity.user_id.id != self.env.uid
        )
        if not others:
            return result
        forbidden = self.browse(others.ids)
        if result:
            return (result[0] + forbidden, result[1])
        return (forbidden, lambda: forbidden._make_access_error(operation))
