from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.base_process_guide.tools import quoted

from .escalation_clock import OPEN_STATES

# what a public holiday's due times depend on
LEAVE_FIELDS = ("calendar_id", "company_id", "date_from", "date_to", "resource_id", "time_type")
# what working hours' due times depend on
ATTENDANCE_FIELDS = (
    "calendar_id",
    "dayofweek",
    "hour_from",
    "hour_to",
    "date_from",
    "date_to",
    "week_type",
    "day_period",
    "resource_id",
    "display_type",
    "duration_days",
)
CALENDAR_FIELDS = ("tz", "hours_per_day", "two_weeks_calendar", "flexible_hours")
# the first year a time off may not reach
LAST_YEAR = 9999


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def write(self, vals):
        res = super().write(vals)
        if set(CALENDAR_FIELDS) & set(vals):
            self.env["escalation.calendar.change"]._escalation_apply_changes(
                [{"calendar_id": calendar.id} for calendar in self]
            )
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_escalation_working_hours(self):
        """Working hours an escalation rule counts working time in (its own, or those its
        open clocks count in: a team's, a company's) are not deleted: the clocks would
        count calendar time in 8-hour days instead, silently. The refusal names the working
        hours and the rules."""
        rules_by_calendar = self._escalation_working_time_rules()
        for calendar in self:
            rules = rules_by_calendar.get(calendar.id)
            if rules:
                raise UserError(
                    self.env._(
                        "Working hours %(calendar)s cannot be deleted: escalation rules count "
                        "working time in them (%(rules)s). Choose other working hours for those "
                        "rules first, or archive these working hours.",
                        calendar=quoted(self.env, calendar.display_name),
                        rules=", ".join(quoted(self.env, name) for name in rules.mapped("display_name")),
                    )
                )

    def _escalation_working_time_rules(self):
        """{calendar id: the escalation rules (archived ones included) counting working time
        in it}: the rules whose own working hours it is, and those whose open clocks count in
        it; two queries."""
        Rule = self.env["escalation.rule"].sudo().with_context(active_test=False)
        result = {}
        own = Rule.search(
            [
                ("time_mode", "=", "working"),
                ("calendar_source", "=", "rule"),
                ("resource_calendar_id", "in", self.ids),
            ]
        )
        for rule in own:
            result[rule.resource_calendar_id.id] = result.get(rule.resource_calendar_id.id, Rule) | rule
        groups = (
            self.env["escalation.clock"]
            .sudo()
            ._read_group(
                [
                    ("calendar_id", "in", self.ids),
                    ("state", "in", OPEN_STATES),
                    ("rule_id.time_mode", "=", "working"),
                ],
                ["calendar_id", "rule_id"],
            )
        )
        for calendar, rule in groups:
            result[calendar.id] = result.get(calendar.id, Rule) | rule.with_context(active_test=False)
        return result

    def _escalation_has_working_time(self):
        """Whether the working hours have working time from today on: an attendance (not
        a section) of some length that has not ended. Without, a clock counting in them is
        never due."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        return any(
            not attendance.display_type
            and attendance.hour_to > attendance.hour_from
            and (not attendance.date_to or attendance.date_to >= today)
            for attendance in self.attendance_ids
        )


class ResourceCalendarAttendance(models.Model):
    _inherit = "resource.calendar.attendance"

    @api.constrains("hour_from", "hour_to")
    def _check_escalation_hours(self):
        """Hours of a day, the end after the start: the due times of the clocks counting in
        the working hours are recomputed at the save, where an hour out of the day (sent by
        a client: the form's onchange bounds them) failed with a traceback."""
        for attendance in self:
            hours = (attendance.hour_from, attendance.hour_to)
            if not all(0 <= hour <= 24 for hour in hours) or attendance.hour_to < attendance.hour_from:
                raise ValidationError(
                    self.env._(
                        "Working hours %(calendar)s, %(line)s: the hours of a day are from 0 to 24, "
                        "and the end comes after the start.",
                        calendar=attendance.calendar_id.display_name,
                        line=attendance.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        attendances = super().create(vals_list)
        attendances._escalation_working_hours_changed()
        return attendances

    def write(self, vals):
        if not set(ATTENDANCE_FIELDS) & set(vals):
            return super().write(vals)
        before = self.calendar_id
        res = super().write(vals)
        self._escalation_working_hours_changed(before)
        return res

    def unlink(self):
        calendars = self.calendar_id
        res = super().unlink()
        self.env["resource.calendar.attendance"]._escalation_working_hours_changed(calendars)
        return res

    def _escalation_working_hours_changed(self, calendars=None):
        """The due times of the clocks counting in the attendances' working hours move."""
        calendars = self.exists().calendar_id | (calendars or self.env["resource.calendar"])
        self.env["escalation.calendar.change"]._escalation_apply_changes(
            [{"calendar_id": calendar.id} for calendar in calendars.exists()]
        )


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    @api.constrains("date_from", "date_to")
    def _check_escalation_dates(self):
        """A time off in the year 9999 is refused: its end, read in a time zone ahead of UTC,
        lies beyond the last date Python knows, and every working-time computation meeting it
        (due times of the clocks, Odoo's own planning) failed."""
        for leave in self:
            if any(date and date.year >= LAST_YEAR for date in (leave.date_from, leave.date_to)):
                raise ValidationError(
                    self.env._(
                        "Time off %(leave)s: its dates must be before the year %(year)s.",
                        leave=leave.display_name,
                        year=LAST_YEAR,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._escalation_holidays_changed(leaves._escalation_holiday_periods())
        return leaves

    def write(self, vals):
        if not set(LEAVE_FIELDS) & set(vals):
            return super().write(vals)
        before = self._escalation_holiday_periods()
        res = super().write(vals)
        self._escalation_holidays_changed(before + self._escalation_holiday_periods())
        return res

    def unlink(self):
        periods = self._escalation_holiday_periods()
        res = super().unlink()
        self._escalation_holidays_changed(periods)
        return res

    def _escalation_holiday_periods(self):
        """The public holidays (leaves without a resource) among the leaves, as the values of
        ``escalation.calendar.change``: the due times they may move."""
        return [
            {
                "calendar_id": leave.calendar_id.id,
                "company_id": leave.company_id.id,
                "date_from": leave.date_from,
                "date_to": leave.date_to,
            }
            for leave in self.sudo()
            if not leave.resource_id and leave.date_from and leave.date_to
        ]

    @api.model
    def _escalation_holidays_changed(self, periods):
        """Public holidays were added, moved or deleted: the clocks counting in their working
        hours get their due times recomputed (in the save for a few, else by the scheduler)."""
        self.env["escalation.calendar.change"]._escalation_apply_changes(periods)
