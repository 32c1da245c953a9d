from datetime import timedelta

from lxml import etree

from odoo.tests import tagged
from odoo.tools import format_date

from .common import EscalationCommon


@tagged("post_install", "-at_install")
class TestEscalationLanguage(EscalationCommon):
    """The scheduler has no language (English): what a level writes reads in the language
    of whom it is for, the note and the log in the record owner's, the to-do in its
    assignee's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.user_salesman.lang = "ru_RU"
        cls.user_leader.lang = "zh_CN"

    def test_scheduled_escalation_in_the_languages_of_its_readers(self):
        rule = self._rule(
            levels=[
                {
                    "name": "Slow",
                    "delay": 2,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "activity_user": "team_leader",
                    "activity_summary": "Call the customer",
                }
            ]
        )
        level = rule.level_ids
        level.update_field_translations("name", {"ru_RU": "Медленно", "zh_CN": "缓慢"})
        level.update_field_translations(
            "activity_summary", {"ru_RU": "Позвоните клиенту", "zh_CN": "致电客户"}
        )
        lead = self._lead()
        start = lead.create_date.replace(microsecond=0)
        self.assertEqual(self._run_at(start + timedelta(hours=3)), 1)
        self.assertEqual(lead.activity_ids.summary, "致电客户", "the leader's to-do, in their language")
        note = lead.message_ids.filtered(lambda message: "Медленно" in (message.body or ""))
        self.assertEqual(len(note), 1, "the note in the owner's language")
        self.assertIn("<b>Эскалация</b>: ", note.body)
        self.assertIn("Активность для", note.body)
        self.assertNotIn("Activity for", note.body)
        log = self._logs(lead, outcome="done")
        self.assertIn("Активность для", log.with_context(lang="ru_RU").actions)
        # the log reads in each reader's language, its date (the to-do's, a day in the scheduler's
        # time zone: not the UTC day late in the evening) as their language writes it
        deadline = lead.activity_ids.date_deadline
        for lang, words in (("en_US", "Activity for"), ("zh_CN", "安排的活动")):
            actions = log.with_context(lang=lang).actions
            self.assertIn(words, actions, lang)
            self.assertNotIn("Активность для", actions, lang)
            self.assertIn(format_date(self.env(context={"lang": lang}), deadline), actions, lang)

    def test_note_title_in_chinese_punctuation(self):
        self.user_salesman.lang = "zh_CN"
        rule = self._rule(levels=[{"name": "Slow", "delay": 2}])
        lead = self._lead()
        start = lead.create_date.replace(microsecond=0)
        self._run_at(start + timedelta(hours=3))
        note = lead.message_ids.filtered(lambda message: rule.name in (message.body or ""))
        self.assertIn("<b>升级</b>：", note.body)

    def test_refusals_quote_the_names_as_the_language_does(self):
        """A refusal of a rule's levels quotes the rule and the level («…» in Russian): names
        such as "L2 - Sales director" read apart from the sentence around them."""
        from odoo.exceptions import ValidationError

        self.env["ir.module.module"]._load_module_terms(["base_process_guide", "base_escalation"], ["ru_RU"])
        rule = self._rule(levels=[{"name": "L1 - Team leader", "delay": 2}])
        with self.assertRaises(ValidationError) as caught, self.env.cr.savepoint():
            rule.with_context(lang="ru_RU").write(
                {"level_ids": [(0, 0, {"name": "L2 - Director", "delay": 1})]}
            )
        self.assertIn("«Stale qualified»", str(caught.exception))
        self.assertIn("«L2 - Director»", str(caught.exception))

    def test_working_hours_sources_are_named_in_full(self):
        """*Working Hours From* offers whole names ("the company's working hours"), not an
        elliptic "The company's" that reads "公司的" (the company's …what?) in Chinese."""
        self.env["ir.module.module"]._load_module_terms(
            ["base_escalation"], ["ru_RU", "zh_CN"], overwrite=True
        )
        labels = {}
        for lang in ("en_US", "ru_RU", "zh_CN"):
            field = self.env["escalation.rule"].with_context(lang=lang).fields_get(["calendar_source"])
            labels[lang] = dict(field["calendar_source"]["selection"])["company"]
        self.assertEqual(
            labels,
            {
                "en_US": "The company's working hours",
                "ru_RU": "График работы компании",
                "zh_CN": "公司的工作时间",
            },
        )

    def test_acknowledge_button_says_what_is_acknowledged(self):
        """The lead's *Acknowledge* button reads as taking the escalation («Принять эскалацию»,
        «确认升级»), not a bare «Подтвердить» (confirm what?)."""
        self.env["ir.module.module"]._load_module_terms(
            ["crm_escalation"], ["ru_RU", "zh_CN"], overwrite=True
        )
        for lang, label in (("ru_RU", "Принять эскалацию"), ("zh_CN", "确认升级")):
            views = self.env["crm.lead"].with_context(lang=lang).get_views([(False, "form")])
            arch = etree.fromstring(views["views"]["form"]["arch"])
            button = arch.xpath("//button[@name='action_escalation_acknowledge']")
            self.assertEqual(button[0].get("string"), label, lang)
