"""Step effectiveness, scorecards and period comparison on leads, as real users."""

from lxml import etree

from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase
from odoo.addons.base_process_intelligence.tests.effectiveness_common import (
    EffectivenessCases,
    ScorecardRpcCases,
)
from odoo.addons.crm_process_guide.tests.common import GuideCommon


class CrmIntelligenceCommon(GuideCommon):
    # the bridge's actions and its word for success
    effectiveness_actions = (
        "crm_process_intelligence.guide_effectiveness_summary_action_crm",
        "crm_process_intelligence.guide_effectiveness_report_action_crm",
    )
    compare_action = "crm_process_intelligence.guide_compare_wizard_action_crm"
    success_label = "Won"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.user_salesman
        cls.manager = cls.user_manager
        cls.colleague = new_test_user(
            cls.env, login="pi_colleague", groups="sales_team.group_sale_salesman", name="Cora Colleague"
        )
        cls.leader = new_test_user(
            cls.env, login="pi_leader", groups="sales_team.group_sale_salesman", name="Leo Leader"
        )
        cls.team.user_id = cls.leader
        cls.item = cls.step_qualif.item_ids.filtered(lambda item: item.name == "Budget confirmed")

    @classmethod
    def _records(cls, count):
        leads = cls.env["crm.lead"]
        for index in range(count):
            leads |= cls._lead(name=f"Effectiveness {index}")
        return leads

    def _close(self, lead, success, hours):
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE crm_lead
                  SET create_date = '2026-01-01 00:00:00',
                      date_closed = timestamp '2026-01-01 00:00:00' + %s * interval '1 hour',
                      stage_id = CASE WHEN %s THEN %s ELSE stage_id END,
                      probability = CASE WHEN %s THEN 100 ELSE 0 END,
                      active = %s
                WHERE id = %s""",
            (hours, success, self.stage_won.id, success, success, lead.id),
        )


@tagged("post_install", "-at_install")
class TestCrmEffectiveness(EffectivenessCases, CrmIntelligenceCommon):
    pass


@tagged("post_install", "-at_install")
class TestCrmScorecardRpc(ScorecardRpcCases, RpcCase, CrmIntelligenceCommon):
    pass


@tagged("post_install", "-at_install")
class TestCrmIntelligenceViews(CrmIntelligenceCommon):
    def test_view_rebuilt_when_dropped(self):
        """Uninstalling a business app drops its table with CASCADE, the report views with
        it: the next registry load builds them again."""
        for model_name in (
            "guide.effectiveness.report",
            "guide.effectiveness.summary",
            "guide.scorecard.report",
        ):
            Report = self.env[model_name]
            self.env.cr.execute(f"DROP VIEW {Report._table}")  # pylint: disable=sql-injection
            Report._register_hook()
            self.assertTrue(Report.with_user(self.agent).search_count([]) >= 0)
        records = self._records(1)
        self.assertTrue(
            self.env["guide.effectiveness.report"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", records.id)]
            )
        )

    def test_hours_shown_as_hours_and_minutes(self):
        """Scorecards (and the step visits behind the map) show hours as Process Analysis
        does, h:mm (``float_time``), not decimal hours."""
        for model_name, fnames in (
            ("guide.scorecard.report", ("duration_hours", "expected_hours", "ack_hours")),
            ("guide.step.visit", ("duration_hours",)),
            ("guide.history", ("duration_hours",)),
        ):
            arch = self.env[model_name].get_views([(False, "pivot")])["views"]["pivot"]["arch"]
            for fname in fnames:
                [node] = etree.fromstring(arch).xpath(f"//field[@name='{fname}'][@type='measure']")
                self.assertEqual(node.get("widget"), "float_time", f"{model_name}.{fname}")
