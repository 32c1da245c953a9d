from odoo.tests import TransactionCase, tagged

from ..tools.module_split import module_data_ids, take_over_xml_ids


@tagged("post_install", "-at_install")
class TestModuleSplit(TransactionCase):
    """A database installed before the engine split (18.0.2.0.0) holds the engine's
    records under the CRM bridge's name: the engine takes them over when the
    upgrade installs it, so that they are updated in place, not duplicated."""

    def _xmlid_modules(self, name):
        return set(
            self.env["ir.model.data"]
            .search([("name", "=", name), ("module", "in", ("base_process_guide", "crm_process_guide"))])
            .mapped("module")
        )

    def test_engine_takes_over_what_it_declares(self):
        declared = module_data_ids("base_process_guide")
        self.assertIn("guide_apply_job_cron", declared)
        self.assertIn("group_guide_manager", declared)
        # as before the split: the cron, its server action and a reason owned by the bridge
        moved = [
            "guide_apply_job_cron",
            "guide_apply_job_cron_ir_actions_server",
            "guide_deviation_reason_customer",
        ]
        moved = [name for name in moved if self._xmlid_modules(name) == {"base_process_guide"}]
        self.assertEqual(len(moved), 3)
        self.env["ir.model.data"].search(
            [("module", "=", "base_process_guide"), ("name", "in", moved)]
        ).write({"module": "crm_process_guide"})

        count = take_over_xml_ids(self.env, "crm_process_guide", "base_process_guide")

        self.assertEqual(count, len(moved))
        for name in moved:
            self.assertEqual(self._xmlid_modules(name), {"base_process_guide"}, name)
        self.assertTrue(self.env.ref("base_process_guide.guide_apply_job_cron"))

    def test_bridge_keeps_what_it_declares(self):
        bridge = self.env["ir.module.module"].search([("name", "=", "crm_process_guide")])
        if bridge.state != "installed":
            self.skipTest("the CRM bridge is not installed")
        self.assertIn("menu_guide_process", module_data_ids("crm_process_guide"))
        take_over_xml_ids(self.env, "crm_process_guide", "base_process_guide")
        self.assertIn("crm_process_guide", self._xmlid_modules("menu_guide_process"))
