from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon

DECISION = "odoo.addons.base_process_guide.exceptions.GuideDecisionRequired"
PROTOCOLS = ("xmlrpc", "jsonrpc")


@tagged("post_install", "-at_install")
class TestTrustRpc(RpcCase, HelpdeskGuideCommon):
    """Ticket policies used and attacked as helpdesk users over XML-RPC and JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["compliance.policy"].search([]).write({"active": False})
        cls.team.user_id = cls.user_manager
        cls.policy = cls.env["compliance.policy"].create(
            {
                "name": "Resolution note",
                "model_name": "helpdesk.ticket",
                "helpdesk_team_ids": [(6, 0, cls.team.ids)],
                "trigger": "stage",
                "step_ids": [(6, 0, cls.step_resolved.ids)],
                "requirement": "[('compliance_has_note', '=', True)]",
                "message": "Write how it was solved.",
                "enforcement": "approval",
                "tier_ids": [(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
            }
        )
        cls.Request = cls.env["compliance.approval.request"]

    def _call(self, protocol):
        return self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc

    def _request(self, call, ticket):
        return call(
            self.user_agent,
            "helpdesk.ticket",
            "compliance_request_approval",
            [[ticket.id], {"stage_id": self.stage_resolved.id}, "Customer unreachable"],
        )

    def test_documented_api_over_rpc(self):
        for protocol in PROTOCOLS:
            call = self._call(protocol)
            ticket = self._ticket(name=f"API {protocol}", stage_id=self.stage_waiting.id)
            request_ids = self._request(call, ticket)
            self.assertEqual(len(request_ids), 1)
            self.assertIs(
                call(self.user_manager, "compliance.approval.request", "action_approve", [request_ids]), True
            )
            self.assertEqual(ticket.stage_id, self.stage_resolved, protocol)

    def test_stale_approval_is_outdated_not_applied(self):
        for protocol in PROTOCOLS:
            call = self._call(protocol)
            ticket = self._ticket(name=f"Stale {protocol}", stage_id=self.stage_waiting.id)
            request_ids = self._request(call, ticket)
            # meanwhile the agent takes the ticket back into progress
            call(
                self.user_agent,
                "helpdesk.ticket",
                "write",
                [[ticket.id], {"stage_id": self.stage_progress.id}],
            )
            call(self.user_manager, "compliance.approval.request", "action_approve", [request_ids])
            request = self.Request.browse(request_ids)
            self.assertEqual(request.state, "outdated", protocol)
            self.assertEqual(ticket.stage_id, self.stage_progress, "nothing applied")
            told = request.message_ids.filtered(
                lambda m: "changed since the request was made" in (m.body or "")
            )
            self.assertIn(self.user_agent.partner_id, told.partner_ids)

    def test_approval_of_a_ticket_archived_meanwhile_is_outdated(self):
        """The ticket was archived while its request waited: approving it neither brings it
        back nor closes it."""
        ticket = self._ticket(name="Archived meanwhile", stage_id=self.stage_waiting.id)
        request_ids = self._request(self.xmlrpc, ticket)
        self.xmlrpc(self.user_agent, "helpdesk.ticket", "write", [[ticket.id], {"active": False}])
        self.xmlrpc(self.user_manager, "compliance.approval.request", "action_approve", [request_ids])
        self.env.invalidate_all()
        request = self.Request.browse(request_ids)
        self.assertEqual((request.state, request.applied), ("outdated", False))
        self.assertEqual((ticket.active, ticket.stage_id), (False, self.stage_waiting), "nothing applied")

    def test_prompt_not_logged_as_error_and_collect_key_ignored(self):
        ticket = self._ticket(name="Quiet", stage_id=self.stage_waiting.id)
        with self.assertNoLogs("odoo.http", "ERROR"):
            for context in ({}, {"compliance_collect_approvals": True}):
                with self.assertRaises(RpcError) as caught:
                    self.jsonrpc(
                        self.user_agent,
                        "helpdesk.ticket",
                        "write",
                        [[ticket.id], {"stage_id": self.stage_resolved.id}],
                        {"context": context},
                    )
                self.assertEqual(caught.exception.name, DECISION)
                self.assertIn("Write how it was solved.", caught.exception.message)
                self.assertNotIn("compliance_request_approval", caught.exception.message)
        self.assertEqual(ticket.stage_id, self.stage_waiting)

    def test_policy_version_immutable_over_rpc(self):
        """The ticket's request and audit rows reference the frozen version of the policy;
        neither the helpdesk manager who configures it nor an agent rewrites or deletes it."""
        ticket = self._ticket(name="Versioned", stage_id=self.stage_waiting.id)
        request = self.Request.browse(self._request(self.xmlrpc, ticket))
        version = self.policy.version_id
        self.assertEqual(request.policy_version_id, version)
        log = self.env["compliance.log"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(log.policy_version_id, version)
        self.assertEqual(set(log.mapped("policy_message")), {"Write how it was solved."})
        for protocol in PROTOCOLS:
            call = self._call(protocol)
            for user in (self.user_manager, self.user_agent):
                with self.assertRaises(RpcError, msg=f"{protocol} write as {user.login}"):
                    call(user, "compliance.policy.version", "write", [version.ids, {"message": "Forged"}])
                with self.assertRaises(RpcError, msg=f"{protocol} unlink as {user.login}"):
                    call(user, "compliance.policy.version", "unlink", [version.ids])
            with self.assertRaises(RpcError, msg=f"{protocol} re-point the policy"):
                call(
                    self.user_manager, "compliance.policy", "write", [self.policy.ids, {"version_id": False}]
                )
        # a new wording is a new version; the request keeps the one that applied
        self.policy.with_user(self.user_manager).write({"message": "Describe the fix."})
        self.assertNotEqual(self.policy.version_id, version)
        version.invalidate_recordset()
        self.assertEqual((version.message, request.policy_version_id), ("Write how it was solved.", version))

    def test_audit_trail_not_deleted_with_the_uninstall_flag(self):
        """A ticket's audit rows, policy version and request are deleted by nobody, whatever the
        context (Odoo's uninstall flag included), and survive the deletion of the policy an
        uninstallation of this bridge makes (its data holds no audit row)."""
        admin = new_test_user(
            self.env, login="hd_pol_sysadmin", groups="base.group_system,helpdesk_mgmt.group_helpdesk_manager"
        )
        ticket = self._ticket(name="Kept", stage_id=self.stage_waiting.id)
        version = self.policy.version_id
        rows = {
            "compliance.approval.request": self.Request.browse(self._request(self.xmlrpc, ticket)),
            "compliance.log": self.env["compliance.log"].search(
                [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
            ),
            "compliance.policy.version": version,
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
        self.policy.sudo().with_context(_force_unlink=True).unlink()
        self.env.invalidate_all()
        for records in rows.values():
            self.assertEqual(records.exists(), records)
        self.assertEqual(rows["compliance.log"].policy_version_id, version)

    def test_hostile_arguments_refused_not_crashed(self):
        """Values a client sends where the engine expects its own: a ``UserError`` naming
        the value, no ERROR logged, nothing written."""
        ticket = self._ticket(name="Hostile", stage_id=self.stage_waiting.id)
        calls = [
            ("compliance_request_approval", [[ticket.id], [1, 2], "note"], {}, "set of field values"),
            (
                "compliance_request_approval",
                [[ticket.id], {"no_such": 1}, "note"],
                {},
                "has no field 'no_such'",
            ),
            (
                "compliance_request_approval",
                [[ticket.id], {"stage_id": self.stage_resolved.id}, 5],
                {},
                "text",
            ),
            (
                "compliance_request_approval",
                [[ticket.id], {"stage_id": self.stage_resolved.id}, "note", "lost"],
                {},
                "not an event",
            ),
            (
                "write",
                [[ticket.id], {"stage_id": self.stage_resolved.id}],
                {"context": {"guide_override_reason": "ok", "guide_override_reason_id": "x" * 500}},
                "override reason",
            ),
            (
                "write",
                [[ticket.id], {"stage_id": self.stage_resolved.id}],
                {"context": {"guide_override_reason": "ok", "compliance_override_until": "9999-12-31"}},
                "An override stands until",
            ),
        ]
        for method, args, kwargs, wording in calls:
            with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
                with self.assertRaises(RpcError) as caught:
                    self.jsonrpc(self.user_agent, "helpdesk.ticket", method, args, kwargs)
            self.assertEqual(caught.exception.name, "odoo.exceptions.UserError", caught.exception.message)
            self.assertIn(wording, caught.exception.message)
            self.assertLess(len(caught.exception.message), 1_000)
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        self.assertFalse(
            self.Request.search([("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)])
        )
