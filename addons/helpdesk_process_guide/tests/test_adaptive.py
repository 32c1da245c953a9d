from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.adaptive_common import AdaptiveCases
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestAdaptiveTicket(RpcCase, AdaptiveCases, HelpdeskGuideCommon):
    """Optional tasks and milestones on tickets, as a helpdesk user (own tickets)."""

    auto_condition = "[('priority', '=', '3')]"
    auto_vals = {"priority": "3"}
    restricted_group_xmlid = "helpdesk_mgmt.group_helpdesk_manager"

    @classmethod
    def _adaptive_agent(cls):
        return cls.user_own

    @classmethod
    def _adaptive_record(cls, **vals):
        return cls._ticket(**vals)

    @classmethod
    def _adaptive_outsider_record(cls):
        return cls._ticket(name="Someone else's ticket", user_id=cls.user_agent.id, team_id=cls.other_team.id)

    @classmethod
    def _adaptive_outsider_record_in_step(cls):
        return cls._ticket(name="Someone else's ticket", user_id=cls.user_agent.id)

    @classmethod
    def _adaptive_first_step(cls):
        return cls.step_triage

    @classmethod
    def _adaptive_next_stage(cls):
        return cls.stage_progress
