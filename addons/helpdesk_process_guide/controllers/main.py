from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.base_process_guide.tools import client_id
from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk


class _Undone(Exception):
    """Undoes a close attempted only to read its refusal in another language."""


class GuidedHelpdeskTicketController(HelpdeskTicketController):
    @http.route()
    def support_ticket_close(self, **kw):
        """The portal's close buttons, on tickets the customer may read only.

        helpdesk_mgmt finds the ticket as superuser by the id the browser sends: any
        ticket could be closed, and a refusal of its process showed the agents' checklist
        to whoever asked. A close the ticket's process or policies refuse is kept as a
        request for the support team (``_guide_portal_close_refused``), the refusal in the
        language of whom it is for, and the customer is told so on the ticket's page; asked
        again while the team has the request, nothing is added to it.
        """
        ticket = self._guide_portal_ticket(kw.get("ticket_id"))
        if not ticket:
            return request.redirect("/my")
        if not self._guide_portal_id(kw.get("stage_id")):
            return request.redirect(f"/my/ticket/{ticket.id}")
        # helpdesk_mgmt reads every ``*_id`` parameter as a number: only the two it uses go on
        kw = {"ticket_id": str(ticket.id), "stage_id": kw["stage_id"]}
        try:
            with request.env.cr.savepoint():
                return super().support_ticket_close(**kw)
        except UserError as error:
            if not getattr(error, "context", {}).get("guide_change_refused"):
                raise
            refusal = error.args[0]
        if not ticket._guide_portal_close_pending():
            refusal = self._guide_close_refusal_for_team(ticket, kw) or refusal
        stage = request.env["helpdesk.ticket.stage"].browse(int(kw["stage_id"]))
        ticket.sudo()._guide_portal_close_refused(stage.sudo(), refusal)
        return request.redirect(f"/my/ticket/{ticket.id}?guide_close_requested=1")

    @http.route()
    def submit_ticket(self, **kw):
        """A customer's ticket sent from the portal is received from outside the company
        (``guide.mixin._guide_receiving``): a creation policy it does not meet is recorded as a
        violation instead of losing the request. An employee's is judged as theirs."""
        with request.env["helpdesk.ticket"]._guide_receiving(request.env.user.share):
            return super().submit_ticket(**kw)

    def _guide_close_refusal_for_team(self, ticket, kw):
        """The refusal of the close ``kw`` as the team reads it: in the language of whom the
        request is for (``_guide_portal_close_lang``), the close attempted again in it and
        undone. None when that is the customer's language."""
        lang = ticket.sudo()._guide_portal_close_lang()
        customer_lang = request.env.lang
        if not lang or lang == customer_lang:
            return None
        request.update_context(lang=lang)
        try:
            with request.env.cr.savepoint():
                super().support_ticket_close(**kw)
                raise _Undone()
        except UserError as error:
            if getattr(error, "context", {}).get("guide_change_refused"):
                return error.args[0]
            return None
        except _Undone:
            return None  # allowed this time: the refusal stays as the customer's change had it
        finally:
            request.update_context(lang=customer_lang)

    def _guide_portal_ticket(self, ticket_id):
        """The ticket ``ticket_id`` if the current user may read it, else an empty recordset."""
        tickets = request.env["helpdesk.ticket"]
        ticket_id = self._guide_portal_id(ticket_id)
        if not ticket_id:
            return tickets
        ticket = tickets.browse(ticket_id)
        try:
            ticket.check_access("read")
        except (AccessError, MissingError):
            return tickets
        return ticket

    @staticmethod
    def _guide_portal_id(value):
        """The record id a browser sent as ``value``: ASCII digits naming a row id, else None
        (``client_id``: "²", which ``str.isdigit`` accepts, or 5,000 digits are none)."""
        value = client_id(str(value or ""))
        return value if isinstance(value, int) and 0 < value < 2**31 else None


class GuidedCustomerPortalHelpdesk(CustomerPortalHelpdesk):
    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        """The ticket's page says a close the customer asked is with the team, instead of the
        close buttons, while the request is pending."""
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        values["guide_close_pending"] = ticket._guide_portal_close_pending()
        return values
