from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import T0, HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestManualEscalation(HelpdeskEscalationCommon):
    def _wizard(self, ticket, user):
        action = ticket.with_user(user).action_escalation_open_wizard()
        return Form(self.env[action["res_model"]].with_user(user).with_context(**action["context"]))

    def test_agent_escalates_to_the_leader_who_acknowledges(self):
        with self._at(T0):
            ticket = self._ticket(user_id=self.user_own.id)
        with self._at(self._h(1)):
            form = self._wizard(ticket, self.user_own)
            form.user_id = self.user_leader
            form.reason = "The customer needs a hardware specialist"
            form.save().action_confirm()
        self.assertEqual(ticket.user_id, self.user_leader)
        self.assertEqual(ticket.team_id, self.team)
        log = self._logs(ticket, kind="manual")
        self.assertEqual(log.trigger, "manual")
        self.assertEqual(log.user_id, self.user_own)
        self.assertEqual(log.from_user_id, self.user_own)
        self.assertEqual(log.to_user_id, self.user_leader)
        self.assertEqual(log.helpdesk_team_id, self.team)
        self.assertEqual(log.reason, "The customer needs a hardware specialist")
        self.assertTrue(ticket.escalation_need_ack)
        self.assertTrue(ticket.message_ids.filtered(lambda m: "hardware specialist" in (m.body or "")))
        # only the new owner or a helpdesk manager acknowledges
        with self.assertRaisesRegex(UserError, "Only Lea Leader"):
            ticket.with_user(self.user_agent).action_escalation_acknowledge()
        with self._at(self._h(3)):
            ticket.with_user(self.user_leader).action_escalation_acknowledge()
        self.assertEqual(log.ack_user_id, self.user_leader)
        self.assertEqual(log.ack_hours, 2.0)
        ticket.invalidate_recordset()
        self.assertFalse(ticket.escalation_need_ack)
        with self.assertRaisesRegex(UserError, "no escalation"):
            ticket.with_user(self.user_leader).action_escalation_acknowledge()

    def test_helpdesk_manager_acknowledges_for_the_owner(self):
        ticket = self._ticket()
        form = self._wizard(ticket, self.user_agent)
        form.user_id = self.user_leader
        form.reason = "On holiday tomorrow"
        form.save().action_confirm()
        ticket.with_user(self.user_manager).action_escalation_acknowledge()
        self.assertEqual(self._logs(ticket, kind="manual").ack_user_id, self.user_manager)

    def test_acknowledge_offered_to_who_may_acknowledge(self):
        """The ticket's *Acknowledge* shows to its new owner and a helpdesk manager, not to
        an agent who would be refused."""
        ticket = self._ticket()
        form = self._wizard(ticket, self.user_agent)
        form.user_id = self.user_leader
        form.reason = "On holiday tomorrow"
        form.save().action_confirm()
        for user, may in ((self.user_leader, True), (self.user_manager, True), (self.user_agent, False)):
            self.assertEqual(ticket.with_user(user).escalation_can_ack, may, user.name)

    def test_escalation_tab_tells_the_manual_escalation(self):
        ticket = self._ticket()
        form = self._wizard(ticket, self.user_agent)
        form.user_id = self.user_leader
        form.reason = "On holiday tomorrow"
        form.save().action_confirm()
        as_leader = ticket.with_user(self.user_leader)
        self.assertEqual(as_leader.escalation_state, "manual")
        self.assertEqual(as_leader.escalation_manual_user_id, self.user_leader)
        self.assertEqual(as_leader.escalation_manual_by_id, self.user_agent)
        self.assertEqual(as_leader.escalation_manual_reason, "On holiday tomorrow")

    def test_manual_escalation_to_a_level_advances_the_clock(self):
        rule = self._rule()
        with self._at(T0):
            ticket = self._ticket()
        with self._at(self._h(1)):
            form = self._wizard(ticket, self.user_agent)
            form.rule_id = rule
            form.level_id = rule.level_ids[0]
            form.reason = "Angry customer"
            form.save().action_confirm()
        self.assertEqual(ticket.user_id, self.user_leader)
        clock = self._clock(ticket, rule)
        self.assertEqual(clock.state, "breached")
        self.assertEqual(clock.current_level_id, rule.level_ids[0])
        self.assertEqual(clock.next_level_id, rule.level_ids[1])
        self._run_at(self._h(5))
        self.assertFalse(self._logs(ticket, trigger="auto", outcome="done"), "L1 does not fire again")
        with self._at(self._h(6)):
            ticket.with_user(self.user_leader).action_escalation_acknowledge()
        self.assertEqual(clock.acknowledged_by, self.user_leader)

    def test_retry_is_for_helpdesk_managers(self):
        rule = self._rule()
        ticket = self._ticket()
        clock = self._clock(ticket, rule)
        clock.sudo().write({"failure_count": 3, "last_error": "boom", "next_escalation_at": False})
        with self.assertRaises(AccessError):
            clock.with_user(self.user_agent).action_retry()
        self.assertEqual(clock.failure_count, 3)
        self.assertTrue(clock.with_user(self.user_manager).action_retry())
        self.assertEqual(clock.failure_count, 0)
        self.assertTrue(clock.next_escalation_at)

    def test_closed_ticket_not_escalated(self):
        """A ticket in a closed stage is no longer worked on: the form offers no *Escalate*
        on it, and the dialog and its confirmation sent by a client are refused naming the
        ticket and its stage; nothing is logged, nobody is handed it."""
        ticket = self._ticket(name="Printer fixed", user_id=self.user_own.id)
        self.assertTrue(ticket.with_user(self.user_own).escalation_can_escalate)
        ticket.stage_id = self.stage_resolved
        self.assertFalse(ticket.with_user(self.user_own).escalation_can_escalate)
        arch = ticket.get_view(view_type="form")["arch"]
        self.assertIn('invisible="not id or not escalation_can_escalate"', arch)
        with self.assertRaises(UserError) as caught:
            ticket.with_user(self.user_own).action_escalation_open_wizard()
        self.assertIn("Printer fixed is closed (stage E-Resolved)", str(caught.exception))
        wizard = (
            self.env["escalation.manual.wizard"]
            .with_user(self.user_own)
            .create(
                {
                    "res_model": "helpdesk.ticket",
                    "res_id": ticket.id,
                    "user_id": self.user_leader.id,
                    "reason": "Still angry",
                }
            )
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(ticket.user_id, self.user_own)
        self.assertFalse(self._logs(ticket, kind="manual"))
