from lxml import etree

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import T0, HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestValidation(HelpdeskEscalationCommon):
    def test_ticket_rule_refuses_sales_teams(self):
        self._requires_crm_escalation()
        crm_team = self.env["crm.team"].create({"name": "E-Sales"})
        with self.assertRaisesRegex(ValidationError, "sales teams only apply to leads"):
            self._rule(crm_team_ids=[(6, 0, crm_team.ids)])

    def test_lead_rule_refuses_helpdesk_teams(self):
        self._requires_crm_escalation()
        with self.assertRaisesRegex(ValidationError, "helpdesk teams only apply to tickets"):
            self._rule(model_name="crm.lead", process_id=False)
        rule = self._rule(model_name="crm.lead", process_id=False, helpdesk_team_ids=False)
        with self.assertRaisesRegex(ValidationError, "helpdesk teams only apply to tickets"):
            rule.helpdesk_team_ids = self.team

    def test_rule_teams_of_another_company(self):
        other = self.env["res.company"].create({"name": "E-Other Co"})
        with self.assertRaisesRegex(ValidationError, "belong to another company"):
            self._rule(company_id=other.id, levels=[{"name": "L1", "delay": 4, "assign_to": "team_leader"}])

    def test_team_working_hours_shown_on_the_team_form(self):
        """A helpdesk team's Working Hours show on its form (in no group the form hides)."""
        admin = self.env.ref("base.user_admin")
        view = self.env["helpdesk.ticket.team"].with_user(admin).get_view(view_type="form")
        (field,) = etree.fromstring(view["arch"]).xpath("//field[@name='resource_calendar_id']")
        shown = (None, "0", "False")
        hidden = [node.get("name") for node in field.iterancestors() if node.get("invisible") not in shown]
        self.assertFalse(hidden, "Working Hours sit in a group hidden by the form")

    def test_working_hours_created_from_a_rule_take_its_company(self):
        """Working hours created from a rule's field (Create and edit...) take the rule's
        company, none for a rule of every company: accepted at save. Working hours of a
        company on a rule of every company are refused, for an administrator of one company
        (no company field shown) in the screens' words: what to choose instead."""
        admin = self.env.ref("base.user_admin")
        self.assertFalse(admin.has_group("base.group_multi_company"))
        arch = etree.fromstring(self.env["escalation.rule"].with_user(admin).get_view()["arch"])
        (field,) = arch.xpath("//field[@name='resource_calendar_id']")
        self.assertEqual(field.get("context"), "{'default_company_id': company_id}")
        Calendar = self.env["resource.calendar"].with_user(admin)
        created = Calendar.with_context(default_company_id=False).create({"name": "E-38 hours"})
        self.assertFalse(created.company_id)
        rule = self._rule(time_mode="working", calendar_source="rule", resource_calendar_id=created.id)
        self.assertEqual(rule.resource_calendar_id, created)
        # a company's working hours: refused, saying what to do where no company is shown
        company_hours = Calendar.create({"name": "E-Company hours"})
        self.assertEqual(company_hours.company_id, self.env.company)
        with self.assertRaises(UserError) as caught:
            rule.with_user(admin).resource_calendar_id = company_hours
        message = str(caught.exception)
        self.assertIn(f"“E-Company hours” belong to {self.env.company.name} only", message)
        self.assertIn("create new ones from the field (Create and edit...)", message)
        self.assertNotIn("give it a company", message)

    def test_team_levels_need_a_helpdesk_team(self):
        with self.assertRaisesRegex(ValidationError, "choose the team"):
            self._rule(levels=[{"name": "Move", "delay": 1, "assign_to": "team"}])
        rule = self._rule(
            levels=[
                {
                    "name": "Move",
                    "delay": 1,
                    "assign_to": "team",
                    "assign_helpdesk_team_id": self.other_team.id,
                }
            ]
        )
        self.assertEqual(rule.level_ids._escalation_assign_team(), self.other_team)

    def test_sales_teams_and_helpdesk_teams_follow_the_model(self):
        self._requires_crm_escalation()
        crm_team = self.env["crm.team"].create({"name": "E-Sales"})
        with self.assertRaisesRegex(ValidationError, "only apply to leads"):
            self._rule(
                levels=[{"name": "Move", "delay": 1, "assign_to": "team", "assign_crm_team_id": crm_team.id}]
            )
        with self.assertRaisesRegex(ValidationError, "only apply to tickets"):
            self._rule(
                model_name="crm.lead",
                process_id=False,
                helpdesk_team_ids=False,
                levels=[{"name": "Tag", "delay": 1, "helpdesk_tag_ids": [(6, 0, self.tag.ids)]}],
            )

    def test_levels_follow_the_model_of_the_rule(self):
        self._requires_crm_escalation()
        rule = self._rule(levels=[{"name": "Tag", "delay": 1}])
        rule.level_ids.helpdesk_tag_ids = self.tag
        with self.assertRaisesRegex(ValidationError, "only apply to tickets"):
            rule.write({"model_name": "crm.lead", "process_id": False, "helpdesk_team_ids": [(5, 0, 0)]})
        other = self._rule(levels=[{"name": "CRM tag", "delay": 1}])
        with self.assertRaisesRegex(ValidationError, "only apply to leads"):
            other.level_ids.crm_tag_ids = self.env["crm.tag"].create({"name": "E-Hot"})

    def test_cron_interval_in_the_helpdesk_settings(self):
        """A helpdesk without CRM sets the escalation scheduler's interval in its own app."""
        admin = self.env.ref("base.user_admin")
        arch = etree.fromstring(self.env["res.config.settings"].with_user(admin).get_view()["arch"])
        self.assertTrue(arch.xpath("//app[@name='helpdesk_mgmt']//field[@name='escalation_cron_interval']"))
        with Form(self.env["res.config.settings"].with_user(admin)) as settings:
            settings.escalation_cron_interval = 7
        settings.save().execute()
        cron = self.env.ref("base_escalation.escalation_cron")
        self.assertEqual((cron.interval_number, cron.interval_type), (7, "minutes"))

    def test_level_team_of_another_company(self):
        """A level of a company's rule does not name a helpdesk team of another company; a
        rule of every company moves a ticket only to a team of its company (or of none): the
        ticket kept its company in a team of another one. The log and the note say why."""
        other = self.env["res.company"].create({"name": "E-Other Co"})
        foreign_team = self.env["helpdesk.ticket.team"].create(
            {"name": "E-Foreign desk", "company_id": other.id}
        )
        level = {"name": "Move", "delay": 1, "assign_to": "team", "assign_helpdesk_team_id": foreign_team.id}
        # a rule of every company: the ticket of another company stays in its team
        rule = self._rule(levels=[level])
        with self._at(T0):
            ticket = self._ticket()
        self._run_at(self._h(2))
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.company_id, self.env.company)
        log = self._logs(ticket, kind="escalation")
        self.assertIn("Not moved: team E-Foreign desk belongs to E-Other Co", log.actions)
        rule.active = False
        # a rule of a company names no team of another one
        with self.assertRaisesRegex(ValidationError, "E-Foreign desk belongs to E-Other Co, not to"):
            self._rule(company_id=self.env.company.id, levels=[level])
        rule = self._rule(
            company_id=self.env.company.id, levels=[dict(level, assign_helpdesk_team_id=self.other_team.id)]
        )
        with self.assertRaisesRegex(ValidationError, "E-Foreign desk belongs to E-Other Co, not to"):
            rule.level_ids.assign_helpdesk_team_id = foreign_team

    def test_level_moved_to_a_lead_rule_is_checked_there(self):
        """A ticket level moved by an administrator into a lead rule is checked there: its
        ticket tags and team do not apply to leads."""
        self._requires_crm_escalation()
        rule = self._rule(
            active=False, levels=[{"name": "Tag", "delay": 1, "helpdesk_tag_ids": [(6, 0, self.tag.ids)]}]
        )
        lead_rule = self._rule(
            model_name="crm.lead",
            process_id=False,
            helpdesk_team_ids=False,
            active=False,
            levels=[{"name": "Lead level", "delay": 1}],
        )
        with self.assertRaisesRegex(ValidationError, "only apply to tickets"), self.env.cr.savepoint():
            rule.level_ids.write({"rule_id": lead_rule.id, "delay": 2, "sequence": 5})
        self.assertEqual(rule.level_ids.name, "Tag")
