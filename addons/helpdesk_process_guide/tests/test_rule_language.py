from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_guide.tests.rule_language_common import MEMORY_BOMB, RuleLanguageAttack

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTicketRuleLanguage(RuleLanguageAttack, RpcCase, HelpdeskGuideCommon):
    """Ticket process, checklist and hint conditions are data: the reported attack over RPC."""

    def _agent_edits_a_ticket(self, protocol, user=None):
        call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
        user = user or self.user_own
        ticket = self._ticket(user_id=user.id)
        call(user, "helpdesk.ticket", "write", [ticket.ids, {"priority": "2"}])
        call(
            user,
            "helpdesk.ticket",
            "read",
            [ticket.ids, ["guide_hint_ids", "guide_current_line_ids", "guide_progress"]],
        )
        return ticket

    def test_ticket_process_condition(self):
        for protocol in ("xmlrpc", "jsonrpc"):
            with self.subTest(protocol=protocol):
                self.assertConditionRefused(
                    self.user_manager,
                    "guide.process",
                    "write",
                    [self.process.ids, {"domain": self.escalation_payload()}],
                    "Support",
                    "Condition",
                    protocol,
                )
                self._agent_edits_a_ticket(protocol)
                self.assertNotSettingsAdmin(self.user_manager, self.user_own)

    def test_ticket_item_and_hint_conditions(self):
        item_vals = {
            "step_id": self.step_triage.id,
            "name": "Pwn item",
            "apply_domain": self.escalation_payload(),
        }
        hint_vals = {"name": "Pwn hint", "model_name": "helpdesk.ticket", "domain": self.escalation_payload()}
        self.assertConditionRefused(
            self.user_manager, "guide.item", "create", [item_vals], "Pwn item", "Applies When", "xmlrpc"
        )
        self.assertConditionRefused(
            self.user_manager, "guide.hint", "create", [hint_vals], "Pwn hint", "Condition", "jsonrpc"
        )
        self._agent_edits_a_ticket("jsonrpc", user=self.user_agent)
        self.assertNotSettingsAdmin(self.user_manager, self.user_agent)

    def test_memory_bomb(self):
        self.assertBombRefusedQuickly(
            self.user_manager,
            "guide.process",
            "write",
            [self.process.ids, {"domain": MEMORY_BOMB}],
            "Support",
            "Condition",
        )

    def test_stored_code_never_runs(self):
        """Ticket conditions saved by an earlier version never run when a helpdesk user edits a ticket."""
        item = self.step_triage.item_ids.filtered(lambda i: i.completion == "auto")[0]
        hint = self.env["guide.hint"].create(
            {"name": "Legacy ticket hint", "model_name": "helpdesk.ticket", "domain": "[]"}
        )
        self.store_legacy_condition(item, "auto_domain", self.escalation_payload())
        self.store_legacy_condition(hint, "domain", self.escalation_payload())
        with self.assertLogs("odoo.addons.base_process_guide", "WARNING") as logs:
            self._agent_edits_a_ticket("xmlrpc")
        self.assertNotSettingsAdmin(self.user_manager, self.user_own)
        self.assertIn("Legacy ticket hint", "\n".join(logs.output))
        self.store_legacy_condition(self.process, "domain", self.escalation_payload())
        with self.assertLogs("odoo.addons.base_process_guide", "WARNING"):
            ticket = self._agent_edits_a_ticket("jsonrpc")
        self.assertNotSettingsAdmin(self.user_manager, self.user_own)
        self.assertFalse(ticket.guide_process_id)

    def test_condition_on_a_field_the_agent_may_not_read(self):
        """A condition its author may read but agents may not (a field of a group they lack):
        the agents' next change, which fills the configuration cache the condition just
        cleared, is not refused for it, and the cache names the field it reads."""
        ticket = self._ticket(user_id=self.user_own.id)
        self.env["guide.item"].create(
            {
                "step_id": self.step_triage.id,
                "name": "Customer not invited yet",
                "completion": "auto",
                "auto_domain": "[('partner_id.signup_type', '=', False)]",
                "mandatory": False,
            }
        )
        for protocol, call in (("xmlrpc", self.xmlrpc), ("jsonrpc", self.jsonrpc)):
            with self.subTest(protocol=protocol):
                self.env.registry.clear_cache()
                self.assertIs(
                    call(self.user_own, "helpdesk.ticket", "write", [ticket.ids, {"priority": "2"}]), True
                )
        config = self.env["guide.process"]._get_guide_config("helpdesk.ticket")
        self.assertIn("partner_id", config["item_fields_by_step"][self.step_triage.id])
