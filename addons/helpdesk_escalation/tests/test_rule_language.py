from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_guide.tests.rule_language_common import MEMORY_BOMB, RuleLanguageAttack

from .common import HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestTicketEscalationRuleLanguage(RuleLanguageAttack, RpcCase, HelpdeskEscalationCommon):
    """Escalation rule conditions on tickets are data: the reported attack over RPC."""

    def _rule_vals(self, domain, name="Pwn SLA"):
        return {
            **self._rule_defaults(),
            "name": name,
            "trigger_type": "step_time",
            "delay_unit": "hours",
            "domain": domain,
            "level_ids": [(0, 0, {"name": "L1", "delay": 4, "assign_to": "team_leader"})],
        }

    def _agent_edits_a_ticket(self, protocol):
        call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
        ticket = self._ticket(user_id=self.user_own.id)
        call(self.user_own, "helpdesk.ticket", "write", [ticket.ids, {"stage_id": self.stage_progress.id}])
        return ticket

    def test_rule_condition_refused(self):
        for protocol in ("xmlrpc", "jsonrpc"):
            with self.subTest(protocol=protocol):
                self.assertConditionRefused(
                    self.user_manager,
                    "escalation.rule",
                    "create",
                    [self._rule_vals(self.escalation_payload())],
                    "Pwn SLA",
                    "Condition",
                    protocol,
                )
                self._agent_edits_a_ticket(protocol)
                self.assertNotSettingsAdmin(self.user_manager, self.user_own)

    def test_memory_bomb(self):
        self.assertBombRefusedQuickly(
            self.user_manager,
            "escalation.rule",
            "create",
            [self._rule_vals(MEMORY_BOMB, "Bomb SLA")],
            "Bomb SLA",
            "Condition",
        )

    def test_stored_code_never_runs(self):
        rule = self._rule(name="Legacy SLA", domain="[('priority', '!=', False)]")
        self.store_legacy_condition(rule, "domain", self.escalation_payload())
        with self.assertLogs("odoo.addons.crm_escalation", "WARNING") as logs:
            ticket = self._agent_edits_a_ticket("jsonrpc")
        self.assertNotSettingsAdmin(self.user_manager, self.user_own)
        self.assertIn("Legacy SLA", "\n".join(logs.output))
        self.assertFalse(self._clock(ticket, rule))
