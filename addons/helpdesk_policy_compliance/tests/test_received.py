"""Tickets received from outside the company (a customer's portal request, an incoming
email) and creation policies."""

import html

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestReceivedTickets(HttpCase, HelpdeskGuideCommon):
    """A customer's request is not lost to a creation policy it does not meet: the ticket is
    made, the violation audited and noted. An employee sending the same form is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["compliance.policy"].search([]).write({"active": False})
        cls.policy = cls.env["compliance.policy"].create(
            {
                "name": "Customer's phone",
                "model_name": "helpdesk.ticket",
                "trigger": "create",
                "requirement": "[('partner_id.phone', '!=', False)]",
                "message": "Ask the customer's phone number.",
                "enforcement": "block",
            }
        )
        cls.customer = new_test_user(cls.env, login="hd_pol_customer", groups="base.group_portal")

    def _submit(self, user, subject):
        self.authenticate(user.login, user.login)
        data = {
            "category": self.category.id,
            "csrf_token": http.Request.csrf_token(self),
            "subject": subject,
            "description": "The printer does not print.",
        }
        return self.url_open("/submitted/ticket", data=data)

    def _logs(self, ticket):
        return self.env["compliance.log"].search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
        )

    def test_customer_request_not_lost(self):
        self.assertEqual(self._submit(self.customer, "Printer request").status_code, 200)
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Printer request")])
        self.assertEqual(ticket.partner_id, self.customer.partner_id)
        log = self._logs(ticket)
        self.assertEqual((log.outcome, log.violation), ("warned", 1))
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "Ask the customer's phone number." in (m.body or ""))
        )

    def test_employee_still_refused(self):
        with self.assertNoLogs("odoo.http", "ERROR"):
            response = self._submit(self.user_agent, "Agent request")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Ask the customer's phone number.", html.unescape(response.text))
        self.assertFalse(self.env["helpdesk.ticket"].search([("name", "=", "Agent request")]))

    def test_incoming_email_not_lost(self):
        email = (
            "From: Jane Customer <jane@customer.example.com>\r\n"
            "To: support@company.example.com\r\n"
            "Subject: Scanner request\r\n"
            "Message-ID: <scanner.request@customer.example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "The scanner jams.\r\n"
        )
        ticket = self.env["helpdesk.ticket"].browse(
            self.env["mail.thread"].message_process("helpdesk.ticket", email)
        )
        self.assertEqual(ticket.name, "Scanner request")
        self.assertEqual(self._logs(ticket).outcome, "warned")
