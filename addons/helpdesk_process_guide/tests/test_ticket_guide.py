import ast
import base64
import json

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired

from ..hooks import post_init_hook, uninstall_hook
from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTicketGuide(HelpdeskGuideCommon):
    def test_ticket_follows_the_process_of_its_team(self):
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.user_own)
            .create(
                {
                    "name": "Printer down",
                    "description": "<p>Help</p>",
                    "team_id": self.team.id,
                    "stage_id": self.stage_triage.id,
                }
            )
        )
        self.assertEqual(ticket.guide_process_id, self.process)
        self.assertEqual(ticket.guide_step_id, self.step_triage)
        # the conditional item does not apply below "very high" priority
        self.assertEqual(ticket.guide_item_total, 4)
        self.assertEqual(ticket.guide_item_done, 0)
        self.assertTrue(ticket.guide_blocked)
        self.assertEqual(ticket.guide_missing_items, "Impact assessed\nCategory set")
        entry = self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(entry.direction, "initial")
        self.assertEqual(entry.helpdesk_team_id, self.team)
        unguided = self._ticket(team_id=self.other_team.id)
        self.assertFalse(unguided.guide_process_id)
        self.assertFalse(unguided.guide_current_line_ids)

    def test_block_lists_missing_items_then_passes(self):
        ticket = self._ticket(name="Mail server down").with_user(self.user_own)
        with self.assertRaises(UserError) as err:
            ticket.write({"stage_id": self.stage_progress.id})
        message = str(err.exception)
        self.assertIn("Mail server down", message)
        self.assertIn("Impact assessed", message)
        self.assertIn("Category set", message)
        self.assertNotIn("Customer identified", message)
        self.assertNotIn("Escalation contact known", message)
        self.assertEqual(ticket.stage_id, self.stage_triage)
        # manual item ticked by the agent, automatic one done by the record
        self._lines(ticket)["Impact assessed"].action_check()
        line = self._lines(ticket)["Impact assessed"]
        self.assertEqual(line.checked_by_id, self.user_own)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "Impact assessed done" in (m.body or "")))
        ticket.write({"category_id": self.category.id})
        ticket.invalidate_recordset(["guide_blocked"])
        self.assertFalse(ticket.guide_blocked)
        ticket.write({"stage_id": self.stage_progress.id})
        self.assertEqual(ticket.guide_step_id, self.step_progress)
        self.assertEqual(set(self._lines(ticket)), {"Solution proposed"})
        last = self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)], limit=1
        )
        self.assertEqual(
            (last.direction, last.gate_result, last.from_step_id, last.to_step_id, last.user_id),
            ("forward", "passed", self.step_triage, self.step_progress, self.user_own),
        )
        self.assertEqual((last.checklist_done, last.checklist_total), (2, 4))

    def test_panel_hides_an_empty_checklist(self):
        """A step without checklist items (or a record not saved yet) shows no *Checklist
        0 / 0* block with an empty table in the guidance panel: the rest of the panel stays."""
        Model = self.env["helpdesk.ticket"].with_user(self.user_own)
        arch = etree.fromstring(Model.get_views([(False, "form")])["views"]["form"]["arch"])
        for lines in ("guide_current_line_ids", "guide_alt_line_ids"):
            [block] = arch.xpath(f"//div[@name='guide_panel']//div[field[@name='{lines}']]")
            self.assertTrue(safe_eval(block.get("invisible") or "False", {lines: []}), lines)
            self.assertFalse(safe_eval(block.get("invisible") or "False", {lines: [1]}), lines)
        self.assertTrue(arch.xpath("//div[@name='guide_panel']//field[@name='guide_instructions']"))

    def test_move_on_lists_every_item_alike(self):
        """*To move on* (and *To complete it*) lists the missing items one a line, under the
        heading: not the first one inline after it and the others below."""
        Model = self.env["helpdesk.ticket"].with_user(self.user_own)
        arch = etree.fromstring(Model.get_views([(False, "form")])["views"]["form"]["arch"])
        for missing in ("guide_missing_items", "guide_alt_missing_items"):
            [field] = arch.xpath(f"//div[@name='guide_panel']//field[@name='{missing}']")
            classes = (field.get("class") or "").split()
            self.assertIn("d-block", classes, missing)
            self.assertNotIn("d-inline", classes, missing)

    def test_cancelling_or_rejecting_passes_no_gate(self):
        """A closing stage that is no step of the process (cancelled, rejected) ends the
        ticket without its checklist: a spam ticket in a *Block* triage is rejected as it
        is, the move recorded; an open stage without a step is still judged forward, and
        coming back into the steps from a closed one passes the gates it skips."""
        rejected = self.env["helpdesk.ticket.stage"].create(
            {"name": "G-Rejected", "sequence": 1005, "closed": True}
        )
        parked = self.env["helpdesk.ticket.stage"].create({"name": "G-Parked", "sequence": 1006})
        spam = self._ticket(name="Win a prize").with_user(self.user_own)
        with self.assertRaisesRegex(UserError, "Category set"):
            spam.write({"stage_id": parked.id})
        spam.write({"stage_id": rejected.id})
        self.assertEqual((spam.stage_id, spam.guide_step_id.id), (rejected, False))
        last = self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", spam.id)], limit=1
        )
        self.assertEqual(
            (last.from_step_id, last.to_step_id.id, last.gate_result, last.user_id),
            (self.step_triage, False, "free", self.user_own),
        )
        with self.assertRaisesRegex(UserError, "Category set"):
            spam.write({"stage_id": self.stage_progress.id})
        self.assertEqual(spam.stage_id, rejected)

    def test_conditional_and_attachment_items(self):
        ticket = self._ticket(priority="3", category_id=self.category.id)
        self._lines(ticket)["Impact assessed"].action_check()
        self.assertEqual(ticket.guide_missing_items, "Escalation contact known")
        self.assertFalse(self._lines(ticket)["Screenshot attached"].is_done)
        self.env["ir.attachment"].create(
            {
                "name": "shot.png",
                "datas": base64.b64encode(b"png"),
                "res_model": "helpdesk.ticket",
                "res_id": ticket.id,
            }
        )
        ticket.invalidate_recordset(["guide_current_line_ids"])
        self.assertTrue(self._lines(ticket)["Screenshot attached"].is_done)
        with self.assertRaisesRegex(UserError, "completed automatically"):
            self._lines(ticket)["Category set"].with_user(self.user_own).action_check()

    def test_override_needs_a_reason_and_is_recorded(self):
        ticket = self._ticket(stage_id=self.stage_progress.id).with_user(self.user_own)
        with self.assertRaises(GuideDecisionRequired) as err:
            ticket.write({"stage_id": self.stage_waiting.id})
        self.assertIn("Solution proposed", err.exception.args[0])
        self.assertEqual(ticket.stage_id, self.stage_progress)
        # the UI path: the override wizard
        context = err.exception.action["context"]
        wizard = Form(self.env["guide.override.wizard"].with_user(self.user_own).with_context(**context))
        wizard.reason = "Known issue, fix sent right away"
        wizard.reason_id = self.reason
        wizard.save().action_confirm()
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(deviation.kind, "gate")
        self.assertEqual(deviation.user_id, self.user_own)
        self.assertEqual(deviation.reason, "Known issue, fix sent right away")
        self.assertEqual(deviation.step_id, self.step_progress)
        self.assertEqual(deviation.history_id.gate_result, "overridden")
        self.assertTrue(ticket.guide_overridden)
        self.assertIn(ticket, self.env["helpdesk.ticket"].search([("guide_overridden", "=", True)]))

    def test_override_dialog_holds_the_whole_write_without_what_helpdesk_adds(self):
        """A ticket moved past an Override gate with its priority in one write: the dialog makes
        both, and holds neither the dates nor the kanban state helpdesk_mgmt adds to a move
        (added again when the dialog makes it, at that time)."""
        ticket = self._ticket(stage_id=self.stage_progress.id).with_user(self.user_own)
        with self.assertRaises(GuideDecisionRequired) as err:
            ticket.write({"stage_id": self.stage_waiting.id, "priority": "2"})
        context = err.exception.action["context"]
        self.assertEqual(
            json.loads(context["default_vals"]), {"stage_id": self.stage_waiting.id, "priority": "2"}
        )
        wizard = Form(self.env["guide.override.wizard"].with_user(self.user_own).with_context(**context))
        wizard.reason = "Known issue, fix sent right away"
        wizard.save().action_confirm()
        self.assertEqual((ticket.stage_id, ticket.priority), (self.stage_waiting, "2"))
        self.assertTrue(ticket.last_stage_update)

    def test_override_restricted_to_a_group(self):
        self.step_progress.override_group_id = self.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        ticket = self._ticket(stage_id=self.stage_progress.id)
        with self.assertRaisesRegex(UserError, "Only members of"):
            ticket.with_user(self.user_own).with_context(guide_override_reason="Because").write(
                {"stage_id": self.stage_waiting.id}
            )
        ticket.with_user(self.user_manager).with_context(guide_override_reason="Because").write(
            {"stage_id": self.stage_waiting.id}
        )
        self.assertEqual(ticket.stage_id, self.stage_waiting)

    def test_advisory_backward_and_filters(self):
        ticket = self._ticket(stage_id=self.stage_waiting.id)
        ticket.with_user(self.user_own).write({"stage_id": self.stage_resolved.id})
        history = self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(history[0].gate_result, "advisory")
        self.assertEqual(history[0].checklist_missing, "Customer confirmed")
        ticket.with_user(self.user_own).write({"stage_id": self.stage_progress.id})
        self.assertEqual(ticket.guide_step_id, self.step_progress)
        last = self.env["guide.history"].search(
            [("res_id", "=", ticket.id), ("res_model", "=", "helpdesk.ticket")], limit=1
        )
        self.assertEqual(last.direction, "backward")
        blocked = self.env["helpdesk.ticket"].with_user(self.user_own).search([("guide_blocked", "=", True)])
        self.assertIn(ticket, blocked)

    def test_rematch_on_team_change(self):
        ticket = self._ticket(team_id=self.other_team.id, user_id=self.user_agent.id)
        self.assertFalse(ticket.guide_process_id)
        ticket.with_user(self.user_agent).write({"team_id": self.team.id})
        self.assertEqual(ticket.guide_process_id, self.process)
        self.assertEqual(ticket.guide_step_id, self.step_triage)
        self.assertEqual(len(ticket.guide_current_line_ids), 4)
        ticket.with_user(self.user_agent).write({"team_id": self.other_team.id})
        self.assertFalse(ticket.guide_process_id)
        self.assertFalse(ticket.guide_step_id)

    def test_scope_by_category_channel_priority(self):
        channel = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone")
        urgent = self.env["guide.process"].create(
            {
                "name": "Urgent phone software tickets",
                "sequence": 1,
                "model_name": "helpdesk.ticket",
                "helpdesk_category_ids": [(6, 0, self.category.ids)],
                "helpdesk_channel_ids": [(6, 0, channel.ids)],
                "helpdesk_min_priority": "2",
                "step_ids": [(0, 0, {"helpdesk_stage_id": self.stage_triage.id})],
            }
        )
        ticket = self._ticket(category_id=self.category.id, channel_id=channel.id, priority="1")
        self.assertEqual(ticket.guide_process_id, self.process)
        ticket.priority = "3"
        self.assertEqual(ticket.guide_process_id, urgent)
        ticket.channel_id = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_email")
        self.assertEqual(ticket.guide_process_id, self.process)
        if self.crm_guided:
            with self.assertRaisesRegex(Exception, "only apply to tickets"):
                self.env["guide.process"].create(
                    {"name": "Leads", "model_name": "crm.lead", "helpdesk_team_ids": [(6, 0, self.team.ids)]}
                )

    def test_stage_of_the_wrong_model_is_refused(self):
        self._require_crm()
        crm_stage = self.env["crm.stage"].create({"name": "G-CRM"})
        with self.assertRaisesRegex(ValidationError, "CRM Stage can only be used by a process on"):
            with self.cr.savepoint():
                self.env["guide.step"].create({"process_id": self.process.id, "crm_stage_id": crm_stage.id})
        # a second step on a stage of the process: refused by name, before the unique index
        with self.assertRaisesRegex(ValidationError, "already has a step for this stage"):
            self.env["guide.step"].create(
                {"process_id": self.process.id, "helpdesk_stage_id": self.stage_triage.id}
            )

    def test_records_in_flight_keep_their_checklist(self):
        ticket = self._ticket()
        self.env["guide.item"].create({"name": "New rule", "step_id": self.step_triage.id})
        self.assertNotIn("New rule", self._lines(ticket))
        self.assertIn("New rule", self._lines(self._ticket()))
        self.process.action_apply_to_open_records()
        ticket.invalidate_recordset(["guide_current_line_ids"])
        self.assertIn("New rule", self._lines(ticket))

    def test_hints_ack_and_feedback(self):
        self.env["guide.hint"].search([]).active = False
        hint = self.env["guide.hint"].create(
            {
                "name": "Very high priority: call the customer",
                "model_name": "helpdesk.ticket",
                "domain": "[('priority', '=', '3')]",
                "requires_ack": True,
            }
        )
        step_hint = self.env["guide.hint"].create(
            {
                "name": "Remind after 3 days",
                "model_name": "helpdesk.ticket",
                "step_ids": [(6, 0, self.step_waiting.ids)],
            }
        )
        ticket = self._ticket(priority="1")
        self.assertFalse(ticket.guide_hint_ids)
        ticket.priority = "3"
        ticket.invalidate_recordset(["guide_hint_ids"])
        self.assertEqual(ticket.guide_hint_ids, hint)
        waiting = self._ticket(stage_id=self.stage_waiting.id)
        self.assertEqual(waiting.guide_hint_ids, step_hint)
        ctx = {"guide_res_model": "helpdesk.ticket", "guide_res_id": ticket.id}
        hint.with_user(self.user_own).with_context(**ctx).action_acknowledge()
        hint.with_user(self.user_own).with_context(**ctx).action_acknowledge()
        self.assertEqual(hint.ack_count, 1)
        self.assertTrue(hint.with_user(self.user_own).with_context(**ctx).context_acknowledged)
        self.assertFalse(hint.with_user(self.user_agent).with_context(**ctx).context_acknowledged)
        hint.with_user(self.user_agent).with_context(**ctx).action_mark_unhelpful()
        self.assertEqual(hint.unhelpful_count, 1)
        # the form reads each user's own marks from the ticket (no record id in the hints' context)
        spec = {"guide_hint_ack_ids": {}, "guide_hint_unhelpful_ids": {}}
        [own] = ticket.with_user(self.user_own).web_read(spec)
        self.assertEqual((own["guide_hint_ack_ids"], own["guide_hint_unhelpful_ids"]), (hint.ids, []))
        [agent] = ticket.with_user(self.user_agent).web_read(spec)
        self.assertEqual((agent["guide_hint_ack_ids"], agent["guide_hint_unhelpful_ids"]), ([], hint.ids))
        hint.with_user(self.user_agent).with_context(**ctx).action_undo_unhelpful()
        [agent] = ticket.with_user(self.user_agent).web_read(spec)
        self.assertEqual(agent["guide_hint_unhelpful_ids"], [])
        self.assertEqual(hint.unhelpful_count, 0)

    def test_process_feedback_reviewed_by_helpdesk_managers(self):
        ticket = self._ticket()
        action = ticket.with_user(self.user_own).action_guide_feedback()
        feedback = (
            self.env["guide.feedback"]
            .with_user(self.user_own)
            .with_context(**action["context"])
            .create({"name": "Impact assessment is useless for password resets"})
        )
        self.assertEqual((feedback.process_id, feedback.step_id), (self.process, self.step_triage))
        self.assertEqual(feedback.res_model, "helpdesk.ticket")
        with self.assertRaises(UserError):
            feedback.with_user(self.user_agent).action_accept()
        feedback.with_user(self.user_manager).action_accept()
        self.assertEqual(feedback.state, "accepted")

    def test_history_and_stats_buttons(self):
        ticket = self._ticket(stage_id=self.stage_waiting.id)
        ticket.write({"stage_id": self.stage_resolved.id})
        ticket_as_agent = ticket.with_user(self.user_own)
        self.assertEqual(ticket_as_agent.guide_history_count, 2)
        action = ticket_as_agent.action_guide_open_history()
        history = self.env["guide.history"].with_user(self.user_own).search(action["domain"])
        self.assertEqual(len(history), 2)
        with self.assertRaises(AccessError):
            history.write({"note": "rewritten"})
        with self.assertRaises(AccessError):
            history.unlink()

    def test_ticket_views_show_the_guidance(self):
        views = (
            self.env["helpdesk.ticket"]
            .with_user(self.user_own)
            .get_views([(False, "form"), (False, "kanban"), (False, "list"), (False, "search")])
        )
        arch = {view_type: view["arch"] for view_type, view in views["views"].items()}
        self.assertIn("o_guide_panel", arch["form"])
        self.assertIn("guide_current_line_ids", arch["form"])
        self.assertIn("'guide_res_model': 'helpdesk.ticket'", arch["form"])
        self.assertIn("o_guide_kanban_progress", arch["kanban"])
        self.assertIn("guide_progress", arch["list"])
        self.assertIn('name="guide_blocked"', arch["search"])

    def test_demo_support_process(self):
        process = self.env.ref("helpdesk_process_guide.guide_process_support_demo", raise_if_not_found=False)
        if not process:
            self.skipTest("installed without demo data")
        waiting = self.env.ref("helpdesk_process_guide.helpdesk_ticket_guide_waiting_demo")
        self.assertEqual(waiting.guide_process_id, process)
        self.assertEqual(
            waiting.guide_step_id, self.env.ref("helpdesk_process_guide.guide_step_waiting_demo")
        )
        self.assertTrue(waiting.guide_overridden)
        progress = self.env.ref("helpdesk_process_guide.helpdesk_ticket_guide_progress_demo")
        self.assertEqual(
            progress.guide_step_id, self.env.ref("helpdesk_process_guide.guide_step_progress_demo")
        )
        triage = self.env.ref("helpdesk_process_guide.helpdesk_ticket_guide_triage_demo")
        self.assertTrue(triage.guide_blocked)
        self.assertIn(self.env.ref("helpdesk_process_guide.guide_hint_urgent_demo"), triage.guide_hint_ids)

    def test_stage_following_the_team_is_recorded(self):
        """helpdesk_mgmt moves a ticket to another stage when its new team does not
        use the current one: the history records it and the step clock restarts."""
        team2 = self.env["helpdesk.ticket.team"].create(
            {"name": "Second Line", "user_ids": [(6, 0, self.user_agent.ids)]}
        )
        self.process.helpdesk_team_ids |= team2
        private = self.env["helpdesk.ticket.stage"].create(
            {"name": "G-First Line Only", "sequence": 999, "team_ids": [(6, 0, self.team.ids)]}
        )
        private_step = self.env["guide.step"].create(
            {
                "process_id": self.process.id,
                "helpdesk_stage_id": private.id,
                "item_ids": [(0, 0, {"name": "X"})],
            }
        )
        ticket = self._ticket(stage_id=private.id, user_id=self.user_agent.id)
        self.assertEqual(ticket.guide_step_id, private_step)
        ticket.write({"guide_step_entered_at": "2020-01-01 00:00:00"})
        ticket.with_user(self.user_agent).write({"team_id": team2.id})
        self.assertNotEqual(ticket.stage_id, private)
        self.assertEqual(ticket.guide_process_id, self.process)
        self.assertGreater(ticket.guide_step_entered_at.year, 2020)
        last = self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)], limit=1
        )
        self.assertEqual(last.from_step_id, private_step)
        self.assertEqual(last.to_stage_name, ticket.stage_id.display_name)
        self.assertEqual(
            (last.gate_result, last.user_id, last.helpdesk_team_id), ("free", self.user_agent, team2)
        )
        self.assertGreater(last.duration_hours, 24 * 365)

    def test_milestone_timeline_label_is_the_process_one(self):
        """The engine's fields are labelled for the process, not as an app's own fields
        (project tasks have "Milestones"; Odoo warns at install of two fields with one
        label), and no field of the ticket shares the label."""
        fields_ = self.env["helpdesk.ticket"]._fields
        label = fields_["guide_milestone_timeline"].string
        self.assertEqual(label, "Process Milestones")
        self.assertEqual(
            [name for name, field in fields_.items() if field.string == label], ["guide_milestone_timeline"]
        )

    def test_install_and_uninstall_hooks(self):
        ticket = self._ticket()
        # a hint agents acknowledged: deleted with the module (it refused the uninstallation)
        hint = self.env["guide.hint"].create({"name": "G-Call back", "model_name": "helpdesk.ticket"})
        ctx = {"guide_res_model": "helpdesk.ticket", "guide_res_id": ticket.id}
        hint.with_user(self.user_own).with_context(**ctx).action_acknowledge()
        self.assertEqual(hint.ack_count, 1)
        self.env["guide.line"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        ).unlink()
        post_init_hook(self.env)
        self.assertEqual(len(self._lines(ticket)), 4)  # the conditional item does not apply
        history_count = self.env["guide.history"].search_count([("res_model", "=", "helpdesk.ticket")])
        crm_process = (
            self.env["guide.process"].create({"name": "Sales", "model_name": "crm.lead"})
            if self.crm_guided
            else self.env["guide.process"]
        )
        uninstall_hook(self.env)
        self.assertFalse(self.process.exists())
        self.assertFalse(hint.exists())
        self.assertFalse(self.env["guide.step"].search([("model_name", "=", "helpdesk.ticket")]))
        self.assertEqual(crm_process.exists(), crm_process)
        self.assertFalse(ticket.guide_process_id)
        self.assertEqual(
            self.env["guide.history"].search_count([("res_model", "=", "helpdesk.ticket")]), history_count
        )

    def test_condition_count_stays_within_the_scope(self):
        """The condition editor counts the tickets of the process's scope only."""
        channel = self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone")
        self.process.write(
            {
                "helpdesk_category_ids": [(6, 0, self.category.ids)],
                "helpdesk_channel_ids": [(6, 0, channel.ids)],
                "helpdesk_min_priority": "2",
                "domain": "[('partner_id', '!=', False)]",
            }
        )
        partner = self.env["res.partner"].create({"name": "G-Customer"})
        base = {"category_id": self.category.id, "channel_id": channel.id, "partner_id": partner.id}
        in_scope = self._ticket(**base, priority="2") | self._ticket(**base, priority="3")
        self._ticket(**base, priority="1")
        self._ticket(**dict(base, partner_id=False), priority="3")
        self._ticket(**base, priority="3", team_id=self.other_team.id)
        self._ticket(**dict(base, channel_id=False), priority="3")
        process = self.process.with_user(self.user_manager)
        scope = ast.literal_eval(process.scope_domain)
        Ticket = self.env["helpdesk.ticket"].with_user(self.user_manager)
        condition = self.env["guide.process"]._guide_parse_domain(process.domain, "helpdesk.ticket")
        self.assertEqual(Ticket.search(expression.AND([scope, condition])), in_scope)
        self.assertEqual(in_scope.guide_process_id, self.process)
        # the same scope as the one the engine matches on, low priority and empty priority included
        config = self.env["guide.process"]._get_guide_config("helpdesk.ticket")
        entry = next(entry for entry in config["processes"] if entry["id"] == process.id)
        for priority in ("2", "0"):
            process.sudo().helpdesk_min_priority = priority
            entry = dict(entry, helpdesk_min_priority=priority)
            scope = ast.literal_eval(process.scope_domain)
            self.assertEqual(Ticket.search(scope), Ticket.search([])._guide_match_scope(entry))

    def test_history_button_named_as_in_crm(self):
        """The ticket's button counts every row of its history, named *History* as on a lead."""
        ticket = self._ticket().with_user(self.user_agent)
        arch = ticket.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('string="History"', arch)
        self.assertNotIn("Stage Changes", arch)
        self.assertEqual(ticket.action_guide_open_history()["context"], {"guide_history_of_record": True})
