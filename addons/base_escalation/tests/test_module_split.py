from odoo.tests import TransactionCase, tagged

from odoo.addons.base_process_guide.tools.module_split import module_data_ids

from ..hooks import pre_init_hook


@tagged("post_install", "-at_install")
class TestModuleSplit(TransactionCase):
    """A database installed before the engine split (18.0.2.0.0) holds the escalation
    engine's records under ``crm_escalation``: the engine takes them over when the
    upgrade installs it, so that they are updated in place, not duplicated."""

    def _xmlid_modules(self, name):
        return set(
            self.env["ir.model.data"]
            .search([("name", "=", name), ("module", "in", ("base_escalation", "crm_escalation"))])
            .mapped("module")
        )

    def test_engine_takes_over_its_cron_and_rules(self):
        moved = [
            "escalation_cron",
            "escalation_cron_ir_actions_server",
            "escalation_clock_rule_company",
            "escalation_rule_rule_guide_manager",
        ]
        self.assertTrue(
            set(moved) - {"escalation_cron_ir_actions_server"} <= module_data_ids("base_escalation")
        )
        for name in moved:
            self.assertEqual(self._xmlid_modules(name), {"base_escalation"}, name)
        cron = self.env.ref("base_escalation.escalation_cron")
        # as before the split: the bridge owned them
        self.env["ir.model.data"].search([("module", "=", "base_escalation"), ("name", "in", moved)]).write(
            {"module": "crm_escalation"}
        )
        self.env.flush_all()
        self.assertEqual(self.env.ref("crm_escalation.escalation_cron"), cron)

        pre_init_hook(self.env)

        for name in moved:
            self.assertEqual(self._xmlid_modules(name), {"base_escalation"}, name)
        self.assertEqual(self.env.ref("base_escalation.escalation_cron"), cron, "the same cron, not a copy")

    def test_bridge_keeps_what_it_declares(self):
        if "crm_escalation" not in self.env["ir.module.module"]._installed():
            self.skipTest("the CRM bridge is not installed")
        self.assertIn("escalation_rule_action", module_data_ids("crm_escalation"))
        pre_init_hook(self.env)
        self.assertEqual(self._xmlid_modules("escalation_rule_action"), {"base_escalation", "crm_escalation"})
        self.assertEqual(self._xmlid_modules("escalation_rule_rule_sale_manager"), {"crm_escalation"})
