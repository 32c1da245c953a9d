from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.version_common import VersionEngineMixin

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestLeadProcessVersion(VersionEngineMixin, GuideCommon):
    def version_fixture(self):
        lead = self._lead(stage_id=self.stage_nego.id)
        return self.user_manager, self.user_salesman, lead, self.stage_won, self.step_won

    def test_one_version_per_transaction(self):
        self.check_one_version_per_transaction()

    def test_new_process_has_v1(self):
        self.check_new_process_has_v1()

    def test_history_names_version(self):
        self.check_history_names_version()
