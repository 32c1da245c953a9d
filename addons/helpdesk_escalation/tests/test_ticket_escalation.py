import logging
from datetime import datetime
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.helpdesk_process_guide.hooks import uninstall_hook as guide_uninstall_hook

from ..hooks import uninstall_hook
from .common import T0, HelpdeskEscalationCommon

CLOCK_LOGGER = "odoo.addons.base_escalation.models.escalation_clock"


@tagged("post_install", "-at_install")
class TestTicketEscalation(HelpdeskEscalationCommon):
    def test_levels_fire_through_the_cron(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        rule = self._rule(
            levels=[
                {
                    "name": "L1 team leader",
                    "delay": 4,
                    "assign_to": "team_leader",
                    "activity_type_id": todo.id,
                    "activity_summary": "Take the ticket over",
                    "helpdesk_tag_ids": [(6, 0, self.tag.ids)],
                    "raise_priority": "2",
                },
                {
                    "name": "L2 manager",
                    "delay": 8,
                    "assign_to": "user",
                    "assign_user_id": self.user_manager.id,
                    "follow_team_leader": True,
                },
            ]
        )
        with self._at(T0):
            ticket = self._ticket()
        clock = self._clock(ticket, rule)
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.helpdesk_team_id, self.team)
        self.assertEqual(clock.next_escalation_at, self._h(4))
        self.assertEqual(ticket.escalation_state, "running")
        self.assertEqual(self._run_at(self._h(3.9)), 0)
        self.assertEqual(self._run_at(self._h(4.5)), 1)
        self.assertEqual(ticket.user_id, self.user_leader)
        self.assertEqual(ticket.team_id, self.team, "the ticket stays in its team")
        self.assertIn(self.tag, ticket.tag_ids)
        self.assertEqual(ticket.priority, "2")
        activity = ticket.activity_ids
        self.assertEqual(activity.user_id, self.user_leader)
        self.assertEqual(activity.summary, "Take the ticket over")
        log = self._logs(ticket, kind="escalation")
        self.assertEqual(log.level_id.name, "L1 team leader")
        self.assertEqual(log.helpdesk_team_id, self.team)
        self.assertEqual(log.from_user_id, self.user_agent)
        self.assertEqual(log.to_user_id, self.user_leader)
        self.assertEqual(ticket.escalation_state, "escalated")
        self.assertEqual(ticket.escalation_badge, "Escalated: L1 team leader")
        self.assertTrue(ticket.escalation_need_ack)
        self.assertEqual(ticket.escalation_next_at, self._h(8))
        self.assertIn(ticket, ticket.search([("escalation_escalated", "=", True)]))
        self.assertIn(ticket, ticket.search([("escalation_breached", "=", True)]))
        self._run_at(self._h(8.5))
        self.assertEqual(ticket.user_id, self.user_manager)
        self.assertIn(self.user_leader.partner_id, ticket.message_partner_ids)
        self.assertEqual(
            self._logs(ticket, kind="escalation").level_id.mapped("name"), ["L1 team leader", "L2 manager"]
        )
        self.assertEqual(ticket.escalation_log_count, 2)

    def test_level_reassigns_through_the_owner_hook_whatever_the_owner_field(self):
        """A model whose owner is not a Many2one ``user_id`` (several assignees) is handed to
        the team leader through its ``_escalation_owner_vals``, not left as it was."""
        self._rule()
        with self._at(T0):
            ticket = self._ticket()
        Ticket = type(self.env["helpdesk.ticket"])

        def owner_vals(record, user):
            return {"user_id": user.id}  # as a model writing its assignees would

        with (
            patch.object(Ticket, "_guide_owner_field", "x_assignee_ids"),
            patch.object(Ticket, "_escalation_reassignable", lambda model: True, create=True),
            patch.object(Ticket, "_escalation_owner_vals", owner_vals),
        ):
            self._run_at(self._h(4.5))
        self.assertEqual(ticket.user_id, self.user_leader)
        log = self._logs(ticket, kind="escalation")
        self.assertIn("Reassigned to Lea Leader", log.actions)

    def test_level_reassigning_a_model_without_an_owner_is_refused(self):
        """A model with no single owner cannot be reassigned: a level doing it is refused at
        save, naming the rule; one saved before says so in the log instead of nothing."""
        self._rule()
        with self._at(T0):
            ticket = self._ticket()
        Ticket = type(self.env["helpdesk.ticket"])
        with patch.object(Ticket, "_guide_owner_field", "x_assignee_ids"):
            with self.assertRaises(ValidationError) as caught:
                self._rule(name="Owner-less SLA")
            self.assertIn("Escalation rule “Owner-less SLA”", str(caught.exception))
            self.assertIn("cannot be reassigned to a user", str(caught.exception))
            self._run_at(self._h(4.5))
        self.assertEqual(ticket.user_id, self.user_agent)
        log = self._logs(ticket, kind="escalation")
        self.assertIn("Not reassigned: Helpdesk Ticket records have no single owner", log.actions)

    def test_warning_marks_the_ticket_at_risk(self):
        self._rule(
            levels=[
                {"name": "Soon late", "kind": "warning", "warning_percent": 80},
                {"name": "Late", "delay": 10},
            ]
        )
        with self._at(T0):
            ticket = self._ticket()
        self._run_at(self._h(8.5))
        self.assertEqual(ticket.escalation_state, "at_risk")
        self.assertEqual(ticket.escalation_badge, "At risk: Soon late")
        self.assertIn(ticket, ticket.search([("escalation_at_risk", "=", True)]))
        self.assertNotIn(ticket, ticket.search([("escalation_escalated", "=", True)]))

    def test_level_created_later_fires_in_sequence_order(self):
        """A level created after the others in the same transaction (module data, an
        import) fires in its sequence's place, not in creation order."""
        rule = self._rule(levels=[{"name": "Late", "delay": 10}, {"name": "Later", "delay": 20}])
        self.env["escalation.level"].create(
            {
                "rule_id": rule.id,
                "name": "Soon late",
                "kind": "warning",
                "warning_percent": 80,
                "sequence": -1,
            }
        )
        with self._at(T0):
            ticket = self._ticket()
        self.assertEqual(self._clock(ticket, rule).next_escalation_at, self._h(8))
        self._run_at(self._h(8.5))
        self.assertEqual(ticket.escalation_state, "at_risk")

    def test_pause_in_waiting_stage_and_met_on_resolve(self):
        rule = self._rule(
            trigger_type="creation",
            pause_step_ids=[(6, 0, self.step_waiting.ids)],
            met_step_ids=[(6, 0, self.step_resolved.ids)],
            levels=[{"name": "Resolution late", "delay": 10}],
        )
        with self._at(T0):
            ticket = self._ticket()
        clock = self._clock(ticket, rule)
        clock.episode_start = T0  # the creation date is the database's clock
        clock._escalation_reschedule()
        self.assertEqual(clock.next_escalation_at, self._h(10))
        with self._at(self._h(2)):
            ticket.with_user(self.user_agent).stage_id = self.stage_waiting
        self.assertEqual(clock.state, "paused")
        self.assertFalse(clock.next_escalation_at)
        self.assertEqual(ticket.escalation_state, "paused")
        self.assertEqual(self._run_at(self._h(30)), 0, "nothing fires while the customer is awaited")
        with self._at(self._h(32)):
            ticket.with_user(self.user_agent).stage_id = self.stage_progress
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.paused_seconds, 30 * 3600)
        self.assertEqual(clock.next_escalation_at, self._h(40))
        self.assertEqual(self._run_at(self._h(39)), 0)
        self._run_at(self._h(40.5))
        self.assertEqual(clock.state, "breached")
        with self._at(self._h(41)):
            ticket.with_user(self.user_agent).stage_id = self.stage_resolved
        self.assertEqual(clock.state, "met")
        self.assertTrue(clock.breached, "a late resolution stays in the breach rate")
        self.assertEqual(ticket.escalation_state, "met")
        self.assertTrue(self._logs(ticket, kind="deescalation"))

    def test_met_in_time(self):
        rule = self._rule(
            trigger_type="creation",
            met_step_ids=[(6, 0, self.step_resolved.ids)],
            levels=[{"name": "Resolution late", "delay": 10}],
        )
        ticket = self._ticket()
        ticket.with_user(self.user_agent).stage_id = self.stage_resolved
        clock = self._clock(ticket, rule)
        self.assertEqual(clock.state, "met")
        self.assertFalse(clock.breached)
        self.assertFalse(clock.next_escalation_at)
        self.assertFalse(clock.next_level_id, "met for good: no next level")

    def test_closed_stage_deescalates(self):
        rule = self._rule(
            trigger_type="creation",
            met_step_ids=[(6, 0, self.step_resolved.ids)],
            levels=[{"name": "L1", "delay": 1}],
        )
        with self._at(T0):
            ticket = self._ticket()
        clock = self._clock(ticket, rule)
        clock.episode_start = T0
        clock._escalation_reschedule()
        self._run_at(self._h(2))
        self.assertEqual(clock.state, "breached")
        with self._at(self._h(3)):
            ticket.with_user(self.user_leader).stage_id = self.stage_cancelled
        self.assertEqual(clock.state, "done", "a closed ticket that is not resolved is de-escalated")
        self.assertEqual(ticket.escalation_state, "none")
        deescalation = self._logs(ticket, kind="deescalation")
        self.assertTrue(deescalation)
        self.assertEqual(deescalation.helpdesk_team_id, ticket.team_id, "Reporting by team counts it")

    def test_scope_by_helpdesk_team_and_category(self):
        rule = self._rule(domain=f"[('category_id', '=', {self.category.id})]")
        other = self._ticket(team_id=self.other_team.id, category_id=self.category.id)
        self.assertTrue(other.guide_process_id, "guided, but by another team")
        self.assertFalse(self._clock(other, rule))
        ticket = self._ticket()
        self.assertFalse(self._clock(ticket, rule), "no category: out of the rule's condition")
        ticket.category_id = self.category
        clock = self._clock(ticket, rule)
        self.assertEqual(clock.state, "running")
        ticket.team_id = self.other_team
        self.assertEqual(clock.state, "done", "the ticket left the rule's teams")
        # the SQL pre-selection of a resync agrees with the record scope
        domain = rule._escalation_search_domain()
        self.assertIn(("team_id", "in", self.team.ids), domain)
        self.assertFalse(self.env["helpdesk.ticket"].search([*domain, ("id", "in", (ticket | other).ids)]))

    def test_team_calendar(self):
        self.team.resource_calendar_id = self.calendar
        rule = self._rule(
            time_mode="working",
            calendar_source="team",
            delay_unit="days",
            levels=[{"name": "L1", "delay": 1}],
        )
        friday_3pm = datetime(2031, 3, 7, 15, 0)
        with self._at(friday_3pm):
            ticket = self._ticket()
            other = self._ticket(team_id=self.other_team.id)
        clock = self._clock(ticket, rule)
        self.assertEqual(clock.calendar_id, self.calendar)
        # one working day = 8 hours: 2h on Friday, the weekend does not count, 6h on Monday
        self.assertEqual(clock.next_escalation_at, datetime(2031, 3, 10, 15, 0))
        self.assertEqual(self._run_at(datetime(2031, 3, 10, 14, 0)), 0)
        self.assertEqual(self._run_at(datetime(2031, 3, 10, 15, 1)), 1)
        # a team without working hours counts the company's
        rule.helpdesk_team_ids = self.team | self.other_team
        self.assertEqual(self._clock(other, rule).calendar_id, self.company.resource_calendar_id)

    def test_level_moves_the_ticket_to_another_team(self):
        rule = self._rule(
            levels=[
                {
                    "name": "Second line",
                    "delay": 2,
                    "assign_to": "team",
                    "assign_helpdesk_team_id": self.other_team.id,
                }
            ]
        )
        with self._at(T0):
            ticket = self._ticket()
        self._run_at(self._h(2.5))
        self.assertEqual(ticket.team_id, self.other_team)
        log = self._logs(ticket, kind="escalation")
        self.assertIn("Moved to team Second Line", log.actions)
        self.assertEqual(log.helpdesk_team_id, self.team, "logged with the team that breached")
        self.assertEqual(self._clock(ticket, rule).state, "done", "the other team is out of the rule's scope")

    def test_tickets_are_a_choice_of_the_rules(self):
        selection = self.env["escalation.rule"]._fields["model_name"]._description_selection(self.env)
        self.assertIn("helpdesk.ticket", dict(selection))

    def test_uninstall_hook_removes_ticket_rules_and_keeps_the_log(self):
        self._requires_crm_escalation()  # a lead rule stays
        rule = self._rule()
        lead_rule = self.env["escalation.rule"].create(
            {
                "name": "Stale leads",
                "model_name": "crm.lead",
                "level_ids": [(0, 0, {"name": "L1", "delay": 4})],
            }
        )
        with self._at(T0):
            ticket = self._ticket()
        self._run_at(self._h(5))
        log = self._logs(ticket, kind="escalation")
        self.assertTrue(log)
        uninstall_hook(self.env)
        self.assertFalse(rule.exists())
        self.assertFalse(
            self.Clock.search([("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)])
        )
        self.assertTrue(lead_rule.exists())
        self.assertTrue(log.exists(), "the escalation log is an audit trail")
        self.assertEqual(ticket.escalation_state, "none")

    def test_rule_of_a_process_the_guide_uninstallation_deletes_is_archived(self):
        """Its process deleted by the guide bridge's uninstallation, a rule limited to it is
        archived: left active with no process, it would time every ticket."""
        rule = self._rule()
        guide_uninstall_hook(self.env)
        self.assertFalse(rule.active)
        self.assertIn("uninstallation of a module deleted the process", str(rule.message_ids[:1].body))

    def test_gate_refusal_is_a_failure_of_that_ticket(self):
        rule = self._rule(levels=[{"name": "Push", "delay": 1, "move_step_id": self.step_progress.id}])
        with self._at(T0):
            ticket = self._ticket()
            free = self._ticket()
            free.stage_id = self.stage_waiting
        self.step_triage.write({"gate_mode": "block", "item_ids": [(0, 0, {"name": "Customer called back"})]})
        with self.assertLogs(CLOCK_LOGGER, logging.INFO) as logs:
            self._run_at(self._h(2))
        self.assertEqual(self._clock(ticket, rule).failure_count, 1)
        failed = self._logs(ticket, outcome="failed")
        self.assertEqual(failed.helpdesk_team_id, ticket.team_id, "a failed attempt names the team too")
        self.assertEqual(ticket.stage_id, self.stage_triage)
        self.assertEqual(free.stage_id, self.stage_progress)
        refusals = [r for r in logs.records if "Push" in r.getMessage()]
        self.assertEqual([r.levelno for r in refusals], [logging.INFO])
        self.assertFalse(refusals[0].exc_info)
        self.assertFalse([r for r in logs.records if r.levelno >= logging.WARNING])

    def test_smart_buttons_open_the_ticket_columns(self):
        """The ticket's escalation log and clocks open in the helpdesk's columns: the
        helpdesk team, no sales team (an empty column where CRM is installed too)."""
        ticket = self._ticket()
        for action in (ticket.action_escalation_open_logs(), ticket.action_escalation_open_clocks()):
            context = action["context"]
            self.assertEqual(context["escalation_app_model"], "helpdesk.ticket")
            Model = self.env[action["res_model"]].with_user(self.user_manager).with_context(**context)
            arch = etree.fromstring(Model.get_view(view_type="list")["arch"])
            hidden = {
                field.get("name"): safe_eval(field.get("column_invisible") or "False", {"context": context})
                for field in arch.xpath("//field")
            }
            self.assertIs(hidden["helpdesk_team_id"], False, action["res_model"])
            self.assertIs(hidden.get("crm_team_id", True), True, action["res_model"])

    def test_escalate_escalations_and_escalation_tab_read_apart(self):
        """The ticket's Escalate button (an action), its Escalations button (the log) and its
        Escalation tab read as three things in Chinese and Russian, not one word thrice."""
        modules = ["base_escalation", "helpdesk_escalation"]
        for lang in ("zh_CN", "ru_RU"):
            self.env["res.lang"]._activate_lang(lang)
            self.env["ir.module.module"]._load_module_terms(modules, [lang], overwrite=True)
            Ticket = self.env["helpdesk.ticket"].with_context(lang=lang)
            arch = etree.fromstring(Ticket.get_view(view_type="form")["arch"])
            labels = [
                arch.xpath("//button[@name='action_escalation_open_wizard']")[0].get("string"),
                arch.xpath("//button[@name='action_escalation_open_logs']/field")[0].get("string"),
                arch.xpath("//page[@name='escalation']")[0].get("string"),
            ]
            self.assertNotIn("Escalate", labels, f"{lang}: translated")
            self.assertEqual(len(set(labels)), 3, f"{lang}: {labels}")

    def test_rule_info_is_read_only(self):
        """The cached rule values the hooks receive (``rule_info``) cannot be changed by a hook."""
        self._rule()
        config = self.env["escalation.rule"]._get_escalation_config("helpdesk.ticket")
        rule_info = config["rules"][0]
        self.assertEqual(rule_info["helpdesk_team_ids"], frozenset(self.team.ids))
        seen = []

        def match_scope(records, rule_info):
            seen.append(rule_info)
            with self.assertRaises(TypeError):
                rule_info["helpdesk_team_ids"] = frozenset()
            return records

        with patch.object(type(self.env["helpdesk.ticket"]), "_escalation_match_scope", match_scope):
            self._ticket()
        self.assertIs(seen[0], rule_info)
        with self.assertRaises(TypeError):
            rule_info["levels"][0]["delay"] = 0.0
        with self.assertRaises(AttributeError):
            rule_info["helpdesk_team_ids"].add(0)
