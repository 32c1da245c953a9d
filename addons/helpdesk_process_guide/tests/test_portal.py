"""The portal's close buttons (helpdesk_mgmt's ``/ticket/close``) on guided tickets."""

from odoo.tests import HttpCase, new_test_user, tagged

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestPortalClose(HttpCase, HelpdeskGuideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_resolved.close_from_portal = True
        cls.customer = new_test_user(cls.env, login="hd_guide_customer", groups="base.group_portal")
        cls.other_customer = new_test_user(cls.env, login="hd_guide_other", groups="base.group_portal")

    def _close(self, ticket_id, stage_id):
        return self.url_open(
            f"/ticket/close?ticket_id={ticket_id}&stage_id={stage_id}", allow_redirects=False
        )

    def _location(self, response):
        self.assertIn(response.status_code, (302, 303))
        return response.headers["Location"].split("localhost", 1)[-1].split(":", 1)[-1].lstrip("0123456789")

    def test_refused_close_is_a_request_for_the_team(self):
        """A close the gate refuses: the ticket stays, the customer is told in their words (not
        the agents' checklist), the team gets an internal note and the agent one to-do."""
        ticket = self._ticket(partner_id=self.customer.partner_id.id)
        self.authenticate(self.customer.login, self.customer.login)
        for _attempt in range(2):
            with self.assertNoLogs("odoo.http", "ERROR"):
                response = self._close(ticket.id, self.stage_resolved.id)
            self.assertEqual(self._location(response), f"/my/ticket/{ticket.id}?guide_close_requested=1")
        self.assertEqual(ticket.stage_id, self.stage_triage)
        page = self.url_open(f"/my/ticket/{ticket.id}?guide_close_requested=1").text
        self.assertIn("Your request to close this ticket was sent to our support team", page)
        self.assertNotIn("Impact assessed", page)
        notes = ticket.message_ids.filtered(lambda m: "asked from the portal to close" in (m.body or ""))
        self.assertEqual(len(notes), 2)
        self.assertTrue(all(note.subtype_id == self.env.ref("mail.mt_note") for note in notes))
        self.assertIn("Impact assessed", notes[0].body)
        self.assertEqual(notes.author_id, self.customer.partner_id)
        todo = ticket.activity_ids.filtered(lambda a: a.summary == "Customer asked to close the ticket")
        self.assertEqual(todo.user_id, self.user_own)
        self.assertEqual(len(todo), 1)
        # the page without the parameter says nothing
        self.assertNotIn("Your request to close", self.url_open(f"/my/ticket/{ticket.id}").text)

    def test_close_allowed_by_the_process(self):
        """A close the process allows (an advisory gate) is made as helpdesk_mgmt makes it."""
        ticket = self._ticket(partner_id=self.customer.partner_id.id, stage_id=self.stage_waiting.id)
        self.authenticate(self.customer.login, self.customer.login)
        response = self._close(ticket.id, self.stage_resolved.id)
        self.assertEqual(self._location(response), f"/my/ticket/{ticket.id}")
        self.assertEqual(ticket.stage_id, self.stage_resolved)

    def test_only_the_customers_own_tickets(self):
        """Another customer's ticket, one that does not exist, or ids that are not ids: sent
        back to the portal's home, nothing changed, nothing logged as an error."""
        ticket = self._ticket(partner_id=self.other_customer.partner_id.id, stage_id=self.stage_waiting.id)
        unguided = self._ticket(
            partner_id=self.other_customer.partner_id.id, team_id=self.other_team.id, stage_id=False
        )
        self.authenticate(self.customer.login, self.customer.login)
        with self.assertNoLogs("odoo.http", "ERROR"):
            for ticket_id, stage_id in (
                (ticket.id, self.stage_resolved.id),
                (unguided.id, self.stage_resolved.id),
                (10**9, self.stage_resolved.id),
                ("x", self.stage_resolved.id),
            ):
                self.assertEqual(self._location(self._close(ticket_id, stage_id)), "/my")
            mine = self._ticket(partner_id=self.customer.partner_id.id, stage_id=self.stage_waiting.id)
            self.assertEqual(self._location(self._close(mine.id, "x")), f"/my/ticket/{mine.id}")
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        self.assertFalse(unguided.stage_id.closed)
        self.assertEqual(mine.stage_id, self.stage_waiting)
