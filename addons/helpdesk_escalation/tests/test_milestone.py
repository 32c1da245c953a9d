from odoo.tests import tagged

from odoo.addons.base_escalation.tests.milestone_common import MilestoneEscalationCases

from .common import HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestEscalationMilestoneTicket(MilestoneEscalationCases, HelpdeskEscalationCommon):
    """The support process's first-response SLA, met when the first reply is sent."""

    @classmethod
    def _milestone_record(cls):
        return cls._ticket()

    @classmethod
    def _milestone_agent(cls):
        return cls.user_agent
