from lxml import etree

from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

# our models, and the field telling which guided model a row belongs to
MODEL_FIELDS = {
    "guide.process": "model_name",
    "guide.hint": "model_name",
    "guide.history": "res_model",
    "guide.deviation": "res_model",
    "guide.deviation.reason": "model_name",
    "guide.feedback": "process_id.model_name",
    "escalation.rule": "model_name",
    "escalation.clock": "res_model",
    "escalation.log": "res_model",
    "compliance.policy": "model_name",
    "compliance.log": "res_model",
    "compliance.approval.request": "res_model",
}


@tagged("post_install", "-at_install")
class TestMenusPerApp(TransactionCase):
    """Each app shows its own model's processes, rules, policies and reports."""

    def _menu_actions(self, root):
        menus = self.env["ir.ui.menu"].search([("id", "child_of", self.env.ref(root).id)])
        return [
            menu.action
            for menu in menus
            if menu.action
            and menu.action._name == "ir.actions.act_window"
            and menu.action.res_model in MODEL_FIELDS
        ]

    def _check_app(self, root, model_name, other_model):
        actions = self._menu_actions(root)
        self.assertGreaterEqual(len(actions), 5, "the app has its process, hint and report menus")
        for action in actions:
            Model = self.env[action.res_model].with_context(active_test=False)
            field = MODEL_FIELDS[action.res_model]
            domain = safe_eval(action.domain or "[]", {"uid": self.env.uid})
            self.assertIn(
                (field, "=", model_name),
                [tuple(leaf) for leaf in domain if isinstance(leaf, list | tuple)],
                f"menu action {action.name} ({action.res_model}) is limited to {model_name}",
            )
            self.assertFalse(
                Model.search(domain).filtered(lambda rec, field=field: rec.mapped(field)[0] == other_model),
                f"menu action {action.name} shows {other_model} rows",
            )
            context = safe_eval(action.context or "{}", {"uid": self.env.uid})
            if "model_name" in Model._fields and action.res_model != "guide.feedback":
                self.assertEqual(context.get("default_model_name"), model_name, action.name)
            self.assertNotIn("search_default_violations", context, "reports open unfiltered")

    def _require_crm(self):
        if "crm_stage_id" not in self.env["guide.step"]._fields:
            self.skipTest("crm_process_guide is not installed")

    def test_crm_menus_show_crm_rows(self):
        self._require_crm()
        # the database holds helpdesk rows the CRM menus must not show (demo data or these)
        self.env["guide.process"].create({"name": "Support", "model_name": "helpdesk.ticket"})
        self._check_app("crm.crm_menu_root", "crm.lead", "helpdesk.ticket")

    def test_helpdesk_menus_show_helpdesk_rows(self):
        self._require_crm()
        self.env["guide.process"].create({"name": "Sales", "model_name": "crm.lead"})
        self._check_app("helpdesk_mgmt.helpdesk_ticket_main_menu", "helpdesk.ticket", "crm.lead")

    def test_configuration_menus_placed_alike(self):
        bridges = self.env["ir.module.module"].search(
            [
                ("name", "in", ("helpdesk_escalation", "helpdesk_policy_compliance")),
                ("state", "=", "installed"),
            ]
        )
        if len(bridges) < 2:
            self.skipTest("the helpdesk escalation and policy bridges are not installed")
        self._require_crm()
        crm = self.env.ref("crm_process_guide.menu_guide_config")
        helpdesk = self.env.ref("helpdesk_process_guide.menu_helpdesk_guide_config")

        def names(section):
            return [menu.action.res_model for menu in section.child_id.sorted("sequence")]

        self.assertEqual(names(crm), names(helpdesk))
        self.assertIn("compliance.policy", names(crm))
        self.assertIn("escalation.rule", names(crm))

    def test_compliance_reports_placed_alike(self):
        """A helpdesk manager finds the compliance reports a sales manager does: the
        analysis, the approval lead time and the audit trail."""
        Policy = self.env.get("compliance.policy")
        if Policy is None or not {"helpdesk_team_ids", "crm_team_ids"} <= set(Policy._fields):
            self.skipTest("the helpdesk and CRM policy bridges are not both installed")
        crm = self.env.ref("crm_policy_compliance.compliance_menu_report")
        helpdesk = self.env.ref("helpdesk_policy_compliance.menu_helpdesk_compliance_report")

        def reports(section):
            return [
                (menu.name, menu.action.res_model, menu.action.view_mode.split(",")[0])
                for menu in section.child_id.sorted("sequence")
            ]

        self.assertEqual(reports(helpdesk), reports(crm))
        self.assertIn("Compliance Audit Trail", [name for name, _model, _view in reports(helpdesk)])
        manager = self.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        audit = self.env.ref("helpdesk_policy_compliance.menu_helpdesk_compliance_log_audit")
        self.assertEqual(audit.groups_id, manager)

    def _check_rows_open_a_form(self, root):
        """A row clicked in a list a menu opens (clocks, logs, history...) opens its form."""
        wrong = []
        for action in self._menu_actions(root):
            modes = (action.view_mode or "").split(",")
            if "list" not in modes:
                continue
            arch = self.env[action.res_model].get_views([(False, "list")])["views"]["list"]["arch"]
            if etree.fromstring(arch).get("editable"):
                continue
            if "form" not in modes:
                wrong.append(f"{action.name} ({action.res_model})")
        self.assertFalse(wrong, "these menus list rows that open nothing when clicked")

    def test_crm_lists_open_their_rows_in_a_form(self):
        self._require_crm()
        self._check_rows_open_a_form("crm.crm_menu_root")

    def test_helpdesk_lists_open_their_rows_in_a_form(self):
        self._require_crm()
        self._check_rows_open_a_form("helpdesk_mgmt.helpdesk_ticket_main_menu")


