from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ComplianceCommon


class TestAudit(ComplianceCommon):
    """The audit trail: immutable, versioned, readable by the right people."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._policy(enforcement="warn")

    def test_log_cannot_be_edited_or_deleted(self):
        lead = self._lead()
        lead.action_set_won()
        log = self._logs(lead)
        for user in (self.user_salesman, self.user_manager, self.user_officer):
            with self.assertRaises(AccessError):
                log.with_user(user).write({"outcome": "passed"})
            with self.assertRaises(AccessError):
                log.with_user(user).unlink()
        with self.assertRefused(UserError, "cannot be modified"):
            log.sudo().write({"outcome": "passed"})
        with self.assertRefused(UserError, "superuser may purge"):
            log.sudo().unlink()
        with self.assertRaises(AccessError):
            self.Log.with_user(self.user_manager)._compliance_purge(fields.Datetime.now())
        purged = self.Log.sudo()._compliance_purge(fields.Datetime.add(fields.Datetime.now(), days=1))
        self.assertGreaterEqual(purged, 1)
        self.assertFalse(log.exists())

    def test_snapshot_keeps_the_wording_of_the_time(self):
        lead = self._lead()
        lead.action_set_won()
        self.assertEqual(self.policy.version, 1)
        self.policy.write({"message": "Set the VAT number, now with a new wording."})
        self.assertEqual(self.policy.version, 2)
        lead2 = self._lead(name="Second")
        lead2.action_set_won()
        old, new = self._logs(lead), self._logs(lead2)
        self.assertEqual((old.policy_version, new.policy_version), (1, 2))
        self.assertIn('"message": "Set the VAT number."', old.policy_snapshot)
        self.assertIn("new wording", new.policy_snapshot)
        self.policy.sequence = 99  # not part of the rule: same version
        self.assertEqual(self.policy.version, 2)

    def test_record_rules(self):
        mine = self._lead(name="Mine")
        theirs = self._lead(name="Theirs", user_id=self.user_salesman2.id)
        mine.with_user(self.user_salesman).action_set_won()
        theirs.with_user(self.user_salesman2).action_set_won()
        visible = self.Log.with_user(self.user_salesman).search([("policy_id", "=", self.policy.id)])
        self.assertEqual(visible.mapped("record_name"), ["Mine"])
        for user in (self.user_officer, self.user_leader, self.user_manager):
            logs = self.Log.with_user(user).search([("policy_id", "=", self.policy.id)])
            self.assertEqual(set(logs.mapped("record_name")), {"Mine", "Theirs"})
        # officers read deviations across teams but do not configure policies
        self.Deviation.with_user(self.user_officer).search([])
        with self.assertRaises(AccessError):
            self.policy.with_user(self.user_officer).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            self.policy.with_user(self.user_salesman).write({"name": "Changed"})

    def test_reports_measures(self):
        lead = self._lead()
        lead.action_set_won()
        ok = self._lead(name="Ok", partner_id=self.partner_vat.id)
        ok.action_set_won()
        data = self.Log._read_group(
            [("policy_id", "=", self.policy.id)], [], ["count:sum", "violation:sum", "compliance_rate:avg"]
        )
        self.assertEqual(data, [(2, 1, 50.0)])
        self.assertEqual((self.policy.log_count, self.policy.violation_count), (2, 1))


@tagged("post_install", "-at_install")
class TestRefusalLog(ComplianceCommon):
    """A refused change rolls back; its audit row is written in a transaction of its own."""

    def test_blocked_attempt_is_logged(self):
        registry = self.env.registry
        # committed data, seen from the separate transaction the refusal is logged in
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            won = env["crm.stage"].search([("is_won", "=", True)], limit=1)
            policy = env["compliance.policy"].create(
                {
                    "name": "Committed VAT policy",
                    "model_name": "crm.lead",
                    "trigger": "won",
                    "domain": "[('name', '=', 'Committed refusal lead')]",
                    "requirement": "[('partner_id.vat', '!=', False)]",
                    "message": "VAT first.",
                    "enforcement": "block",
                }
            )
            lead = env["crm.lead"].create(
                {"name": "Committed refusal lead", "type": "opportunity", "team_id": False}
            )
            ids = (policy.id, lead.id, won.id)
            cr.commit()  # pylint: disable=invalid-commit
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                with self.assertRefused(UserError, "VAT first."):
                    env["crm.lead"].browse(ids[1]).write({"stage_id": ids[2]})
                cr.rollback()
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                logs = env["compliance.log"].search([("policy_id", "=", ids[0])])
                self.assertEqual(logs.mapped("outcome"), ["blocked"])
                self.assertEqual(logs.res_id, ids[1])
                self.assertEqual(logs.policy_version_id, env["compliance.policy"].browse(ids[0]).version_id)
                self.assertIn("VAT first.", logs.policy_snapshot)
                self.assertFalse(env["crm.lead"].browse(ids[1]).stage_id.is_won)
            # the wording changed in the refused transaction: its version does not exist for the
            # audit's own transaction, which freezes it again, so the row shows what refused
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["compliance.policy"].browse(ids[0]).message = "VAT first, reworded."
                with self.assertRefused(UserError, "VAT first, reworded."):
                    env["crm.lead"].browse(ids[1]).write({"stage_id": ids[2]})
                cr.rollback()
            registry.clear_cache()  # as the server does when a request fails
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                policy = env["compliance.policy"].browse(ids[0])
                logs = env["compliance.log"].search([("policy_id", "=", ids[0])], order="id")
                self.assertEqual(logs.mapped("outcome"), ["blocked", "blocked"])
                self.assertEqual(logs.mapped("policy_version"), [1, 2])
                self.assertEqual(logs[1].policy_message, "VAT first, reworded.")
                self.assertEqual(logs[1].policy_version_id.policy_id, policy)
                self.assertEqual((policy.version, policy.message), (1, "VAT first."))
        finally:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["compliance.log"].search([("policy_id", "=", ids[0])]).with_context(
                    compliance_purge=True
                ).unlink()
                env["compliance.policy.version"].search([("policy_id", "=", ids[0])]).with_context(
                    compliance_purge=True
                ).unlink()
                env["crm.lead"].browse(ids[1]).unlink()
                env["compliance.policy"].browse(ids[0]).unlink()
                cr.commit()  # pylint: disable=invalid-commit
            registry.clear_cache()


class TestMultiCompany(ComplianceCommon):
    """A policy of one company neither applies to nor shows in another."""

    def test_company_scope_and_rules(self):
        other_company = self.env["res.company"].create({"name": "Other Compliance Co"})
        policy = self._policy(name="Other company VAT", company_id=other_company.id, process_id=False)
        lead = self._lead()
        lead.action_set_won()  # main company lead: the other company's policy does not apply
        self.assertTrue(lead.stage_id.is_won)
        self.assertFalse(self._logs(lead))
        self.assertFalse(
            self.env["compliance.policy"].with_user(self.user_manager).search([("id", "=", policy.id)])
        )
        self.user_manager.write({"company_ids": [(4, other_company.id)]})
        visible = (
            self.env["compliance.policy"]
            .with_user(self.user_manager)
            .with_context(allowed_company_ids=[self.env.company.id, other_company.id])
            .search([("id", "=", policy.id)])
        )
        self.assertEqual(visible, policy)
