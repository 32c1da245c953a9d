from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_guide.tests.rule_language_common import MEMORY_BOMB, RuleLanguageAttack

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestPolicyRuleLanguage(RuleLanguageAttack, RpcCase, ComplianceCommon):
    """Policy scope conditions and requirements are data: the reported attack over RPC, on leads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_sales_admin = new_test_user(
            cls.env, login="pol_sales_admin", groups="sales_team.group_sale_manager", name="Sal Admin"
        )

    def _policy_vals(self, **vals):
        return {
            "name": "Pwn policy",
            "model_name": "crm.lead",
            "process_id": self.process.id,
            "trigger": "won",
            "requirement": "[('partner_id.vat', '!=', False)]",
            "message": "No.",
            "enforcement": "block",
            **vals,
        }

    def _salesperson_wins_a_lead(self, protocol):
        call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
        vals = {
            "name": "After the attack",
            "type": "opportunity",
            "team_id": self.team.id,
            "stage_id": self.stage_new.id,
            "partner_id": self.partner_vat.id,
        }
        lead_id = call(self.user_salesman, "crm.lead", "create", [vals])
        call(self.user_salesman, "crm.lead", "write", [[lead_id], {"stage_id": self.stage_won.id}])
        return lead_id

    def test_policy_conditions_refused(self):
        for protocol, fname, label in (
            ("xmlrpc", "domain", "Scope Condition"),
            ("jsonrpc", "requirement", "Requirement"),
        ):
            with self.subTest(protocol=protocol, field=fname):
                self.assertConditionRefused(
                    self.user_sales_admin,
                    "compliance.policy",
                    "create",
                    [self._policy_vals(**{fname: self.escalation_payload()})],
                    "Pwn policy",
                    label,
                    protocol,
                )
                self._salesperson_wins_a_lead(protocol)
                self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)

    def test_memory_bomb(self):
        self.assertBombRefusedQuickly(
            self.user_sales_admin,
            "compliance.policy",
            "create",
            [self._policy_vals(name="Bomb policy", requirement=MEMORY_BOMB)],
            "Bomb policy",
            "Requirement",
            protocol="jsonrpc",
        )

    def test_stored_code_never_runs(self):
        """A requirement saved by an earlier version is skipped with a warning, never run."""
        policy = self._policy(name="Legacy policy")
        self.store_legacy_condition(policy, "requirement", self.escalation_payload())
        with self.assertLogs("odoo.addons.base_policy_compliance", "WARNING") as logs:
            lead_id = self._salesperson_wins_a_lead("xmlrpc")
        self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)
        self.assertIn("Legacy policy", "\n".join(logs.output))
        self.assertEqual(self.env["crm.lead"].browse(lead_id).stage_id, self.stage_won)
