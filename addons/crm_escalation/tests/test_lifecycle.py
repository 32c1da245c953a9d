from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from ..hooks import uninstall_hook
from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestRuleDeletion(RpcCase, EscalationCommon):
    """The escalation log keeps what it says when its rule or level goes: each row keeps the
    names of its rule and level as they were when it was written."""

    def test_log_keeps_the_names_of_a_deleted_rule_and_level(self):
        with self._at(T0):
            rule = self._rule(name="Stale qualified")
            lead = self._lead(name="Quiet lead")
        level1, level2 = rule.level_ids.sorted("sequence")
        self._run_at(self._h(4.5))
        # renamed afterwards: the row written before keeps the name it had
        rule.with_user(self.user_manager).name = "Stale qualified (v2)"
        self._run_at(self._h(8.5))
        logs = self._logs(lead, kind="escalation")
        self.assertEqual(logs.level_id, level1 | level2)
        self.assertEqual(logs.mapped("rule_name"), ["Stale qualified", "Stale qualified (v2)"])
        self.assertEqual(logs.mapped("level_name"), ["L1 team leader", "L2 manager"])
        # a sales manager deletes the first level, then the rule, over RPC
        self.assertIs(self.xmlrpc(self.user_manager, "escalation.level", "unlink", [level1.ids]), True)
        self.assertIs(self.xmlrpc(self.user_manager, "escalation.rule", "unlink", [rule.ids]), True)
        self.assertEqual(self._logs(lead, kind="escalation"), logs, "the log keeps its rows")
        logs.invalidate_recordset()
        self.assertFalse(logs.rule_id)
        self.assertFalse(logs.level_id)
        self.assertEqual(logs.mapped("rule_name"), ["Stale qualified", "Stale qualified (v2)"])
        self.assertEqual(logs.mapped("level_name"), ["L1 team leader", "L2 manager"])
        # the per rule and per level report still counts them, by name
        for groupby in ("rule_name", "level_name"):
            groups = self.jsonrpc(
                self.user_manager,
                "escalation.log",
                "read_group",
                [[("id", "in", logs.ids)], ["escalation_count:sum"], [groupby]],
            )
            self.assertEqual(
                sorted((group[groupby], group["escalation_count"]) for group in groups),
                sorted(zip(logs.mapped(groupby), (1, 1), strict=True)),
            )

    def test_uninstall_hook_removes_lead_rules_and_keeps_the_log(self):
        """Uninstalled, the bridge leaves no lead rule: its sales teams gone with their
        column, a rule limited to a team would time every lead (and again once the bridge is
        installed again). Its clocks go with it; the log stays, naming it."""
        Rule = self.env["escalation.rule"].with_context(active_test=False)
        other_models = Rule.search([("model_name", "!=", "crm.lead")])
        with self._at(T0):
            rule = self._rule(
                levels=[
                    {
                        "name": "To the quiet team",
                        "delay": 4,
                        "assign_to": "team",
                        "assign_crm_team_id": self.other_team.id,
                    }
                ]
            )
            lead = self._lead()
        archived = self._rule(name="Archived lead rule", active=False)
        self._run_at(self._h(5))
        log = self._logs(lead, kind="escalation")
        self.assertTrue(log and self._clock(lead, rule))
        uninstall_hook(self.env)
        self.assertFalse(rule.exists() or archived.exists())
        self.assertFalse(Rule.search([("model_name", "=", "crm.lead")]))
        self.assertFalse(self.Clock.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]))
        self.assertEqual(other_models.exists(), other_models, "the rules of other models stay")
        self.assertTrue(log.exists(), "the escalation log is an audit trail")
        self.assertEqual(log.rule_name, "Stale qualified")

    def test_archived_team_still_limits_a_rule(self):
        """A rule limited to a sales team archived later stays limited to it: in its cached
        values (the scope the engine applies) and in the pre-selection of its records."""
        team = self.env["crm.team"].create({"name": "Closed branch"})
        rule = self._rule(crm_team_ids=[(6, 0, team.ids)])
        team.action_archive()
        rule.invalidate_recordset()
        self.assertEqual(rule._escalation_rule_values()["crm_team_ids"], frozenset(team.ids))
        self.assertIn(("team_id", "in", team.ids), self.env["crm.lead"]._escalation_rule_search_domain(rule))

    def test_company_of_a_rule_is_not_deleted(self):
        """Deleting the company an escalation rule is limited to is refused naming it: the
        rule then escalated the leads of every company."""
        admin = new_test_user(
            self.env, login="escalation_admin_co", groups="base.group_system,base.group_user"
        )
        company = self.env["res.company"].create({"name": "Branch Co"})
        rule = self._rule(
            levels=[{"name": "L1", "delay": 4, "assign_to": "team_leader"}],
            name="Branch stale leads",
            company_id=company.id,
        )
        fault = self.rpc_fault(admin, "res.company", "unlink", [company.ids])
        self.assertIn("Branch Co cannot be deleted", fault)
        self.assertIn("Escalation Rule: Branch stale leads", fault)
        self.assertEqual(rule.company_id, company)

    def test_sole_step_of_a_rule_is_not_deleted(self):
        """Deleting the only step an escalation rule runs in (no lead was ever there) is
        refused naming the rule: its steps emptied, its clock ran in every step."""
        stage = self.env["crm.stage"].create({"name": "E-Pilot", "sequence": 1009})
        step = self.env["guide.step"].create({"process_id": self.process.id, "crm_stage_id": stage.id})
        rule = self._rule(name="Pilot stale", step_ids=[(6, 0, step.ids)])
        fault = self.rpc_fault(self.user_manager, "guide.step", "unlink", [step.ids])
        self.assertIn("Escalation Rule: Pilot stale", fault)
        self.assertEqual(rule.step_ids, step)

    def test_rule_an_uninstallation_emptied_is_not_restored_as_it_is(self):
        """A rule whose only step a module's uninstallation deleted is archived (its clocks
        stopped), and not restored as it is: it would time every lead of its process in every
        step. Restored with its steps set again, it is."""
        stage = self.env["crm.stage"].create({"name": "E-Pilot", "sequence": 1009})
        step = self.env["guide.step"].create({"process_id": self.process.id, "crm_stage_id": stage.id})
        rule = self._rule(name="Pilot stale", step_ids=[(6, 0, step.ids)])
        uninstalling = self.env(su=True, context={**self.env.context, MODULE_UNINSTALL_FLAG: True})
        step.with_env(uninstalling).unlink()
        self.assertEqual((rule.active, rule.scope_emptied), (False, True))
        with self.assertRaises(UserError) as caught:
            rule.with_user(self.user_manager).write({"active": True})
        self.assertIn("Escalation Rule “Pilot stale” cannot be restored as it is", str(caught.exception))
        rule.with_user(self.user_manager).write({"active": True, "step_ids": [(6, 0, self.step_qualif.ids)]})
        self.assertEqual((rule.active, rule.scope_emptied), (True, False))

    def test_date_field_of_a_rule_is_not_deleted(self):
        """Deleting the custom date field a rule starts its clocks from is refused naming the
        rule: the rule, its levels and its clocks went with the field, silently. A rule that
        starts otherwise forgets a field it kept from before, and stays."""
        admin = new_test_user(
            self.env, login="escalation_admin_fields", groups="base.group_system,base.group_user"
        )
        field = self.env["ir.model.fields"].create(
            {
                "name": "x_esc_follow_up",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "ttype": "datetime",
                "field_description": "Follow-up",
            }
        )
        rule = self._rule(name="Follow-up passed", trigger_type="date_field", date_field_id=field.id)
        other = self._rule(name="Stale with a former date", date_field_id=field.id)
        fault = self.rpc_fault(admin, "ir.model.fields", "unlink", [field.ids])
        self.assertIn("Field Follow-up cannot be deleted", fault)
        self.assertIn("Follow-up passed", fault)
        self.assertNotIn("Stale with a former date", fault)
        self.assertTrue(field.exists())
        self.assertEqual((rule.exists(), other.exists()), (rule, other))
        self.assertEqual((rule.date_field_id, other.date_field_id), (field, field))
        # the rule starts otherwise: the field goes, both rules stay
        rule.write({"trigger_type": "creation"})
        field.with_user(admin).unlink()
        self.assertEqual((rule.exists(), other.exists()), (rule, other))
        self.assertFalse(rule.date_field_id | other.date_field_id)
        self.assertEqual(rule.level_ids.mapped("name"), ["L1 team leader", "L2 manager"])
