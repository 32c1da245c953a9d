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
from datetime import datetime, timedelta

from pytz import utc

# how far deadlines are searched: past a holiday of weeks or months, not for ever
MAX_SEARCH_DAYS = 3 * 366
# work intervals are read from this day on: the first days of the year 1, read in a time zone
# away from UTC, are before the dates Python knows (a start before it counts from it)
FIRST_DAY = datetime(1, 1, 3)


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
        start, end = max(start, FIRST_DAY), max(end, FIRST_DAY)
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

    Starts far apart (a date typed centuries ago and the records of today) are computed apart,
    each group of starts over the working time it needs: not over the years between them.

    :return: list of naive UTC datetimes (False when no working time is found within
        ``MAX_SEARCH_DAYS``, e.g. an empty calendar; a holiday of weeks is searched past)
    """
    if not requests:
        return []
    hours_per_day = calendar.hours_per_day or 8.0
    # the window a start needs, never beyond the search's end: a delay of decades of working
    # time (within the ten years a delay may be, at a few hours a week) is searched no further,
    # and reading the intervals of those decades made every save and batch of its rule wait
    span = timedelta(
        days=min(
            math.ceil(max(hours for _start, hours in requests) / hours_per_day * 7 / 5 * 1.5) + 14,
            MAX_SEARCH_DAYS,
        )
    )
    results = [False] * len(requests)
    order = sorted(range(len(requests)), key=lambda index: requests[index][0])
    group = [order[0]]
    for index in order[1:]:
        # a start beyond the window of the group's starts begins a group of its own
        if requests[index][0] - requests[group[-1]][0] > span:
            _work_deadlines_group(calendar, requests, group, span, company_id, results)
            group = []
        group.append(index)
    _work_deadlines_group(calendar, requests, group, span, company_id, results)
    return results


def _work_deadlines_group(calendar, requests, indexes, span, company_id, results):
    """The deadlines of ``requests[i]`` for ``i`` in ``indexes`` (their starts sorted, none more
    than ``span`` after the one before it) into ``results``, from one window of work intervals
    widened while deadlines are missing, up to ``MAX_SEARCH_DAYS`` after the first start."""
    low = requests[indexes[0]][0]
    high = requests[indexes[-1]][0] + span
    pending = list(indexes)
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


def work_hours_between(calendar, pairs, company_id=None):
    """Working hours of each (start, end) pair (naive UTC), one interval fetch in all, with the
    public holidays of ``company_id`` (default: the calendar's company)."""
    if not pairs:
        return []
    timeline = Timeline(calendar, min(a for a, _b in pairs), max(b for _a, b in pairs), company_id)
    return [max(timeline.worked(b) - timeline.worked(a), 0.0) for a, b in pairs]
