from lxml import etree

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestValidation(EscalationCommon):
    def test_bad_domain_refused(self):
        with self.assertRaisesRegex(ValidationError, "Invalid condition"):
            self._rule(domain="[('no_such_field', '=', 1)]")
        with self.assertRaisesRegex(ValidationError, "Invalid condition"):
            self._rule(domain="[('priority', '=', ")

    def test_level_delays_must_increase(self):
        with self.assertRaisesRegex(ValidationError, "must increase"):
            self._rule(levels=[{"name": "A", "delay": 8}, {"name": "B", "delay": 4}])
        with self.assertRaisesRegex(ValidationError, "must increase"):
            self._rule(levels=[{"name": "A", "delay": 4}, {"name": "B", "delay": 4}])
        rule = self._rule()
        with self.assertRaisesRegex(ValidationError, "must increase"):
            rule.level_ids[1].delay = 2

    def test_warning_percent(self):
        rule = self._rule(
            levels=[
                {"name": "Warn", "kind": "warning", "warning_percent": 80},
                {"name": "Breach", "delay": 10},
            ]
        )
        self.assertEqual(
            rule.level_ids.sorted("sequence")._escalation_offsets(1.0, 0.0)[rule.level_ids[0].id], 8.0
        )
        with self.assertRaisesRegex(ValidationError, "needs an escalation level after it"):
            self._rule(
                levels=[
                    {"name": "Breach", "delay": 10},
                    {"name": "Warn", "kind": "warning", "warning_percent": 80},
                ]
            )
        with self.assertRaisesRegex(ValidationError, "must increase"):
            self._rule(
                levels=[
                    {"name": "Warn", "kind": "warning", "delay": 9},
                    {"name": "Warn 80", "kind": "warning", "warning_percent": 80},
                    {"name": "Breach", "delay": 10},
                ]
            )

    def test_working_time_needs_calendar(self):
        with self.assertRaisesRegex(ValidationError, "working hours"):
            self._rule(time_mode="working", calendar_source="rule")
        # the team's or company's calendar needs nothing on the rule
        self._rule(time_mode="working", calendar_source="team")

    def test_other_checks(self):
        with self.assertRaisesRegex(ValidationError, "date field"):
            self._rule(trigger_type="date_field")
        with self.assertRaisesRegex(ValidationError, "at least one level"):
            self._rule(levels=[])
        with self.assertRaisesRegex(ValidationError, "both pause and meet"):
            self._rule(
                pause_step_ids=[(6, 0, self.step_waiting.ids)], met_step_ids=[(6, 0, self.step_waiting.ids)]
            )
        with self.assertRaisesRegex(ValidationError, "choose the user"):
            self._rule(levels=[{"name": "L1", "delay": 1, "assign_to": "user"}])
        other_process = self.env["guide.process"].create({"name": "Other", "model_name": "crm.lead"})
        with self.assertRaisesRegex(
            ValidationError, 'Escalation Rule "[^"]+": Steps .* are outside its model or process'
        ):
            self._rule(process_id=other_process.id, step_ids=[(6, 0, self.step_qualif.ids)])

    def test_cron_interval_setting(self):
        cron = self.env.ref("base_escalation.escalation_cron")
        settings = self.env["res.config.settings"].with_user(self.env.ref("base.user_admin")).create({})
        self.assertEqual(settings.escalation_cron_interval, 5)
        settings.escalation_cron_interval = 2
        settings.execute()
        self.assertEqual((cron.interval_number, cron.interval_type), (2, "minutes"))
        for minutes in (0, 1441, 2**40):
            with self.assertRaisesRegex(ValidationError, "from one minute to 1440 minutes"):
                self.env["res.config.settings"].create({"escalation_cron_interval": minutes}).execute()

    def test_manager_designs_a_date_rule_in_the_form(self):
        form = Form(self.env["escalation.rule"].with_user(self.user_manager))
        form.name = "Closing date passed"
        form.trigger_type = "date_field"
        form.date_field_id = self.env["ir.model.fields"]._get("crm.lead", "date_deadline")
        with form.level_ids.new() as level:
            level.name = "Tell the team leader"
            level.delay = 0
        rule = form.save()
        self.assertEqual(rule.date_field_id.name, "date_deadline")

    def test_date_field_is_a_stored_date(self):
        """The field a rule starts from is a stored date or datetime of its model: another one
        (text, number, relation, computed) is refused at save, naming the rule and the field
        (its clock would fail the records' writes)."""
        Fields = self.env["ir.model.fields"]
        rule = self._rule()
        for fname in ("name", "expected_revenue", "user_id", "activity_date_deadline"):
            field = Fields._get("crm.lead", fname)
            with self.assertRaises(ValidationError) as caught:
                self._rule(trigger_type="date_field", date_field_id=field.id)
            self.assertIn(f"field {field.field_description} is not a stored date", str(caught.exception))
            with self.assertRaises(ValidationError) as caught:
                rule.with_user(self.user_manager).write(
                    {"trigger_type": "date_field", "date_field_id": field.id}
                )
            self.assertIn("is not a stored date", str(caught.exception))
        # a salesperson's lead is written as before
        lead = self._lead()
        lead.with_user(self.user_salesman).name = "Renamed"

    def test_level_moves_to_a_step_of_the_rules_process(self):
        """A level's *Move to Step* is a step of the rule's model and process: the step's
        stage is written to the records, and a ticket stage's id names an unrelated lead
        stage (the level would move leads to *Won*)."""
        other = self.env["guide.process"].create({"name": "Tickets", "model_name": "crm.lead"})
        other_step = self.env["guide.step"].create(
            {"process_id": other.id, "crm_stage_id": self.stage_won.id}
        )
        rule = (
            self.env["escalation.rule"]
            .with_user(self.user_manager)
            .create(
                self._rule_defaults()
                | {"level_ids": [(0, 0, {"name": "Push", "delay": 1, "move_step_id": self.step_proposal.id})]}
            )
        )
        refusal = "Escalation level “Push”: step .* is outside the model or the process of rule “"
        # the rule moved to another process takes its levels' steps with it, or is refused
        with self.assertRaisesRegex(ValidationError, refusal), self.env.cr.savepoint():
            rule.with_user(self.user_manager).write({"process_id": other.id, "step_ids": [(5,)]})
        with self.assertRaisesRegex(ValidationError, refusal), self.env.cr.savepoint():
            rule.level_ids.with_user(self.user_manager).move_step_id = other_step
        with self.assertRaisesRegex(ValidationError, "Later”: step"), self.env.cr.savepoint():
            rule.with_user(self.user_manager).write(
                {"level_ids": [(0, 0, {"name": "Later", "delay": 2, "move_step_id": other_step.id})]}
            )
        ticket_step = self.env["guide.step"].search([("model_name", "!=", "crm.lead")], limit=1)
        if ticket_step:
            with self.assertRaisesRegex(ValidationError, refusal), self.env.cr.savepoint():
                rule.level_ids.move_step_id = ticket_step
        self.env.invalidate_all()
        self.assertEqual(rule.level_ids.move_step_id, self.step_proposal)

    def test_level_email_template_of_the_rules_model(self):
        """A level's email is rendered on the escalated records as the engine: a sales
        manager cannot pick a template of another model (users' invitations...), which would
        be rendered on that model's records that have the leads' ids and sent to them."""
        rule = (
            self.env["escalation.rule"]
            .with_user(self.user_manager)
            .create({**self._rule_defaults(), "level_ids": [(0, 0, {"name": "Tell them", "delay": 1})]})
        )
        level = rule.level_ids
        users_template = self.env["mail.template"].create(
            {"name": "Users' invitation", "model_id": self.env["ir.model"]._get_id("res.users")}
        )
        with self.assertRaisesRegex(
            ValidationError, "Escalation level “Tell them”: email template “Users' invitation” is for User"
        ):
            level.mail_template_id = users_template
        with self.assertRaisesRegex(ValidationError, "email template “Users' invitation” is for User"):
            rule.write(
                {"level_ids": [(0, 0, {"name": "Later", "delay": 2, "mail_template_id": users_template.id})]}
            )
        lead_template = self.env["mail.template"].create(
            {"name": "Lead reminder", "model_id": self.env["ir.model"]._get_id("crm.lead")}
        )
        level.mail_template_id = lead_template
        self.assertEqual(level.mail_template_id, lead_template)

    def test_condition_editor_counts_the_rules_scope(self):
        """The condition editor counts the records of the rule's scope only (process,
        steps, teams, company), as the form stands, saved or not."""
        from ast import literal_eval

        rule = self._rule()
        scope = literal_eval(rule.scope_domain)
        self.assertIn(("guide_process_id", "=", self.process.id), scope)
        self.assertIn(("team_id", "in", self.team.ids), scope)
        leads = self.env["crm.lead"].search(scope)
        self.assertTrue(leads <= self.env["crm.lead"].search([("team_id", "=", self.team.id)]))
        form = Form(self.env["escalation.rule"].with_user(self.user_manager))
        form.name = "Being written"
        form.model_name = "crm.lead"
        form.process_id = self.process
        form.crm_team_ids.add(self.team)
        form.step_ids.add(self.step_qualif)
        scope = literal_eval(form.scope_domain)
        self.assertIn(("team_id", "in", self.team.ids), scope)
        self.assertIn(("guide_step_id", "in", self.step_qualif.ids), scope)
        self.env["crm.lead"].search(scope)  # plain ids: a domain the client can count with

    def test_levels_moved_or_deleted_are_checked(self):
        """A level moved to another rule is checked there (the order of its delays), the
        rule it leaves keeps one, and a level the clocks of its rule fired or wait for
        stays with them; an active rule does not lose its last level by deleting the levels
        alone either: as when the rule is saved."""
        with self._at(T0):
            rule = self._rule()
            lead = self._lead()
        self.assertEqual(self._clock(lead, rule).next_level_id, rule.level_ids[0])
        other = self._rule(name="Other", domain="[('id', '=', 0)]", levels=[{"name": "Late", "delay": 2}])
        manager = self.env["escalation.level"].with_user(self.user_manager)
        with self.assertRaisesRegex(UserError, "“L1 team leader” belongs to rule “Stale qualified”"):
            manager.browse(rule.level_ids[0].id).write({"rule_id": other.id})
        with self.assertRaisesRegex(ValidationError, "needs at least one level"), self.env.cr.savepoint():
            manager.browse(other.level_ids.id).write({"rule_id": rule.id, "delay": 9, "sequence": 5})
        with self.assertRaisesRegex(ValidationError, "must increase"), self.env.cr.savepoint():
            manager.browse(other.level_ids.id).write({"rule_id": rule.id})
        self.assertEqual(len(rule.level_ids), 2)
        self.assertEqual(other.level_ids.mapped("name"), ["Late"])
        with self.assertRaisesRegex(ValidationError, "needs at least one level"), self.env.cr.savepoint():
            manager.browse(other.level_ids.id).unlink()
        with self.assertRaisesRegex(ValidationError, "needs at least one level"), self.env.cr.savepoint():
            manager.browse(rule.level_ids.ids).unlink()
        self.assertEqual(other.level_ids.mapped("name"), ["Late"])
        # one of two goes; an archived rule may be left without levels
        manager.browse(rule.level_ids[1].id).unlink()
        self.assertEqual(rule.level_ids.mapped("name"), ["L1 team leader"])
        other.with_user(self.user_manager).active = False
        manager.browse(other.with_context(active_test=False).level_ids.id).unlink()

    def test_rule_steps_of_its_process(self):
        """A rule's Steps, Pause in Steps and Target Steps pickers offer the steps of its
        process when one is set (any process's otherwise), and create none."""
        fields = ["step_ids", "pause_step_ids", "met_step_ids"]
        Step = self.env["guide.step"]
        other_process = self.env["guide.process"].create(
            {"name": "Renewals", "model_name": "crm.lead", "crm_team_ids": [(6, 0, self.other_team.ids)]}
        )
        other = Step.create({"process_id": other_process.id, "crm_stage_id": self.stage_new.id})
        views = self.env["escalation.rule"].get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        for name, desc in self.env["escalation.rule"].fields_get(fields).items():
            domain = desc["domain"]
            process_id = self.process.id
            offered = Step.search(safe_eval(domain, {"model_name": "crm.lead", "process_id": process_id}))
            self.assertEqual(offered, self.process.step_ids, name)
            offered = Step.search(safe_eval(domain, {"model_name": "crm.lead", "process_id": False}))
            self.assertIn(other, offered, name)
            node = arch.xpath(f"//field[@name='{name}']")[0]
            self.assertIs(safe_eval(node.get("options") or "{}").get("no_create"), True, name)

    def test_level_list_leaves_its_width_to_the_names(self):
        """The rule's Levels list gives its short columns a width of their own, so that the
        names of the levels are not cut while those columns have room to spare."""
        views = self.env["escalation.rule"].get_views([(False, "form")])
        (levels,) = etree.fromstring(views["views"]["form"]["arch"]).xpath("//field[@name='level_ids']/list")
        unsized = [
            node.get("name")
            for node in levels.xpath("field")
            if not node.get("width") and node.get("widget") != "handle" and not node.get("optional")
        ]
        self.assertEqual(unsized, ["name"])

    def test_level_move_step_of_its_rules_process(self):
        """A level's *Move to Step* picker offers the steps of its rule's process when the rule
        has one (every step of the model when it has none), each as *Process / Step* as the
        form names it once saved, and creates none: a step of another process is not offered,
        rather than refused at save."""
        Step = self.env["guide.step"]
        other_process = self.env["guide.process"].create(
            {"name": "Renewals", "model_name": "crm.lead", "crm_team_ids": [(6, 0, self.other_team.ids)]}
        )
        other = Step.create({"process_id": other_process.id, "crm_stage_id": self.stage_new.id})
        domain = self.env["escalation.level"].fields_get(["move_step_id"])["move_step_id"]["domain"]
        rule = self._rule()
        self.assertEqual(rule.level_ids.rule_process_id, self.process)
        views = self.env["escalation.rule"].get_views([(False, "form")])
        arch = etree.fromstring(views["views"]["form"]["arch"])
        nodes = arch.xpath("//field[@name='level_ids']/form//field[@name='move_step_id']")
        names = [f"{self.process.name} / {name}" for name in self.process.step_ids.mapped("name")]
        for process in (self.process, Step):
            values = {"model_name": "crm.lead", "rule_process_id": process.id, "company_id": False}
            for node in nodes:
                self.assertIs(safe_eval(node.get("options") or "{}").get("no_create"), True)
                context = safe_eval(node.get("context") or "{}", values)
                offered = Step.with_context(**context).name_search("", safe_eval(domain, values), limit=None)
                offered = dict(offered)
                if process:
                    self.assertEqual(sorted(offered), sorted(self.process.step_ids.ids))
                    self.assertEqual(sorted(offered.values()), sorted(names))
                else:
                    self.assertIn(other.id, offered)
                    self.assertEqual(offered[other.id], f"Renewals / {other.name}")
