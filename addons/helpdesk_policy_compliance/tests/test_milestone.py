from odoo.tests import tagged

from odoo.addons.base_policy_compliance.tests.milestone_common import MilestonePolicyCases
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestPolicyMilestoneTicket(MilestonePolicyCases, HelpdeskGuideCommon):
    """No resolution before the milestone."""

    @classmethod
    def _milestone_policy_vals(cls):
        return {
            "model_name": "helpdesk.ticket",
            "process_id": cls.process.id,
            "trigger": "stage",
            "step_ids": [(6, 0, cls.step_resolved.ids)],
        }

    @classmethod
    def _milestone_record(cls):
        return cls._ticket(stage_id=cls.stage_waiting.id)

    @classmethod
    def _milestone_agent(cls):
        return cls.user_agent

    def _close(self, record):
        record.stage_id = self.stage_resolved
