from odoo.tests import tagged

from .common import TicketHandCase


@tagged("post_install", "-at_install")
class TestTicketIntelligenceTranslated(TicketHandCase):
    """An agent working in Russian or Chinese reads the process map, the
    scorecards and the step effectiveness in their language: the catalogues of
    base_process_intelligence and helpdesk_process_intelligence as shipped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("ru_RU", "zh_CN"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["base_process_intelligence", "helpdesk_process_intelligence"], ["ru_RU", "zh_CN"], overwrite=True
        )
        cls.agent.lang = "ru_RU"

    def _as_agent(self, lang):
        return self.env(user=self.agent, context=dict(self.env.context, lang=lang))

    def test_process_map_in_the_user_language(self):
        for lang, title, resolved, cancelled in (
            ("ru_RU", "Карта процесса", "Решено", "Отменено"),
            ("zh_CN", "流程图", "已解决", "已取消"),
        ):
            env = self._as_agent(lang)
            data = env["guide.process"].get_process_map(self.process.id, {})
            self.assertEqual(
                (data["outcome_labels"]["success"], data["outcome_labels"]["dropped"]), (resolved, cancelled)
            )
            self.assertEqual(
                env["ir.actions.actions"]._for_xml_id(
                    "helpdesk_process_intelligence.guide_process_map_action_helpdesk"
                )["name"],
                title,
            )
            # the OWL client action's texts, as /web/webclient/translations serves them
            translations, _params = env["ir.http"].get_translations_for_webclient(
                ["base_process_intelligence"], lang
            )
            messages = {m["id"]: m["string"] for m in translations["base_process_intelligence"]["messages"]}
            self.assertEqual(messages["Process Map"], title)
            self.assertTrue(
                {"Conformance", "Variants", "as designed", "Visits: %(n)s", "Where they left it"}
                <= set(messages)
            )

    def test_scorecard_and_effectiveness_in_russian(self):
        env = self._as_agent("ru_RU")
        fields = env["guide.scorecard.report"].fields_get(
            ["user_id", "helpdesk_team_id", "move_count"], ["string"]
        )
        self.assertEqual(
            [fields[name]["string"] for name in ("user_id", "helpdesk_team_id", "move_count")],
            ["Сотрудник", "Команда службы поддержки", "Смены этапа"],
        )
        arch = env["guide.scorecard.report"].get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn("Мои показатели", arch)
        self.assertNotIn("My Figures", arch)
        self.assertEqual(
            env["ir.actions.actions"]._for_xml_id(
                "helpdesk_process_intelligence.guide_scorecard_report_action_helpdesk"
            )["name"],
            "Карты показателей",
        )
        self.assertEqual(
            env["ir.actions.actions"]._for_xml_id(
                "helpdesk_process_intelligence.guide_effectiveness_report_action_helpdesk"
            )["name"],
            "Эффективность шагов по заявкам",
        )
