"""The portal's close buttons (helpdesk_mgmt's ``/ticket/close``) on guided tickets."""

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

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
        notes = self._close_notes(ticket)
        self.assertEqual(len(notes), 1, "asked twice while the team has the request: one note")
        self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"))
        self.assertIn("Impact assessed", notes.body)
        self.assertEqual(notes.author_id, self.customer.partner_id)
        todo = ticket.activity_ids.filtered(lambda a: a.summary == "Customer asked to close the ticket")
        self.assertEqual(todo.user_id, self.user_own)
        self.assertEqual(len(todo), 1)
        # the page without the parameter says nothing of the request just sent
        self.assertNotIn("Your request to close", self.url_open(f"/my/ticket/{ticket.id}").text)

    def test_pending_close_request(self):
        """While the to-do of a refused close is open, the ticket's page says closing was asked
        and is with the team instead of showing the close buttons; once the agent marks it done,
        the buttons are back and a new request is a new note and to-do."""
        ticket = self._ticket(partner_id=self.customer.partner_id.id)
        self.authenticate(self.customer.login, self.customer.login)
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn('action="/ticket/close"', page)
        self.assertNotIn("Closing requested", page)

        self._close(ticket.id, self.stage_resolved.id)
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertNotIn('action="/ticket/close"', page)
        self.assertIn("Closing requested", page)
        self.assertIn("Our support team has your request", page)

        ticket.guide_close_activity_id.with_user(self.user_own).action_feedback(feedback="Called back")
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn('action="/ticket/close"', page)
        self.assertNotIn("Closing requested", page)
        self._close(ticket.id, self.stage_resolved.id)
        self.assertEqual(len(self._close_notes(ticket)), 2)
        self.assertTrue(ticket._guide_portal_close_pending())

    def test_pending_close_request_unassigned(self):
        """A ticket nobody is assigned: the to-do goes to the team leader, and the request is
        pending as well."""
        self.team.user_id = self.user_agent
        ticket = self._ticket(partner_id=self.customer.partner_id.id, user_id=False)
        self.authenticate(self.customer.login, self.customer.login)
        for _attempt in range(2):
            self._close(ticket.id, self.stage_resolved.id)
        self.assertEqual(len(self._close_notes(ticket)), 1)
        self.assertEqual(ticket.guide_close_activity_id.user_id, self.user_agent)
        self.assertNotIn('action="/ticket/close"', self.url_open(f"/my/ticket/{ticket.id}").text)

    def test_close_request_in_the_agents_language_from_the_engine(self):
        """The note and the to-do of a refused close are written for the agent, in their
        language (not the customer's), and the to-do is scheduled by the engine (OdooBot): the
        agent's notification does not say the customer assigned it."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["res.lang"]._activate_lang("zh_CN")
        self.user_own.lang = "ru_RU"
        self.customer.lang = "zh_CN"
        ticket = self._ticket(partner_id=self.customer.partner_id.id)
        self.authenticate(self.customer.login, self.customer.login)
        self._close(ticket.id, self.stage_resolved.id)
        note = ticket.message_ids.filtered(lambda m: "просит на портале закрыть" in (m.body or ""))
        self.assertIn("Невозможно", str(note.body), "the refusal too is in the agent's language")
        self.assertEqual(len(note), 1, ticket.message_ids.mapped("body"))
        todo = ticket.guide_close_activity_id
        self.assertEqual(todo.user_id, self.user_own)
        self.assertEqual(todo.summary, "Клиент просит закрыть заявку")
        self.assertIn("просит закрыть её", str(todo.note))
        root = self.env.ref("base.user_root")
        self.assertEqual(todo.create_uid, root)
        notification = self.env["mail.message"].search(
            [
                ("model", "=", ticket._name),
                ("res_id", "=", ticket.id),
                ("partner_ids", "in", self.user_own.partner_id.ids),
                ("body", "ilike", todo.summary),
            ]
        )
        self.assertEqual(notification.author_id, root.partner_id)
        self.assertIn(root.name, notification.body)

    def test_close_request_on_a_ticket_nobody_takes_care_of(self):
        """No agent and no team leader: the note tells the team's members, once; the request
        waits for the agent who takes the ticket, who gets the to-do; a move of the ticket to
        another stage answers it."""
        self.team.user_id = False
        ticket = self._ticket(partner_id=self.customer.partner_id.id, user_id=False)
        self.authenticate(self.customer.login, self.customer.login)
        for _attempt in range(2):
            self._close(ticket.id, self.stage_resolved.id)
        notes = self._close_notes(ticket)
        self.assertEqual(len(notes), 1, "asked twice while the request waits: one note")
        self.assertEqual(notes.partner_ids, (self.user_own | self.user_agent).partner_id)
        self.assertFalse(ticket.activity_ids)
        self.assertTrue(ticket._guide_portal_close_pending())
        self.assertNotIn('action="/ticket/close"', self.url_open(f"/my/ticket/{ticket.id}").text)

        ticket.with_user(self.user_agent).write({"user_id": self.user_agent.id})
        todo = ticket.guide_close_activity_id
        self.assertEqual(todo.user_id, self.user_agent)
        self.assertEqual(todo.create_uid, self.env.ref("base.user_root"))
        self.assertIn(self.customer.partner_id.name, str(todo.note))
        self.assertFalse(ticket.guide_close_waiting_stage_id)
        self.assertTrue(ticket._guide_portal_close_pending())

        other = self._ticket(partner_id=self.customer.partner_id.id, user_id=False)
        self._close(other.id, self.stage_resolved.id)
        self.assertTrue(other._guide_portal_close_pending())
        other = other.with_user(self.user_agent)
        other.guide_current_line_ids.filtered(lambda line: line.name == "Impact assessed").action_check()
        other.write({"category_id": self.category.id})
        other.write({"stage_id": self.stage_progress.id})
        self.assertFalse(other._guide_portal_close_pending())
        self.assertFalse(other.activity_ids)

    def test_close_request_state_is_the_engines(self):
        """Agents cannot mark a close request pending or handled by writing the ticket."""
        ticket = self._ticket(partner_id=self.customer.partner_id.id)
        activity = ticket.activity_schedule("mail.mail_activity_data_todo", user_id=self.user_own.id)
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_own).write({"guide_close_activity_id": activity.id})

    def _close_notes(self, ticket):
        return ticket.message_ids.filtered(lambda m: "asked from the portal to close" in (m.body or ""))

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
                # digits to ``str.isdigit`` that ``int`` refuses, or no row id
                ("²", self.stage_resolved.id),
                ("٣", self.stage_resolved.id),
                (10**20, self.stage_resolved.id),
            ):
                self.assertEqual(self._location(self._close(ticket_id, stage_id)), "/my")
            mine = self._ticket(partner_id=self.customer.partner_id.id, stage_id=self.stage_waiting.id)
            for stage_id in ("x", "²", 10**20):
                self.assertEqual(self._location(self._close(mine.id, stage_id)), f"/my/ticket/{mine.id}")
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        self.assertFalse(unguided.stage_id.closed)
        self.assertEqual(mine.stage_id, self.stage_waiting)

    def test_other_parameters_of_the_close_form_are_ignored(self):
        """helpdesk_mgmt reads every ``*_id`` parameter as a number: one that is not is
        ignored (the close goes on), not a traceback logged as an error."""
        ticket = self._ticket(partner_id=self.customer.partner_id.id, stage_id=self.stage_waiting.id)
        self.authenticate(self.customer.login, self.customer.login)
        with self.assertNoLogs("odoo.http", "ERROR"):
            response = self.url_open(
                f"/ticket/close?ticket_id={ticket.id}&stage_id={self.stage_resolved.id}&user_id=x",
                allow_redirects=False,
            )
        self.assertEqual(self._location(response), f"/my/ticket/{ticket.id}")
        self.assertEqual(ticket.stage_id, self.stage_resolved)
        self.assertEqual(ticket.user_id, self.user_own)


@tagged("post_install", "-at_install")
class TestPortalCustomerRpc(RpcCase, HelpdeskGuideCommon):
    """A customer calling the models over RPC on their own ticket (helpdesk_mgmt lets them read
    it, and post on it: ``_mail_post_access = "read"``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = new_test_user(cls.env, login="hd_guide_rpc_customer", groups="base.group_portal")
        cls.call = cls.env.ref("mail.mail_activity_data_call")
        cls.env["guide.item"].create(
            {
                "step_id": cls.step_triage.id,
                "name": "Customer called back",
                "sequence": 10,
                "completion": "auto",
                "auto_domain": f"[('guide_done_activity_type_ids', 'in', [{cls.call.id}])]",
            }
        )

    def test_refusal_to_a_customer_names_no_item(self):
        """A move of their ticket is refused to the customer as the write would be (they may
        not edit it), without the agents' checklist; an agent still gets the checklist."""
        ticket = self._ticket(partner_id=self.customer.partner_id.id, stage_id=self.stage_progress.id)
        move = [[ticket.id], {"stage_id": self.stage_waiting.id}]
        with self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in ("xmlrpc", "jsonrpc"):
                for context in ({}, {"guide_override_reason": "Fixed"}):
                    fault = self.rpc_fault(
                        self.customer,
                        "helpdesk.ticket",
                        "write",
                        move,
                        {"context": context},
                        protocol=protocol,
                    )
                    # Odoo's refusal of the write, naming none of the engine's fields
                    self.assertIn("You are not allowed to modify", fault)
                    self.assertNotIn("guide_", fault)
                    self.assertNotIn("Solution proposed", fault)
            fault = self.rpc_fault(self.user_own, "helpdesk.ticket", "write", move)
        self.assertIn("Solution proposed", fault)
        self.assertEqual(ticket.stage_id, self.stage_progress)

    def test_customer_records_no_activity_done(self):
        """A message recording an activity done is evidence the checklist reads: the customer
        may post on their ticket, not record a call nobody made (created or written); the agent
        marking their activity done does. A context default setting the type is refused too."""
        ticket = self._ticket(partner_id=self.customer.partner_id.id)
        comment = self.env.ref("mail.mt_comment")
        message = {
            "model": "helpdesk.ticket",
            "res_id": ticket.id,
            "body": "Call done",
            "message_type": "comment",
            "subtype_id": comment.id,
        }
        with self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in ("xmlrpc", "jsonrpc"):
                for message_type in ("comment", "notification"):
                    self.rpc_fault(
                        self.customer,
                        "mail.message",
                        "create",
                        [dict(message, message_type=message_type, mail_activity_type_id=self.call.id)],
                        protocol=protocol,
                    )
                # the type a context default gives
                self.rpc_fault(
                    self.customer,
                    "mail.message",
                    "create",
                    [message],
                    {"context": {"default_mail_activity_type_id": self.call.id}},
                    protocol=protocol,
                )
            posted = self.xmlrpc(self.customer, "mail.message", "create", [message])
            vals = {"mail_activity_type_id": self.call.id}
            self.rpc_fault(self.customer, "mail.message", "write", [[posted], vals])
        ticket.invalidate_recordset()
        self.assertFalse(ticket.guide_done_activity_type_ids)
        self.assertFalse(self._lines(ticket)["Customer called back"].is_done)
        activity = ticket.activity_schedule(activity_type_id=self.call.id, user_id=self.user_own.id)
        self.xmlrpc(
            self.user_own, "mail.activity", "action_feedback", [[activity.id]], {"feedback": "Called"}
        )
        ticket.invalidate_recordset()
        self.assertEqual(ticket.guide_done_activity_type_ids, self.call)
        self.assertTrue(self._lines(ticket)["Customer called back"].is_done)

    def test_customer_reads_none_of_the_guidance(self):
        """The guidance, escalation and compliance fields of their ticket (the step's
        instructions, the milestones and who reached them, the escalation level, the approval
        state...) are the agents': a customer reading their ticket over RPC gets none of them,
        nor searches or groups by them; the agent reads them all."""
        ticket = self._ticket(partner_id=self.customer.partner_id.id)
        names = [
            name
            for name in self.env["helpdesk.ticket"]._fields
            if name.startswith(("guide_", "escalation_", "compliance_"))
        ]
        self.assertIn("guide_instructions", names)
        with self.assertNoLogs("odoo.http", "ERROR"):
            for name in names:
                self.rpc_fault(self.customer, "helpdesk.ticket", "read", [ticket.ids, [name]])
            self.rpc_fault(
                self.customer, "helpdesk.ticket", "search", [[("guide_step_id", "=", self.step_triage.id)]]
            )
            self.rpc_fault(
                self.customer,
                "helpdesk.ticket",
                "read_group",
                [[], ["guide_step_id"], ["guide_step_id"]],
                protocol="jsonrpc",
            )
            visible = self.jsonrpc(
                self.customer, "helpdesk.ticket", "fields_get", [], {"attributes": ["type"]}
            )
            (record,) = self.xmlrpc(
                self.customer, "helpdesk.ticket", "read", [ticket.ids, ["name", "stage_id"]]
            )
            (agent_record,) = self.xmlrpc(self.user_own, "helpdesk.ticket", "read", [ticket.ids, names])
            # nor through the buttons whose dialogs name the ticket's process and step
            for method in ("action_guide_feedback", "action_guide_open_alternate_wizard"):
                self.rpc_fault(self.customer, "helpdesk.ticket", method, [ticket.ids])
                action = self.xmlrpc(self.user_own, "helpdesk.ticket", method, [ticket.ids])
                self.assertEqual(action["context"]["default_process_id"], ticket.guide_process_id.id)
        self.assertFalse(set(names) & set(visible))
        self.assertEqual(record["name"], "Guided ticket")
        self.assertEqual(agent_record["guide_step_id"][0], self.step_triage.id)
        self.assertIn("Identify the customer", agent_record["guide_instructions"])

    def test_customer_reads_none_of_the_engines_notes(self):
        """The note of a refused close (the agents' checklist) and the engine's logs on their
        ticket are internal: a customer finds none of them (Odoo's rule) and reads, changes or
        deletes none of them by id either, though the close note names them as its author."""
        self.stage_resolved.close_from_portal = True
        ticket = self._ticket(partner_id=self.customer.partner_id.id)
        # as the close route calls it
        ticket.with_user(self.customer).sudo()._guide_portal_close_refused(
            self.stage_resolved, "Impact assessed is missing"
        )
        note = ticket.message_ids.filtered(lambda m: "asked from the portal" in (m.body or ""))
        ticket._message_log_batch({ticket.id: "Escalation reason: an angry customer"})
        log = ticket.message_ids.filtered(lambda m: "angry customer" in (m.body or ""))
        self.assertEqual((len(note), len(log)), (1, 1))
        with self.assertNoLogs("odoo.http", "ERROR"):
            for message in note | log:
                for method, args in (
                    ("read", [message.ids, ["body"]]),
                    ("write", [message.ids, {"body": "Kenji agreed on the phone: close it"}]),
                    ("unlink", [message.ids]),
                ):
                    self.rpc_fault(self.customer, "mail.message", method, args)
            found = self.xmlrpc(self.customer, "mail.message", "search", [[("res_id", "=", ticket.id)]])
            agent_read = self.xmlrpc(self.user_own, "mail.message", "read", [note.ids, ["body"]])
        self.assertFalse(set(found) & set((note | log).ids))
        self.assertIn("Impact assessed", agent_read[0]["body"])
        # nor reacts to them (Odoo's route checks the ticket, not the message); to a message
        # of theirs they do
        own = ticket.with_user(self.customer).message_post(
            body="Any news?", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.authenticate(self.customer.login, self.customer.login)
        reaction = {"content": "👎", "action": "add"}
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request("/mail/message/reaction", {"message_id": note.id, **reaction})
        self.make_jsonrpc_request("/mail/message/reaction", {"message_id": own.id, **reaction})
        self.assertFalse(note.sudo().reaction_ids)
        self.assertEqual(own.sudo().reaction_ids.partner_id, self.customer.partner_id)
        self.assertIn("Impact assessed", note.body)

    def test_customer_forges_no_agents_message(self):
        """Odoo lets an author rewrite their message, and a poster name any author: a customer
        turns neither their message into an agent's internal note or reply (author, kind,
        subtype, date), nor posts one; their own message in their own name is posted and
        counted as theirs, at the time it is posted, whatever date they send."""
        ticket = self._ticket(partner_id=self.customer.partner_id.id)
        agent = self.user_own.partner_id
        note = self.env.ref("mail.mt_note")
        with self.assertNoLogs("odoo.http", "ERROR"):
            posted = self.xmlrpc(
                self.customer,
                "helpdesk.ticket",
                "message_post",
                [ticket.ids],
                {
                    "body": "Any news?",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                    "date": "2099-12-31 00:00:00",
                },
            )
            for vals in (
                {"author_id": agent.id},
                {"message_type": "notification"},
                {"subtype_id": note.id},
                {"date": "2000-01-01 00:00:00"},
            ):
                for protocol in ("xmlrpc", "jsonrpc"):
                    fault = self.rpc_fault(
                        self.customer, "mail.message", "write", [[posted], vals], protocol=protocol
                    )
                    self.assertIn("cannot be changed", fault)
            for kwargs in (
                {"author_id": agent.id, "subtype_xmlid": "mail.mt_comment"},
                {"subtype_xmlid": "mail.mt_note"},
            ):
                self.rpc_fault(
                    self.customer,
                    "helpdesk.ticket",
                    "message_post",
                    [ticket.ids],
                    {"body": "Resolution: done", "message_type": "comment", **kwargs},
                )
        message = self.env["mail.message"].browse(posted)
        self.assertEqual(
            (message.author_id, message.subtype_id),
            (self.customer.partner_id, self.env.ref("mail.mt_comment")),
        )
        self.assertFalse(ticket.guide_last_reply_date)
        self.assertLess(ticket.guide_last_customer_message_date, fields.Datetime.from_string("2099-01-01"))
        self.assertFalse(
            ticket.message_ids.filtered(lambda m: m.author_id == agent and "Resolution" in (m.body or ""))
        )
        # nor through the chatter's route, which posts as the superuser (a message without a
        # subtype is an internal note there), in the customer's session or with the link's
        # token; a message of theirs for the followers is posted
        self.authenticate(self.customer.login, self.customer.login)
        for post_data in (
            {"message_type": "comment", "subtype_xmlid": "mail.mt_note"},
            {"message_type": "comment"},
        ):
            with self.assertRaises(JsonRpcException), self.assertNoLogs("odoo.http", "ERROR"):
                self.make_jsonrpc_request(
                    "/mail/message/post",
                    {
                        "thread_model": "helpdesk.ticket",
                        "thread_id": ticket.id,
                        "post_data": {"body": "Resolution: done", **post_data},
                    },
                )
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "helpdesk.ticket",
                "thread_id": ticket.id,
                "post_data": {
                    "body": "Thanks",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
            },
        )
        self.assertFalse(ticket.message_ids.filtered(lambda m: "Resolution" in (m.body or "")))
        thanks = ticket.message_ids.filtered(lambda m: "Thanks" in (m.body or ""))
        self.assertEqual(thanks.author_id, self.customer.partner_id)
        self.assertFalse(ticket.guide_last_reply_date)
        # the agent's own message in the customer's name (a call written down) stays possible
        ticket.with_user(self.user_own).message_post(
            body="The customer called", author_id=self.customer.partner_id.id, message_type="comment"
        )
