from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestTranslatedTexts(GuideCommon):
    """A user reads the checklist in their language (the web client sends it): the
    titles on the record, the missing items and the refusals; lines keep the source text."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        titles = {
            "Budget confirmed": "Бюджет подтвержден",
            "Decision maker identified": "Лицо, принимающее решение, определено",
            "Expected revenue set": "Ожидаемая выручка указана",
        }
        for item in cls.step_qualif.item_ids.filtered(lambda item: item.name in titles):
            item.update_field_translations("name", {"ru_RU": titles[item.name]})
        cls.user_salesman.lang = "ru_RU"

    def test_checklist_titles_in_the_user_language(self):
        lead = self._lead().with_user(self.user_salesman).with_context(lang="ru_RU")
        lines = lead.guide_current_line_ids
        self.assertIn("Бюджет подтвержден", lines.mapped("title"))
        self.assertIn("Budget confirmed", lines.mapped("name"), "the snapshot keeps the source text")
        self.assertEqual(
            lead.guide_missing_items.splitlines(),
            ["Бюджет подтвержден", "Лицо, принимающее решение, определено", "Ожидаемая выручка указана"],
        )

    def test_gate_refusal_in_the_user_language(self):
        lead = self._lead(name="Acme deal")
        with self.assertRaises(UserError) as err:
            lead.with_user(self.user_salesman).with_context(lang="ru_RU").write(
                {"stage_id": self.stage_proposal.id}
            )
        message = str(err.exception)
        self.assertIn("Бюджет подтвержден", message)
        self.assertIn("Ожидаемая выручка указана", message)
        self.assertNotIn("Budget confirmed", message)

    def test_renamed_item_keeps_the_snapshot(self):
        lead = self._lead()
        item = self.step_qualif.item_ids.filtered(lambda item: item.name == "Budget confirmed")
        item.name = "Budget approved"
        titles = (
            lead.with_user(self.user_salesman)
            .with_context(lang="ru_RU")
            .guide_current_line_ids.mapped("title")
        )
        self.assertIn("Budget confirmed", titles, "a line shows what the record was asked, not the new item")
        self.assertNotIn("Бюджет подтвержден", titles)
