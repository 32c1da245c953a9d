from odoo.tests import tagged

from odoo.addons.base_policy_compliance.tests.milestone_common import MilestonePolicyCases

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestPolicyMilestoneLead(MilestonePolicyCases, ComplianceCommon):
    """No win before *Contract signed*."""

    @classmethod
    def _milestone_policy_vals(cls):
        return {"model_name": "crm.lead", "process_id": cls.process.id, "trigger": "won"}

    @classmethod
    def _milestone_record(cls):
        return cls._lead()

    @classmethod
    def _milestone_agent(cls):
        return cls.user_salesman

    def _close(self, record):
        record.action_set_won()
