from odoo.tests import tagged

from odoo.addons.base_policy_compliance.tests.bounds_common import PolicyBoundsCases
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestPolicyConfigBounds(RpcCase, PolicyBoundsCases, ComplianceCommon):
    """The bounds of the lead policies' configuration, as the Sales administrator."""

    @classmethod
    def _bounds_manager(cls):
        return cls.user_manager

    @classmethod
    def _bounds_policy_vals(cls):
        return {
            "name": "Bounds policy",
            "model_name": "crm.lead",
            "process_id": cls.process.id,
            "trigger": "stage",
            "step_ids": [(6, 0, cls.step_won.ids)],
            "requirement": "[('partner_id.vat', '!=', False)]",
            "message": "Set the VAT number.",
            "enforcement": "approval",
            "tier_ids": [(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        }
