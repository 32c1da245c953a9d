from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestTrustRpc(RpcCase, HelpdeskEscalationCommon):
    """Escalation of tickets as real users over XML-RPC and JSON-RPC."""

    def _call(self, protocol):
        return self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc

    def _hand_over(self, protocol):
        """A helpdesk user of personal tickets hands their ticket to the team leader."""
        call = self._call(protocol)
        ticket = self._ticket(name=f"Hand over {protocol}", user_id=self.user_own.id)
        action = call(self.user_own, "helpdesk.ticket", "action_escalation_open_wizard", [[ticket.id]])
        wizard_id = call(
            self.user_own,
            "escalation.manual.wizard",
            "create",
            [{"user_id": self.user_leader.id, "reason": "Needs a hardware specialist"}],
            {"context": action["context"]},
        )
        with self.assertNoLogs("odoo.http", "ERROR"):
            result = call(self.user_own, "escalation.manual.wizard", "action_confirm", [[wizard_id]])
        ticket.invalidate_recordset()
        self.assertEqual(ticket.user_id, self.user_leader)
        self.assertFalse(ticket.with_user(self.user_own).has_access("read"))
        # told to whom it went, then back to the tickets
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn(self.user_leader.name, result["params"]["message"])
        self.assertEqual(result["params"]["next"]["res_model"], "helpdesk.ticket")
        self.assertEqual(result["params"]["next"]["target"], "main")
        log = self._logs(ticket, kind="manual")
        self.assertEqual(len(log), 1)
        self.assertEqual(
            (log.user_id, log.from_user_id, log.to_user_id), (self.user_own, self.user_own, self.user_leader)
        )
        self.assertEqual(log.helpdesk_team_id, self.team)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "hardware specialist" in (m.body or "")))
        self.assertTrue(
            call(self.user_leader, "helpdesk.ticket", "action_escalation_acknowledge", [[ticket.id]])
        )
        self.assertEqual(log.ack_user_id, self.user_leader)

    def test_clock_list_opens_over_rpc(self):
        """The form's clock list is behind a button: an action dict over both protocols,
        whose list the helpdesk user reads."""
        self._rule()
        ticket = self._ticket(name="Clock list", user_id=self.user_own.id)
        clocks = ticket.sudo().escalation_clock_ids
        self.assertTrue(clocks)
        for protocol in ("xmlrpc", "jsonrpc"):
            call = self._call(protocol)
            action = call(self.user_own, "helpdesk.ticket", "action_escalation_open_clocks", [[ticket.id]])
            self.assertEqual(action["res_model"], "escalation.clock")
            clock_ids = call(self.user_own, "escalation.clock", "search", [action["domain"]])
            self.assertEqual(sorted(clock_ids), sorted(clocks.ids))

    def test_personal_tickets_user_hands_ticket_over_xmlrpc(self):
        self._hand_over("xmlrpc")

    def test_personal_tickets_user_hands_ticket_over_jsonrpc(self):
        self._hand_over("jsonrpc")

    def test_no_sync_context_key_ignored(self):
        rule = self._rule(step_ids=[(6, 0, self.step_progress.ids)])
        for protocol in ("xmlrpc", "jsonrpc"):
            ticket = self._ticket(name=f"No sync {protocol}")
            self._call(protocol)(
                self.user_agent,
                "helpdesk.ticket",
                "write",
                [[ticket.id], {"stage_id": self.stage_progress.id}],
                {"context": {"escalation_no_sync": True}},
            )
            self.assertEqual(len(self._clock(ticket, rule)), 1, protocol)

    def test_closed_ticket_not_escalated_over_rpc(self):
        """The dialog and its confirmation sent for a ticket in a closed stage are refused over
        XML-RPC and JSON-RPC naming it, no error logged, nothing escalated."""
        record = self._ticket(
            name="Closed over RPC", user_id=self.user_own.id, stage_id=self.stage_resolved.id
        )
        for protocol in ("xmlrpc", "jsonrpc"):
            with self.assertNoLogs("odoo.http", "ERROR"):
                fault = self.rpc_fault(
                    self.user_own,
                    "helpdesk.ticket",
                    "action_escalation_open_wizard",
                    [[record.id]],
                    protocol=protocol,
                )
                self.assertIn("Closed over RPC is closed", fault)
                wizard_id = self._call(protocol)(
                    self.user_own,
                    "escalation.manual.wizard",
                    "create",
                    [
                        {
                            "res_model": "helpdesk.ticket",
                            "res_id": record.id,
                            "user_id": self.user_leader.id,
                            "reason": "Again",
                        }
                    ],
                )
                fault = self.rpc_fault(
                    self.user_own,
                    "escalation.manual.wizard",
                    "action_confirm",
                    [[wizard_id]],
                    protocol=protocol,
                )
                self.assertIn("Closed over RPC is closed", fault)
        self.assertFalse(self._logs(record, kind="manual"))
