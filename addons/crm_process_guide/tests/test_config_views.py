from lxml import etree

from odoo import Command
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import GuideCommon

# the fields holding a condition (an Odoo domain) per configuration model
CONDITION_FIELDS = {
    "guide.milestone": ("condition",),
    "guide.item": ("apply_domain", "auto_domain"),
    "guide.task": ("suggest_domain",),
}


@tagged("post_install", "-at_install")
class TestConfigViews(GuideCommon):
    """The configuration screens show conditions in words, never as a raw domain."""

    def _arch(self, model, view_type="form"):
        return etree.fromstring(self.env[model].get_views([(False, view_type)])["views"][view_type]["arch"])

    def _sublists(self, model):
        for field in self._arch(model).iter("field"):
            comodel = self.env[model]._fields.get(field.get("name"))
            if comodel is None or comodel.type != "one2many":
                continue
            if comodel.comodel_name in CONDITION_FIELDS:
                for sub in field.iter("list"):
                    yield comodel.comodel_name, sub

    def test_lists_show_no_raw_domain(self):
        checked = set()
        for model in ("guide.process", "guide.step"):
            for comodel, sub in self._sublists(model):
                checked.add(comodel)
                plain = [
                    node.get("name")
                    for node in sub.iter("field")
                    if node.get("name") in CONDITION_FIELDS[comodel] and node.get("widget") != "domain"
                ]
                self.assertFalse(plain, f"the {comodel} list of the {model} form shows a raw domain")
        self.assertEqual(checked, set(CONDITION_FIELDS))

    def test_conditions_in_words(self):
        milestone = self.env["guide.milestone"].create(
            {
                "name": "Big enough",
                "process_id": self.process.id,
                "condition": "[('expected_revenue', '>=', 50000), ('partner_id', '!=', False)]",
            }
        )
        self.assertEqual(milestone.condition_text, "Expected Revenue ≥ 50,000 and Customer is set")
        item = self.env["guide.item"].create(
            {
                "name": "Email known",
                "step_id": self.step_qualif.id,
                "completion": "auto",
                "auto_domain": "[('email_from', '!=', False)]",
            }
        )
        self.assertEqual(item.apply_domain_text, "")
        self.assertEqual(item.auto_domain_text, "Email is set")
        self.env["res.lang"]._activate_lang("ru_RU")
        # the field's label in Russian is crm's
        modules = ["crm", "base_process_guide"]
        self.env["ir.module.module"]._load_module_terms(modules, ["ru_RU"], overwrite=True)
        self.assertIn("Ожидаемая выручка", milestone.with_context(lang="ru_RU").condition_text)
        task = self.env["guide.task"].create(
            {
                "name": "Security questionnaire",
                "step_id": self.step_qualif.id,
                "suggest_domain": "[('expected_revenue', '>', 100)]",
            }
        )
        self.assertEqual(task.suggest_domain_text, "Expected Revenue > 100")

    def test_amounts_without_spurious_decimals(self):
        """A duration of 3 days reads "3 Days", not "3.00 Days"."""
        nodes = self._arch("guide.process").xpath(
            "//field[@name='step_ids']//field[@name='expected_duration']"
        )
        nodes += self._arch("guide.step").xpath("//field[@name='expected_duration']")
        self.assertEqual(len(nodes), 2)
        for node in nodes:
            self.assertEqual(node.get("widget"), "guide_amount")
        step_list = self._arch("guide.step", "list")
        self.assertEqual(step_list.xpath("//field[@name='expected_hours']")[0].get("widget"), "float_time")
        if "escalation.rule" in self.env:
            nodes = self._arch("escalation.rule").xpath(
                "//field[@name='level_ids']//field[@name='delay' or @name='warning_percent']"
            )
            self.assertEqual(len(nodes), 4)
            for node in nodes:
                self.assertEqual(node.get("widget"), "guide_amount", node.get("name"))

    def test_condition_columns_translated(self):
        """The columns showing conditions in words are headed in the reader's language."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["base_process_guide"], ["ru_RU"], overwrite=True)
        self.env = self.env(context=dict(self.env.context, lang="ru_RU"))
        headers = [
            node.get("string")
            for model in ("guide.process", "guide.step")
            for node in self._arch(model).xpath(
                "//field[@name='condition_text' or @name='apply_domain_text' or @name='auto_domain_text' "
                "or @name='suggest_domain_text']"
            )
        ]
        self.assertEqual(headers, ["Условие", "Применяется, когда", "Выполнено, когда", "Предлагать, когда"])

    def test_step_stage_not_created_by_a_typo(self):
        """A typo in a step's CRM stage offers no quick create: a stage created from there
        would have no team and come first in every pipeline; Create and Edit opens its form."""
        nodes = self._arch("guide.step").xpath("//field[@name='crm_stage_id']")
        self.assertTrue(nodes)
        for node in nodes:
            options = safe_eval(node.get("options") or "{}")
            self.assertIs(options.get("no_quick_create"), True)

    def test_hint_steps_of_its_process(self):
        """A hint's Steps picker offers the steps of its process when one is set (any
        process's otherwise), and creates none."""
        domain = self.env["guide.hint"].fields_get(["step_ids"])["step_ids"]["domain"]
        Step = self.env["guide.step"]
        other_process = self.env["guide.process"].create({"name": "Renewals", "model_name": "crm.lead"})
        stage = self.step_qualif.crm_stage_id
        other = Step.create({"process_id": other_process.id, "crm_stage_id": stage.id})
        offered = Step.search(safe_eval(domain, {"model_name": "crm.lead", "process_id": self.process.id}))
        self.assertEqual(offered, self.process.step_ids)
        offered = Step.search(safe_eval(domain, {"model_name": "crm.lead", "process_id": False}))
        self.assertIn(other, offered)
        node = self._arch("guide.hint").xpath("//field[@name='step_ids']")[0]
        self.assertIs(safe_eval(node.get("options") or "{}").get("no_create"), True)

    def test_task_condition_editor_of_a_step_not_saved_yet(self):
        """An optional task added in the dialog of a step of a process not saved yet has a
        model for its Suggest When editor (the one the process form passes down), as the
        checklist items of that dialog have."""
        Task = self.env["guide.task"].with_context(guide_model_name="crm.lead", guide_in_parent_form=True)
        spec = {"model_name": {}, "condition_model": {}, "suggest_domain": {}}
        values = Task.onchange({}, [], spec)["value"]
        self.assertFalse(values.get("model_name"))
        self.assertEqual(values.get("condition_model"), "crm.lead")
        task = Task.new({"suggest_domain": "[('email_from', '!=', False)]"})
        self.assertEqual(task.suggest_domain_text, "Email is set")
        node = self._arch("guide.task").xpath("//field[@name='suggest_domain']")[0]
        self.assertEqual(safe_eval(node.get("options"))["model"], "condition_model")
        (tasks,) = self._arch("guide.step").xpath("//field[@name='task_ids']")
        passed = "'guide_model_name': model_name or context.get('guide_model_name')"
        self.assertIn(passed, tasks.get("context"))

    def test_step_list_leaves_its_width_to_the_names(self):
        """The process's Steps list gives the short columns (pills, duration, items) a
        width of their own, so that the names take the rest, in every language; a step
        not saved yet counts the items of its form."""
        (steps,) = self._arch("guide.process").xpath("//field[@name='step_ids']/list")
        unsized = [
            node.get("name")
            for node in steps.xpath("field")
            if not node.get("width") and node.get("widget") != "handle" and node.get("name") != "id"
        ]
        self.assertLessEqual(set(unsized), {"name", "crm_stage_id", "helpdesk_stage_id"})
        step = self.env["guide.step"].new(
            {"name": "Draft", "item_ids": [Command.create({"name": "A"}), Command.create({"name": "B"})]}
        )
        self.assertEqual(step.item_count, 2)
