from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


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
