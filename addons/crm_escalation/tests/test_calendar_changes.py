from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_escalation.models.escalation_clock import EscalationClock
from odoo.addons.base_process_guide.tests.apply_common import ApplyJobHelpers

from .common import EscalationCommon

SUNDAY_NOON = datetime(2031, 3, 9, 12, 0)
# Brussels (UTC+1 in March): 9:00 on Monday is 8:00 UTC
MONDAY_8 = datetime(2031, 3, 10, 8, 0)
TUESDAY_8 = datetime(2031, 3, 11, 8, 0)
WEDNESDAY_8 = datetime(2031, 3, 12, 8, 0)


@tagged("post_install", "-at_install")
class TestCalendarChanges(ApplyJobHelpers, EscalationCommon):
    """Public holidays and working hours changed while clocks run: their due times move."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.brussels = cls.env.ref("resource.resource_calendar_std").copy(
            {"name": "Standard 40 h (Brussels)", "tz": "Europe/Brussels", "company_id": False}
        )
        cls.user_admin = new_test_user(cls.env, login="esc_hr_admin", groups="base.group_system")
        cls.rule = cls._rule(
            time_mode="working",
            calendar_source="rule",
            resource_calendar_id=cls.brussels.id,
            levels=[{"name": "L1", "delay": 1}, {"name": "L2", "delay": 16}],
        )

    def _holiday(self, day, Leaves=None, **vals):
        """A public holiday (of the main company) for the whole day ``day`` of March 2031, Brussels."""
        if Leaves is None:
            Leaves = (
                self.env["resource.calendar.leaves"].with_user(self.user_admin).with_company(self.company)
            )
        return Leaves.create(
            {
                "name": "Public holiday",
                "calendar_id": False,
                "date_from": datetime(2031, 3, day - 1, 23, 0),
                "date_to": datetime(2031, 3, day, 22, 59, 59),
                **vals,
            }
        )

    def _due(self, records):
        clocks = self.Clock.search([("rule_id", "=", self.rule.id), ("res_id", "in", records.ids)])
        clocks.invalidate_recordset()
        return set(clocks.mapped("next_escalation_at"))

    def test_public_holiday_moves_running_clocks(self):
        """A holiday added, moved or deleted later moves the due times of the running clocks,
        as if it had been there when they started."""
        with self._at(SUNDAY_NOON):
            lead = self._lead()
        self.assertEqual(self._due(lead), {MONDAY_8})
        with self._at(SUNDAY_NOON):
            holiday = self._holiday(10)
        self.assertEqual(self._due(lead), {TUESDAY_8}, "Monday is a holiday now")
        with self._at(SUNDAY_NOON):
            later = self._lead(name="Entered after the holiday was added")
        self.assertEqual(self._due(later), {TUESDAY_8})
        with self._at(SUNDAY_NOON):
            holiday.write(
                {"date_from": datetime(2031, 3, 10, 23, 0), "date_to": datetime(2031, 3, 11, 22, 59)}
            )
        self.assertEqual(self._due(lead | later), {MONDAY_8}, "the holiday moved to Tuesday")
        with self._at(SUNDAY_NOON):
            self._holiday(10, calendar_id=self.brussels.id)
        self.assertEqual(self._due(lead | later), {WEDNESDAY_8}, "a holiday of the calendar counts too")
        with self._at(SUNDAY_NOON):
            holiday.unlink()
        self.assertEqual(self._due(lead | later), {TUESDAY_8})
        self.assertEqual(self._run_at(datetime(2031, 3, 10, 12, 0)), 0, "nothing fires on the holiday")

    def test_long_holiday_is_searched_past(self):
        """A holiday of weeks (a year-end shutdown) puts the due times after it; one longer
        than the search (three years) leaves the clocks without a due time, and deleting it
        gives them one again."""
        with self._at(SUNDAY_NOON):
            lead = self._lead()
            shutdown = self._holiday(10, date_to=datetime(2031, 4, 13, 21, 59, 59))
        self.assertEqual(self._due(lead), {datetime(2031, 4, 14, 7, 0)}, "Monday after (summer time)")
        with self._at(SUNDAY_NOON):
            shutdown.date_to = datetime(2036, 1, 1)
        self.assertEqual(self._due(lead), {False}, "no working time within three years")
        with self._at(SUNDAY_NOON):
            shutdown.unlink()
        self.assertEqual(self._due(lead), {MONDAY_8}, "scheduled again")

    def test_time_off_in_the_year_9999_refused(self):
        """Its end, read in a time zone ahead of UTC, is beyond the last date Python knows:
        refused with the time off named, nothing logged as an error."""
        with self._at(SUNDAY_NOON):
            self._lead()
            with self.assertNoLogs("odoo", "ERROR"), self.assertRaisesRegex(ValidationError, "year 9999"):
                self._holiday(10, date_to=datetime(9999, 12, 31, 23, 59, 59))

    def test_hours_out_of_the_day_refused(self):
        """An attendance's hours out of the day (or ending before it starts) sent by a client
        are refused naming the working hours: the due times recomputed at the save failed
        with a traceback logged as an error."""
        with self._at(SUNDAY_NOON):
            lead = self._lead()
        due = self._due(lead)
        monday_morning = self.brussels.attendance_ids.filtered(
            lambda att: att.dayofweek == "0" and att.day_period == "morning"
        )
        Attendance = self.env["resource.calendar.attendance"].with_user(self.user_admin)
        with self._at(SUNDAY_NOON), self.assertNoLogs("odoo", "ERROR"):
            for vals in (
                {"hour_from": -5},
                {"hour_to": 1e9},
                {"hour_to": 24.5},
                {"hour_from": 20, "hour_to": 10},
            ):
                with self.subTest(vals=vals):
                    with self.assertRaisesRegex(
                        ValidationError,
                        "Working hours .*, Monday Morning: the hours of a day are from 0 to 24",
                    ):
                        with self.env.cr.savepoint():
                            monday_morning.with_user(self.user_admin).write(vals)
            with self.assertRaisesRegex(ValidationError, "from 0 to 24"), self.env.cr.savepoint():
                Attendance.create(
                    {
                        "name": "Night",
                        "calendar_id": self.brussels.id,
                        "dayofweek": "1",
                        "hour_from": 22,
                        "hour_to": 30,
                    }
                )
            # a whole day is accepted
            monday_morning.with_user(self.user_admin).write({"hour_from": 0, "hour_to": 24})
        self.assertNotEqual(self._due(lead), due)

    def test_only_the_clocks_the_leave_may_move(self):
        """Leaves of a resource, of another company, or outside a clock's window recompute nothing."""
        with self._at(SUNDAY_NOON):
            lead = self._lead(company_id=self.company.id)
        self.assertEqual(self._clock(lead, self.rule).company_id, self.company)
        calendar_time = self._rule(name="Calendar time", levels=[{"name": "C1", "delay": 100}])
        with self._at(SUNDAY_NOON):
            lead_calendar_time = self._lead(name="Counted in calendar time", company_id=self.company.id)
        self.assertTrue(self._clock(lead_calendar_time, calendar_time))
        rescheduled = []
        original = EscalationClock._escalation_reschedule

        def reschedule(clocks):
            rescheduled.append(set(clocks.ids))
            return original(clocks)

        other_company = self.env["res.company"].create({"name": "Holidays elsewhere"})
        with patch.object(EscalationClock, "_escalation_reschedule", reschedule), self._at(SUNDAY_NOON):
            resource = self.env["resource.resource"].create(
                {"name": "Someone", "calendar_id": self.brussels.id}
            )
            self._holiday(10, resource_id=resource.id)
            # a public holiday's company is the one it is created in
            other = self.env["resource.calendar.leaves"].with_company(other_company)
            self.assertEqual(self._holiday(10, Leaves=other).company_id, other_company)
            self._holiday(14)  # Friday, after every due time
            self.assertFalse([ids for ids in rescheduled if ids], "no clock could move")
            self._holiday(10)
        clocks = self.Clock.search([("rule_id", "=", self.rule.id)])
        self.assertEqual(rescheduled[-1], set(clocks.ids), "the clocks of the working-time rule only")
        self.assertEqual(self._due(lead), {TUESDAY_8})

    def test_working_hours_changed(self):
        """An attendance changed or deleted moves the due times of the clocks counting in it."""
        with self._at(SUNDAY_NOON):
            lead = self._lead()
        monday_morning = self.brussels.attendance_ids.filtered(
            lambda att: att.dayofweek == "0" and att.day_period == "morning"
        )
        with self._at(SUNDAY_NOON):
            monday_morning.with_user(self.user_admin).write({"hour_from": 10})
        self.assertEqual(self._due(lead), {datetime(2031, 3, 10, 10, 0)})
        with self._at(SUNDAY_NOON):
            monday_morning.with_user(self.user_admin).unlink()
        # Monday afternoon starts at 13:00 Brussels
        self.assertEqual(self._due(lead), {datetime(2031, 3, 10, 13, 0)})

    def test_many_clocks_are_left_to_the_scheduler(self):
        """Above the inline limit a holiday's save recomputes nothing: a job does, before the
        escalation cron fires anything, and the clocks it concerns do not fire meanwhile."""
        with self._at(SUNDAY_NOON):
            leads = self.env["crm.lead"].browse([self._lead().id for _i in range(3)])
        self._set_inline_limit(1)
        with self._at(SUNDAY_NOON):
            self._holiday(10)
        self.assertEqual(self._due(leads), {MONDAY_8}, "nothing done in the save")
        self.assertTrue(self._jobs())
        with self._at(datetime(2031, 3, 10, 9, 0)):
            self.assertFalse(self.Clock._escalation_claim(datetime(2031, 3, 10, 9, 0), 50))
        self.assertEqual(
            self._run_at(datetime(2031, 3, 10, 9, 0)), 0, "the cron reschedules, then fires none"
        )
        self.assertFalse(self._jobs())
        self.assertEqual(self._due(leads), {TUESDAY_8})


@tagged("post_install", "-at_install")
class TestRuleCopy(EscalationCommon):
    def test_copy_is_archived_until_reviewed(self):
        """A duplicated rule is archived: it escalates nothing until an administrator activates
        it, which starts its clocks as activating any rule does."""
        rule = self._rule()
        with self._at(self._h(0)):
            leads = self.env["crm.lead"].browse([self._lead().id for _i in range(3)])
        copy = rule.with_user(self.user_manager).copy()
        self.assertFalse(copy.active)
        self.assertEqual(copy.name, f"{rule.name} (copy)")
        self.assertEqual(len(copy.level_ids), 2)
        self.assertFalse(self.Clock.search_count([("rule_id", "=", copy.id)]))
        self._run_at(self._h(9))
        self.assertFalse(self.Log.search_count([("rule_id", "=", copy.id)]), "the copy fired nothing")
        with self._at(self._h(10)):
            copy.with_user(self.user_manager).action_unarchive()
        clocks = self.Clock.search([("rule_id", "=", copy.id)])
        self.assertEqual(set(clocks.mapped("res_id")), set(leads.ids))
        self.assertEqual(set(clocks.mapped("state")), {"running"})
