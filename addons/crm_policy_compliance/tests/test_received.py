"""Leads received from outside the company (the mail gateway) and creation policies."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestReceivedLeads(RpcCase, ComplianceCommon):
    """An incoming email is not lost to a creation policy it does not meet: the lead is made,
    the violation audited and noted. A salesperson calling the gateway over RPC, or creating
    the lead, is refused as before."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._policy(
            name="Leads have a phone",
            trigger="create",
            process_id=False,
            crm_team_ids=[(6, 0, cls.team.ids)],
            requirement="[('phone', '!=', False)]",
            message="Give the contact's phone.",
        )
        cls.stage_new.sequence = 0  # the team's first stage: where the gateway puts a lead

    def _email(self, subject):
        return (
            "From: Jane Customer <jane@customer.example.com>\r\n"
            "To: sales@company.example.com\r\n"
            f"Subject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '.')}@customer.example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Please call me back about your offer.\r\n"
        )

    def _received(self, subject):
        values = {"team_id": self.team.id, "type": "opportunity", "user_id": self.user_salesman.id}
        lead_id = self.env["mail.thread"].message_process("crm.lead", self._email(subject), values)
        return self.env["crm.lead"].browse(lead_id)

    def test_incoming_email_not_lost_to_a_creation_policy(self):
        for enforcement in ("block", "override"):
            self.policy.enforcement = enforcement
            lead = self._received(f"Quote request {enforcement}")
            self.assertEqual(lead.guide_process_id, self.process)
            log = self._logs(lead)
            self.assertEqual((log.outcome, log.violation, log.policy_id), ("warned", 1, self.policy))
            self.assertTrue(
                lead.message_ids.filtered(lambda m: "Give the contact&#39;s phone." in (m.body or ""))
                or lead.message_ids.filtered(lambda m: "Give the contact's phone." in (m.body or ""))
            )
        # the mailgate script: the gateway called over XML-RPC by a user with Settings rights
        values = {"team_id": self.team.id, "type": "opportunity"}
        lead_id = self.xmlrpc(
            self.env.ref("base.user_admin"),
            "mail.thread",
            "message_process",
            ["crm.lead", self._email("By the mailgate"), values],
        )
        self.assertEqual(self._logs(self.env["crm.lead"].browse(lead_id)).outcome, "warned")
        # a lead the policy does not concern, as before
        self.policy.crm_team_ids = self.other_team
        self.assertFalse(self._logs(self._received("Other team")))

    def test_salespeople_still_refused(self):
        """The reception is the gateway's, not a client's: a salesperson creating the lead, or
        calling the gateway over XML-RPC, meets the policy."""
        with self.assertRefused(UserError, "Give the contact's phone."):
            self._lead()
        values = {"team_id": self.team.id, "type": "opportunity"}
        with self.assertRaises(RpcError) as caught:
            self.xmlrpc(
                self.user_salesman,
                "mail.thread",
                "message_process",
                ["crm.lead", self._email("By RPC"), values],
            )
        self.assertIn("Give the contact's phone.", caught.exception.message)
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "By RPC")]))
