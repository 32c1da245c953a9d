from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.version_common import VersionEngineMixin

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTicketProcessVersion(VersionEngineMixin, HelpdeskGuideCommon):
    def version_fixture(self):
        ticket = self._ticket(stage_id=self.stage_waiting.id)
        return self.user_manager, self.user_own, ticket, self.stage_resolved, self.step_resolved

    def test_one_version_per_transaction(self):
        self.check_one_version_per_transaction()

    def test_new_process_has_v1(self):
        self.check_new_process_has_v1()

    def test_history_names_version(self):
        self.check_history_names_version()

    def test_scope_change_is_a_version(self):
        """The bridge's scope (the helpdesk teams) is part of the design."""
        self.env.cr.flush()
        self.process.with_user(self.user_manager).write({"helpdesk_team_ids": [(4, self.other_team.id)]})
        self.env.cr.flush()
        v2 = self.process.version_ids[0]
        self.assertEqual(v2.version, 2)
        self.assertIn("Unguided Support", v2.changes)
        self.assertIn("+ Scope, Helpdesk Teams:", v2.changes)
        # other bridges' scope keys (unset on a ticket process) are no part of it
        self.assertNotIn("Sales Teams", v2.summary)
        self.assertNotIn("Opportunities", v2.summary)
