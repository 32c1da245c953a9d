from odoo.tests import tagged

from odoo.addons.base_policy_compliance.tests.bounds_common import PolicyBoundsCases
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestPolicyConfigBounds(RpcCase, PolicyBoundsCases, HelpdeskGuideCommon):
    """The bounds of the ticket policies' configuration, as the helpdesk manager."""

    @classmethod
    def _bounds_manager(cls):
        return cls.user_manager

    @classmethod
    def _bounds_policy_vals(cls):
        return {
            "name": "Bounds policy",
            "model_name": "helpdesk.ticket",
            "helpdesk_team_ids": [(6, 0, cls.team.ids)],
            "trigger": "stage",
            "step_ids": [(6, 0, cls.step_resolved.ids)],
            "requirement": "[('compliance_has_note', '=', True)]",
            "message": "Write how it was solved.",
            "enforcement": "approval",
            "tier_ids": [(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        }
