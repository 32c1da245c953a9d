from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_intelligence.tests.pi_adaptive_common import (
    AdaptiveMapCases,
    AdaptiveMapRpcCases,
)

from .common import LeadHandCase


class LeadAdaptiveRecords:
    @classmethod
    def create_adaptive_record(cls, key, name):
        return cls.env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "team_id": cls.unguided_team.id,
                "user_id": cls.colleague.id,
            }
        )

    def live_user(self):
        # the salesperson of the guided team
        return self.agent

    def create_live_record(self, vals):
        return self.env["crm.lead"].with_user(self.live_user()).create(dict(vals, type="opportunity"))


@tagged("post_install", "-at_install")
class TestLeadProcessMapAdaptive(LeadAdaptiveRecords, AdaptiveMapCases, LeadHandCase):
    pass


@tagged("post_install", "-at_install")
class TestLeadProcessMapAdaptiveRpc(RpcCase, LeadAdaptiveRecords, AdaptiveMapRpcCases, LeadHandCase):
    pass
