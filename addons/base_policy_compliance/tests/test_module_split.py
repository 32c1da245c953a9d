from odoo.tests import TransactionCase, tagged

from odoo.addons.base_process_guide.tools.module_split import module_data_ids, take_over_xml_ids


@tagged("post_install", "-at_install")
class TestModuleSplit(TransactionCase):
    """A database installed before the policy engine split (18.0.2.0.0) holds the engine's
    records under the CRM bridge's name: the engine takes them over when the upgrade
    installs it, so that they are updated in place, not duplicated."""

    def _xmlid_modules(self, name):
        return set(
            self.env["ir.model.data"]
            .search(
                [("name", "=", name), ("module", "in", ("base_policy_compliance", "crm_policy_compliance"))]
            )
            .mapped("module")
        )

    def test_engine_takes_over_what_it_declares(self):
        declared = module_data_ids("base_policy_compliance")
        self.assertIn("compliance_reminder_cron", declared)
        # as before the split: the cron, its server action, a reason, a rule and a view of the bridge
        moved = [
            "compliance_reminder_cron",
            "compliance_reminder_cron_ir_actions_server",
            "deviation_reason_compliance_exception",
            "compliance_log_rule_company",
            "compliance_policy_version_view_form",
        ]
        self.assertEqual(
            [name for name in moved if self._xmlid_modules(name) == {"base_policy_compliance"}], moved
        )
        self.env["ir.model.data"].search(
            [("module", "=", "base_policy_compliance"), ("name", "in", moved)]
        ).write({"module": "crm_policy_compliance"})

        count = take_over_xml_ids(self.env, "crm_policy_compliance", "base_policy_compliance")

        self.assertEqual(count, len(moved))
        for name in moved:
            self.assertEqual(self._xmlid_modules(name), {"base_policy_compliance"}, name)
        self.assertTrue(self.env.ref("base_policy_compliance.compliance_reminder_cron"))

    def test_bridge_keeps_what_it_declares(self):
        bridge = self.env["ir.module.module"].search([("name", "=", "crm_policy_compliance")])
        if bridge.state != "installed":
            self.skipTest("the CRM bridge is not installed")
        # the CRM menus' actions and the sales ACL rows keep their ids in the bridge
        for name in ("compliance_policy_action", "access_compliance_policy_user", "group_compliance_officer"):
            self.assertIn(name, module_data_ids("crm_policy_compliance"))
        take_over_xml_ids(self.env, "crm_policy_compliance", "base_policy_compliance")
        for name in ("compliance_policy_action", "access_compliance_policy_user", "group_compliance_officer"):
            self.assertIn("crm_policy_compliance", self._xmlid_modules(name), name)
