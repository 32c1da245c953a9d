from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_guide.tests.rule_language_common import MEMORY_BOMB, RuleLanguageAttack

from .common import EscalationCommon


@tagged("post_install", "-at_install")
class TestEscalationRuleLanguage(RuleLanguageAttack, RpcCase, EscalationCommon):
    """Escalation rule conditions are data: the reported attack over RPC, on leads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_sales_admin = new_test_user(
            cls.env, login="esc_sales_admin", groups="sales_team.group_sale_manager", name="Sal Admin"
        )

    def _rule_vals(self, domain, name="Pwn rule"):
        return {
            "name": name,
            "model_name": "crm.lead",
            "process_id": self.process.id,
            "crm_team_ids": [(6, 0, self.team.ids)],
            "trigger_type": "step_time",
            "delay_unit": "hours",
            "domain": domain,
            "level_ids": [(0, 0, {"name": "L1", "delay": 4, "assign_to": "team_leader"})],
        }

    def _salesperson_works_a_lead(self, protocol):
        call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
        vals = {
            "name": "After the attack",
            "type": "opportunity",
            "team_id": self.team.id,
            "stage_id": self.stage_new.id,
        }
        lead_id = call(self.user_salesman, "crm.lead", "create", [vals])
        call(self.user_salesman, "crm.lead", "write", [[lead_id], {"stage_id": self.stage_qualif.id}])
        return lead_id

    def test_rule_condition_refused(self):
        rule = self._rule()
        for protocol in ("xmlrpc", "jsonrpc"):
            with self.subTest(protocol=protocol):
                self.assertConditionRefused(
                    self.user_sales_admin,
                    "escalation.rule",
                    "create",
                    [self._rule_vals(self.escalation_payload())],
                    "Pwn rule",
                    "Condition",
                    protocol,
                )
                self.assertConditionRefused(
                    self.user_sales_admin,
                    "escalation.rule",
                    "write",
                    [rule.ids, {"domain": self.escalation_payload()}],
                    "Stale qualified",
                    "Condition",
                    protocol,
                )
                self._salesperson_works_a_lead(protocol)
                self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)

    def test_memory_bomb(self):
        self.assertBombRefusedQuickly(
            self.user_sales_admin,
            "escalation.rule",
            "create",
            [self._rule_vals(MEMORY_BOMB, "Bomb rule")],
            "Bomb rule",
            "Condition",
        )

    def test_stored_code_never_runs(self):
        """A condition saved by an earlier version is skipped with a warning, never run."""
        rule = self._rule(name="Legacy rule", domain="[('type', '=', 'opportunity')]")
        self.store_legacy_condition(rule, "domain", self.escalation_payload())
        with self.assertLogs("odoo.addons.base_escalation", "WARNING") as logs:
            lead_id = self._salesperson_works_a_lead("jsonrpc")
        self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)
        self.assertIn("Legacy rule", "\n".join(logs.output))
        self.assertFalse(self._clock(self.env["crm.lead"].browse(lead_id), rule))
        # a resync of the rule (cron, rule change) skips it too
        with self.assertLogs("odoo.addons.base_escalation", "WARNING") as logs:
            self.assertEqual(self.env["crm.lead"].sudo().search_count(rule._escalation_search_domain()), 0)
            rule._escalation_resync()
        self.assertIn("Legacy rule", "\n".join(logs.output))
        self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)

    def test_named_values(self):
        """Named values work in escalation rules, resolved for the user who writes."""
        # now(hours=1): Datetime.now() drops the microseconds that create_date keeps
        rule = self._rule(domain="[('user_id', 'in', [uid, False]), ('create_date', '<=', now(hours=1))]")
        user = self.user_salesman_all
        mine = self._lead(name="Mine", user_id=user.id, stage_id=self.stage_new.id)
        other = self._lead(name="Not mine", user_id=self.user_manager.id, stage_id=self.stage_new.id)
        (mine | other).with_user(user).write({"stage_id": self.stage_qualif.id})
        self.assertTrue(self._clock(mine, rule))
        self.assertFalse(self._clock(other, rule))
        with self.assertRaisesRegex(ValidationError, "Stale qualified"):
            rule.domain = "[('user_id', '=', user.id + 1)]"

    def test_condition_the_record_values_cannot_decide_left_to_the_query(self):
        """A condition the engine would test in memory on the record's own values is left
        to the query when Python cannot compare as SQL does: ``('priority', '>', None)``
        made every priority change of a lead in the rule's company fail with a
        ``TypeError``, and ``('expected_revenue', '=', '5')`` (5.0 in SQL) left leads
        without their clock."""
        for protocol, domain, vals, matches in (
            ("xmlrpc", "[('priority', '>', None)]", {"priority": "2"}, False),
            ("jsonrpc", "[('expected_revenue', '=', '5')]", {"expected_revenue": 5}, True),
        ):
            with self.subTest(protocol=protocol, condition=domain):
                call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
                rule_id = call(self.user_sales_admin, "escalation.rule", "create", [self._rule_vals(domain)])
                lead_id = self._salesperson_works_a_lead(protocol)
                call(self.user_salesman, "crm.lead", "write", [[lead_id], vals])
                lead = self.env["crm.lead"].browse(lead_id)
                rule = self.env["escalation.rule"].browse(rule_id)
                in_scope = (
                    self.env["crm.lead"]
                    .sudo()
                    .search_count([("id", "=", lead_id), *rule._guide_domain(rule.domain)])
                )
                self.assertEqual(bool(in_scope), matches)
                self.assertEqual(bool(self._clock(lead, rule)), matches)
                rule.active = False