@tagged("post_install", "-at_install")
class TestFormDatetimes(TransactionCase):
    """The product's forms show its times (due, entered, escalated, decided...) without
    seconds, as the guidance panel does."""

    # the guided models (the product's fields on them) and the product's own models
    GUIDED = ("crm.lead", "helpdesk.ticket")
    PRODUCT_PREFIXES = ("guide_", "escalation_", "compliance_")
    OWN = (
        "escalation.clock",
        "escalation.log",
        "guide.history",
        "guide.deviation",
        "guide.feedback",
        "compliance.log",
        "compliance.approval.request",
        "compliance.policy.version",
    )

    def test_form_datetimes_without_seconds(self):
        wrong = []
        for model_name in self.GUIDED + self.OWN:
            if model_name not in self.env:
                continue
            Model = self.env[model_name]
            arch = Model.get_views([(False, "form")])["views"]["form"]["arch"]
            for node in etree.fromstring(arch).xpath("//field[not(ancestor::field)][not(@widget)]"):
                field = Model._fields.get(node.get("name"))
                if not field or field.type != "datetime" or node.get("invisible") in ("1", "True"):
                    continue
                if model_name in self.GUIDED and not field.name.startswith(self.PRODUCT_PREFIXES):
                    continue  # Odoo's own fields, as Odoo shows them
                options = safe_eval(node.get("options") or "{}")
                if options.get("show_seconds") is not False:
                    wrong.append(f"{model_name}.{field.name}")
        self.assertFalse(wrong, "these forms show seconds")


