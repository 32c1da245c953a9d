from odoo.tests import HttpCase, tagged

from .common import LeadHandCase


@tagged("post_install", "-at_install")
class TestProcessMapUi(HttpCase, LeadHandCase):
    def test_process_map_tour(self):
        # the hand case's process first in the list of the salesperson's processes
        self.process.sequence = 1
        self.start_tour(
            "/odoo/action-crm_process_intelligence.guide_process_map_action_crm",
            "base_process_intelligence_process_map_tour",
            login=self.agent.login,
        )
