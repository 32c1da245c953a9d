"""Feedback is given on the processes of the records a user works on, and read the same way
by searches and reads; deviation reasons a ticket's deviations name are kept — as real
users, and over XML-RPC."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTrustReasonsFeedbackTicket(RpcCase, HelpdeskGuideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_sales = cls.crm_guided and new_test_user(
            cls.env, login="hd_rsn_sales", groups="sales_team.group_sale_salesman", name="Sid Sales"
        )

    def test_feedback_only_on_processes_of_the_users_records(self):
        """A salesperson without helpdesk rights gives no feedback on a ticket process, and a
        helpdesk user neither finds nor reads the feedback on a lead process."""
        self._require_crm()
        Feedback = self.env["guide.feedback"]
        with self.assertRaisesRegex(AccessError, "Support"):
            Feedback.with_user(self.user_sales).create({"name": "Tickets", "process_id": self.process.id})
        fault = self.rpc_fault(
            self.user_sales, "guide.feedback", "create", [{"name": "Tickets", "process_id": self.process.id}]
        )
        self.assertIn("you do not work on the records of this process", fault)
        # nor moved there from a process of theirs
        lead_process = self.env["guide.process"].create({"name": "Leads", "model_name": "crm.lead"})
        mine = Feedback.with_user(self.user_sales).create({"name": "Leads", "process_id": lead_process.id})
        with self.assertRaises(AccessError):
            mine.write({"process_id": self.process.id})
        # the feedback on a lead process, given on no lead: not the helpdesk's to read
        for user in (self.user_own, self.user_agent, self.user_manager):
            self.assertEqual(Feedback.with_user(user).search_count([("id", "=", mine.id)]), 0)
            with self.assertRaises(AccessError):
                mine.with_user(user).read(["name"])
            with self.assertRaises(Exception):  # noqa: B017 (the refusal over RPC)
                self.xmlrpc(user, "guide.feedback", "read", [mine.ids, ["name"]])
        # the salespeople's, searched and read alike
        self.assertEqual(Feedback.with_user(self.user_sales).search_count([("id", "=", mine.id)]), 1)
        self.assertEqual(mine.with_user(self.user_sales).read(["name"])[0]["name"], "Leads")
        # the helpdesk's feedback on their own process
        ours = Feedback.with_user(self.user_own).create({"name": "Ours", "process_id": self.process.id})
        self.assertEqual(Feedback.with_user(self.user_agent).search_count([("id", "=", ours.id)]), 1)
        self.assertEqual(Feedback.with_user(self.user_sales).search_count([("id", "=", ours.id)]), 0)
        with self.assertRaises(AccessError):
            ours.with_user(self.user_sales).read(["name"])

    def test_reason_of_a_ticket_deviation_is_kept(self):
        reason = self.env["guide.deviation.reason"].create({"name": "Known issue"})
        ticket = self._ticket(stage_id=self.stage_progress.id)
        ticket.with_user(self.user_own).with_context(
            guide_override_reason="Fix sent", guide_override_reason_id=reason.id
        ).write({"stage_id": self.stage_waiting.id})
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(deviation.reason_name, "Known issue")
        fault = self.rpc_fault(self.user_manager, "guide.deviation.reason", "unlink", [reason.ids])
        self.assertIn("\nKnown issue: deviations: 1", fault)
        with self.assertRaisesRegex(UserError, "Archive it instead"):
            reason.with_user(self.user_manager).unlink()
        renamed = self.xmlrpc(
            self.user_manager, "guide.deviation.reason", "write", [reason.ids, {"name": "Bribe"}]
        )
        self.assertIs(renamed, True)
        deviation.invalidate_recordset()
        self.assertEqual(deviation.with_user(self.user_own).reason_name, "Known issue")
        self.assertEqual(deviation.reason_id.name, "Bribe")

    def test_reason_offered_on_the_model_it_applies_to(self):
        """A reason of the CRM is offered on no ticket (the dialog's list nor a reason a
        client sends); the helpdesk's and those of every model are."""
        self._require_crm()
        Reason = self.env["guide.deviation.reason"]
        for_leads = Reason.create({"name": "Signed at the fair", "model_name": "crm.lead"})
        for_tickets = Reason.create({"name": "Known issue", "model_name": "helpdesk.ticket"})
        shared = Reason.create({"name": "Customer request"})
        ticket = self._ticket(stage_id=self.stage_progress.id).with_user(self.user_own)
        with self.assertRaises(GuideDecisionRequired) as err:
            ticket.write({"stage_id": self.stage_waiting.id})
        context = err.exception.action["context"]
        Wizard = self.env["guide.override.wizard"].with_user(self.user_own).with_context(**context)
        # the dialog's list: the field's domain on the wizard's model
        domain = safe_eval(Wizard._fields["reason_id"].domain, {"res_model": context["default_res_model"]})
        offered = Reason.with_user(self.user_own).search(domain)
        self.assertIn(for_tickets, offered)
        self.assertIn(shared, offered)
        self.assertNotIn(for_leads, offered)
        with self.assertRaisesRegex(UserError, "does not exist"):
            with Form(Wizard) as wizard:
                wizard.reason = "Fix sent"
                wizard.reason_id = for_leads
        # nor sent by a client with the move
        with self.assertRaisesRegex(UserError, "does not exist"):
            ticket.with_context(
                guide_override_reason="Fix sent", guide_override_reason_id=for_leads.id
            ).write({"stage_id": self.stage_waiting.id})
        self.assertEqual(ticket.stage_id, self.stage_progress)
        for reason in (for_tickets, shared):
            ticket.with_context(guide_override_reason="Fix sent", guide_override_reason_id=reason.id).write(
                {"stage_id": self.stage_waiting.id}
            )
            ticket.write({"stage_id": self.stage_progress.id})
        deviations = self.env["guide.deviation"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)], order="id"
        )
        self.assertEqual(deviations.reason_id, for_tickets | shared)
