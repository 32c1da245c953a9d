from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.apply_common import ApplyJobHelpers

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestDeferredTicketApply(ApplyJobHelpers, HelpdeskGuideCommon):
    """Process saves concerning many tickets are left to the scheduler (issue 12)."""

    def _state(self, tickets):
        tickets.invalidate_recordset()
        lines = self.env["guide.line"].search(
            [("res_model", "=", tickets._name), ("res_id", "in", tickets.ids)]
        )
        return {
            ticket.id: (
                ticket.guide_process_id.id,
                ticket.guide_step_id.helpdesk_stage_id.id,
                sorted((line.item_id.name, line.checked) for line in lines if line.res_id == ticket.id),
            )
            for ticket in tickets
        }

    def _check_deferred(self, tickets, change):
        self._set_inline_limit(1_000_000)
        with self.env.cr.savepoint() as savepoint:
            change()
            self.assertFalse(self._jobs())
            self.env.flush_all()
            expected = self._state(tickets)
            savepoint.rollback()
        self.env.invalidate_all()
        before = self._state(tickets)
        self.assertNotEqual(before, expected)
        self._set_inline_limit(1)
        change()
        self.assertEqual(self._state(tickets), before, "nothing applied in the request")
        process = self.process.with_user(self.user_manager)
        process.invalidate_recordset()
        self.assertTrue(process.guide_apply_pending)
        with self._small_chunks(1):
            self.assertTrue(self._run_jobs())
        self.assertEqual(self._state(tickets), expected, "the same result as in the request")
        self.assertTrue(self._run_jobs())
        self.assertEqual(self._state(tickets), expected, "a second run changes nothing")
        process.invalidate_recordset()
        self.assertFalse(process.guide_apply_pending)

    def test_scope_change_is_deferred(self):
        tickets = self._ticket(team_id=self.other_team.id) | self._ticket(team_id=self.other_team.id)
        self._check_deferred(
            tickets,
            lambda: self.process.with_user(self.user_manager).write(
                {"helpdesk_team_ids": [(4, self.other_team.id)]}
            ),
        )
        self.assertEqual(tickets.guide_step_id, self.step_triage)

    def test_step_stage_change_is_deferred(self):
        stage = self.env["helpdesk.ticket.stage"].create({"name": "G-Extra", "sequence": 1010})
        tickets = self._ticket(stage_id=stage.id) | self._ticket(stage_id=stage.id)
        self._check_deferred(
            tickets,
            lambda: self.step_waiting.with_user(self.user_manager).write({"helpdesk_stage_id": stage.id}),
        )
        self.assertEqual(tickets.guide_step_id, self.step_waiting)
