from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestManual(EscalationCommon):
    def _wizard(self, lead, user):
        action = lead.with_user(user).action_escalation_open_wizard()
        return Form(self.env[action["res_model"]].with_user(user).with_context(**action["context"]))

    def test_manual_escalation_to_user_and_acknowledge(self):
        with self._at(T0):
            lead = self._lead()
        with self._at(self._h(1)):
            form = self._wizard(lead, self.user_salesman)
            form.user_id = self.user_leader
            form.reason = "Customer asks for a specialist"
            action = form.save().action_confirm()
        self.assertEqual(lead.user_id, self.user_leader)
        # the salesperson no longer sees the lead: told to whom it went, then back to the pipeline
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(
            action["params"]["message"],
            f"{lead.display_name} was escalated to {self.user_leader.name} and is no longer "
            "among the records you see.",
        )
        self.assertEqual(action["params"]["next"]["res_model"], "crm.lead")
        self.assertEqual(lead.team_id, self.team)
        log = self._logs(lead, kind="manual")
        self.assertEqual(log.trigger, "manual")
        self.assertEqual(log.user_id, self.user_salesman)
        self.assertEqual(log.from_user_id, self.user_salesman)
        self.assertEqual(log.to_user_id, self.user_leader)
        self.assertEqual(log.reason, "Customer asks for a specialist")
        # the reports group escalations by level: this one says it was by hand
        self.assertEqual((log.level_id.id, log.level_name), (False, "Manual escalation"))
        self.assertTrue(lead.escalation_need_ack)
        # the new owner sees it on the card until they acknowledge it
        self.assertEqual(lead.with_user(self.user_leader).escalation_badge, "Escalated by hand")
        self.assertTrue(lead.message_ids.filtered(lambda m: "specialist" in (m.body or "")))
        # only the new owner (or a manager) acknowledges
        colleague = new_test_user(
            self.env,
            login="esc_colleague",
            groups="sales_team.group_sale_salesman_all_leads",
            name="Colleague",
        )
        with self.assertRaisesRegex(UserError, "Only"):
            lead.with_user(colleague).action_escalation_acknowledge()
        with self.assertRaises(AccessError):
            lead.with_user(self.user_salesman).action_escalation_acknowledge()
        with self._at(self._h(3)):
            lead.with_user(self.user_leader).action_escalation_acknowledge()
        self.assertEqual(log.ack_user_id, self.user_leader)
        self.assertEqual(log.ack_hours, 2.0)
        lead.invalidate_recordset()
        self.assertFalse(lead.escalation_need_ack)
        self.assertFalse(lead.escalation_badge)
        with self.assertRaisesRegex(UserError, "no escalation"):
            lead.with_user(self.user_leader).action_escalation_acknowledge()

    def test_acknowledge_offered_to_who_may_acknowledge(self):
        """The form's *Acknowledge* shows to the new owner and a manager only, not to a
        colleague who would be refused: in the query the escalation state is read with."""
        colleague = new_test_user(
            self.env, login="esc_ack_colleague", groups="sales_team.group_sale_salesman_all_leads"
        )
        leads = self._lead() | self._lead()
        for lead in leads:
            form = self._wizard(lead, self.user_salesman)
            form.user_id = self.user_leader
            form.reason = "Customer asks for a specialist"
            form.save().action_confirm()
        for user, may in ((self.user_leader, True), (self.user_manager, True), (colleague, False)):
            records = leads.with_user(user)
            records.mapped("escalation_state")  # the user's access checks, cached
            state_cost = self._count_queries(lambda records=records: records.mapped("escalation_state"))
            ack_cost = self._count_queries(lambda records=records: records.mapped("escalation_can_ack"))
            self.assertEqual(ack_cost, state_cost, "no query of its own")
            self.assertEqual(records.mapped("escalation_can_ack"), [may, may], user.name)
            self.assertTrue(all(records.mapped("escalation_need_ack")))
        leads[0].with_user(self.user_leader).action_escalation_acknowledge()
        leads.invalidate_recordset()
        self.assertEqual(leads.with_user(self.user_leader).mapped("escalation_can_ack"), [False, True])

    def test_escalation_tab_tells_the_manual_escalation(self):
        """A lead escalated by hand, whose clock still runs, is *Escalated by Hand* (as its
        badge says) with to whom, by whom, when and why, until it is acknowledged."""
        rule = self._rule()
        with self._at(T0):
            lead = self._lead()
        self.assertEqual(lead.escalation_state, "running")
        with self._at(self._h(1)):
            form = self._wizard(lead, self.user_salesman)
            form.user_id = self.user_leader
            form.reason = "Customer wants a director on the call"
            form.save().action_confirm()
        as_leader = lead.with_user(self.user_leader)
        self.assertEqual(as_leader.escalation_badge, "Escalated by hand")
        self.assertEqual(as_leader.escalation_state, "manual")
        self.assertEqual(
            (
                as_leader.escalation_manual_user_id,
                as_leader.escalation_manual_by_id,
                as_leader.escalation_manual_date,
                as_leader.escalation_manual_reason,
            ),
            (self.user_leader, self.user_salesman, self._h(1), "Customer wants a director on the call"),
        )
        # the rule's clock is still told: its next level and when
        self.assertEqual(as_leader.escalation_next_level_id, rule.level_ids[0])
        with self._at(self._h(2)):
            as_leader.action_escalation_acknowledge()
        lead.invalidate_recordset()
        self.assertEqual(as_leader.escalation_state, "running")
        self.assertFalse(as_leader.escalation_manual_date)
        self.assertFalse(as_leader.escalation_manual_user_id)

    def test_dialog_offers_who_works_on_leads_but_the_owner(self):
        """*Escalate To* offers the users who work on leads (the groups that may edit them),
        not an employee who cannot read leads (a helpdesk-only agent) nor the lead's owner;
        either sent by a client is refused by name."""
        employee = new_test_user(self.env, login="esc_no_crm", groups="base.group_user", name="Eve Employee")
        lead = self._lead()
        form = self._wizard(lead, self.user_salesman)
        form.reason = "Someone else"
        wizard = form.save()
        domain = safe_eval(
            wizard._fields["user_id"].domain,
            {
                "user_company_ids": wizard.user_company_ids.ids,
                "user_group_ids": wizard.user_group_ids.ids,
                "owner_id": wizard.owner_id.id,
            },
        )
        candidates = self.user_salesman | self.user_leader | self.user_manager | employee
        offered = self.env["res.users"].search([*domain, ("id", "in", candidates.ids)])
        self.assertEqual(offered, self.user_leader | self.user_manager)
        for user, words in ((employee, "do not work on"), (self.user_salesman, "already owns")):
            wizard.user_id = user
            with self.assertRaises(UserError) as caught:
                wizard.action_confirm()
            self.assertIn(words, str(caught.exception))
        self.assertFalse(self._logs(lead, kind="manual"))

    def test_manual_escalation_to_level_advances_the_clock(self):
        rule = self._rule()
        with self._at(T0):
            lead = self._lead()
        with self._at(self._h(1)):
            form = self._wizard(lead, self.user_salesman)
            form.rule_id = rule
            form.level_id = rule.level_ids[0]
            form.reason = "Angry customer"
            form.save().action_confirm()
        self.assertEqual(lead.user_id, self.user_leader)
        clock = self._clock(lead, rule)
        self.assertEqual(clock.state, "breached")
        self.assertEqual(clock.current_level_id, rule.level_ids[0])
        self.assertEqual(clock.next_level_id, rule.level_ids[1])
        # the automatic L1 does not fire again
        self._run_at(self._h(5))
        self.assertFalse(self._logs(lead, trigger="auto", outcome="done"))
        self.assertEqual(lead.escalation_state, "escalated")
        self.assertTrue(lead.escalation_need_ack)
        with self._at(self._h(6)):
            lead.with_user(self.user_leader).action_escalation_acknowledge()
        self.assertEqual(clock.acknowledged_by, self.user_leader)
        self.assertEqual(self._logs(lead, kind="manual").ack_hours, 5.0)

    def test_wizard_requires_target_and_reason(self):
        lead = self._lead()
        form = self._wizard(lead, self.user_salesman)
        form.reason = "No target"
        with self.assertRaisesRegex(UserError, "Choose"):
            form.save().action_confirm()

    def test_manual_level_move_judged_as_the_user(self):
        """A level that moves the record, run by hand, cannot take the user past a gate
        they could not override themselves; whoever may override, moves."""
        self.step_qualif.write(
            {
                "gate_mode": "override",
                "override_group_id": self.env.ref("sales_team.group_sale_manager").id,
                "item_ids": [(0, 0, {"name": "Budget confirmed", "mandatory": True})],
            }
        )
        rule = self._rule(
            levels=[{"name": "Send the offer", "delay": 4, "move_step_id": self.step_proposal.id}]
        )
        lead = self._lead()
        form = self._wizard(lead, self.user_salesman)
        form.rule_id = rule
        form.level_id = rule.level_ids
        form.reason = "Push it through"
        with self.assertRaisesRegex(UserError, "may override"):
            form.save().action_confirm()
        self.assertEqual(lead.stage_id, self.stage_qualif)
        self.assertFalse(self._logs(lead, kind="manual"))
        lead.user_id = self.user_manager
        form = self._wizard(lead, self.user_manager)
        form.rule_id = rule
        form.level_id = rule.level_ids
        form.reason = "Signed on the phone"
        form.save().action_confirm()
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertTrue(self._logs(lead, kind="manual"))

    def test_manual_escalation_with_a_rule_of_another_model(self):
        rule = self._rule()
        lead = self._lead()
        wizard = (
            self.env["escalation.manual.wizard"]
            .with_user(self.user_salesman)
            .create(
                {
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "rule_id": rule.id,
                    "level_id": rule.level_ids[0].id,
                    "reason": "Another model",
                }
            )
        )
        # a rule of another model (as a rule of tickets would be; this module does not
        # need the helpdesk)
        self.env.cr.execute("UPDATE escalation_rule SET model_name = 'res.partner' WHERE id = %s", [rule.id])
        rule.invalidate_recordset(["model_name"])
        with self.assertRaisesRegex(UserError, "is not a rule of"):
            wizard.action_confirm()
        self.assertEqual(lead.user_id, self.user_salesman)

    def test_manual_escalation_with_a_rule_of_another_company(self):
        """A user of two companies escalating by hand a lead of one with a rule of the other is
        refused, as the cron would not apply that rule there."""
        rule = self._rule()
        rule.company_id = self.env.company
        other = self.env["res.company"].create({"name": "Other escalation company"})
        self.user_salesman.company_ids |= other
        lead = self._lead()
        lead.write({"team_id": False, "company_id": other.id})
        wizard = (
            self.env["escalation.manual.wizard"]
            .with_user(self.user_salesman)
            .with_context(allowed_company_ids=[other.id, self.env.company.id])
            .create(
                {
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "rule_id": rule.id,
                    "level_id": rule.level_ids[0].id,
                    "reason": "Another company",
                }
            )
        )
        with self.assertRaisesRegex(UserError, "is a rule of .*: it does not escalate"):
            wizard.action_confirm()
        self.assertFalse(self._logs(lead, kind="manual"))

    def test_refusals_name_no_lead_the_user_may_not_change(self):
        """The dialog sent for a lead the salesperson may not change is refused by Odoo's
        access check before anything names the lead, its company or its rules."""
        lead = self._lead(name="Secret deal of a colleague", user_id=self.user_leader.id)
        portal = new_test_user(self.env, login="esc_manual_portal", groups="base.group_portal")
        Wizard = self.env["escalation.manual.wizard"].with_user(self.user_salesman)
        for vals in (
            {"user_id": portal.id},
            {"user_id": self.user_leader.id},
            {"rule_id": self._rule().id},
        ):
            wizard = Wizard.create({"res_model": "crm.lead", "res_id": lead.id, "reason": "Mine now", **vals})
            with self.assertRaises(AccessError) as caught:
                wizard.action_confirm()
            self.assertNotIn("Secret deal", str(caught.exception))
        self.assertEqual(lead.user_id, self.user_leader)
        self.assertFalse(self._logs(lead, kind="manual"))

    def test_level_of_an_archived_rule_refused(self):
        """An archived rule (a copy not yet reviewed) escalates nothing, by hand neither."""
        rule = self._rule()
        rule.active = False
        lead = self._lead()
        wizard = (
            self.env["escalation.manual.wizard"]
            .with_user(self.user_salesman)
            .create(
                {
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "rule_id": rule.id,
                    "level_id": rule.level_ids[0].id,
                    "reason": "Archived rule",
                }
            )
        )
        with self.assertRaisesRegex(UserError, "is archived"):
            wizard.action_confirm()
        self.assertEqual(lead.user_id, self.user_salesman)
        self.assertFalse(self._logs(lead, kind="manual"))

    def test_archived_lead_not_escalated(self):
        """An archived (lost) lead is out of every rule's scope and the form offers no
        *Escalate* on it: the dialog sent by a client is refused, nothing is scheduled."""
        rule = self._rule(
            levels=[
                {
                    "name": "Call the customer",
                    "delay": 4,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                }
            ]
        )
        lead = self._lead(name="Lost deal")
        lead.action_archive()
        wizard = (
            self.env["escalation.manual.wizard"]
            .with_user(self.user_salesman)
            .create(
                {
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "rule_id": rule.id,
                    "level_id": rule.level_ids.id,
                    "user_id": self.user_leader.id,
                    "reason": "Revive it",
                }
            )
        )
        with self.assertRaisesRegex(UserError, "Lost deal is archived"):
            wizard.action_confirm()
        self.assertEqual(lead.user_id, self.user_salesman)
        self.assertFalse(lead.with_context(active_test=False).activity_ids)
        self.assertFalse(self._logs(lead, kind="manual"))

    def test_won_lead_not_escalated(self):
        """A won lead is closed: the form offers no *Escalate* on it, and the dialog and its
        confirmation sent by a client are refused naming the lead and its stage; an open
        lead is offered it."""
        rule = self._rule(levels=[{"name": "Slow", "delay": 4}])
        open_lead = self._lead(name="Open deal")
        self.assertTrue(open_lead.with_user(self.user_salesman).escalation_can_escalate)
        lead = self._lead(name="Won deal", stage_id=self.stage_won.id)
        self.assertFalse(lead.with_user(self.user_salesman).escalation_can_escalate)
        arch = lead.get_view(view_type="form")["arch"]
        self.assertIn('invisible="not id or not escalation_can_escalate"', arch)
        with self.assertRaises(UserError) as caught:
            lead.with_user(self.user_salesman).action_escalation_open_wizard()
        self.assertIn("Won deal is closed (stage E-Won)", str(caught.exception))
        wizard = (
            self.env["escalation.manual.wizard"]
            .with_user(self.user_salesman)
            .create(
                {
                    "res_model": "crm.lead",
                    "res_id": lead.id,
                    "rule_id": rule.id,
                    "level_id": rule.level_ids.id,
                    "user_id": self.user_leader.id,
                    "reason": "Chase it",
                }
            )
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_confirm()
        self.assertIn("Won deal is closed", str(caught.exception))
        self.assertEqual(lead.user_id, self.user_salesman)
        self.assertFalse(self._logs(lead, kind="manual"))
