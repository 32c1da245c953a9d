from odoo.tests import tagged

from odoo.addons.base_escalation.tests.milestone_common import MilestoneEscalationCases

from .common import EscalationCommon


@tagged("post_install", "-at_install")
class TestEscalationMilestoneLead(MilestoneEscalationCases, EscalationCommon):
    @classmethod
    def _milestone_record(cls):
        return cls._lead()

    @classmethod
    def _milestone_agent(cls):
        return cls.user_salesman
