"""Working-time arithmetic in batch: one ``_work_intervals_batch`` call per calendar.

``resource.calendar.plan_hours`` costs several queries per call; an escalation
batch needs hundreds of deadlines. The functions below fetch the work
intervals of a calendar once for the whole window the batch needs (leaves of
the calendar and public holidays - calendar leaves without a resource -
included) and answer every request from a prefix sum with two bisections.

Public holidays are those of the company the deadlines are for (and those of no
company): Odoo's ``_work_intervals_batch`` without a resource takes every public
holiday it can read, and the engine reads them as the superuser.
"""

import math
from bisect import bisect_left, bisect_right
from datetime import timedelta

from pytz import utc

# how far deadlines are searched: past a holiday of weeks or months, not for ever
MAX_SEARCH_DAYS = 3 * 366


def _aware(dt):
    return utc.localize(dt) if dt.tzinfo is None else dt


def _naive(dt):
    return dt.astimezone(utc).replace(tzinfo=None)


def _leave_domain(calendar, company_id):
    """The calendar leaves that count for ``company_id`` (else the calendar's company): its own
    and those of no company (None: every leave, Odoo's default)."""
    company_id = company_id or calendar.company_id.id
    if not company_id:
        return None
    return [("time_type", "=", "leave"), ("company_id", "in", [False, company_id])]


class Timeline:
    """Work intervals of one calendar over a window, with cumulated hours."""

    def __init__(self, calendar, start, end, company_id=None):
        intervals = calendar._work_intervals_batch(
            _aware(start), _aware(end), domain=_leave_domain(calendar, company_id)
        )[False]
        self.start, self.end = start, end
        self.starts, self.ends, self.cum, self.cum_end = [], [], [], []
        total = 0.0
        for begin, stop, _meta in intervals:
            begin, stop = _naive(begin), _naive(stop)
            if stop <= begin:
                continue
            self.starts.append(begin)
            self.ends.append(stop)
            self.cum.append(total)
            total += (stop - begin).total_seconds() / 3600.0
            self.cum_end.append(total)

    def worked(self, dt):
        """Working hours between the window start and ``dt``."""
        index = bisect_right(self.starts, dt) - 1
        if index < 0:
            return 0.0
        if dt >= self.ends[index]:
            return self.cum_end[index]
        return self.cum[index] + (dt - self.starts[index]).total_seconds() / 3600.0

    def plan(self, start, hours):
        """The moment ``hours`` working hours after ``start``; None beyond the window."""
        target = self.worked(start) + hours
        index = bisect_left(self.cum_end, target)
        if index >= len(self.starts):
            return None
        return max(self.starts[index] + timedelta(hours=target - self.cum[index]), start)


def work_deadlines(calendar, requests, company_id=None):
    """Deadlines for ``requests`` = [(start, hours), ...] (naive UTC) in working time, with the
    public holidays of ``company_id`` (default: the calendar's company).

    :return: list of naive UTC datetimes (False when no working time is found within
        ``MAX_SEARCH_DAYS``, e.g. an empty calendar; a holiday of weeks is searched past)
    """
    if not requests:
        return []
    low = min(start for start, _hours in requests)
    hours_per_day = calendar.hours_per_day or 8.0
    span_days = math.ceil(max(hours for _start, hours in requests) / hours_per_day * 7 / 5 * 1.5) + 14
    high = max(start for start, _hours in requests) + timedelta(days=span_days)
    results = [False] * len(requests)
    pending = list(range(len(requests)))
    farthest = low + timedelta(days=MAX_SEARCH_DAYS)
    while True:
        timeline = Timeline(calendar, low, high, company_id)
        missing = []
        for index in pending:
            deadline = timeline.plan(*requests[index])
            if deadline is None:
                missing.append(index)
            else:
                results[index] = deadline
        # a window without working time is a long holiday, unless the calendar has no hours
        if not missing or high >= farthest or not (timeline.starts or calendar.attendance_ids):
            break
        pending = missing
        high = min(high + (high - low) * 2, farthest)
    return results


def work_hours_between(calendar, pairs, company_id=None):
    """Working hours of each (start, end) pair (naive UTC), one interval fetch in all, with the
    public holidays of ``company_id`` (default: the calendar's company)."""
    if not pairs:
        return []
    timeline = Timeline(calendar, min(a for a, _b in pairs), max(b for _a, b in pairs), company_id)
    return [max(timeline.worked(b) - timeline.worked(a), 0.0) for a, b in pairs]
