import ast
import importlib.util
import os
import re
from pathlib import Path

import polib
from babel.messages import extract

from odoo.exceptions import UserError, ValidationError
from odoo.modules.module import get_module_path
from odoo.tests import BaseCase, tagged
from odoo.tools import file_path

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
        # the same transaction, another language
        self.assertEqual(
            lead.with_context(lang="en_US").guide_missing_items.splitlines(),
            ["Budget confirmed", "Decision maker identified", "Expected revenue set"],
        )

    def test_task_line_title_in_the_readers_language(self):
        """A checklist line an optional task added reads in each reader's language, whoever
        added it in whichever language (it stayed in the adder's)."""
        task = self.env["guide.task"].create(
            {"step_id": self.step_qualif.id, "name": "Remote session", "mandatory": True}
        )
        task.update_field_translations("name", {"ru_RU": "Удалённая сессия"})
        lead = self._lead()
        lead.with_user(self.user_salesman).with_context(lang="ru_RU").action_guide_add_task(task.id)
        line = lead.guide_current_line_ids.filtered(lambda ln: not ln.item_id)
        self.assertEqual(line.name, "Remote session", "the snapshot keeps the source text")
        self.assertEqual(line.with_context(lang="ru_RU").title, "Удалённая сессия")
        self.assertEqual(line.with_context(lang="en_US").title, "Remote session")
        self.assertIn("Удалённая сессия", lead.with_context(lang="ru_RU").guide_missing_items)

    def test_names_in_refusals_quoted_as_the_language_quotes(self):
        """A refusal quotes the names it gives as its language does («…» in Russian), not in a
        programmer's quotes ('…')."""
        self.env["ir.module.module"]._load_module_terms(["base_process_guide"], ["ru_RU"], overwrite=True)
        process = self.env["guide.process"].with_context(lang="ru_RU")
        with self.assertRaises(ValidationError) as caught:
            process.create({"name": "Партнёрские сделки", "model_name": "res.partner"})
        self.assertIn("«Партнёрские сделки»", str(caught.exception))
        self.assertNotIn("'Партнёрские сделки'", str(caught.exception))

    def test_checklist_note_names_the_item_in_the_user_language(self):
        """The chatter note of a tick names the item as its author read it."""
        lead = self._lead()
        line = lead.guide_current_line_ids.filtered(lambda ln: ln.name == "Budget confirmed")
        line.with_user(self.user_salesman).with_context(lang="ru_RU").action_check()
        self.assertIn("Бюджет подтвержден", str(lead.message_ids[0].body))
        self.assertNotIn("Budget confirmed", str(lead.message_ids[0].body))

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

    def test_gate_refusal_lines_in_chinese_punctuation(self):
        """Each line of a refusal joins the record and what it misses with the language's
        separator: "Acme deal：…" in Chinese, not an ASCII ": "."""
        self.env["res.lang"]._activate_lang("zh_CN")
        lead = self._lead(name="Acme deal")
        with self.assertRaises(UserError) as err:
            lead.with_user(self.user_salesman).with_context(lang="zh_CN").write(
                {"stage_id": self.stage_proposal.id}
            )
        message = str(err.exception)
        self.assertIn("Acme deal：", message)
        self.assertNotIn("Acme deal: ", message)

    def test_override_reserved_to_a_group_names_the_stage_in_the_user_language(self):
        """The refusal of an override reserved to a group names the stage as the
        statusbar does, in the user's language, and so does the deviation it records."""
        self.stage_proposal.update_field_translations("name", {"ru_RU": "Г-Предложение"})
        self.step_proposal.update_field_translations("name", {"ru_RU": "Г-Предложение"})
        self.step_proposal.override_group_id = self.env.ref("sales_team.group_sale_manager")
        lead = self._lead(stage_id=self.stage_proposal.id)
        with self.assertRaises(UserError) as err:
            lead.with_user(self.user_salesman).with_context(
                lang="ru_RU", guide_override_reason="Because"
            ).write({"stage_id": self.stage_nego.id})
        message = str(err.exception)
        self.assertIn("Г-Предложение", message.split("\n\n")[-1], "the last paragraph names the step")
        self.assertNotIn("G-Proposal", message)
        lead.with_user(self.user_manager).with_context(lang="ru_RU", guide_override_reason="Agreed").write(
            {"stage_id": self.stage_nego.id}
        )
        deviation = self.env["guide.deviation"].search([("res_id", "=", lead.id)], limit=1)
        self.assertEqual(deviation.with_context(lang="ru_RU").rule_name, "Шаг Г-Предложение")
        self.assertEqual(deviation.with_context(lang="en_US").rule_name, "Step G-Proposal")

    def test_deviation_title_names_the_step_in_the_readers_language(self):
        """A deviation's title names the step whose gate was overridden (not its stage) and
        reads in the reader's language, whoever overrode it: a manager reading English saw
        the Russian agent's "Шаг G-Proposal"."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.step_proposal.name = "Investigation"
        self.step_proposal.update_field_translations("name", {"ru_RU": "Расследование", "zh_CN": "调查"})
        lead = self._lead(stage_id=self.stage_proposal.id)
        lead.with_user(self.user_salesman).with_context(lang="ru_RU", guide_override_reason="Срочно").write(
            {"stage_id": self.stage_nego.id}
        )
        deviation = self.env["guide.deviation"].search(
            [("res_id", "=", lead.id), ("res_model", "=", "crm.lead")]
        )
        self.assertEqual(deviation.kind, "gate")
        for lang, title in (
            ("en_US", "Step Investigation"),
            ("ru_RU", "Шаг Расследование"),
            ("zh_CN", "步骤 调查"),
        ):
            self.assertEqual(
                deviation.with_user(self.user_manager).with_context(lang=lang).rule_name, title, lang
            )
            self.assertEqual(deviation.with_context(lang=lang).display_name, title, lang)

    def test_language_installed_later_reads_the_rows_written_before(self):
        """A language installed after rows were written (Odoo loads its terms): the stage
        names of the history and the titles of the gates' deviations written before read in
        it too, as those written after do; a step renamed since keeps its title of the time."""
        self.assertNotIn("zh_CN", dict(self.env["res.lang"].get_installed()))
        self.step_proposal.name = "Investigation"
        lead = self._lead(stage_id=self.stage_proposal.id)
        lead.with_user(self.user_salesman).with_context(guide_override_reason="Urgent").write(
            {"stage_id": self.stage_nego.id}
        )
        other = self._lead(stage_id=self.stage_proposal.id)
        other.with_context(guide_override_reason="Urgent").write({"stage_id": self.stage_nego.id})
        Deviation = self.env["guide.deviation"]
        deviation = Deviation.search([("res_id", "=", lead.id), ("res_model", "=", "crm.lead")])
        renamed = Deviation.search([("res_id", "=", other.id), ("res_model", "=", "crm.lead")])
        self.env.cr.execute(
            "UPDATE guide_deviation SET rule_name = %s WHERE id = %s", ['{"en_US": "Step Old"}', renamed.id]
        )
        self.env["res.lang"]._activate_lang("zh_CN")
        self.step_proposal.update_field_translations("name", {"zh_CN": "调查"})
        self.stage_proposal.update_field_translations("name", {"zh_CN": "提案"})
        self.stage_nego.update_field_translations("name", {"zh_CN": "谈判"})
        self.env["ir.module.module"].browse()._update_translations("zh_CN")
        zh = self.env["guide.history"].with_context(lang="zh_CN")
        row = zh.search(
            [("res_id", "=", lead.id), ("res_model", "=", "crm.lead"), ("direction", "=", "forward")]
        )
        self.assertEqual((row.from_stage_name, row.to_stage_name), ("提案", "谈判"))
        self.assertEqual(deviation.with_context(lang="zh_CN").rule_name, "步骤 调查")
        self.assertEqual(renamed.with_context(lang="zh_CN").rule_name, "Step Old")
        self.assertEqual(deviation.with_context(lang="en_US").rule_name, "Step Investigation")

    def test_language_installed_later_names_the_stages_as_they_are_named_now(self):
        """A language installed later gives the history rows written before it the names
        their stages have in it, a stage renamed since included (its English name stays the
        one of the time); a row whose stage is gone keeps its name; a row written before the
        rows kept their stages, the name of the stage of its English name."""
        self.assertNotIn("zh_CN", dict(self.env["res.lang"].get_installed()))
        gone = self.env["crm.stage"].create({"name": "G-Gone", "sequence": 1005})
        lead = self._lead(stage_id=self.stage_proposal.id).with_context(guide_override_reason="Urgent")
        for stage in (self.stage_nego, gone, self.stage_nego, self.stage_proposal):
            lead.write({"stage_id": stage.id})
        rows = self.env["guide.history"].search(
            [("res_id", "=", lead.id), ("res_model", "=", "crm.lead")],
            order="id",
        )
        _entry, renamed, _to_gone, from_gone, before = rows
        self.assertEqual((renamed.from_stage_name, renamed.to_stage_name), ("G-Proposal", "G-Negotiation"))
        gone.unlink()
        self.env.cr.execute(
            "UPDATE guide_history SET from_stage_res_id = NULL, to_stage_res_id = NULL WHERE id = %s",
            [before.id],
        )
        self.stage_proposal.name = "G-Offer"
        self.env["res.lang"]._activate_lang("zh_CN")
        self.stage_proposal.update_field_translations("name", {"zh_CN": "报价"})
        self.stage_nego.update_field_translations("name", {"zh_CN": "谈判"})
        self.env["ir.module.module"].browse()._update_translations("zh_CN")

        def names(row, lang):
            row = row.with_context(lang=lang)
            return row.from_stage_name, row.to_stage_name

        self.assertEqual(names(renamed, "zh_CN"), ("报价", "谈判"))
        self.assertEqual(names(renamed, "en_US"), ("G-Proposal", "G-Negotiation"))
        self.assertEqual(names(from_gone, "zh_CN"), ("G-Gone", "谈判"))
        # no stage is named "G-Proposal" in English any more
        self.assertEqual(names(before, "zh_CN"), ("谈判", "G-Proposal"))

    def test_upgrade_titles_the_gates_of_a_renamed_step_by_the_step(self):
        """Upgraded to 18.0.2.2.6, the deviations written before, titled by the step's stage
        in the agent's language ("Step G-Proposal", a Russian agent's "Шаг Г-Предложение"),
        are titled by their step in every language, the step renamed since included: the
        migration is an end- script, run once the bridges are loaded (a post- script of
        base_process_guide runs before them and read no stage: those titles were kept)."""
        self.env["ir.module.module"]._load_module_terms(["base_process_guide"], ["ru_RU"], overwrite=True)
        self.stage_proposal.update_field_translations("name", {"ru_RU": "Г-Предложение"})
        self.step_proposal.name = "Investigation"
        self.step_proposal.update_field_translations("name", {"ru_RU": "Расследование"})
        deviations = self.env["guide.deviation"]
        for title in ("Step G-Proposal", "Шаг Г-Предложение", "Step Old"):
            lead = self._lead(stage_id=self.stage_proposal.id)
            lead.with_context(guide_override_reason="Urgent").write({"stage_id": self.stage_nego.id})
            deviation = deviations.search([("res_id", "=", lead.id), ("res_model", "=", "crm.lead")])
            self.env.cr.execute(
                "UPDATE guide_deviation SET rule_name = jsonb_build_object('en_US', %s) WHERE id = %s",
                [title, deviation.id],
            )
            deviations |= deviation
        self.env.invalidate_all()
        path = file_path("base_process_guide/migrations/18.0.2.2.6/end-migrate.py")
        spec = importlib.util.spec_from_file_location("end_migrate", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.2.2.5")
        self.env.invalidate_all()
        for deviation in deviations[:2]:
            self.assertEqual(deviation.with_context(lang="en_US").rule_name, "Step Investigation")
            self.assertEqual(deviation.with_context(lang="ru_RU").rule_name, "Шаг Расследование")
        self.assertEqual(deviations[2].with_context(lang="ru_RU").rule_name, "Step Old", "renamed since")

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


PRODUCT_MODULES = (
    "base_process_guide",
    "base_escalation",
    "base_policy_compliance",
    "crm_process_guide",
    "crm_escalation",
    "crm_policy_compliance",
    "helpdesk_process_guide",
    "helpdesk_escalation",
    "helpdesk_policy_compliance",
    "base_process_intelligence",
    "crm_process_intelligence",
    "helpdesk_process_intelligence",
)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdr]|%[sdr]|\{\{.*?\}\}|&[a-z]+;|&#\d+;")
TAG = re.compile(r"</?([a-zA-Z0-9]+)")


@tagged("post_install", "-at_install")
class TestCatalogues(BaseCase):
    """Every shipped language translates every text of the template, with the same
    placeholders and tags."""

    def test_catalogues_complete(self):
        for module in PRODUCT_MODULES:
            path = get_module_path(module)
            if not path:
                continue
            template = polib.pofile(os.path.join(path, "i18n", f"{module}.pot"))
            for lang in ("ru", "zh_CN"):
                catalogue = {
                    entry.msgid: entry for entry in polib.pofile(os.path.join(path, "i18n", f"{lang}.po"))
                }
                for msgid in (entry.msgid for entry in template):
                    with self.subTest(module=module, lang=lang, msgid=msgid[:60]):
                        entry = catalogue.get(msgid)
                        self.assertTrue(entry and entry.msgstr and "fuzzy" not in entry.flags, "untranslated")
                        self.assertEqual(
                            sorted(PLACEHOLDER.findall(entry.msgstr)), sorted(PLACEHOLDER.findall(msgid))
                        )
                        self.assertEqual(sorted(TAG.findall(entry.msgstr)), sorted(TAG.findall(msgid)))

    def test_no_text_of_the_tests_in_the_templates(self):
        """A text only a test translates (``_("boom")``) is no text of the product: in the
        template it would ask the translators for a word no user reads."""
        leaked = []
        for module in PRODUCT_MODULES:
            path = get_module_path(module)
            if not path:
                continue
            for entry in polib.pofile(os.path.join(path, "i18n", f"{module}.pot")):
                if entry.occurrences and all("/tests/" in where for where, _line in entry.occurrences):
                    leaked.append(f"{module}: {entry.msgid[:60]}")
        self.assertEqual(leaked, [])

    def test_chinese_punctuation_is_full_width(self):
        """Chinese prose takes full-width punctuation: a label and a name joined by "：", not by
        an ASCII ": " ("字段: 名称"), and no ASCII comma, semicolon, colon or parenthesis next
        to a Chinese character. Placeholders and code examples (domains) keep theirs."""
        cjk = "[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
        ascii_next_to_chinese = re.compile(f"{cjk}[,;:()]|[,;:()]{cjk}")
        wrong = []
        for module in PRODUCT_MODULES:
            path = get_module_path(module)
            if not path:
                continue
            for entry in polib.pofile(os.path.join(path, "i18n", "zh_CN.po")):
                text = PLACEHOLDER.sub("X", entry.msgstr)
                if ": " in text or ascii_next_to_chinese.search(text):
                    wrong.append(f"{module}: {entry.msgstr[:80]}")
        self.assertEqual(wrong, [])

    def test_code_read_by_odoo_s_term_extraction(self):
        """Odoo's exporter reads every Python file of a module with Babel, which evaluates the
        strings of a translated call's arguments: an f-string there (a name it cannot know)
        made it skip the whole file, with an error in the log, and its texts reach no
        catalogue. Every file of the product is read to the end."""
        failed = []
        for module in PRODUCT_MODULES:
            path = get_module_path(module)
            if not path:
                continue
            for source in sorted(Path(path).rglob("*.py")):
                with source.open("rb") as file:
                    try:
                        list(extract.extract("python", file, keywords={"_": None, "_lt": None}))
                    except Exception as error:  # noqa: BLE001 (what Odoo's exporter catches and logs)
                        failed.append(f"{source.relative_to(path)}: {error}")
        self.assertEqual(failed, [])

    def test_texts_of_the_code_reach_the_template(self):
        """A text translated in another's arguments (``_("%(rows)s", rows=_("a row"))``) is
        skipped by Odoo's exporter: it would reach no catalogue and read in English in every
        language. Each is computed apart, before the message that quotes it."""

        def translated(node):
            func = getattr(node, "func", None)
            name = getattr(func, "attr", None) or getattr(func, "id", None)
            return isinstance(node, ast.Call) and name in ("_", "_lt")

        nested = []
        for module in PRODUCT_MODULES:
            path = get_module_path(module)
            if not path:
                continue
            for source in Path(path).rglob("*.py"):
                if "tests" in source.relative_to(path).parts:
                    continue
                for node in ast.walk(ast.parse(source.read_text())):
                    if not translated(node):
                        continue
                    arguments = [*node.args[1:], *(keyword.value for keyword in node.keywords)]
                    nested += [
                        f"{module}/{source.relative_to(path)}:{inner.lineno}"
                        for argument in arguments
                        for inner in ast.walk(argument)
                        if translated(inner)
                    ]
        self.assertEqual(nested, [])

    def test_texts_of_the_code_are_in_the_template(self):
        """Each text the code translates (``_("...")``, ``self.env._("...")``) is in its
        module's template, hence in the catalogues the test above checks: one added by hand
        to the code only ("%(field)s is required.") read in English in every language."""
        missing = []
        for module in PRODUCT_MODULES:
            path = get_module_path(module)
            if not path:
                continue
            template = {entry.msgid for entry in polib.pofile(os.path.join(path, "i18n", f"{module}.pot"))}
            for source in Path(path).rglob("*.py"):
                if "tests" in source.relative_to(path).parts:
                    continue
                for node in ast.walk(ast.parse(source.read_text())):
                    func = getattr(node, "func", None)
                    name = getattr(func, "attr", None) or getattr(func, "id", None)
                    if not (isinstance(node, ast.Call) and name in ("_", "_lt") and node.args):
                        continue
                    text = node.args[0]
                    if (
                        isinstance(text, ast.Constant)
                        and isinstance(text.value, str)
                        and text.value not in template
                    ):
                        missing.append(
                            f"{module}/{source.relative_to(path)}:{node.lineno}: {text.value[:60]}"
                        )
        self.assertEqual(missing, [])
