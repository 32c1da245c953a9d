from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestViews(TransactionCase):
    def test_forecast_kanban_keeps_its_revenue_and_shows_the_pill(self):
        """crm's forecast kanban replaces the card's first div: the approval pill
        must not be that div, or the card reads a revenue field it no longer loads."""
        view = self.env.ref("crm.crm_lead_view_kanban_forecast")
        arch = self.env["crm.lead"].get_view(view.id, "kanban")["arch"]
        self.assertIn("Awaiting approval", arch)
        self.assertIn("prorated_revenue", arch)
        self.assertNotIn("record.expected_revenue.raw_value", arch)