@tagged("post_install", "-at_install")
class TestListColumns(TransactionCase):
    """The product's lists leave room for what they show in every language: a pill (a state,
    a kind, an outcome) has a width of its own, a column rarely filled is hidden until
    asked for, and long labels have a short one in the list."""

    OWN = TestFormDatetimes.OWN

    def _list(self, model_name):
        arch = self.env[model_name].get_views([(False, "list")])["views"]["list"]["arch"]
        return etree.fromstring(arch)

    def test_pills_have_a_width(self):
        wrong = []
        for model_name in self.OWN:
            if model_name not in self.env:
                continue
            for node in self._list(model_name).xpath("//field[not(ancestor::field)][@widget='badge']"):
                if node.get("column_invisible") not in ("1", "True") and not node.get("width"):
                    wrong.append(f"{model_name}.{node.get('name')}")
        self.assertFalse(wrong, "these pills are cut where their label is long")

    def test_steps_of_a_step_named_without_their_process(self):
        """A step's allowed next steps and alternate-step origins are of its process: their
        tags name the step only, not "Process / Step" cut short."""
        arch = etree.fromstring(self.env["guide.step"].get_view(view_type="form")["arch"])
        for name in ("allowed_step_ids", "alt_from_step_ids"):
            nodes = arch.xpath(f"//field[@name='{name}']")
            self.assertTrue(nodes, name)
            for node in nodes:
                context = safe_eval(node.get("context") or "{}")
                self.assertIs(context.get("guide_step_short_name"), True, name)

    def test_step_stage_not_created_by_a_typo(self):
        """A typo in a step's ticket stage offers no quick create: a stage is created
        through its form (Create and Edit) only."""
        arch = etree.fromstring(self.env["guide.step"].get_view(view_type="form")["arch"])
        nodes = arch.xpath("//field[@name='helpdesk_stage_id']")
        self.assertTrue(nodes)
        for node in nodes:
            self.assertIs(safe_eval(node.get("options") or "{}").get("no_quick_create"), True)

    def test_short_labels_and_rare_columns_hidden(self):
        history = self._list("guide.history")
        self.assertEqual(history.xpath("//field[@name='alt_step_name']")[0].get("optional"), "hide")
        labels = {node.get("name"): node.get("string") for node in history.xpath("//field")}
        self.assertEqual(
            [labels[name] for name in ("user_id", "duration_hours", "overdue", "checklist_rate")],
            ["By", "Time Spent", "Late", "Checklist %"],
        )
        if "escalation.rule" in self.env:
            form = etree.fromstring(self.env["escalation.rule"].get_view(view_type="form")["arch"])
            (percent,) = form.xpath("//field[@name='level_ids']/list/field[@name='warning_percent']")
            self.assertEqual(percent.get("string"), "Warn At (%)")
        if "compliance.log" in self.env:
            for node in self._list("compliance.log").xpath("//field[@name='event' or @name='user_id']"):
                self.assertTrue(node.get("width"), node.get("name"))


@tagged("post_install", "-at_install")
class TestReportingSections(TransactionCase):
    """The product's reports sit in sections of the app's Reporting menu, as Odoo groups
    its menus (a header, then its entries), after the app's own reports."""

    SECTIONS = {"Process", "Escalation", "Compliance", "Intelligence"}

    def _check_app(self, root):
        reporting = self.env.ref(root)
        ours = self.env["ir.model.data"].search(
            [("model", "=", "ir.ui.menu"), ("module", "in", self._modules())]
        )
        our_menus = self.env["ir.ui.menu"].browse(ours.mapped("res_id"))
        flat = reporting.child_id & our_menus
        self.assertTrue(flat)
        self.assertFalse(flat.filtered("action"), "no product report directly under Reporting")
        self.assertLessEqual(set(flat.mapped("name")), self.SECTIONS)
        entries = self.env["ir.ui.menu"].search([("id", "child_of", flat.ids)]) - flat
        self.assertTrue(all(entries.mapped("action")))
        self.assertEqual(entries.parent_id, flat, "each section holds reports")

    def _modules(self):
        return (
            self.env["ir.module.module"]
            .search([("state", "=", "installed")])
            .filtered(
                lambda module: module.name.startswith(("crm_", "helpdesk_"))
                and module.name.endswith(
                    ("_process_guide", "_escalation", "_policy_compliance", "_process_intelligence")
                )
            )
            .mapped("name")
        )

    def test_crm_reports_in_sections(self):
        if "crm_stage_id" not in self.env["guide.step"]._fields:
            self.skipTest("crm_process_guide is not installed")
        self._check_app("crm.crm_menu_report")
        names = self.env.ref("crm.crm_menu_report").child_id.sorted("sequence").mapped("name")
        self.assertEqual(
            [name for name in names if name in self.SECTIONS], list(self._sections_installed("crm"))
        )

    def test_helpdesk_reports_in_sections(self):
        self._check_app("helpdesk_mgmt.helpdesk_ticket_reporting_menu")
        names = self.env.ref("helpdesk_mgmt.helpdesk_ticket_reporting_menu").child_id.sorted("sequence")
        self.assertEqual(
            [name for name in names.mapped("name") if name in self.SECTIONS],
            list(self._sections_installed("helpdesk")),
        )

    def test_each_report_reached_by_one_menu(self):
        """A manager finds each of the product's reports once in an app: the scorecards at
        *Helpdesk ▸ Scorecard* (agents have no Reporting menu), not under *Reporting ▸
        Intelligence* as well."""
        ours = self.env["ir.model.data"].search(
            [("model", "=", "ir.ui.menu"), ("module", "in", self._modules())]
        )
        for root in ("crm.crm_menu_root", "helpdesk_mgmt.helpdesk_ticket_main_menu"):
            app = self.env.ref(root, raise_if_not_found=False)
            if not app:
                continue
            menus = self.env["ir.ui.menu"].search(
                [("id", "child_of", app.id), ("id", "in", ours.mapped("res_id")), ("action", "!=", False)]
            )
            actions = [str(menu.action) for menu in menus]
            twice = {action for action in actions if actions.count(action) > 1}
            self.assertFalse(twice, f"{app.name}: these reports have two menus")

    def _sections_installed(self, app):
        modules = set(self._modules())
        order = (
            ("process_guide", "Process"),
            ("escalation", "Escalation"),
            ("policy_compliance", "Compliance"),
            ("process_intelligence", "Intelligence"),
        )
        return tuple(name for suffix, name in order if f"{app}_{suffix}" in modules)


