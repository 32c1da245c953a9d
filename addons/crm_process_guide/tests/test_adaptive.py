from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.adaptive_common import AdaptiveCases
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestAdaptiveLead(RpcCase, AdaptiveCases, GuideCommon):
    """Optional tasks and milestones on leads, as a salesperson (own documents)."""

    auto_condition = "[('expected_revenue', '>', 100000)]"
    auto_vals = {"expected_revenue": 150000}
    restricted_group_xmlid = "sales_team.group_sale_manager"

    @classmethod
    def _adaptive_agent(cls):
        return cls.user_salesman

    @classmethod
    def _adaptive_record(cls, **vals):
        return cls._lead(**vals)

    @classmethod
    def _adaptive_outsider_record(cls):
        return cls._lead(name="Someone else's lead", user_id=cls.user_manager.id)

    @classmethod
    def _adaptive_first_step(cls):
        return cls.step_qualif

    @classmethod
    def _adaptive_next_stage(cls):
        return cls.stage_proposal
