from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_guide.tests.rule_language_common import MEMORY_BOMB, RuleLanguageAttack
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTicketPolicyRuleLanguage(RuleLanguageAttack, RpcCase, HelpdeskGuideCommon):
    """Policy conditions on tickets are data: the reported attack over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["compliance.policy"].search([]).write({"active": False})

    def _policy_vals(self, **vals):
        return {
            "name": "Pwn ticket policy",
            "model_name": "helpdesk.ticket",
            "helpdesk_team_ids": [(6, 0, self.team.ids)],
            "trigger": "stage",
            "step_ids": [(6, 0, self.step_resolved.ids)],
            "requirement": "[('priority', '!=', False)]",
            "message": "No.",
            "enforcement": "block",
            **vals,
        }

    def _agent_moves_a_ticket(self, protocol):
        call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
        ticket = self._ticket(user_id=self.user_own.id, stage_id=self.stage_waiting.id)
        call(self.user_own, "helpdesk.ticket", "write", [ticket.ids, {"stage_id": self.stage_resolved.id}])
        return ticket

    def test_policy_conditions_refused(self):
        for protocol, fname, label in (
            ("xmlrpc", "domain", "Scope Condition"),
            ("jsonrpc", "requirement", "Requirement"),
        ):
            with self.subTest(protocol=protocol, field=fname):
                self.assertConditionRefused(
                    self.user_manager,
                    "compliance.policy",
                    "create",
                    [self._policy_vals(**{fname: self.escalation_payload()})],
                    "Pwn ticket policy",
                    label,
                    protocol,
                )
                self._agent_moves_a_ticket(protocol)
                self.assertNotSettingsAdmin(self.user_manager, self.user_own)

    def test_memory_bomb(self):
        self.assertBombRefusedQuickly(
            self.user_manager,
            "compliance.policy",
            "create",
            [self._policy_vals(name="Bomb ticket policy", domain=MEMORY_BOMB)],
            "Bomb ticket policy",
            "Scope Condition",
        )

    def test_stored_code_never_runs(self):
        policy = self.env["compliance.policy"].create(self._policy_vals(name="Legacy ticket policy"))
        self.store_legacy_condition(policy, "requirement", self.escalation_payload())
        with self.assertLogs("odoo.addons.base_policy_compliance", "WARNING") as logs:
            ticket = self._agent_moves_a_ticket("xmlrpc")
        self.assertNotSettingsAdmin(self.user_manager, self.user_own)
        self.assertIn("Legacy ticket policy", "\n".join(logs.output))
        self.assertEqual(ticket.stage_id, self.stage_resolved)
