from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools.mail import email_normalize, email_split_tuples

# what names a message's poster, and what puts a message on a record
AUTHOR_FIELDS = {"author_id", "email_from", "model", "res_id"}


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        if not self.env.su:
            messages._compliance_check_request_authors()
        return messages

    def write(self, vals):
        res = super().write(vals)
        if not self.env.su and AUTHOR_FIELDS & set(vals):
            self._compliance_check_request_authors()
        return res

    def _compliance_check_request_authors(self):
        """A message on an approval request is in its poster's name: the approvers and the
        requester discuss the change there, and its messages are kept with the request (the
        audit trail). Odoo lets an employee name any author or sender (``message_post``'s
        ``author_id`` or ``email_from``, a message created over RPC, a context default, the
        author of one's own message rewritten): "Approved", in an approver's name, by the
        requester, in the chatter and in the approvers' notification emails. Checked on the
        messages as created or written, whatever set their values; the engine's own notes
        (as superuser) are not concerned."""
        partner = self.env.user.partner_id
        for message in self:
            if message.model != "compliance.approval.request":
                continue
            if message.author_id == partner and self._compliance_is_own_sender(message.email_from, partner):
                continue
            request = self.env["compliance.approval.request"].browse(message.res_id).exists()
            raise AccessError(
                self.env._(
                    "%(user)s cannot post in someone else's name on approval request %(request)s.",
                    user=self.env.user.name,
                    # named where its poster may read it
                    request=request.display_name if request.has_access("read") else message.res_id,
                )
            )

    @api.model
    def _compliance_is_own_sender(self, email_from, partner):
        """Whether ``email_from`` names ``partner`` as Odoo does (its formatted address), or is
        its address alone: not another name on it."""
        if not email_from or email_from == partner.email_formatted:
            return True
        senders = email_split_tuples(email_from)
        return (
            len(senders) == 1
            and not senders[0][0]
            and bool(partner.email)
            and email_normalize(senders[0][1]) == email_normalize(partner.email)
        )
