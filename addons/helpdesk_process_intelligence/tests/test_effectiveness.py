"""Step effectiveness, scorecards and period comparison on tickets, as real users."""

from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_intelligence.tests.effectiveness_common import (
    EffectivenessCases,
    ScorecardRpcCases,
)
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


class HelpdeskIntelligenceCommon(HelpdeskGuideCommon):
    # the bridge's actions and its word for success
    effectiveness_actions = (
        "helpdesk_process_intelligence.guide_effectiveness_summary_action_helpdesk",
        "helpdesk_process_intelligence.guide_effectiveness_report_action_helpdesk",
    )
    compare_action = "helpdesk_process_intelligence.guide_compare_wizard_action_helpdesk"
    success_label = "Resolved"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.user_own
        cls.manager = cls.user_manager
        cls.colleague = new_test_user(
            cls.env,
            login="pi_hd_colleague",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
            name="Cleo Colleague",
        )
        cls.leader = new_test_user(
            cls.env, login="pi_hd_leader", groups="helpdesk_mgmt.group_helpdesk_user_own", name="Lena Leader"
        )
        cls.team.write({"user_id": cls.leader.id, "user_ids": [(4, cls.colleague.id), (4, cls.leader.id)]})
        cls.item = cls.step_triage.item_ids.filtered(lambda item: item.name == "Impact assessed")

    @classmethod
    def _records(cls, count):
        tickets = cls.env["helpdesk.ticket"]
        for index in range(count):
            tickets |= cls._ticket(name=f"Effectiveness {index}")
        return tickets

    def _close(self, ticket, success, hours):
        # resolved, or cancelled (a closing stage that drops the ticket)
        stage = (
            self.stage_resolved if success else self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
        )
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE helpdesk_ticket
                  SET create_date = '2026-01-01 00:00:00',
                      closed_date = timestamp '2026-01-01 00:00:00' + %s * interval '1 hour',
                      stage_id = %s
                WHERE id = %s""",
            (hours, stage.id, ticket.id),
        )


@tagged("post_install", "-at_install")
class TestHelpdeskEffectiveness(EffectivenessCases, HelpdeskIntelligenceCommon):
    def test_effectiveness_only_for_the_helpdesk(self):
        """An employee who works no ticket (a process user of another app) reads none of
        the tickets' step effectiveness, though helpdesk_mgmt lets every employee read
        the ticket model; the helpdesk agent does."""
        self._scenario()
        outsider = new_test_user(
            self.env, login="pi_eff_outsider", groups="base.group_user,base_process_guide.group_guide_user"
        )
        domain = [("item_id", "=", self.item.id)]
        self.assertFalse(self._summary(outsider, domain))
        self.assertTrue(self._summary(self.agent, domain))


@tagged("post_install", "-at_install")
class TestHelpdeskScorecardRpc(ScorecardRpcCases, RpcCase, HelpdeskIntelligenceCommon):
    pass