@tagged("post_install", "-at_install")
class TestDemoChatter(TransactionCase):
    def test_demo_configuration_has_no_install_notes(self):
        """Notes written at install would read in English whatever the user's language."""
        xmlids = [
            "crm_process_guide.guide_process_b2b_demo",
            "helpdesk_process_guide.guide_process_support_demo",
            "crm_escalation.escalation_rule_stale_qualified_demo",
            "helpdesk_escalation.escalation_rule_support_sla_demo",
            "crm_policy_compliance.compliance_policy_vat_demo",
            "helpdesk_policy_compliance.compliance_policy_resolution_note_demo",
        ]
        records = [self.env.ref(xmlid, raise_if_not_found=False) for xmlid in xmlids]
        records = [record for record in records if record]
        if not records:
            self.skipTest("no demo data")
        for record in records:
            self.assertFalse(record.message_ids, f"{record.display_name} has install-time chatter notes")


@tagged("post_install", "-at_install")
class TestListColumnsPerApp(TransactionCase):
    """A list opened from one app shows no column of the other app (no *Lead Type* on tickets)."""

    OTHER_APP_FIELDS = {
        "crm.lead": ("helpdesk_", "ticket_"),
        "helpdesk.ticket": ("crm_", "lead_type"),
    }

    def _columns(self, action):
        context = safe_eval(action.context or "{}", {"uid": self.env.uid})
        Model = self.env[action.res_model].with_context(**context)
        view_id = action.view_id.id if action.view_id else False
        arch = Model.get_views([(view_id, "list")])["views"]["list"]["arch"]
        columns = []
        for node in etree.fromstring(arch).xpath("/list/field"):
            invisible = node.get("column_invisible")
            if invisible and safe_eval(invisible, {"context": context, "uid": self.env.uid}):
                continue
            columns.append(node.get("name"))
        return columns

    def _check_app(self, root, model_name):
        menus = self.env["ir.ui.menu"].search([("id", "child_of", self.env.ref(root).id)])
        actions = [
            menu.action
            for menu in menus
            if menu.action
            and menu.action._name == "ir.actions.act_window"
            and menu.action.res_model in MODEL_FIELDS
            and "list" in (menu.action.view_mode or "")
        ]
        self.assertTrue(actions)
        words = self.OTHER_APP_FIELDS[model_name]
        wrong = [
            f"{action.name} ({action.res_model}): {column}"
            for action in actions
            for column in self._columns(action)
            if column.startswith(words)
        ]
        self.assertFalse(wrong, f"lists opened from the {model_name} app show the other app's columns")

    def test_crm_lists_show_no_helpdesk_column(self):
        if "crm_stage_id" not in self.env["guide.step"]._fields:
            self.skipTest("crm_process_guide is not installed")
        self._check_app("crm.crm_menu_root", "crm.lead")

    def test_helpdesk_lists_show_no_crm_column(self):
        if "crm_stage_id" not in self.env["guide.step"]._fields:
            self.skipTest("crm_process_guide is not installed")
        self._check_app("helpdesk_mgmt.helpdesk_ticket_main_menu", "helpdesk.ticket")

    def test_technical_list_leaves_lead_type_blank_on_tickets(self):
        """The list of every process (Settings ▸ Technical) gives no *Lead Type* to a helpdesk process."""
        if "lead_type" not in self.env["guide.process"]._fields:
            self.skipTest("crm_process_guide is not installed")
        arch = self.env["guide.process"].get_views([(False, "list")])["views"]["list"]["arch"]
        node = etree.fromstring(arch).xpath("//field[@name='lead_type']")[0]
        self.assertEqual(node.get("invisible"), "model_name != 'crm.lead'")
