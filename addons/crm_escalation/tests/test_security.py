from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestSecurity(EscalationCommon):
    def test_agents_read_but_cannot_edit_logs_or_rules(self):
        rule = self._rule()
        with self._at(T0):
            lead = self._lead()
        self._run_at(self._h(5))
        log = self._logs(lead)
        self.assertTrue(log)
        for user in (self.user_salesman, self.user_manager):
            # rows are readable where the lead is (the escalation may have handed it to someone else)
            if lead.with_user(user).has_access("read"):
                log.with_user(user).read(["actions"])
            else:
                with self.assertRaises(AccessError):
                    log.with_user(user).read(["actions"])
            with self.assertRaises(AccessError):
                log.with_user(user).write({"actions": "forged"})
            with self.assertRaises(AccessError):
                log.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.Log.with_user(user).create(
                    {
                        "res_model": "crm.lead",
                        "res_id": lead.id,
                        "kind": "manual",
                        "trigger": "manual",
                        "outcome": "done",
                    }
                )
            with self.assertRaises(AccessError):
                self._clock(lead, rule).with_user(user).write({"state": "done"})
        with self.assertRaises(AccessError):
            rule.with_user(self.user_salesman).write({"name": "Mine"})
        with self.assertRaises(AccessError):
            rule.with_user(self.user_salesman).action_resync()
        rule.with_user(self.user_manager).write({"name": "Renamed by the manager"})
        self.assertTrue(rule.with_user(self.user_manager).action_resync())
        # the agent sees the state on the record
        self.assertEqual(lead.with_user(self.user_leader).escalation_state, "escalated")

    def test_multi_company_rule(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        # levels name no user of the main company (a level's user works for its rule's company)
        rule = self._rule(
            company_id=other.id,
            crm_team_ids=False,
            process_id=False,
            levels=[{"name": "L1 team leader", "delay": 4, "assign_to": "team_leader"}],
        )
        self.assertFalse(
            self.env["escalation.rule"].with_user(self.user_manager).search([("id", "=", rule.id)])
        )
        with self._at(T0):
            lead = self._lead()
        self.assertFalse(self._clock(lead, rule), "records of another company are out of scope")

    def test_clock_form_for_the_agent(self):
        """A clock opens in a form of its own: what the agent needs, no technical field."""
        rule = self._rule()
        with self._at(T0):
            lead = self._lead()
        clock = self._clock(lead, rule).with_user(self.user_salesman)
        arch = clock.get_view(view_type="form")["arch"]
        self.assertIn('name="action_open_record"', arch)
        self.assertNotIn('name="res_model"', arch)
        self.assertNotIn('name="last_error"', arch, "failures are for the process administrators")
        data = clock.web_read({"record_name": {}, "rule_id": {"fields": {"display_name": {}}}, "state": {}})
        self.assertEqual(data[0]["record_name"], lead.display_name)
        self.assertEqual(clock.action_open_record()["res_id"], lead.id)
