import json
from contextlib import contextmanager
from unittest.mock import patch

from odoo import sql_db
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .common import ComplianceCommon

DECISION = "odoo.addons.base_process_guide.exceptions.GuideDecisionRequired"
PROTOCOLS = ("xmlrpc", "jsonrpc")


@tagged("post_install", "-at_install")
class TestTrustRpc(RpcCase, ComplianceCommon):
    """Policies attacked and used as real users over XML-RPC and JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approval = cls._policy(
            name="Large proposals",
            trigger="stage",
            step_ids=[(6, 0, cls.step_proposal.ids)],
            requirement="[('expected_revenue', '<=', 50000)]",
            message="Proposals above 50,000 need approval.",
            enforcement="approval",
            tier_ids=[(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        )
        cls.override = cls._policy(
            name="Offer attached",
            trigger="stage",
            step_ids=[(6, 0, cls.step_negotiation.ids)],
            requirement="[('guide_has_attachment', '=', True)]",
            message="Attach the offer.",
            enforcement="override",
        )
        cls.block = cls._policy()  # VAT before the win

    def _call(self, protocol):
        return self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc

    def _big_lead(self, **vals):
        return self._lead(expected_revenue=80000, partner_id=self.partner_vat.id, **vals)

    # ------------------------------------------------------------
    # finding 8: the documented API over HTTP
    # ------------------------------------------------------------
    def test_actions_on_ids_naming_no_record_refused(self):
        """The approval buttons and dialogs, called on id 0, are refused as a record that
        does not exist (they read "request False"), and those of one record on two ids as
        such (nothing logged as an error)."""
        self.assert_ids_refused(
            self.env.ref("base.user_admin"),
            [
                ("compliance.approval.request", "action_approve", False),
                ("compliance.approval.request", "action_reject", False),
                ("compliance.approval.request", "action_cancel", False),
                ("compliance.approval.request", "action_apply", False),
                ("compliance.approval.request", "action_open_reject_wizard", True),
                ("compliance.policy", "action_view_logs", True),
                ("compliance.policy", "action_view_violations", True),
                ("compliance.policy", "action_view_versions", True),
                ("compliance.policy.wizard", "action_confirm", True),
                ("compliance.reject.wizard", "action_reject", True),
                ("crm.lead", "action_compliance_open_requests", True),
                ("crm.lead", "action_compliance_open_logs", True),
                ("crm.lead", "action_set_lost", False),
            ],
        )

    def test_documented_api_over_rpc(self):
        for protocol in PROTOCOLS:
            call = self._call(protocol)
            lead = self._big_lead(name=f"API {protocol}")
            request_ids = call(
                self.user_salesman,
                "crm.lead",
                "compliance_request_approval",
                [[lead.id], {"stage_id": self.stage_proposal.id}, "Strategic account"],
            )
            request = self.Request.browse(request_ids)
            self.assertEqual(len(request), 1, protocol)
            self.assertEqual(request.state, "pending")
            self.assertIs(
                call(self.user_leader, "compliance.approval.request", "action_approve", [request_ids]), True
            )
            self.assertEqual(lead.stage_id, self.stage_proposal, "approved and applied")
            # a justified override through the context, as documented
            self.assertIs(
                call(
                    self.user_salesman,
                    "crm.lead",
                    "write",
                    [[lead.id], {"stage_id": self.stage_negotiation.id}],
                    {"context": {"guide_override_reason": "Offer sent by post"}},
                ),
                True,
            )
            self.assertEqual(lead.stage_id, self.stage_negotiation)
            self.assertEqual(self._logs(lead, outcome="overridden").reason, "Offer sent by post")

    def test_set_lost_answers_over_rpc(self):
        """*Mark Lost* called over HTTP answers ``True`` (the CRM's archiving answers
        ``None``, which XML-RPC refused after the lead was archived), on an open lead
        and on one already lost."""
        for protocol in PROTOCOLS:
            call = self._call(protocol)
            lead = self._lead(name=f"Lost {protocol}", user_id=self.user_salesman.id)
            for _attempt in ("open", "already lost"):
                self.assertIs(
                    call(
                        self.user_salesman,
                        "crm.lead",
                        "action_set_lost",
                        [lead.ids],
                        {"lost_reason_id": self.lost_reason.id},
                    ),
                    True,
                    protocol,
                )
            lead.invalidate_recordset()
            self.assertEqual((lead.active, lead.lost_reason_id), (False, self.lost_reason), protocol)

    # ------------------------------------------------------------
    # finding 6: stale approvals
    # ------------------------------------------------------------
    def test_stale_approval_is_outdated_not_applied(self):
        for protocol in PROTOCOLS:
            call = self._call(protocol)
            lead = self._big_lead(name=f"Stale {protocol}")
            request_ids = call(
                self.user_salesman,
                "crm.lead",
                "compliance_request_approval",
                [[lead.id], {"stage_id": self.stage_proposal.id}, "Big order"],
            )
            # meanwhile the agent wins the deal
            call(self.user_salesman, "crm.lead", "write", [[lead.id], {"stage_id": self.stage_won.id}])
            self.assertIs(
                call(self.user_leader, "compliance.approval.request", "action_approve", [request_ids]), True
            )
            request = self.Request.browse(request_ids)
            self.assertEqual(request.state, "outdated", protocol)
            self.assertFalse(request.applied)
            self.assertIn("changed since the request was made", request.apply_error)
            self.assertEqual(lead.stage_id, self.stage_won, "the lead does not go back")
            self.assertFalse(
                self.Deviation.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            )
            # the requester is told why
            told = request.message_ids.filtered(
                lambda m: "changed since the request was made" in (m.body or "")
            )
            self.assertIn(self.user_salesman.partner_id, told.partner_ids)
            self.assertTrue(lead.message_ids.filtered(lambda m: "was not applied" in (m.body or "")))
            self.assertFalse(request.sudo().activity_ids)

    def test_messages_on_a_request_are_in_their_posters_name(self):
        """The requester discusses the change on the request in their own name; "Approved" in
        the approver's name (``message_post``'s ``author_id`` or ``email_from``, a message
        created over HTTP, the author a context default gives, their own message's author
        or sender rewritten afterwards) is refused, nothing posted, no error logged."""
        lead = self._big_lead(name="Requester's words")
        request_ids = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [[lead.id], {"stage_id": self.stage_proposal.id}, "Big order"],
        )
        request = self.Request.browse(request_ids)
        leader = self.user_leader.partner_id
        leader.email = "team.leader@example.com"
        self.user_salesman.partner_id.email = "Requester@Example.com"
        for protocol in PROTOCOLS:
            call = self._call(protocol)
            message_id = call(
                self.user_salesman,
                "compliance.approval.request",
                "message_post",
                request_ids,
                {"body": f"Please have a look ({protocol})", "message_type": "comment"},
            )
            posted = self.env["mail.message"].browse(message_id)
            self.assertEqual(posted.author_id, self.user_salesman.partner_id)
            # their own address alone is theirs
            own = call(
                self.user_salesman,
                "compliance.approval.request",
                "message_post",
                request_ids,
                {"body": "Mine", "message_type": "comment", "email_from": "requester@example.com"},
            )
            self.assertEqual(self.env["mail.message"].browse(own).author_id, self.user_salesman.partner_id)
            forged = [
                ("compliance.approval.request", "message_post", request_ids, {"author_id": leader.id}),
                ("compliance.approval.request", "message_post", request_ids, {"email_from": leader.email}),
                (
                    "mail.message",
                    "create",
                    [
                        {
                            "model": "compliance.approval.request",
                            "res_id": request.id,
                            "author_id": leader.id,
                            "message_type": "comment",
                        }
                    ],
                    {},
                ),
                # their own name, the approver's in the approvers' notification emails
                (
                    "compliance.approval.request",
                    "message_post",
                    request_ids,
                    {
                        "author_id": self.user_salesman.partner_id.id,
                        "email_from": f'"Team Leader" <forged.{protocol}@example.com>',
                    },
                ),
                # a context default names the author, or the request
                (
                    "mail.message",
                    "create",
                    [{"model": request._name, "res_id": request.id, "message_type": "comment"}],
                    {"context": {"default_author_id": leader.id}},
                ),
                (
                    "mail.message",
                    "create",
                    [{"author_id": leader.id, "message_type": "comment", "body": "Approved by me"}],
                    {"context": {"default_model": request._name, "default_res_id": request.id}},
                ),
                # their own message, rewritten in the approver's name
                ("mail.message", "write", [[message_id], {"author_id": leader.id}], {}),
                ("mail.message", "write", [[message_id], {"email_from": leader.email_formatted}], {}),
            ]
            for model, method, args, kwargs in forged:
                if method == "message_post":
                    kwargs = {"body": "Approved by me", "message_type": "comment", **kwargs}
                with self.subTest(protocol=protocol, method=method), self.assertNoLogs("odoo.http", "ERROR"):
                    with self.assertRaises(RpcError) as caught:
                        call(self.user_salesman, model, method, args, kwargs)
                    self.assertIn("cannot post in someone else's name", caught.exception.message)
        request.invalidate_recordset()
        self.assertFalse(request.message_ids.filtered(lambda m: m.author_id == leader))
        self.assertFalse(request.message_ids.filtered(lambda m: "forged" in (m.email_from or "")))
        self.assertFalse(
            self.env["mail.mail"].search([("model", "=", request._name), ("email_from", "ilike", "forged")])
        )

    def test_requester_and_approvers_post_from_the_requests_chatter(self):
        """The request's chatter is where the requester and the approvers discuss the change:
        both post there from the web client's route (the request is the engine's to write),
        in their own name; a user who may not read the request does not."""
        lead = self._big_lead(name="Discussed in the chatter")
        request_ids = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [[lead.id], {"stage_id": self.stage_proposal.id}, "Big order"],
        )
        request = self.Request.browse(request_ids)
        for user in (self.user_salesman, self.user_leader):
            self.authenticate(user.login, user.login)
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": request._name,
                    "thread_id": request.id,
                    "post_data": {
                        "body": f"Words of {user.name}",
                        "message_type": "comment",
                        "subtype_xmlid": "mail.mt_comment",
                    },
                },
            )
            posted = request.message_ids.filtered(lambda m, user=user: m.body and user.name in m.body)
            self.assertEqual(posted.author_id, user.partner_id)
        # the approvers' to-dos are theirs: the requester (in whose session the engine made
        # them) changes, cancels or closes none; the approver closes theirs
        todo = request.activity_ids.filtered(lambda a: a.user_id == self.user_leader)
        self.assertEqual(len(todo), 1)
        for method, args, kwargs in (
            ("write", [todo.ids, {"user_id": self.user_salesman.id, "date_deadline": "2030-01-01"}], {}),
            ("action_feedback", [todo.ids], {"feedback": "Done by the requester"}),
            ("unlink", [todo.ids], {}),
        ):
            with self.subTest(method=method), self.assertNoLogs("odoo.http", "ERROR"):
                self.rpc_fault(self.user_salesman, "mail.activity", method, args, kwargs)
        self.assertEqual((todo.user_id, todo.exists()), (self.user_leader, todo))
        self.xmlrpc(self.user_leader, "mail.activity", "action_feedback", [todo.ids], {"feedback": "Seen"})
        self.assertFalse(todo.exists())
        self.assertFalse(request.with_user(self.user_salesman2).has_access("read"))
        self.authenticate(self.user_salesman2.login, self.user_salesman2.login)
        with self.assertRaises(JsonRpcException), self.assertNoLogs("odoo.http", "ERROR"):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": request._name,
                    "thread_id": request.id,
                    "post_data": {"body": "Not mine", "message_type": "comment"},
                },
            )

    def test_requester_who_lost_the_record_refused_in_words_over_rpc(self):
        """The lead went to another salesperson before the approval: *Apply the Change* and
        *Open Record*, called over HTTP by the requester, are refused in words naming the
        lead and who can act on it now (not Odoo's access error), nothing logged as an error."""
        lead = self._big_lead(name="Escalated meanwhile")
        request_ids = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [[lead.id], {"stage_id": self.stage_proposal.id}, "Big order"],
        )
        lead.user_id = self.user_salesman2
        self.xmlrpc(self.user_leader, "compliance.approval.request", "action_approve", [request_ids])
        with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
            for protocol in PROTOCOLS:
                for method in ("action_apply", "action_open_record"):
                    with self.subTest(protocol=protocol, method=method):
                        fault = self.rpc_fault(
                            self.user_salesman,
                            "compliance.approval.request",
                            method,
                            [request_ids],
                            protocol=protocol,
                        )
                        self.assertIn("“Escalated meanwhile”", fault)
                        self.assertIn(f"Who can act on it now: {self.user_salesman2.name}.", fault)
                        self.assertNotIn("crm.lead", fault)
        self.assertFalse(self.Request.browse(request_ids).applied)

    def test_stale_approval_on_a_written_field(self):
        """The held change's fields changed meanwhile (the stage did not): outdated too."""
        lead = self._big_lead(name="Stale field")
        lead.with_user(self.user_salesman)._compliance_request_approval(
            {"stage_id": self.stage_proposal.id, "expected_revenue": 90000}, "Bigger order"
        )
        request = self.Request.search([("res_id", "=", lead.id)])
        lead.with_user(self.user_salesman).expected_revenue = 85000
        request.with_user(self.user_leader).action_approve()
        self.assertEqual(request.state, "outdated")
        self.assertEqual((lead.stage_id, lead.expected_revenue), (self.stage_new, 85000))

    def test_stale_approval_on_a_field_its_policy_reads(self):
        """The approvers decided on an 80,000 proposal: raised to 5,000,000 while the request
        waited (a field its requirement reads, not one the change writes), the approval of
        the first tier no longer moves it; nor does one after its customer's country, a
        value its scope reads through the customer, changed. The snapshot keeps digests of
        those values, not the values."""
        lead = self._big_lead(name="Raised meanwhile")
        request_ids = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [[lead.id], {"stage_id": self.stage_proposal.id}, "Big order"],
        )
        self.xmlrpc(self.user_salesman, "crm.lead", "write", [[lead.id], {"expected_revenue": 5000000}])
        self.assertIs(
            self.xmlrpc(self.user_leader, "compliance.approval.request", "action_approve", [request_ids]),
            True,
        )
        request = self.Request.browse(request_ids)
        self.assertEqual((request.state, request.applied), ("outdated", False))
        self.assertIn("a value its policy reads", request.apply_error)
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertNotIn("5000000", request.record_snapshot)

        # the scope through the customer: its country
        self.approval.domain = "[('partner_id.country_id.code', '=', 'BE')]"
        self.partner_vat.country_id = self.env.ref("base.be")
        lead = self._big_lead(name="Customer moved meanwhile")
        request_ids = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [[lead.id], {"stage_id": self.stage_proposal.id}, "Big order"],
        )
        self.assertTrue(request_ids)
        self.partner_vat.country_id = self.env.ref("base.fr")
        self.xmlrpc(self.user_leader, "compliance.approval.request", "action_approve", [request_ids])
        self.assertEqual(self.Request.browse(request_ids).state, "outdated")
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_approval_of_a_lead_lost_meanwhile_is_outdated(self):
        """The lead was marked lost (with its reason, through the CRM's dialog) while its
        request waited: approving it does not bring the lost deal back nor move it."""
        lead = self._big_lead(name="Lost meanwhile")
        request_ids = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [[lead.id], {"stage_id": self.stage_proposal.id}, "Big order"],
        )
        wizard_id = self.xmlrpc(
            self.user_salesman,
            "crm.lead.lost",
            "create",
            [{"lead_ids": [(6, 0, lead.ids)], "lost_reason_id": self.lost_reason.id}],
        )
        self.xmlrpc(self.user_salesman, "crm.lead.lost", "action_lost_reason_apply", [[wizard_id]])
        approve = ("compliance.approval.request", "action_approve", [request_ids])
        approved = self.xmlrpc(self.user_leader, *approve)
        self.assertIs(approved, True)
        self.env.invalidate_all()
        request = self.Request.browse(request_ids)
        self.assertEqual((request.state, request.applied), ("outdated", False))
        self.assertEqual((lead.active, lead.stage_id), (False, self.stage_new), "the deal stays lost")
        self.assertEqual(lead.lost_reason_id, self.lost_reason)

    def test_unchanged_record_still_applied(self):
        lead = self._big_lead(name="Fresh")
        lead.message_post(body="Unrelated note")  # not what the change depends on
        request = lead.with_user(self.user_salesman)._compliance_request_approval(
            {"stage_id": self.stage_proposal.id}, "Big order"
        )
        # nor a field no policy reads
        lead.with_user(self.user_salesman).description = "<p>Called back</p>"
        request.with_user(self.user_leader).action_approve()
        self.assertEqual((request.state, request.applied), ("approved", True))
        self.assertEqual(lead.stage_id, self.stage_proposal)

    # ------------------------------------------------------------
    # finding 7: internal context keys are not taken from clients
    # ------------------------------------------------------------
    def test_collect_approvals_key_ignored(self):
        lead = self._big_lead(name="Collect")
        for protocol in PROTOCOLS:
            with self.assertRaises(RpcError) as caught:
                self._call(protocol)(
                    self.user_salesman,
                    "crm.lead",
                    "write",
                    [[lead.id], {"stage_id": self.stage_proposal.id}],
                    {"context": {"compliance_collect_approvals": True}},
                )
            self.assertIn("Proposals above 50,000 need approval.", caught.exception.message)
            self.assertNotIn("approval needed", caught.exception.message)
            if protocol == "jsonrpc":
                self.assertEqual(caught.exception.name, DECISION)
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_approved_request_ids_key_ignored(self):
        """A client naming someone else's approved request does not get its change through."""
        self.approval.tier_ids.write({"approver_type": "users", "user_ids": [(6, 0, self.user_director.ids)]})
        lead = self._big_lead(name="Borrowed approval")
        other = self._big_lead(name="Approved elsewhere", user_id=self.user_leader.id)
        request = other.with_user(self.user_leader)._compliance_request_approval(
            {"stage_id": self.stage_proposal.id}, "Approved deal"
        )
        request.with_user(self.user_director).action_approve()
        request.sudo().write(
            {"applied": False, "res_id": lead.id}
        )  # an approved change waiting to be applied
        for protocol in PROTOCOLS:
            with self.assertRaises(RpcError):
                self._call(protocol)(
                    self.user_salesman,
                    "crm.lead",
                    "write",
                    [[lead.id], {"stage_id": self.stage_proposal.id}],
                    {"context": {"compliance_approved_request_ids": request.ids}},
                )
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_lost_values_key_ignored(self):
        self._policy(
            name="Lost needs approval",
            trigger="lost",
            requirement="[('id', '=', 0)]",
            enforcement="approval",
            tier_ids=[(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        )
        lead = self._big_lead(name="Lost")
        # the held change is what the client wrote, not what it slips into the context
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.with_user(self.user_salesman).with_context(
                compliance_lost_values={"expected_revenue": 1, "user_id": self.user_salesman2.id}
            ).write({"active": False})
        held = json.loads(caught.exception.action["context"]["default_vals"])
        self.assertEqual(held, {"active": False})
        # the lost wizard's values are kept with the held change
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.with_user(self.user_salesman).action_set_lost(lost_reason_id=self.lost_reason.id)
        held = json.loads(caught.exception.action["context"]["default_vals"])
        self.assertEqual(held, {"active": False, "lost_reason_id": self.lost_reason.id})

    def test_policy_new_key_ignored(self):
        version = self.block.version
        self.jsonrpc(
            self.user_manager,
            "compliance.policy",
            "write",
            [self.block.ids, {"requirement": "[('partner_id', '!=', False)]"}],
            {"context": {"compliance_policy_new": True}},
        )
        self.block.invalidate_recordset()
        self.assertEqual(self.block.version, version + 1, "a change of the rule is a new version")

    # ------------------------------------------------------------
    # finding 9: refusals and decisions are not logged as errors
    # ------------------------------------------------------------
    def test_group_or_sort_by_awaiting_approval_refused(self):
        """*Awaiting Approval*, worked out when shown, is searched by its filter but neither
        grouped nor sorted by (a ValueError logged): refused by name."""
        label = self.env["crm.lead"]._fields["compliance_awaiting_approval"].string
        with self.assertNoLogs("odoo.http", "ERROR"):
            for method, args, kwargs in (
                ("web_read_group", [[], ["id:count"], ["compliance_awaiting_approval"]], {}),
                (
                    "web_search_read",
                    [[]],
                    {"specification": {"id": {}}, "order": "compliance_awaiting_approval"},
                ),
            ):
                fault = self.rpc_fault(
                    self.user_salesman, "crm.lead", method, args, kwargs, protocol="jsonrpc"
                )
                self.assertIn(f"cannot be sorted or grouped by {label}", fault)
        self.assertIsInstance(
            self.jsonrpc(
                self.user_salesman,
                "crm.lead",
                "search_count",
                [[("compliance_awaiting_approval", "=", True)]],
            ),
            int,
        )

    def test_no_error_logged_over_jsonrpc(self):
        lead = self._big_lead(name="Quiet")
        won_no_vat = self._lead(name="Quiet block", partner_id=self.partner_novat.id)
        with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
            # the approval prompt
            with self.assertRaises(RpcError) as caught:
                self.jsonrpc(
                    self.user_salesman, "crm.lead", "write", [[lead.id], {"stage_id": self.stage_proposal.id}]
                )
            self.assertEqual(caught.exception.name, DECISION)
            for wording in ("API", "compliance_request_approval", "context key"):
                self.assertNotIn(wording, caught.exception.message)
            # the approval
            request_ids = self.jsonrpc(
                self.user_salesman,
                "crm.lead",
                "compliance_request_approval",
                [[lead.id], {"stage_id": self.stage_proposal.id}, "Big order"],
            )
            self.jsonrpc(self.user_leader, "compliance.approval.request", "action_approve", [request_ids])
            # the override prompt, then the override
            with self.assertRaises(RpcError) as caught:
                self.jsonrpc(
                    self.user_salesman,
                    "crm.lead",
                    "write",
                    [[lead.id], {"stage_id": self.stage_negotiation.id}],
                )
            self.assertEqual(caught.exception.name, DECISION)
            self.assertNotIn("guide_override_reason", caught.exception.message)
            self.jsonrpc(
                self.user_salesman,
                "crm.lead",
                "write",
                [[lead.id], {"stage_id": self.stage_negotiation.id}],
                {"context": {"guide_override_reason": "Offer handed over"}},
            )
            # a blocked move
            with self.assertRaises(RpcError) as caught:
                self.jsonrpc(
                    self.user_salesman,
                    "crm.lead",
                    "write",
                    [[won_no_vat.id], {"stage_id": self.stage_won.id}],
                )
            self.assertEqual(caught.exception.name, "odoo.exceptions.UserError")
        self.assertEqual(lead.stage_id, self.stage_negotiation)
        self.assertEqual(won_no_vat.stage_id, self.stage_new)

    def test_reject_without_reason_refused(self):
        """*Reject* called over HTTP without its reason is refused asking for it (it was a
        ``TypeError`` on the missing argument, logged as an error), the request pending."""
        lead = self._big_lead(name="Reject without reason")
        request_ids = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [[lead.id], {"stage_id": self.stage_proposal.id}, "Big order"],
        )
        with self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in PROTOCOLS:
                fault = self.rpc_fault(
                    self.user_leader,
                    "compliance.approval.request",
                    "action_reject",
                    [request_ids],
                    protocol=protocol,
                )
                self.assertIn("Give the reason for the rejection.", fault)
        self.assertEqual(self.Request.browse(request_ids).state, "pending")

    def test_refusal_audited_without_foreign_key_error(self):
        """The audit row of a refusal is written by a transaction of its own, which does not see
        the refused transaction's rows (here: the policy and the team, not committed): it references
        only what it sees, and nothing is logged as an error."""
        won_no_vat = self._lead(name="Audited refusal", partner_id=self.partner_novat.id)
        written = []

        @contextmanager
        def separate_cursor():
            cr = sql_db.db_connect(self.env.cr.dbname).cursor()
            try:
                yield cr
                cr.execute(
                    "SELECT policy_id, policy_name, crm_team_id, outcome, res_id FROM compliance_log "
                    "WHERE res_id = %s AND res_model = 'crm.lead'",
                    [won_no_vat.id],
                )
                written.extend(cr.fetchall())
            finally:
                cr.rollback()
                cr.close()

        with (
            patch.object(type(self.env.registry), "cursor", lambda registry, *a, **k: separate_cursor()),
            self.assertNoLogs("odoo.sql_db", "ERROR"),
            self.assertRaises(UserError),
        ):
            won_no_vat.with_user(self.user_salesman).write({"stage_id": self.stage_won.id})
        self.assertEqual(written, [(None, "VAT before win", None, "blocked", won_no_vat.id)])

    # ------------------------------------------------------------
    # issue 14 point 4: the audit trail under @api.ondelete
    # ------------------------------------------------------------
    def test_audit_trail_not_deleted_with_the_uninstall_flag(self):
        """Audit rows, policy versions and approval requests are deleted by nobody, whatever the
        context a client sends, Odoo's uninstall flag included (it skips the ``@api.ondelete``
        checks: the access rights refuse), and by the engine's ``sudo()`` only through the
        superuser's purge. Uninstalling a module deletes the records of its data: none is an
        audit row, and deleting its policies keeps the rows that reference them."""
        admin = new_test_user(
            self.env, login="pol_sysadmin", groups="base.group_system,sales_team.group_sale_manager"
        )
        lead = self._big_lead(name="Kept")
        request_ids = self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [[lead.id], {"stage_id": self.stage_proposal.id}, "Strategic account"],
        )
        version = self.approval.version_id
        rows = {
            "compliance.log": self._logs(lead),
            "compliance.policy.version": version,
            "compliance.approval.request": self.Request.browse(request_ids),
        }
        for protocol in PROTOCOLS:
            call = self._call(protocol)
            for model, records in rows.items():
                self.assertTrue(records, model)
                with self.assertRaises(RpcError, msg=f"{protocol} {model}"):
                    call(admin, model, "unlink", [records.ids], {"context": {"_force_unlink": True}})
        for records in rows.values():
            with self.assertRaises(UserError):
                records.sudo().unlink()
        self.assertFalse(self.env["ir.model.data"].search_count([("model", "in", list(rows))]))
        self.approval.sudo().with_context(_force_unlink=True).unlink()
        self.env.invalidate_all()
        for records in rows.values():
            self.assertEqual(records.exists(), records)
        self.assertEqual(rows["compliance.log"].policy_version_id, version)
        self.assertEqual(rows["compliance.approval.request"].policy_version_id, version)
