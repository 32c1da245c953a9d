from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTicketTranslatedTexts(HelpdeskGuideCommon):
    """An agent reads the ticket's checklist and its refusals in their language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        titles = {"Impact assessed": "已评估影响", "Category set": "已设置类别"}
        for item in cls.step_triage.item_ids.filtered(lambda item: item.name in titles):
            item.update_field_translations("name", {"zh_CN": titles[item.name]})
        cls.user_agent.lang = "zh_CN"

    def test_checklist_titles_in_the_user_language(self):
        ticket = self._ticket().with_user(self.user_agent).with_context(lang="zh_CN")
        self.assertIn("已评估影响", ticket.guide_current_line_ids.mapped("title"))
        self.assertIn("Impact assessed", ticket.guide_current_line_ids.mapped("name"))
        self.assertEqual(ticket.guide_missing_items.splitlines(), ["已评估影响", "已设置类别"])
        # the same transaction, another language
        self.assertEqual(
            ticket.with_context(lang="en_US").guide_missing_items.splitlines(),
            ["Impact assessed", "Category set"],
        )

    def test_gate_refusal_in_the_user_language(self):
        ticket = self._ticket()
        with self.assertRaises(UserError) as err:
            ticket.with_user(self.user_agent).with_context(lang="zh_CN").write(
                {"stage_id": self.stage_progress.id}
            )
        message = str(err.exception)
        self.assertIn("已评估影响", message)
        self.assertIn("已设置类别", message)
        self.assertNotIn("Impact assessed", message)
