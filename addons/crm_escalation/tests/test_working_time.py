from datetime import date, datetime
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.base_escalation.models.working_time import (
    MAX_SEARCH_DAYS,
    work_deadlines,
    work_hours_between,
)

from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestWorkingTime(EscalationCommon):
    """Calendar Mon-Fri 8-12 / 13-17 UTC; Monday 10 March 2031 is a public holiday."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.holiday = cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": False,
                "company_id": cls.company.id,
                "date_from": datetime(2031, 3, 10, 0, 0),
                "date_to": datetime(2031, 3, 10, 23, 59, 59),
            }
        )

    def test_deadlines_match_plan_hours(self):
        friday_3pm = datetime(2031, 3, 7, 15, 0)
        requests = [
            (friday_3pm, 4.0),
            (T0, 0.0),
            (T0, 3.0),
            (T0, 40.0),
            (friday_3pm, 12.5),
            (datetime(2031, 3, 8, 10), 1),
        ]
        deadlines = work_deadlines(self.calendar, requests)
        for (start, hours), deadline in zip(requests, deadlines, strict=True):
            expected = self.calendar.plan_hours(hours, start, compute_leaves=True)
            if hours:
                self.assertEqual(deadline, expected, f"{hours}h from {start}")
        # Friday 15:00 + 4h: 2h on Friday, Monday is a holiday, 2h on Tuesday
        self.assertEqual(deadlines[0], datetime(2031, 3, 11, 10, 0))
        self.assertEqual(
            work_hours_between(self.calendar, [(friday_3pm, datetime(2031, 3, 11, 10, 0))]), [4.0]
        )

    def test_rule_in_working_hours(self):
        rule = self._rule(
            time_mode="working",
            calendar_source="rule",
            resource_calendar_id=self.calendar.id,
            levels=[{"name": "L1", "delay": 4}, {"name": "L2", "delay": 12}],
        )
        friday_3pm = datetime(2031, 3, 7, 15, 0)
        with self._at(friday_3pm):
            lead = self._lead()
        clock = self._clock(lead, rule)
        self.assertEqual(clock.next_escalation_at, datetime(2031, 3, 11, 10, 0))
        self.assertEqual(self._run_at(datetime(2031, 3, 10, 12, 0)), 0, "weekend and holiday do not count")
        self._run_at(datetime(2031, 3, 11, 10, 1))
        self.assertEqual(clock.current_level_id.name, "L1")
        # L2: 12 working hours = 2h Fri + 8h Tue + 2h Wed
        self.assertEqual(clock.next_escalation_at, datetime(2031, 3, 12, 10, 0))

    def test_team_working_hours_shown_on_the_team_form(self):
        """A sales team's Working Hours show on its form whatever the settings: crm hides
        the form's right group unless Rule-Based Assignment is on."""
        admin = self.env.ref("base.user_admin")
        arch = etree.fromstring(self.env["crm.team"].with_user(admin).get_view(view_type="form")["arch"])
        (field,) = arch.xpath("//field[@name='resource_calendar_id']")
        shown = (None, "0", "False")
        hidden = [node.get("name") for node in field.iterancestors() if node.get("invisible") not in shown]
        self.assertFalse(hidden, "Working Hours sit in a group hidden by the form")

    def test_days_in_working_time_and_team_calendar(self):
        self.team.resource_calendar_id = self.calendar
        rule = self._rule(
            time_mode="working",
            calendar_source="team",
            delay_unit="days",
            levels=[{"name": "L1", "delay": 1}],
        )
        with self._at(datetime(2031, 3, 7, 15, 0)):
            lead = self._lead()
        clock = self._clock(lead, rule)
        self.assertEqual(clock.calendar_id, self.calendar)
        # one working day = 8 hours: 2h Friday, holiday Monday, 6h Tuesday
        self.assertEqual(clock.next_escalation_at, datetime(2031, 3, 11, 15, 0))

    def test_pause_in_working_time(self):
        rule = self._rule(
            trigger_type="creation",
            time_mode="working",
            resource_calendar_id=self.calendar.id,
            pause_step_ids=[(6, 0, self.step_waiting.ids)],
            levels=[{"name": "L1", "delay": 8}],
        )
        with self._at(T0):
            lead = self._lead()
        clock = self._clock(lead, rule)
        clock.episode_start = T0
        clock._escalation_reschedule()
        # Monday 9:00 + 8 working hours: 7 on Monday, 1 on Tuesday
        self.assertEqual(clock.next_escalation_at, datetime(2031, 3, 4, 9, 0))
        with self._at(self._h(1)):
            lead.stage_id = self.stage_waiting
        with self._at(self._h(25)):  # Tuesday 10:00: 8 working hours paused
            lead.stage_id = self.stage_qualif
        self.assertEqual(clock.paused_seconds, 8 * 3600)
        self.assertEqual(clock.next_escalation_at, datetime(2031, 3, 5, 9, 0))

    def test_holidays_of_another_company_do_not_count(self):
        """A public holiday belongs to its company: another company's does not delay the levels
        of a lead (the engine reads calendar leaves as the superuser, who sees every company's)."""
        company_b = self.env["res.company"].create({"name": "Holidays B"})
        # a public holiday's company is the one it is created in
        holiday_b = (
            self.env["resource.calendar.leaves"]
            .with_company(company_b)
            .create(
                {
                    "name": "Holiday of company B",
                    "calendar_id": False,
                    "date_from": datetime(2031, 3, 11, 0, 0),
                    "date_to": datetime(2031, 3, 11, 23, 59, 59),
                }
            )
        )
        holiday_b.flush_recordset()
        self.assertEqual(holiday_b.company_id, company_b)
        rule = self._rule(
            trigger_type="creation",
            time_mode="working",
            calendar_source="rule",
            resource_calendar_id=self.calendar.id,
            pause_step_ids=[(6, 0, self.step_waiting.ids)],
            levels=[{"name": "L1", "delay": 4}],
        )
        friday_3pm = datetime(2031, 3, 7, 15, 0)
        with self._at(friday_3pm):
            lead = self._lead().with_user(self.user_salesman)
        clock = self._clock(lead, rule)
        clock.episode_start = friday_3pm  # the creation date is the database's clock
        clock._escalation_reschedule()
        # 2h on Friday, Monday is the main company's holiday, 2h on Tuesday (B's holiday)
        self.assertEqual(clock.next_escalation_at, datetime(2031, 3, 11, 10, 0))
        # paused from Tuesday 9:00 to Wednesday 9:00: the 8 working hours of Tuesday
        with self._at(datetime(2031, 3, 11, 9, 0)):
            lead.stage_id = self.stage_waiting
        with self._at(datetime(2031, 3, 12, 9, 0)):
            lead.stage_id = self.stage_qualif
        self.assertEqual(clock.paused_seconds, 8 * 3600)
        # for company B, its holiday counts and the main company's does not
        start = [(friday_3pm, 4.0)]
        monday_10am, tuesday_10am = datetime(2031, 3, 10, 10, 0), datetime(2031, 3, 11, 10, 0)
        self.assertEqual(work_deadlines(self.calendar, start, company_b.id), [monday_10am])
        self.assertEqual(work_deadlines(self.calendar, start, self.company.id), [tuesday_10am])
        tuesday = [(datetime(2031, 3, 11, 8, 0), datetime(2031, 3, 12, 8, 0))]
        self.assertEqual(work_hours_between(self.calendar, tuesday, company_b.id), [0.0])
        self.assertEqual(work_hours_between(self.calendar, tuesday, self.company.id), [8.0])

    def test_working_hours_without_working_time(self):
        """Working hours with no working time give no due time: refused at save as a rule's own
        calendar; a team's calendar, or the rule's emptied later, leaves the clocks unscheduled
        with a warning naming the calendar and the rule (no error, the other clocks go on)."""
        empty = self.env["resource.calendar"].create(
            {"name": "No hours", "tz": "UTC", "company_id": False, "attendance_ids": [(5, 0, 0)]}
        )
        with self.assertRaisesRegex(ValidationError, "working hours “No hours” have no working time"):
            self._rule(time_mode="working", calendar_source="rule", resource_calendar_id=empty.id)
        self.team.resource_calendar_id = empty
        rule = self._rule(
            name="Team hours",
            time_mode="working",
            calendar_source="team",
            levels=[{"name": "L1", "delay": 4}],
        )
        with (
            self._at(T0),
            self.assertLogs("odoo.addons.base_escalation.models.escalation_clock", "WARNING") as logs,
        ):
            lead = self._lead()
        self.assertIn("working hours No hours", logs.output[0])
        self.assertIn("Team hours", logs.output[0])
        clock = self._clock(lead, rule)
        self.assertEqual((clock.state, clock.next_escalation_at), ("running", False))
        self.assertEqual(self._run_at(self._h(1000)), 0)

    def test_working_hours_whose_attendances_all_ended_refused(self):
        """A rule's own working hours whose every attendance ended have no working time from
        now on: refused at save naming them, as working hours without attendances are."""
        ended = self.env["resource.calendar"].create(
            {
                "name": "Ended hours",
                "tz": "UTC",
                "company_id": False,
                "attendance_ids": [(5, 0, 0)]
                + [
                    (
                        0,
                        0,
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 9,
                            "hour_to": 17,
                            "day_period": "morning",
                            "date_to": date(2020, 1, 31),
                        },
                    )
                    for day in range(5)
                ],
            }
        )
        with self.assertRaises(ValidationError) as caught:
            self._rule(time_mode="working", calendar_source="rule", resource_calendar_id=ended.id)
        self.assertIn("working hours “Ended hours” have no working time", str(caught.exception))
        rule = self._rule(time_mode="working", calendar_source="rule", resource_calendar_id=self.calendar.id)
        with self.assertRaises(ValidationError):
            rule.resource_calendar_id = ended

    def test_working_hours_a_rule_counts_in_are_not_deleted(self):
        """Working hours a rule counts working time in (its own, or a team's its clocks count
        in) are not deleted, the refusal naming them and the rules (the clocks counted calendar
        time in 8-hour days instead); once no rule counts in them they are."""
        Calendar = self.env["resource.calendar"]
        own, team_hours = (
            Calendar.create({"name": name, "tz": "UTC", "company_id": False})
            for name in ("Own hours", "Team hours")
        )
        rule = self._rule(
            name="Own rule", time_mode="working", calendar_source="rule", resource_calendar_id=own.id
        )
        rule.active = False  # archived: refused all the same, it may come back
        with self.assertRaises(UserError) as caught:
            own.unlink()
        self.assertIn("“Own hours”", str(caught.exception))
        self.assertIn("“Own rule”", str(caught.exception))
        self.team.resource_calendar_id = team_hours
        team_rule = self._rule(name="Team rule", time_mode="working", calendar_source="team")
        with self._at(T0):
            lead = self._lead()
        self.assertEqual(self._clock(lead, team_rule).calendar_id, team_hours)
        with self.assertRaises(UserError) as caught:
            team_hours.unlink()
        self.assertIn("“Team rule”", str(caught.exception))
        rule.resource_calendar_id = self.calendar
        own.unlink()
        self.assertFalse(own.exists())

    def _deadlines_and_windows(self, requests):
        """``work_deadlines`` of ``requests`` on the calendar, and the windows of work
        intervals it read: [(start, end)]."""
        windows = []
        calendar_class = type(self.env["resource.calendar"])
        work_intervals = calendar_class._work_intervals_batch

        def spy(calendar, start, end, *args, **kwargs):
            windows.append((start, end))
            return work_intervals(calendar, start, end, *args, **kwargs)

        with patch.object(calendar_class, "_work_intervals_batch", spy):
            return work_deadlines(self.calendar, requests), windows

    def test_start_points_centuries_apart_computed_apart(self):
        """Due times of starts far apart (an Expected Closing typed in the year 1 and leads of
        today) are computed over the working time each one needs, not over the centuries between
        them (one window from the first start to the last: minutes for a rule save)."""
        requests = [(datetime(1, 1, 3), 8.0), (T0, 8.0), (datetime(1900, 1, 2), 4.0), (T0, 12.0)]
        deadlines, windows = self._deadlines_and_windows(requests)
        for (start, hours), deadline in zip(requests, deadlines, strict=True):
            self.assertEqual(deadline, self.calendar.plan_hours(hours, start, compute_leaves=True))
        self.assertTrue(windows)
        self.assertLess(max((end - start).days for start, end in windows), 366)
        # the first day of the year 1, in working hours away from UTC: before Python's dates
        for tz in ("America/New_York", "Pacific/Kiritimati"):
            calendar = self.calendar.copy({"tz": tz})
            (deadline,) = work_deadlines(calendar, [(datetime(1, 1, 1), 8.0)])
            self.assertEqual(deadline.year, 1, tz)

    def test_decades_of_working_time_not_searched(self):
        """A delay of decades of working time (87,600 hours at 40 hours a week, within the ten
        years a delay may be) is searched no further than the search's end: no due time, and
        the intervals of those decades are not read (each save of its rule took seconds)."""
        deadlines, windows = self._deadlines_and_windows([(T0, 87600.0), (T0, 8.0)])
        self.assertEqual(deadlines[0], False)
        self.assertEqual(deadlines[1], self.calendar.plan_hours(8.0, T0, compute_leaves=True))
        self.assertLessEqual(max((end - start).days for start, end in windows), MAX_SEARCH_DAYS)

    def test_date_beyond_the_dates_computed_starts_no_clock(self):
        """An Expected Closing in the year 9999 (the date picker offers it) is saved by the
        salesperson: no due time can be computed from it (the day after it, or its delay, is
        beyond the dates Python knows), so it starts no clock, as no date; a clock it had ends."""
        field = self.env["ir.model.fields"]._get("crm.lead", "date_deadline")
        for time_mode in ("calendar", "working"):
            rule = self._rule(
                name=f"Closing passed ({time_mode})",
                trigger_type="date_field",
                date_field_id=field.id,
                step_ids=False,
                process_id=False,
                time_mode=time_mode,
                calendar_source="rule",
                resource_calendar_id=self.calendar.id,
                levels=[{"name": "Closing date passed", "delay": 4}],
            )
            with self._at(T0):
                lead = self._lead(date_deadline=T0.date(), user_id=self.user_salesman.id)
            self.assertEqual(self._clock(lead, rule).state, "running")
            for last_days in (date(9999, 12, 31), date(9999, 12, 30), date(9000, 1, 1)):
                with self._at(self._h(1)):
                    lead.with_user(self.user_salesman).write({"date_deadline": last_days})
                self.assertEqual(lead.date_deadline, last_days)
                self.assertFalse(
                    self._clock(lead, rule).filtered(lambda clock: clock.state in ("running", "breached")),
                    f"{time_mode}: {last_days}",
                )
            rule.active = False
