from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_intelligence.tests.pi_version_common import (
    VersionHandCaseMixin,
    VersionRpcAttackCases,
)

from .common import LeadHandCase


class LeadVersionCase(VersionHandCaseMixin, LeadHandCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_versions()

    @classmethod
    def version_record(cls, name):
        return cls.env["crm.lead"].create(
            {
                "name": f"PI lead {name}",
                "type": "opportunity",
                "team_id": cls.unguided_team.id,
                "user_id": cls.colleague.id,
            }
        )


@tagged("post_install", "-at_install")
class TestLeadProcessVersion(LeadVersionCase):
    def test_versions_and_history(self):
        self.check_versions_made()

    def test_map_by_version(self):
        self.check_map_by_version()

    def test_compare_versions(self):
        self.check_compare_versions()

    def test_compare_refuses_another_process_s_version(self):
        self.check_compare_refuses_another_process_s_version()

    def test_compare_versions_checks_and_escalations(self):
        self.check_compare_versions_checks_and_escalations()

    def test_versions_engine_owned(self):
        self.check_versions_engine_owned()


@tagged("post_install", "-at_install")
class TestLeadProcessVersionRpc(RpcCase, VersionRpcAttackCases, LeadVersionCase):
    pass
