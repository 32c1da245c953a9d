from odoo.tests import new_test_user, tagged

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError
from odoo.addons.helpdesk_process_guide.hooks import uninstall_hook as guide_uninstall_hook
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon

from ..hooks import uninstall_hook


@tagged("post_install", "-at_install")
class TestTicketDeletion(RpcCase, HelpdeskGuideCommon):
    """A deleted ticket takes its checklist lines and leaves nothing to approve: its pending
    requests are cancelled, the requester told; its history and audit trail stay."""

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
        cls.user_deleter = new_test_user(
            cls.env,
            login="hd_pol_deleter",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            name="Dora Deleter",
        )
        cls.Request = cls.env["compliance.approval.request"]

    def _rows(self, model, ticket):
        return (
            self.env[model].sudo().search([("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)])
        )

    def test_deleted_ticket_cancels_requests_and_drops_lines(self):
        ticket = self._ticket(name="Printer", stage_id=self.stage_waiting.id)
        self._lines(ticket)["Customer confirmed"].action_check()
        request = self.Request.browse(
            self.xmlrpc(
                self.user_agent,
                "helpdesk.ticket",
                "compliance_request_approval",
                [ticket.ids, {"stage_id": self.stage_resolved.id}, "Customer unreachable"],
            )
        )
        self.assertEqual(request.sudo().activity_ids.user_id, self.user_manager)
        self.assertTrue(self._rows("guide.line", ticket))
        history, logs = self._rows("guide.history", ticket), self._rows("compliance.log", ticket)
        self.assertTrue(history and logs)
        self.assertIs(self.xmlrpc(self.user_deleter, "helpdesk.ticket", "unlink", [ticket.ids]), True)
        self.assertFalse(self._rows("guide.line", ticket))
        self.assertEqual(
            (self._rows("guide.history", ticket), self._rows("compliance.log", ticket)), (history, logs)
        )
        request.invalidate_recordset()
        self.assertEqual((request.state, request.decided_by_id), ("cancelled", self.user_deleter))
        self.assertIn("Printer was deleted by Dora Deleter", request.apply_error)
        self.assertFalse(request.sudo().activity_ids)
        told = request.message_ids.filtered(lambda msg: "was deleted by Dora Deleter" in str(msg.body))
        self.assertEqual(told.partner_ids, self.user_agent.partner_id)
        with self.assertRaises(RpcError):
            self.xmlrpc(self.user_manager, "compliance.approval.request", "action_approve", [request.ids])
        self.assertEqual(request.state, "cancelled")

    def _pending_request(self, name):
        ticket = self._ticket(name=name, stage_id=self.stage_waiting.id)
        request_id = ticket.with_user(self.user_agent).compliance_request_approval(
            {"stage_id": self.stage_resolved.id}, "Customer unreachable"
        )
        request = self.Request.browse(request_id)
        self.assertEqual((request.state, request.sudo().activity_ids.user_id), ("pending", self.user_manager))
        return ticket, request

    def test_uninstall_hook_cancels_requests_and_removes_ticket_policies(self):
        """Uninstalled, the bridge leaves no ticket policy (reinstalled, it would check the
        tickets again, its process and steps emptied by the guide bridge's uninstallation) and
        no request nobody could ever decide; the audit trail stays."""
        ticket, request = self._pending_request("Scanner")
        logs = self._rows("compliance.log", ticket)
        self.assertTrue(logs)
        uninstall_hook(self.env)
        self.assertFalse(self.policy.exists())
        self.assertFalse(
            self.env["compliance.policy"]
            .with_context(active_test=False)
            .search([("model_name", "=", "helpdesk.ticket")])
        )
        request.invalidate_recordset()
        self.assertEqual(request.state, "cancelled")
        self.assertIn("was removed with the module that applied it", request.apply_error)
        self.assertFalse(request.sudo().activity_ids, "the approver's to-do is closed")
        told = request.message_ids.filtered(lambda msg: "was removed with the module" in str(msg.body))
        self.assertEqual(told.partner_ids, self.user_agent.partner_id)
        self.assertEqual(self._rows("compliance.log", ticket), logs)
        self.assertEqual(request.policy_name, "Resolution note")

    def test_configuration_limited_to_a_process_an_uninstallation_deletes_is_archived(self):
        """The guide bridge's uninstallation deletes the ticket processes: a policy limited to
        one of them, or to its steps, is archived (its pending requests cancelled) instead of
        being left active with its process and steps emptied, checking every ticket's every
        stage change."""
        ticket, request = self._pending_request("Plotter")
        by_step = self.env["compliance.policy"].create(
            {
                "name": "Triage note",
                "model_name": "helpdesk.ticket",
                "trigger": "stage",
                "step_ids": [(6, 0, self.step_progress.ids)],
                "requirement": "[('compliance_has_note', '=', True)]",
                "message": "Write a note.",
            }
        )
        self.policy.process_id = self.process
        guide_uninstall_hook(self.env)
        for policy in self.policy | by_step:
            self.assertFalse(policy.active, policy.name)
            self.assertIn("uninstallation of a module deleted the process", str(policy.message_ids[:1].body))
        request.invalidate_recordset()
        self.assertEqual(request.state, "cancelled")
        self.assertFalse(request.sudo().activity_ids)

    def test_configuration_limited_to_a_stage_an_uninstallation_deletes_is_archived(self):
        """A stage deleted by a module's uninstallation takes its step in the database's
        cascade: a policy limited to that step alone is archived, not widened to every step."""
        self.policy.step_ids = self.step_progress
        uninstalling = self.env(su=True, context={**self.env.context, MODULE_UNINSTALL_FLAG: True})
        self.stage_progress.with_env(uninstalling).unlink()
        self.assertFalse(self.policy.active)
