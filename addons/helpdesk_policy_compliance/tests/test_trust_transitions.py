from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTrustTransitionsTicketPolicies(RpcCase, HelpdeskGuideCommon):
    """The policies judge every change of a ticket's step: a ticket closed in
    another team and brought back is checked, over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["compliance.policy"].search([]).write({"active": False})
        cls.env["compliance.policy"].create(
            {
                "name": "Resolution note",
                "model_name": "helpdesk.ticket",
                "process_id": cls.process.id,
                "trigger": "stage",
                "step_ids": [(6, 0, cls.step_resolved.ids)],
                "requirement": "[('compliance_has_note', '=', True)]",
                "message": "Write how it was solved.",
                "enforcement": "block",
            }
        )

    def test_closed_outside_the_process_then_brought_back(self):
        ticket = self._ticket(stage_id=self.stage_waiting.id, user_id=self.user_agent.id)
        user, ids = self.user_agent, ticket.ids
        self.xmlrpc(user, "helpdesk.ticket", "write", [ids, {"team_id": self.other_team.id}])
        self.xmlrpc(user, "helpdesk.ticket", "write", [ids, {"stage_id": self.stage_resolved.id}])
        fault = self.rpc_fault(user, "helpdesk.ticket", "write", [ids, {"team_id": self.team.id}])
        self.assertIn("Resolution note: Write how it was solved.", fault)
        fault = self.rpc_fault(
            user, "helpdesk.ticket", "write", [ids, {"team_id": self.team.id}], protocol="json"
        )
        self.assertIn("Resolution note", fault)
        self.env.invalidate_all()
        self.assertEqual(ticket.team_id, self.other_team)
        # with the note, coming back is allowed and audited
        self.xmlrpc(
            user,
            "helpdesk.ticket",
            "message_post",
            [ids],
            {"body": "Replaced the cable.", "message_type": "comment", "subtype_xmlid": "mail.mt_note"},
        )
        self.xmlrpc(user, "helpdesk.ticket", "write", [ids, {"team_id": self.team.id}])
        logs = self.env["compliance.log"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(logs.mapped("outcome"), ["passed"])

    def test_stage_emptied_then_closed(self):
        ticket = self._ticket(stage_id=self.stage_waiting.id, user_id=self.user_agent.id)
        self.xmlrpc(self.user_agent, "helpdesk.ticket", "write", [ticket.ids, {"stage_id": False}])
        fault = self.rpc_fault(
            self.user_agent, "helpdesk.ticket", "write", [ticket.ids, {"stage_id": self.stage_resolved.id}]
        )
        self.assertIn("Resolution note", fault)
