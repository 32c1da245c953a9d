from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.time_check_common import T0, TimeCheckCases

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestTimeCheckLead(TimeCheckCases, GuideCommon):
    """Conditions that become true with time alone, on leads worked by a salesperson."""

    @classmethod
    def _time_agent(cls):
        return cls.user_salesman

    @classmethod
    def _time_step(cls):
        return cls.step_qualif

    def _time_record(self, **vals):
        return (
            self.env["crm.lead"]
            .with_user(self.user_salesman)
            .create(
                {
                    "name": "Guided lead",
                    "type": "opportunity",
                    "team_id": self.team.id,
                    "user_id": self.user_salesman.id,
                    "stage_id": self.stage_qualif.id,
                    **vals,
                }
            )
        )

    def test_expected_closing_date_passed(self):
        """A milestone on a date the salesperson set: reached the day after, by the scheduler."""
        passed = self.env["guide.milestone"].create(
            {
                "process_id": self.process.id,
                "name": "Expected closing passed",
                "condition": "[('date_deadline', '<', today)]",
            }
        )
        lead = self._records(1, date_deadline=(T0 + timedelta(days=2)).date())
        self._run(1)
        self.assertFalse(self._reached(lead, passed))
        self._run(3)
        self.assertEqual(lead.with_user(self.user_salesman).guide_milestone_ids & passed, passed)
        # the salesperson moves the date: the milestone stays reached, once
        with freeze_time(T0 + timedelta(days=3)):
            lead.with_user(self.user_salesman).date_deadline = (T0 + timedelta(days=30)).date()
        self._run(40)
        self.assertEqual(len(self._reached(lead, passed)), 1)

    def test_won_leads_are_left_alone(self):
        with freeze_time(T0):
            won = self._lead(name="Won lead", stage_id=self.stage_won.id)
            self.env.flush_all()
        lead = self._records(1)
        self._run(4)
        self.assertEqual(self._reached(lead | won).mapped("res_id"), lead.ids)
        self.assertFalse(won.guide_alt_step_id)

    def test_scheduler_note_in_the_owner_language(self):
        """The scheduler has no language (English): the note of a milestone it finds reached
        reads in the language of the lead's salesperson."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.user_salesman.lang = "ru_RU"
        passed = self.env["guide.milestone"].create(
            {
                "process_id": self.process.id,
                "name": "Expected closing passed",
                "condition": "[('date_deadline', '<', today)]",
            }
        )
        passed.update_field_translations("name", {"ru_RU": "Дата закрытия прошла"})
        lead = self._records(1, date_deadline=(T0 + timedelta(days=2)).date())
        self.TimeCheck = self.TimeCheck.with_context(lang=None)
        self._run(3)
        bodies = lead.message_ids.mapped("body")
        self.assertIn("<p>Веха достигнута: Дата закрытия прошла</p>", bodies)
