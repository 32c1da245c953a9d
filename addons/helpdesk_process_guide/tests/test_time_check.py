from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.time_check_common import T0, TimeCheckCases

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTimeCheckTicket(TimeCheckCases, HelpdeskGuideCommon):
    """Conditions that become true with time alone, on tickets worked by a helpdesk user
    (own tickets)."""

    @classmethod
    def _time_agent(cls):
        return cls.user_own

    @classmethod
    def _time_step(cls):
        return cls.step_triage

    def _time_record(self, **vals):
        return (
            self.env["helpdesk.ticket"]
            .with_user(self.user_own)
            .create(
                {
                    "name": "Guided ticket",
                    "description": "<p>It does not work.</p>",
                    "team_id": self.team.id,
                    "user_id": self.user_own.id,
                    "stage_id": self.stage_triage.id,
                    **vals,
                }
            )
        )

    def test_no_customer_message_for_three_days(self):
        """An alternate step entered when the customer has been silent for three days."""
        self.alt_stalled.alt_auto_domain = False
        silent = self.env["guide.step"].create(
            {
                "process_id": self.process.id,
                "kind": "alternate",
                "name": "Customer silent",
                "alt_auto_domain": "[('guide_last_customer_message_date', '<', now(days=-3))]",
            }
        )
        ticket = self._records(1)
        customer = self.env["res.partner"].create({"name": "Silent customer", "email": "s@example.com"})
        with freeze_time(T0 + timedelta(hours=1)):
            ticket.message_post(body="Any news?", author_id=customer.id, message_type="email")
        self.assertTrue(ticket.guide_last_customer_message_date)
        self._run(1.5)
        self.assertFalse(ticket.guide_alt_step_id)
        with freeze_time(T0 + timedelta(days=2)):
            ticket.message_post(body="Still broken", author_id=customer.id, message_type="email")
        self._run(4)
        self.assertFalse(ticket.guide_alt_step_id, "the customer wrote two days ago")
        self._run(5.5)
        self.assertEqual(ticket.with_user(self.user_own).guide_alt_step_id, silent)

    def test_closed_tickets_are_left_alone(self):
        with freeze_time(T0):
            closed = self._ticket(name="Closed ticket", stage_id=self.stage_resolved.id)
            self.env.flush_all()
        ticket = self._records(1)
        self._run(4)
        self.assertEqual(self._reached(ticket | closed).mapped("res_id"), ticket.ids)
        self.assertFalse(closed.guide_alt_step_id)
