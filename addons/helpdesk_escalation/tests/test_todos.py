from odoo.tests import tagged

from .common import T0, HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestTicketTodos(HelpdeskEscalationCommon):
    """The to-dos the levels schedule on tickets are the engine's own: a later level's
    reassignment, or the ticket closed (a closed stage, the helpdesk's own "resolved"),
    marks them done with the reason; the agent's own to-dos stay."""

    def test_reassignment_and_closing_mark_the_engines_todos_done(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        rule = self._rule(
            levels=[
                {"name": "L1 to-do", "delay": 4, "activity_type_id": todo.id, "activity_summary": "Answer"},
                {"name": "L2 leader", "delay": 8, "assign_to": "team_leader", "activity_type_id": todo.id},
            ]
        )
        with self._at(T0):
            ticket = self._ticket()
            own = ticket.with_user(self.user_agent).activity_schedule(
                activity_type_id=todo.id, summary="Answer", user_id=self.user_agent.id
            )
        self._run_at(self._h(5))
        first = self._logs(ticket, level_id=rule.level_ids.sorted("sequence")[0].id).activity_id
        self.assertEqual(first.user_id, self.user_agent)
        self._run_at(self._h(9))
        self.assertEqual(ticket.user_id, self.user_leader)
        self.assertFalse(first.exists(), "the agent's escalation to-do is done")
        second = self._logs(ticket, level_id=rule.level_ids.sorted("sequence")[1].id).activity_id
        self.assertEqual(second.user_id, self.user_leader)
        self.assertEqual(ticket.activity_ids, own | second)
        with self._at(self._h(10)):
            ticket.with_user(self.user_leader).write({"stage_id": self.stage_resolved.id})
        self.assertEqual(self._clock(ticket, rule).state, "done")
        self.assertEqual(ticket.activity_ids, own, "only the agent's own to-do is left")
        done = ticket.message_ids.filtered(lambda m: m.mail_activity_type_id == todo).sorted("id")
        self.assertEqual(len(done), 2)
        self.assertIn("Reassigned to Lea Leader by escalation level L2 leader", done[0].body)
        self.assertIn("De-escalated: the record left the rule", done[1].body)

    def test_ticket_nobody_owns_gets_its_todo_at_the_team_leader(self):
        """A ticket nobody owns yet (a customer's, sent from the portal) gets the to-do of a
        level for its owner at its team leader, not at the scheduler (OdooBot, archived: a to-do
        nobody sees); a ticket of a team without leader gets none, and the log and the note say
        why."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        rule = self._rule(
            helpdesk_team_ids=[(6, 0, (self.team | self.other_team).ids)],
            levels=[
                {"name": "L1 to-do", "delay": 4, "activity_type_id": todo.id, "activity_summary": "Answer"}
            ],
        )
        self.assertFalse(self.other_team.user_id)
        with self._at(T0):
            ticket = self._ticket(user_id=False)
            lonely = self._ticket(user_id=False, team_id=self.other_team.id)
        self._run_at(self._h(5))
        log = self._logs(ticket, level_id=rule.level_ids.id)
        self.assertEqual(log.activity_id.user_id, self.user_leader)
        self.assertEqual(ticket.activity_ids.user_id, self.user_leader)
        self.assertIn("Activity for Lea Leader", log.actions)
        self.assertFalse(lonely.activity_ids)
        lonely_log = self._logs(lonely, level_id=rule.level_ids.id)
        self.assertEqual(lonely_log.outcome, "done")
        self.assertIn("No activity: nobody owns the record and its team has no leader", lonely_log.actions)
        self.assertTrue(
            lonely.message_ids.filtered(lambda m: "No activity: nobody owns the record" in str(m.body))
        )
