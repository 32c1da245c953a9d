from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_intelligence.tests.pi_adaptive_common import (
    AdaptiveMapCases,
    AdaptiveMapRpcCases,
)

from .common import TicketHandCase


class TicketAdaptiveRecords:
    @classmethod
    def create_adaptive_record(cls, key, name):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": "<p>PI</p>",
                "team_id": cls.unguided_team.id,
                "user_id": cls.colleague.id,
            }
        )

    def live_user(self):
        # an agent of the guided team (the own-tickets agent works only their own)
        return self.colleague

    def create_live_record(self, vals):
        return (
            self.env["helpdesk.ticket"]
            .with_user(self.live_user())
            .create(dict(vals, description="<p>live</p>"))
        )


@tagged("post_install", "-at_install")
class TestTicketProcessMapAdaptive(TicketAdaptiveRecords, AdaptiveMapCases, TicketHandCase):
    pass


@tagged("post_install", "-at_install")
class TestTicketProcessMapAdaptiveRpc(RpcCase, TicketAdaptiveRecords, AdaptiveMapRpcCases, TicketHandCase):
    pass
