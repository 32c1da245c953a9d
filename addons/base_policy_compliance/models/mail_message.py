from odoo import api, models
from odoo.exceptions import AccessError


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._compliance_check_request_authors(vals_list)
        return super().create(vals_list)

    @api.model
    def _compliance_check_request_authors(self, vals_list):
        """A message on an approval request is in its poster's name: the approvers and the
        requester discuss the change there, and its messages are kept with the request (the
        audit trail). Odoo lets an employee name any author (``message_post``'s
        ``author_id`` or ``email_from``, a message created over RPC): "Approved", in an
        approver's name, by the requester. The engine's own notes (as superuser) are not
        concerned."""
        partner = self.env.user.partner_id
        for vals in vals_list:
            if vals.get("model") != "compliance.approval.request":
                continue
            if vals.get("author_id", partner.id) != partner.id:
                res_id = vals.get("res_id")
                Request = self.env["compliance.approval.request"]
                request = Request.browse(res_id if isinstance(res_id, int) else ()).exists()
                raise AccessError(
                    self.env._(
                        "%(user)s cannot post in someone else's name on approval request %(request)s.",
                        user=self.env.user.name,
                        # named where its poster may read it
                        request=request.display_name if request.has_access("read") else res_id,
                    )
                )
