from odoo.tests import HttpCase, new_test_user, tagged

from .common import LeadHandCase
from .test_effectiveness import CrmIntelligenceCommon


@tagged("post_install", "-at_install")
class TestProcessMapUi(HttpCase, LeadHandCase):
    def test_process_map_tour(self):
        # the hand case's process first in the list of the salesperson's processes
        self.process.sequence = 1
        self.start_tour(
            "/odoo/action-crm_process_intelligence.guide_process_map_action_crm",
            "base_process_intelligence_process_map_tour",
            login=self.agent.login,
        )

    def test_empty_list_behind_a_node_says_why(self):
        """A salesperson who may read none of a node's leads clicks it: the list says why
        it is empty (the action's help, read as HTML), with no made-up sample leads."""
        self.process.sequence = 1
        newcomer = new_test_user(
            self.env, login="pi_newcomer", groups="sales_team.group_sale_salesman", name="Nora Newcomer"
        )
        self.start_tour(
            "/odoo/action-crm_process_intelligence.guide_process_map_action_crm",
            "base_process_intelligence_process_map_empty_list_tour",
            login=newcomer.login,
        )


@tagged("post_install", "-at_install")
class TestEffectivenessListUi(HttpCase, CrmIntelligenceCommon):
    browser_size = "1440x900"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("ru_RU", "zh_CN"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["base_process_intelligence", "crm_process_intelligence"], ["ru_RU", "zh_CN"], overwrite=True
        )
        cls._records(2)

    def test_effectiveness_headers_whole_in_russian_and_chinese(self):
        """At 1440 px, the step-effectiveness list's headers are read whole in the
        longer languages (short labels, widths, optional columns)."""
        for lang in ("ru_RU", "zh_CN"):
            with self.subTest(lang=lang):
                self.manager.lang = lang
                self.start_tour(
                    "/odoo/action-crm_process_intelligence.guide_effectiveness_summary_action_crm",
                    "base_process_intelligence_effectiveness_headers_tour",
                    login=self.manager.login,
                )

    def test_compare_headers_whole_in_russian_and_chinese(self):
        """At 1440 px, Before and After's figures are read with their column headers and
        sections whole in the longer languages."""
        for lang in ("ru_RU", "zh_CN"):
            with self.subTest(lang=lang):
                self.manager.lang = lang
                self.start_tour(
                    f"/odoo/action-{self.compare_action}",
                    "base_process_intelligence_compare_headers_tour",
                    login=self.manager.login,
                )


@tagged("post_install", "-at_install")
class TestProcessMapUiTranslated(HttpCase, LeadHandCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("ru_RU", "zh_CN"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["base_process_intelligence", "crm_process_intelligence"], ["ru_RU", "zh_CN"], overwrite=True
        )
        cls.process.sequence = 1
        step = cls.steps["b"]
        step.with_context(lang="ru_RU").name = "Квалификация с подтверждённым бюджетом и сроками внедрения"
        step.with_context(lang="zh_CN").name = "资格审核：预算、决策人和实施时间均已确认并记录在案"

    def test_process_map_in_russian_and_chinese(self):
        """Long step names stay inside their node, the 90th percentile is named in the
        language, durations use the language's decimal separator."""
        for lang in ("ru_RU", "zh_CN"):
            with self.subTest(lang=lang):
                self.agent.lang = lang
                self.start_tour(
                    "/odoo/action-crm_process_intelligence.guide_process_map_action_crm",
                    "base_process_intelligence_process_map_localized_tour",
                    login=self.agent.login,
                )
