import logging
import time
from collections import defaultdict
from datetime import timedelta
from types import MappingProxyType

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, split_every

from odoo.addons.base_process_guide.models.guide_apply_job import MAX_ATTEMPTS as MAX_APPLY_ATTEMPTS
from odoo.addons.base_process_guide.tools import (
    CONFLICTS,
    cron_time_limit,
    engine_no_commit,
    execute_handled,
    lock_free_rows,
    refresh_registry_caches,
    refuse_missing,
)

from .escalation_level import _offsets
from .escalation_log import EngineWords
from .working_time import work_deadlines, work_hours_between

_logger = logging.getLogger(__name__)

CLOCK_STATES = [
    ("running", "Running"),
    ("paused", "Paused"),
    ("breached", "Escalated"),
    ("met", "Met"),
    ("done", "Closed"),
]
OPEN_STATES = ("running", "paused", "breached")
DUE_STATES = ("running", "breached")
MAX_FAILURES = 3
HELD_RETRY = timedelta(minutes=1)  # the next run for the clocks of records other transactions held
# engine flag (base_process_guide.tools; never read from the context, which any client sets):
# run the cron inside the caller's transaction (benchmark, shell); FLAG_NO_SYNC: escalation_level
FLAG_NO_COMMIT = "escalation_no_commit"
# clocks per batch of the cron: a batch's fixed work (its claim, the cache check, the rules'
# configuration, the records' own write and its recomputations, one chatter insert) is about
# 25 queries whatever its size; its locks last one batch (a fraction of a second)
DEFAULT_BATCH = 200
# clocks per UPDATE of ``_escalation_write_rows`` (one statement up to this size)
BULK_UPDATE_SIZE = 10000


# the columns of a clock reset when an episode starts
EPISODE_START_VALUES = MappingProxyType(
    {
        "paused_seconds": 0.0,
        "level_index": 0,
        "current_level_id": False,
        "current_level_kind": False,
        "last_fired_at": False,
        "breached": False,
        "breached_at": False,
        "breach_rate": 0.0,
        "met_at": False,
        "acknowledged_by": False,
        "acknowledged_at": False,
        "failure_count": 0,
        "last_error": False,
    }
)
# triggers whose start point moves: a new start point starts a new episode
MOVING_START_TRIGGERS = ("step_time", "date_field", "no_activity")


def _id_of(value):
    """The id of a many2one value, given as a record or as an id."""
    return value.id if isinstance(value, models.BaseModel) else (value or False)


class SyncPlan:
    """What one synchronisation does to the clocks (``_escalation_sync_records``), applied in
    a constant number of statements whatever the number of records."""

    def __init__(self, clocks):
        self.close = clocks  # episodes that end: de-escalated
        self.meet = clocks  # target reached
        self.resume = clocks  # paused clocks that run again
        self.episodes = []  # new episodes: (record, rule_info, clock or None, start)
        self.updates = defaultdict(dict)  # clock id: values, one UPDATE per set of columns
        self.broken = set()  # ids of the rules whose condition cannot be evaluated


class EscalationClock(models.Model):
    """The clock of one escalation rule on one record, episode after episode.

    An episode starts at the rule's start point; the elapsed time excludes
    paused time; levels fire in order, once each. ``next_escalation_at`` is
    stored and indexed: the cron finds due clocks with one indexed query,
    and a fired (or failed) clock moves its date forward, so it drops out.
    """

    _name = "escalation.clock"
    _inherit = ["guide.bulk.mixin", "guide.record.link.mixin"]
    _description = "Escalation Clock"
    _order = "next_escalation_at, id"
    _rec_name = "record_name"
    _guide_engine_owned = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", required=True, readonly=True)
    record_name = fields.Char(readonly=True)
    rule_id = fields.Many2one("escalation.rule", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    state = fields.Selection(CLOCK_STATES, required=True, default="running", readonly=True, index=True)
    # episode
    episode = fields.Integer(readonly=True, default=1)
    episode_start = fields.Datetime(string="Clock Start", readonly=True)
    step_id = fields.Many2one("guide.step", readonly=True, ondelete="set null")
    step_entered_at = fields.Datetime(readonly=True)
    base_hours = fields.Float(readonly=True, help="Expected duration of the step, added to the delays.")
    calendar_id = fields.Many2one("resource.calendar", string="Working Hours", readonly=True)
    paused_seconds = fields.Float(readonly=True, help="Paused time (working seconds for working-time rules).")
    paused_since = fields.Datetime(readonly=True)
    # levels
    level_index = fields.Integer(readonly=True, help="Number of levels done in this episode.")
    current_level_id = fields.Many2one("escalation.level", readonly=True)
    current_level_kind = fields.Selection(
        [("warning", "Warning"), ("escalation", "Escalation")], readonly=True, index=True
    )
    next_level_id = fields.Many2one(
        "escalation.level",
        readonly=True,
        help="The level the clock fires next. A paused clock keeps the level it fires once it "
        "resumes, with no due time while paused; a met or closed clock has none.",
    )
    next_escalation_at = fields.Datetime(string="Next Escalation", readonly=True, index=True)
    last_fired_at = fields.Datetime(readonly=True)
    breached = fields.Boolean(readonly=True, help="An escalation level fired in this episode.")
    breached_at = fields.Datetime(readonly=True)
    breach_rate = fields.Float("Breach Rate (%)", readonly=True, aggregator="avg")
    met_at = fields.Datetime(readonly=True)
    acknowledged_by = fields.Many2one("res.users", readonly=True)
    acknowledged_at = fields.Datetime(readonly=True)
    # failures
    failure_count = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)

    _sql_constraints = [
        ("record_rule_uniq", "unique(res_model, res_id, rule_id)", "A record has one clock per rule."),
    ]

    def init(self):
        res = super().init()  # escalation_clock_record_idx (res_id, res_model)
        # the cron's search: open clocks with a due date, in due order
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS escalation_clock_due_idx ON escalation_clock (next_escalation_at)"
                " "
                "WHERE next_escalation_at IS NOT NULL AND state IN ('running', 'breached')"
            )
        )
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_retry(self):
        """Managers give a failed clock another chance."""
        refuse_missing(self, "read")
        self.check_access("read")
        unmanaged = {
            model for model in set(self.mapped("res_model")) if not self._escalation_is_manager(model)
        }
        if unmanaged:
            raise AccessError(
                self.env._(
                    "Only the managers of %(models)s may retry their escalation clocks.",
                    models=", ".join(
                        self.env["ir.model"]._get(model).name or model for model in sorted(unmanaged)
                    ),
                )
            )
        clocks = self.sudo().filtered(lambda c: c.state in DUE_STATES)
        if not clocks:
            return False
        clocks.write({"failure_count": 0, "last_error": False})
        clocks._escalation_reschedule()
        return True

    # ------------------------------------------------------------
    # BUSINESS: configuration helpers
    # ------------------------------------------------------------
    @api.model
    def _escalation_rule_config(self, model_name):
        """{rule id: rule_info} of the active rules of ``model_name`` (cached, read-only values)."""
        return {
            rule_info["id"]: rule_info
            for rule_info in self.env["escalation.rule"]._get_escalation_config(model_name)["rules"]
        }

    @api.model
    def _escalation_is_manager(self, model_name):
        """Whether the current user administers the escalations of ``model_name`` (its guide managers)."""
        return model_name in self.env and self.env[model_name]._guide_is_manager()

    @api.model
    def _escalation_factor(self, rule_info, calendar):
        """Hours per unit of the delays of a rule (``rule_info``: its cached values)."""
        if rule_info["delay_unit"] == "hours":
            return 1.0
        if rule_info["time_mode"] == "working":
            return calendar.hours_per_day or 8.0
        return 24.0

    # ------------------------------------------------------------
    # BUSINESS: scheduling
    # ------------------------------------------------------------
    # columns a due time depends on (``_escalation_schedule``)
    _escalation_schedule_fields = (
        "rule_id",
        "state",
        "failure_count",
        "level_index",
        "episode_start",
        "calendar_id",
        "base_hours",
        "paused_seconds",
        "company_id",  # whose public holidays a working-time rule skips
    )

    def _escalation_reschedule(self):
        """Compute ``next_level_id`` and ``next_escalation_at`` of the clocks, in batch:
        one UPDATE whatever their number (``_escalation_write_rows``)."""
        self._escalation_write_rows(self._escalation_schedule_rows())

    def _escalation_schedule_rows(self, pending=None):
        """{clock id: {next_level_id, next_escalation_at}} of ``self``, from the values of the
        clocks overridden by ``pending`` ({clock id: vals} about to be written)."""
        pending = pending or {}
        by_model = defaultdict(lambda: ([], []))
        for clock in self:
            vals = pending.get(clock.id, {})
            item = {
                fname: vals[fname] if fname in vals else clock[fname]
                for fname in self._escalation_schedule_fields
            }
            item["rule_id"] = _id_of(item["rule_id"])
            item["calendar_id"] = _id_of(item["calendar_id"])
            item["company_id"] = _id_of(item["company_id"])
            ids, items = by_model[clock.res_model]
            ids.append(clock.id)
            items.append(item)
        rows = {}
        for model_name, (ids, items) in by_model.items():
            for clock_id, (level_id, due) in zip(
                ids, self._escalation_schedule(model_name, items), strict=True
            ):
                rows[clock_id] = {"next_level_id": level_id, "next_escalation_at": due}
        return rows

    @api.model
    def _escalation_schedule(self, model_name, items):
        """Next level and due time of clocks given as plain values (the columns of
        ``_escalation_schedule_fields``, ids for many2one), in batch: level offsets once
        per rule and base, one ``_work_intervals_batch`` per calendar (and company, whose
        public holidays count) for working-time rules, each distinct (start, hours) computed
        once.

        :return: [(next level id or False, due time or False)] in the order of ``items``
        """
        rules = self._escalation_rule_config(model_name)
        results = [(False, False)] * len(items)
        offsets_by_key = {}
        # (calendar id, company id): {(start, hours): [index]}
        requests = defaultdict(lambda: defaultdict(list))
        for index, item in enumerate(items):
            rule_info = rules.get(item["rule_id"])
            levels = rule_info["levels"] if rule_info else ()
            due = item["state"] in DUE_STATES and (item["failure_count"] or 0) < MAX_FAILURES
            if not due or item["level_index"] >= len(levels) or not item["episode_start"]:
                continue
            calendar_id = item["calendar_id"] if rule_info["time_mode"] == "working" else False
            key = (rule_info["id"], calendar_id, item["base_hours"])
            if key not in offsets_by_key:
                calendar = self.env["resource.calendar"].browse(calendar_id or [])
                factor = self._escalation_factor(rule_info, calendar)
                offsets_by_key[key] = _offsets(levels, factor, item["base_hours"])
            level = levels[item["level_index"]]
            hours = offsets_by_key[key][level["id"]] + (item["paused_seconds"] or 0.0) / 3600.0
            results[index] = (level["id"], None)
            company_id = _id_of(item.get("company_id")) if calendar_id else False
            requests[calendar_id, company_id][(item["episode_start"], hours)].append(index)
        for (calendar_id, company_id), by_request in requests.items():
            keys = list(by_request)
            if calendar_id:
                calendar = self.env["resource.calendar"].browse(calendar_id)
                deadlines = work_deadlines(calendar, keys, company_id)
                if not all(deadlines):
                    self._escalation_warn_unscheduled(calendar, items, by_request, keys, deadlines)
            else:
                deadlines = [start + timedelta(hours=hours) for start, hours in keys]
            for key, deadline in zip(keys, deadlines, strict=True):
                for index in by_request[key]:
                    results[index] = (results[index][0], deadline)
        return results

    @api.model
    def _escalation_reindex(self, rules, clocks=None):
        """Renumber the levels done by the open clocks of ``rules`` (or only ``clocks``)
        after their levels changed (added, reordered, or deleted: archived until the clocks
        are moved off them): a clock has done every level up to the last one it fired
        (``current_level_id``), in the order of the levels kept; a deleted last fired level
        gives way to the level kept before it (none when it was the first). One UPDATE of
        the clocks whose numbers change, joined to the levels of ``rules`` (a few rows);
        returns whether there were some.

        The next level of a clock is the one at ``level_index``: left as it was, a level
        added before the fired ones fired them again, and a deleted one skipped the next."""
        if not rules:
            return False
        self.flush_model(["level_index", "current_level_id", "state", "rule_id"])
        self.env["escalation.level"].flush_model(["rule_id", "sequence", "active"])
        self.env.cr.execute(
            SQL(
                """
                WITH level AS (
                    SELECT id, rule_id, COALESCE(sequence, 0) AS seq, active
                      FROM escalation_level
                     WHERE rule_id IN %(rules)s
                ), kept AS (
                    SELECT id, rule_id, seq,
                           row_number() OVER (PARTITION BY rule_id ORDER BY seq, id) AS position
                      FROM level
                     WHERE active
                ), done AS (
                    SELECT level.id AS fired_id, last.id AS level_id, COALESCE(last.position, 0) AS position
                      FROM level
                 LEFT JOIN LATERAL (
                               SELECT kept.id, kept.position
                                 FROM kept
                                WHERE kept.rule_id = level.rule_id
                                  AND (kept.seq, kept.id) <= (level.seq, level.id)
                             ORDER BY kept.seq DESC, kept.id DESC
                                LIMIT 1
                           ) last ON TRUE
                )
                UPDATE escalation_clock clock
                   SET current_level_id = done.level_id, level_index = done.position
                  FROM done
                 WHERE clock.current_level_id = done.fired_id
                   AND clock.rule_id IN %(rules)s
                   AND clock.state IN %(open)s
                   AND %(of_clocks)s
                   AND (clock.current_level_id IS DISTINCT FROM done.level_id
                        OR clock.level_index IS DISTINCT FROM done.position)
             RETURNING clock.id
                """,
                rules=tuple(rules.ids),
                open=OPEN_STATES,
                of_clocks=SQL("TRUE") if clocks is None else SQL("clock.id = ANY(%s)", list(clocks.ids)),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self.browse(ids).invalidate_recordset(["level_index", "current_level_id"])
        return bool(ids)

    @api.model
    def _escalation_warn_unscheduled(self, calendar, items, by_request, keys, deadlines):
        """Working hours without working time (emptied after the rule was saved, or a team's or
        company's): the clocks counting in them cannot be given a due time and would never
        escalate; a warning names the calendar and the rules (no clock fails for it)."""
        rule_ids = {
            items[index]["rule_id"]
            for key, deadline in zip(keys, deadlines, strict=True)
            if not deadline
            for index in by_request[key]
        }
        rules = self.env["escalation.rule"].browse(sorted(rule_ids))
        _logger.warning(
            "Escalation: working hours %s (id %s) have no working time; the clocks of rule(s) %s "
            "cannot be scheduled and will not escalate until they get working hours",
            calendar.display_name,
            calendar.id,
            ", ".join(rules.mapped("display_name")),
        )

    def _escalation_write_rows(self, rows):
        """Write ``rows`` ({clock id: vals} of plain columns) in one UPDATE per set of
        written columns, whatever the number of clocks (the ORM flushes 100 rows per
        UPDATE): columns with one value for the whole set are SET as constants, the
        others joined from a VALUES list. The cache gets the new values (nothing left
        to flush, nothing to read back). The engine's own writes only.

        Extension point: this UPDATE bypasses ``write()`` (no override of another module,
        no ``@api.constrains``, no tracking, no ``_check_company``), like the INSERT of new
        clocks (``guide.bulk.mixin._guide_bulk_create``). A module that reacts to clock
        changes overrides this method (every engine write of clocks goes through it, rows
        given as {clock id: vals}) or ``_escalation_start_episodes`` for new clocks; a module
        that adds columns to the clocks sets them through the guided model's
        ``_escalation_clock_values`` hook."""
        if not rows:
            return
        if not self.env.su:
            raise AccessError(self.env._("Escalation clocks are written by the engine only."))
        groups = defaultdict(dict)
        for clock_id, vals in rows.items():
            if vals:
                groups[tuple(sorted(vals))][clock_id] = vals
        magic = {"write_uid": self.env.uid, "write_date": self.env.cr.now()}
        # pending ORM writes of these columns (the magic ones included) go first: the
        # cache below replaces them, it must not drop a dirty value
        self.flush_model({fname for fnames in groups for fname in fnames} | set(magic))
        for fnames, group in groups.items():
            fields = [self._fields[fname] for fname in fnames]
            for field in fields:
                if not (field.store and field.column_type) or field.translate or field.compute:
                    raise ValueError(f"{field} cannot be written in bulk")
            for ids in split_every(BULK_UPDATE_SIZE, list(group)):
                self._escalation_update(fields, ids, [group[clock_id] for clock_id in ids], magic)

    def _escalation_update(self, fields, ids, vals_list, magic):
        """One UPDATE of ``fields`` on clocks ``ids`` to ``vals_list``, and the cache."""
        records = self.browse(ids)
        constant, varying = {}, []
        for field in fields:
            values = {vals[field.name] for vals in vals_list}
            if len(values) == 1:
                constant[field] = values.pop()
            else:
                varying.append(field)
        assignments = [SQL("%s = %s", SQL.identifier(fname), value) for fname, value in magic.items()]
        assignments += [
            SQL("%s = %s", SQL.identifier(field.name), field.convert_to_column_insert(value, records))
            for field, value in constant.items()
        ]
        if not varying:
            query = SQL(
                "UPDATE escalation_clock SET %s WHERE id = ANY(%s)", SQL(", ").join(assignments), list(ids)
            )
        else:
            assignments += [
                SQL("%s = v.%s::%s", SQL.identifier(f.name), SQL.identifier(f.name), SQL(f.column_type[1]))
                for f in varying
            ]
            params = []
            for clock_id, vals in zip(ids, vals_list, strict=True):
                params.append(clock_id)
                params.extend(field.convert_to_column_insert(vals[field.name], records) for field in varying)
            row = "(" + ", ".join(["%s"] * (len(varying) + 1)) + ")"
            query = SQL(
                "UPDATE escalation_clock SET %s FROM (VALUES %s) AS v(id, %s)"
                " WHERE escalation_clock.id = v.id",
                SQL(", ").join(assignments),
                SQL(", ".join([row] * len(ids)), *params),
                SQL(", ").join(SQL.identifier(field.name) for field in varying),
            )
        # a clock changed concurrently: the job retries it, a request is retried by Odoo
        execute_handled(self.env.cr, query)
        # the cache holds what was written: nothing to flush, nothing to read back
        cache, count = self.env.cache, len(ids)
        for field, value in constant.items():
            cache.update(records, field, [field.convert_to_cache(value, records, validate=False)] * count)
        for field in varying:
            cache.update(
                records,
                field,
                [field.convert_to_cache(vals[field.name], records, validate=False) for vals in vals_list],
            )
        for fname, value in magic.items():
            field = self._fields[fname]
            cache.update(records, field, [field.convert_to_cache(value, records, validate=False)] * count)
        records.modified([field.name for field in fields])

    def _escalation_paused_hours(self, now):
        """Paused time of each paused clock until ``now``, in its rule's time mode (hours)."""
        result = {}
        by_calendar = defaultdict(list)
        for clock in self:
            if not clock.paused_since:
                result[clock.id] = 0.0
            elif clock.rule_id.time_mode == "working" and clock.calendar_id:
                by_calendar[clock.calendar_id, clock.company_id.id].append(clock)
            else:
                result[clock.id] = max((now - clock.paused_since).total_seconds(), 0.0) / 3600.0
        for (calendar, company_id), clocks in by_calendar.items():
            hours = work_hours_between(calendar, [(clock.paused_since, now) for clock in clocks], company_id)
            result.update(zip((clock.id for clock in clocks), hours, strict=True))
        return result

    def _escalation_close(self, log=True):
        """De-escalate: the episode ends (record out of scope or closed)."""
        clocks = self.filtered(lambda c: c.state in OPEN_STATES)
        if log:
            clocks.filtered("current_level_id")._escalation_deescalate()
        vals = {"state": "done", "next_level_id": False, "next_escalation_at": False, "paused_since": False}
        clocks._escalation_write_rows(dict.fromkeys(clocks.ids, vals))

    def _escalation_deescalate(self, note=None):
        """The episodes of the clocks end (a level fired in them): logged, and the to-dos the
        rules' levels scheduled on the records and still open are done, ``note`` (why the
        episode ended) as their feedback: they were about the escalation, which is over."""
        note = note or EngineWords(
            self.env,
            lambda env: env._("De-escalated: the record left the rule's scope or its episode ended."),
        )
        self._escalation_log_deescalation(note)
        self._escalation_close_activities(note)

    def _escalation_close_activities(self, feedback):
        """Mark done the engine's to-dos still open for the clocks' rules on their records,
        with ``feedback``: one query per model (``escalation.log._escalation_open_activities``)."""
        Log = self.env["escalation.log"].sudo()
        by_model = defaultdict(set)
        for clock in self:
            by_model[clock.res_model].add((clock.res_id, clock.rule_id.id))
        feedbacks = {}
        for model_name, pairs in by_model.items():
            res_ids = {res_id for res_id, _rule_id in pairs}
            rule_ids = {rule_id for _res_id, rule_id in pairs}
            for res_id, rule_id, _user_id, activity in Log._escalation_open_activities(
                model_name, res_ids, rule_ids
            ):
                if (res_id, rule_id) in pairs:
                    feedbacks[activity] = feedback
        Log._escalation_close_activities(feedbacks)

    def _escalation_log_deescalation(self, note=None):
        now = fields.Datetime.now()
        note = note or EngineWords(
            self.env,
            lambda env: env._("De-escalated: the record left the rule's scope or its episode ended."),
        )
        record_values = self._escalation_log_record_values()
        vals_list = [
            {
                **clock._escalation_log_common(now, record_values),
                "level_id": clock.current_level_id.id,
                "kind": "deescalation",
                "trigger": "auto",
                "outcome": "done",
                "actions": [note],
            }
            for clock in self
        ]
        self.env["escalation.log"].sudo()._escalation_create_rows(vals_list)

    def _escalation_log_common(self, now, record_values=None):
        """The columns of a log row of the clock, its record's own included (its team:
        ``_escalation_log_values``), from ``record_values`` when the caller read them for
        a batch (``_escalation_log_record_values``)."""
        self.ensure_one()
        if record_values is None:
            record_values = self._escalation_log_record_values()
        return {
            "date": now,
            "res_model": self.res_model,
            "res_id": self.res_id,
            "record_name": self.record_name,
            "rule_id": self.rule_id.id,
            "episode": self.episode,
            "company_id": self.company_id.id,
            "user_id": self.env.uid,
            **record_values.get((self.res_model, self.res_id), {}),
        }

    def _escalation_log_record_values(self):
        """{(model, record id): the extra log columns of the record} of the clocks' records
        (the guided model's ``_escalation_log_values``), read once per model."""
        ids_by_model = defaultdict(set)
        for clock in self:
            ids_by_model[clock.res_model].add(clock.res_id)
        result = {}
        for model_name, ids in ids_by_model.items():
            if model_name not in self.env:
                continue
            records = self.env[model_name].sudo().with_context(active_test=False).browse(ids).exists()
            for record in records:
                result[model_name, record.id] = record._escalation_log_values()
        return result

    # ------------------------------------------------------------
    # BUSINESS: synchronisation with the records
    # ------------------------------------------------------------
    @api.model
    def _escalation_sync_records(self, records, rule_infos):
        """Keep the clocks of ``records`` for the rules of ``rule_infos`` in line with the
        records, in batch (``guide.mixin._escalation_sync``; as superuser).

        Three steps: read the clocks (one query), plan what each clock does
        (``_escalation_sync_action``: close, meet, start a new episode, follow the record
        into a pause, a resume or a new step), apply the plan (``_escalation_apply_plan``).

        :return: ids of the rules whose condition cannot be evaluated (their clocks are left
            as they are)
        """
        clock_map = self._escalation_clock_map(records, rule_infos)
        in_scope = self.env["escalation.rule"]._escalation_records_in_scope(records, rule_infos)
        open_ids = set(records._escalation_is_open().ids)
        now = fields.Datetime.now()
        plan = SyncPlan(self.browse())
        cache = {}  # shared by the start points of the rules (last team activity)
        for rule_info in rule_infos:
            scope = in_scope[rule_info["id"]]
            if scope is None:
                plan.broken.add(rule_info["id"])
                continue
            starts = records._escalation_start_points(rule_info, cache)
            for record in records:
                clock = clock_map.get((record.id, rule_info["id"]), self.browse())
                start = starts.get(record.id)
                is_live = record.id in scope and record.id in open_ids
                action = clock._escalation_sync_action(record, rule_info, record.id in scope, is_live, start)
                self._escalation_plan(plan, action, record, rule_info, clock, start, now)
        self._escalation_apply_plan(records, plan, now)
        return plan.broken

    @api.model
    def _escalation_clock_map(self, records, rule_infos):
        """{(record id, rule id): clock} of ``records``, every stored column read in one query."""
        clocks = self.search_fetch(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("rule_id", "in", [info["id"] for info in rule_infos]),
            ],
            [name for name, field in self._fields.items() if field.store and field.column_type],
        )
        return {(clock.res_id, clock.rule_id.id): clock for clock in clocks}

    def _escalation_sync_action(self, record, rule_info, in_scope, is_live, start):
        """What a synchronisation does with the clock ``self`` (maybe empty) of ``record``:
        ``"close"`` (the episode ends), ``"meet"``, ``"start"`` (a new episode), ``"follow"``
        (pause, resume, new step) or None.

        :param in_scope: the record is in the rule's scope
        :param is_live: ... and still being worked on (``_escalation_is_open``)
        :param start: the record's start point for the rule (None: none)
        """
        is_open = bool(self) and self.state in OPEN_STATES
        step_ids = record._escalation_step_ids()
        if in_scope and step_ids & rule_info["met_step_ids"]:
            return "meet" if is_open else None
        if not (
            is_live and start and any(self._escalation_step_counts(s, rule_info) for s in step_ids or {False})
        ):
            return "close" if is_open else None
        if self._escalation_new_episode(record, rule_info, start):
            return "start"
        return "follow"

    @api.model
    def _escalation_step_counts(self, step_id, rule_info):
        """Whether the clock of a rule runs (or is paused) in step ``step_id``."""
        if not rule_info["step_ids"]:
            return True
        return step_id in rule_info["step_ids"] | rule_info["pause_step_ids"] | rule_info["met_step_ids"]

    def _escalation_new_episode(self, record, rule_info, start):
        """Whether ``record`` starts a new episode of the clock ``self`` (maybe empty): no
        clock, a closed one, a start point that moved, or a new step for a rule restarting on
        step changes; never for a met clock in the same step (met for good), except for a
        date field that moved."""
        if not self or self.state == "done":
            return True
        step_changed = self.step_entered_at != record.guide_step_entered_at
        if self.state == "met" and not step_changed and rule_info["trigger_type"] != "date_field":
            return False
        moved = self.episode_start != start and rule_info["trigger_type"] in MOVING_START_TRIGGERS
        return moved or (step_changed and rule_info["restart_on_step_change"])

    @api.model
    def _escalation_plan(self, plan, action, record, rule_info, clock, start, now):
        """Add what ``action`` (``_escalation_sync_action``) does with ``clock`` to ``plan``."""
        if action == "close":
            plan.close |= clock
        elif action == "meet":
            plan.meet |= clock
        elif action == "start":
            plan.episodes.append((record, rule_info, clock or None, start))
        elif action == "follow" and clock._escalation_follow(record, rule_info, now, plan.updates):
            plan.resume |= clock

    def _escalation_follow(self, record, rule_info, now, updates):
        """The running episode of the clock follows ``record`` (new step, pause) in ``updates``.

        :return: whether the clock resumes (``_escalation_resume``)
        """
        self.ensure_one()
        step_id = record.guide_step_id.id
        if self.step_entered_at != record.guide_step_entered_at:
            updates[self.id].update(step_id=step_id, step_entered_at=record.guide_step_entered_at)
        if self.state == "met":
            return False
        paused = bool(record._escalation_step_ids() & rule_info["pause_step_ids"])
        if paused and self.state != "paused":
            updates[self.id].update(state="paused", paused_since=now, next_escalation_at=False)
        return not paused and self.state == "paused"

    @api.model
    def _escalation_apply_plan(self, records, plan, now):
        """Apply ``plan``: a constant number of statements whatever the number of records (log
        rows in one INSERT, new clocks in one INSERT, the other clocks in one UPDATE per set of
        written columns)."""
        plan.close._escalation_close()
        plan.meet._escalation_meet(now, plan.updates)
        plan.resume._escalation_resume(now, plan.updates)
        if plan.episodes:
            self._escalation_start_episodes(records, plan.episodes, now, plan.updates)
        self._escalation_write_rows(plan.updates)

    def _escalation_meet(self, now, updates):
        """The target of the clocks is reached: they stop for good (values in ``updates``)."""
        self.filtered("current_level_id")._escalation_deescalate(
            EngineWords(self.env, lambda env: env._("Target reached: the rule is met."))
        )
        for clock_id in self.ids:
            updates[clock_id].update(
                state="met", met_at=now, next_level_id=False, next_escalation_at=False, paused_since=False
            )

    def _escalation_resume(self, now, updates):
        """The paused clocks run again: paused time added up, due times moved (in ``updates``)."""
        if not self:
            return
        paused = self._escalation_paused_hours(now)
        for clock in self:
            updates[clock.id].update(
                state="breached" if clock.breached else "running",
                paused_seconds=clock.paused_seconds + paused[clock.id] * 3600.0,
                paused_since=False,
            )
        for clock_id, vals in self._escalation_schedule_rows(updates).items():
            updates[clock_id].update(vals)

    # ------------------------------------------------------------
    # BUSINESS: episodes
    # ------------------------------------------------------------
    @api.model
    def _escalation_start_episodes(self, records, episodes, now, updates=None):
        """Create or restart the clocks of ``episodes`` ([(record, rule_info, clock or None,
        start)], records of ``records``' model), due times included.

        New clocks are inserted in one statement; the values of restarted clocks go to
        ``updates`` ({clock id: vals}) for the caller to write with the others, or are
        written here (one UPDATE per set of columns). Neither goes through ``create()`` nor
        ``write()``: see ``_escalation_write_rows`` for the extension points.
        """
        ended = self.browse(
            clock.id
            for _record, _info, clock, _start in episodes
            if clock and clock.current_level_id and clock.state in OPEN_STATES
        )
        if ended:
            ended._escalation_deescalate(
                EngineWords(self.env, lambda env: env._("De-escalated: a new episode starts."))
            )
        values = self._escalation_episode_values(records, episodes, now)
        # the due times of every new episode in one batch
        items = [
            dict({fname: vals.get(fname) for fname in self._escalation_schedule_fields}, rule_id=info["id"])
            for (_record, info, _clock, _start), vals in zip(episodes, values, strict=True)
        ]
        schedule = self._escalation_schedule(records._name, items)
        write = updates is None
        updates = defaultdict(dict) if write else updates
        create_vals = []
        for (_record, _info, clock, _start), vals, (level_id, due) in zip(
            episodes, values, schedule, strict=True
        ):
            vals.update(next_level_id=level_id, next_escalation_at=due)
            if clock:
                updates[clock.id].update(vals)
            else:
                create_vals.append(vals)
        if write:
            self._escalation_write_rows(updates)
        return self._guide_bulk_create(create_vals) if create_vals else self.browse()

    @api.model
    def _escalation_episode_values(self, records, episodes, now):
        """The values of the clocks of ``episodes`` at their start, in their order."""
        shared = {}  # record id: the values of its clocks that do not depend on the rule
        # (step, rule) -> base hours, for rules counting in calendar time (the same for
        # every record in that step): the hooks run once per pair, not once per clock
        calendar_time = {}
        no_calendar = self.env["resource.calendar"]
        result = []
        for record, rule_info, clock, start in episodes:
            if record.id not in shared:
                shared[record.id] = self._escalation_record_values(record)
            record_values = shared[record.id]
            if rule_info["time_mode"] == "working":
                calendar = self._escalation_episode_calendar(record, rule_info)
                base_hours = self._escalation_episode_base_hours(record, rule_info, calendar)
            else:
                calendar = no_calendar
                key = (record_values["step_id"], rule_info["id"])
                if key not in calendar_time:
                    calendar_time[key] = self._escalation_episode_base_hours(record, rule_info, calendar)
                base_hours = calendar_time[key]
            # the stage step or the alternate step the record is in
            paused = bool(record._escalation_step_ids() & rule_info["pause_step_ids"])
            vals = {
                **EPISODE_START_VALUES,
                **record_values,
                "rule_id": rule_info["id"],
                "state": "paused" if paused else "running",
                "episode_start": start,
                "base_hours": base_hours,
                "calendar_id": calendar.id,
                "paused_since": now if paused else False,
            }
            if clock:
                del vals["rule_id"]
                if clock.record_name == vals["record_name"]:
                    del vals["record_name"]
                vals["episode"] = clock.episode + 1
            else:
                vals.update(res_model=records._name, res_id=record.id, episode=1)
            result.append(vals)
        return result

    @api.model
    def _escalation_record_values(self, record):
        """The values a clock copies from ``record`` when an episode starts, whatever its rule."""
        return {
            "step_id": record.guide_step_id.id,
            "step_entered_at": record.guide_step_entered_at,
            "record_name": record.display_name,
            "company_id": record.company_id.id if "company_id" in record._fields else False,
            **record._escalation_clock_values(),
        }

    @api.model
    def _escalation_episode_calendar(self, record, rule_info):
        """The working hours an episode of ``record`` counts in (none: calendar time)."""
        if rule_info["time_mode"] != "working":
            return self.env["resource.calendar"]
        if rule_info["calendar_source"] == "rule":
            return self.env["resource.calendar"].browse(rule_info["calendar_id"])
        if rule_info["calendar_source"] == "team":
            return record._escalation_team_calendar()
        return record._escalation_company_calendar()

    @api.model
    def _escalation_episode_base_hours(self, record, rule_info, calendar):
        """Hours added to the level delays of an episode: the expected duration of the
        record's step, for the rules counting after it. For rules counting in calendar
        time it depends on the step and the rule only (called once per pair in a batch)."""
        step = record.guide_step_id
        if rule_info["trigger_type"] != "step_time" or rule_info["step_delay_base"] != "expected" or not step:
            return 0.0
        if rule_info["time_mode"] == "working" and step.expected_duration_unit == "days":
            return step.expected_duration * (calendar.hours_per_day or 8.0)
        return step.expected_hours

    def _escalation_manual_advance(self, level, now):
        """A manual escalation to ``level`` moves the open clock ``self`` to it when the level
        is not behind the clock; a paused clock stays paused and resumes as escalated."""
        self.ensure_one()
        if self.state not in OPEN_STATES:
            return
        position = level.rule_id.level_ids.sorted(lambda lvl: (lvl.sequence, lvl.id)).ids.index(level.id)
        if position < self.level_index:
            return
        was_paused = self.state == "paused"
        self._escalation_advance(level, now)
        self.level_index = position + 1
        if was_paused:
            self.state = "paused"
        self._escalation_reschedule()

    # ------------------------------------------------------------
    # BUSINESS: cron
    # ------------------------------------------------------------
    @api.model
    def _escalation_no_commit(self):
        """No commit under tests, nor while the registry loads (demo data runs the cron).

        A caller that runs the cron inside its own transaction (a benchmark, a
        shell session) sets the engine flag ``escalation_no_commit``
        (``with engine_flag(env, "escalation_no_commit"):``, from
        ``odoo.addons.base_process_guide.tools``); a context key would be
        accepted from any client.
        """
        return engine_no_commit(self.env, FLAG_NO_COMMIT)

    @api.model
    def _escalation_claim(self, now, limit, exclude=()):
        """Lock up to ``limit`` due clocks that no other worker holds: one indexed query. The
        clocks of a rule, or of working hours, whose change is left to the scheduler wait;
        so do the clocks of ``exclude`` (ids: left to the next run)."""
        self.flush_model(["state", "next_escalation_at", "failure_count"])
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT id FROM escalation_clock
                         WHERE next_escalation_at <= %s AND state IN ('running', 'breached')
                           AND NOT (id = ANY(%s))
                           AND rule_id NOT IN (SELECT res_id FROM guide_apply_job
                                                WHERE res_model = 'escalation.rule')
                           AND NOT EXISTS (
                                   SELECT 1 FROM escalation_calendar_change change
                                     JOIN guide_apply_job job
                                       ON job.res_model = 'escalation.calendar.change'
                                      AND job.res_id = change.id AND job.attempts < %s
                                    WHERE escalation_clock.calendar_id IS NOT NULL
                                      AND (change.calendar_id IS NULL
                                           OR change.calendar_id = escalation_clock.calendar_id))
                         ORDER BY next_escalation_at, id
                         LIMIT %s
                           FOR NO KEY UPDATE SKIP LOCKED
                        """,
                        now,
                        list(exclude),
                        MAX_APPLY_ATTEMPTS,
                        limit,
                    ),
                    log_exceptions=False,
                )
                return [row[0] for row in self.env.cr.fetchall()]
        except (errors.SerializationFailure, errors.LockNotAvailable):
            # a worker racing this one changed or holds the due clocks: they are its batch
            _logger.info("Escalation: the due clocks are held by another worker; leaving them to it")
            return []

    @api.model
    def _escalation_next_due(self, exclude=()):
        self.flush_model(["state", "next_escalation_at"])
        self.env.cr.execute(
            SQL(
                "SELECT min(next_escalation_at) FROM escalation_clock "
                "WHERE next_escalation_at IS NOT NULL AND state IN ('running', 'breached') "
                "AND NOT (id = ANY(%s)) "
                "AND rule_id NOT IN (SELECT res_id FROM guide_apply_job WHERE res_model = 'escalation.rule')",
                list(exclude),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _escalation_due_count(self, now, exclude=()):
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM escalation_clock "
                "WHERE next_escalation_at <= %s AND state IN ('running', 'breached') AND NOT (id = ANY(%s))",
                now,
                list(exclude),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _cron_escalate(self, batch_size=DEFAULT_BATCH, time_limit=None):
        """Fire the due levels of all clocks, batch after batch.

        Each batch is claimed with ``FOR NO KEY UPDATE SKIP LOCKED`` (two
        workers never take the same clocks), processed, then committed
        (except under tests). Each batch fires the levels of the rules as they
        are when it runs: the caches another process's save invalidated are
        cleared before it (``refresh_registry_caches``, and
        ``_escalation_read_config``). Stops at about half the cron time limit
        and reports progress so that Odoo re-runs the job at once when work is
        left; otherwise schedules itself at the next due time.
        """
        self = self.sudo()
        no_commit = self._escalation_no_commit()
        time_limit = cron_time_limit(time_limit)
        started = time.monotonic()
        cron = self.env.ref("base_escalation.escalation_cron", raise_if_not_found=False)
        # rule and working time changes left to the scheduler first: their clocks do not fire
        # until done
        self.env["guide.apply.job"]._guide_run(
            [("res_model", "in", ("escalation.rule", "escalation.calendar.change"))], time_limit
        )
        done = 0
        remaining = 0
        held = []  # clocks of records other transactions hold: left to the next run
        while True:
            now = fields.Datetime.now()
            ids = self._escalation_claim(now, batch_size, exclude=held)
            if not ids:
                remaining = 0
                break
            if not refresh_registry_caches(self.env):
                break  # modules updated: the next run goes on in the new registry
            try:
                with self.env.cr.savepoint():
                    batch_held = self.browse(ids)._escalation_fire(now)
            except Exception as exc:  # noqa: BLE001 - rolled back; isolate the failing clocks
                _logger.info("Escalation batch failed (%s); its clocks are fired one by one", exc)
                self.env.invalidate_all()
                batch_held = self.browse(ids)._escalation_fire_isolated(now)
            held += batch_held.ids
            done += len(ids) - len(batch_held)
            remaining = self._escalation_due_count(now, exclude=held)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if not no_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            # levels that became due meanwhile (catch-up) are claimed by the next round
            if time.monotonic() - started >= time_limit:
                break
        if cron and not remaining:
            next_due = self._escalation_next_due(exclude=held)
            if next_due:
                cron._trigger(at=max(next_due, fields.Datetime.now()))
        if cron and held:
            cron._trigger(at=fields.Datetime.now() + HELD_RETRY)
        return done

    def _escalation_fire(self, now):
        """Fire the next level of claimed clocks; a failing record is marked and skipped.

        :return: the clocks left to the next run, their records held by other transactions
        """
        self.env["escalation.log"].flush_model()
        by_model = defaultdict(lambda: self.browse())
        for clock in self:
            by_model[clock.res_model] |= clock
        held = self.browse()
        for model_name, clocks in by_model.items():
            if model_name in self.env:
                Model = self.env[model_name].with_context(active_test=False)
                held |= clocks._escalation_fire_model(Model, now)
            else:
                clocks._escalation_close(log=False)
        return held

    def _escalation_fire_isolated(self, now):
        """``_escalation_fire`` clock by clock, each in its savepoint, once the batch failed: a
        clock that fails alone is logged and marked (retried later, then left alone), the
        others of the batch fire; a clock meeting another transaction is left to the next run
        (returned, as ``_escalation_fire`` does)."""
        held = self.browse()
        for clock_id in self.ids:
            try:
                with self.env.cr.savepoint():
                    held |= self.browse(clock_id)._escalation_fire(now)
            except CONFLICTS as exc:
                self.env.invalidate_all()
                held |= self.browse(clock_id)._escalation_leave_to_next_run(exc)
            except Exception as exc:  # noqa: BLE001 - rolled back to the savepoint; marked and retried later
                self.env.invalidate_all()
                clock = self.browse(clock_id).exists()
                if clock:
                    clock._escalation_log_failure(clock.next_level_id, exc)
                    clock._escalation_mark_failure(exc, clock.next_level_id, now)
        return held

    def _escalation_leave_to_next_run(self, exc=None):
        """The clocks whose record another transaction holds (a user editing it) or changed
        since this run began: not a failure, they fire at the next run. Returns them."""
        if self:
            _logger.info(
                "Escalation: %s %s held by another transaction%s; left to the next run",
                self[0].res_model,
                self.mapped("res_id"),
                f" ({exc})" if exc else "",
            )
        return self

    def _escalation_lock_records(self, Model):
        """Lock the records of the clocks before their levels write them (``lock_free_rows``):
        those another transaction holds are neither waited for nor failed. Returns the clocks
        of these records (left to the next run)."""
        records = Model.browse(set(self.mapped("res_id"))).exists()
        free = set(lock_free_rows(records).ids)
        return self.filtered(
            lambda c: c.res_id in records._ids and c.res_id not in free
        )._escalation_leave_to_next_run()

    def _escalation_fire_model(self, Model, now):
        """Fire the clocks of the records of ``Model``: locked and re-synchronised first, then
        each due level on its clocks in batch; one log INSERT and one clock UPDATE for the
        batch. Returns the clocks left to the next run (``_escalation_lock_records``)."""
        held = self._escalation_lock_records(Model)
        (self - held)._escalation_read_config(Model._name)
        clocks = (self - held)._escalation_due_after_sync(Model, now)
        fired = self.browse()
        advanced = {}  # clock id: the values of its fired level, then its next due time
        log_vals = []
        moved = Model.browse()
        for level, group in clocks._escalation_group_by_level(Model._name).items():
            for lang, lang_group in group._escalation_by_language(Model).items():
                # the scheduler's own language (English when it has none): its environment
                same = not lang or lang == (self.env.lang or "en_US")
                fired_level = level if same else level.with_context(lang=lang)
                lang_model = Model if same else Model.with_context(lang=lang)
                outcome = lang_group._escalation_fire_level(fired_level, lang_model, now)
                for ok_clocks, results in outcome.items():
                    for clock in ok_clocks:
                        result = results[clock.res_id]
                        log_vals.append(clock._escalation_fired_log(level, result, now))
                        if result.get("moved"):
                            moved |= Model.browse(clock.res_id)
                    advanced.update(ok_clocks._escalation_advance_rows(level, now))
                    fired |= ok_clocks
        self.env["escalation.log"].sudo()._escalation_create_rows(log_vals)
        # the levels done and the next due times: one write for the batch
        for clock_id, vals in fired._escalation_schedule_rows(advanced).items():
            advanced[clock_id].update(vals)
        self._escalation_write_rows(advanced)
        if moved:
            moved._escalation_sync()
        return held

    def _escalation_by_language(self, Model):
        """{language: clocks}: what a level writes (its chatter note, the actions it lists,
        the log) is in the language of the record's owner, else of the record's company
        (``guide.mixin._guide_by_owner_language``), not in the scheduler's."""
        lang_of = {
            res_id: lang
            for lang, records in Model.browse(self.mapped("res_id"))._guide_by_owner_language().items()
            for res_id in records.ids
        }
        ids = defaultdict(list)
        for clock in self:
            ids[lang_of[clock.res_id]].append(clock.id)
        return {lang: self.browse(clock_ids) for lang, clock_ids in ids.items()}

    def _escalation_due_after_sync(self, Model, now):
        """The part of the clocks still due once their records are re-synchronised (scope,
        pauses and start points may have changed through related records or the last team
        activity): clocks of deleted records go, those of broken rules are marked failed."""
        existing = Model.browse(set(self.mapped("res_id"))).exists()
        self.filtered(lambda c, ids=set(existing.ids): c.res_id not in ids).unlink()
        clocks = self.exists()
        broken = existing._escalation_sync(rule_ids=set(clocks.rule_id.ids))
        for clock in clocks.filtered(lambda c: c.rule_id.id in broken):
            error = self.env._(
                "The condition of rule %(rule)s cannot be evaluated: fix the rule.",
                rule=clock.rule_id.display_name,
            )
            clock._escalation_mark_failure(UserError(error), clock.next_level_id, now)
            clocks -= clock
        return clocks.filtered(
            lambda c: c.state in DUE_STATES
            and c.failure_count < MAX_FAILURES
            and c.next_escalation_at
            and c.next_escalation_at <= now
        )

    def _escalation_read_config(self, model_name):
        """Before the claimed clocks fire: a clock whose stored next level is not the one
        the cached configuration gives it was scheduled on a configuration saved since
        (by another process, whose signal this worker has not seen yet: a level inserted
        or deleted, a rule created): the caches are cleared, the levels read afresh."""
        rule_infos = self._escalation_rule_config(model_name)
        for clock in self:
            rule_info = rule_infos.get(clock.rule_id.id)
            levels = rule_info["levels"] if rule_info else ()
            expected = levels[clock.level_index]["id"] if clock.level_index < len(levels) else False
            if clock.next_level_id.id != expected:
                self.env.registry.clear_cache()
                return

    def _escalation_group_by_level(self, model_name):
        """{level: clocks} of the level each clock fires next; a clock past its rule's last
        level (or of a rule gone) is due no more."""
        rule_infos = self._escalation_rule_config(model_name)
        groups = defaultdict(lambda: self.browse())
        for clock in self:
            rule_info = rule_infos.get(clock.rule_id.id)
            if not rule_info or clock.level_index >= len(rule_info["levels"]):
                clock.write({"next_escalation_at": False, "next_level_id": False})
                continue
            groups[rule_info["levels"][clock.level_index]["id"]] |= clock
        Level = self.env["escalation.level"]
        return {Level.browse(level_id): group for level_id, group in groups.items()}

    def _escalation_fire_level(self, level, Model, now):
        """Run ``level`` on the records of the clocks, in one batch; if it fails, record by
        record, each in its savepoint, a failing one marked (``_escalation_mark_failure``).

        :return: {clocks: results of ``escalation.level._escalation_execute``} of what succeeded
        """
        try:
            with self.env.cr.savepoint():
                results = level._escalation_execute(Model.browse(self.mapped("res_id")))
        except Exception:  # noqa: BLE001 - rolled back to the savepoint; isolate the failing records
            return self._escalation_fire_each(level, Model, now)
        return {self: results}

    def _escalation_fire_each(self, level, Model, now):
        """``_escalation_fire_level`` record by record, each in its savepoint."""
        outcome = {}
        for clock in self:
            try:
                with self.env.cr.savepoint():
                    outcome[clock] = level._escalation_execute(Model.browse(clock.res_id))
            except CONFLICTS as exc:
                clock._escalation_leave_to_next_run(exc)
            except Exception as exc:  # noqa: BLE001 - rolled back to the savepoint; marked and retried later
                clock._escalation_log_failure(level, exc)
                clock._escalation_mark_failure(exc, level, now)
        return outcome

    def _escalation_log_failure(self, level, exc):
        """A refusal (gate, access, validation) is an ordinary outcome, logged as info; anything
        else as a warning with its traceback. Both are recorded on the clock and in the log."""
        refused = isinstance(exc, UserError)  # access and validation errors included
        _logger.log(
            logging.INFO if refused else logging.WARNING,
            "Escalation %s on %s,%s failed: %s",
            level.display_name,
            self.res_model,
            self.res_id,
            exc,
            exc_info=not refused,
        )

    def _escalation_advance(self, level, now):
        """Record that ``level`` fired on the clocks (one level per episode, once)."""
        self._escalation_write_rows(self._escalation_advance_rows(level, now))

    def _escalation_advance_rows(self, level, now):
        """{clock id: vals} recording that ``level`` fired on the clocks."""
        vals = {
            "level_index": 0,  # set below
            "current_level_id": level.id,
            "current_level_kind": level.kind,
            "last_fired_at": now,
            "failure_count": 0,
            "last_error": False,
            "acknowledged_by": False,
            "acknowledged_at": False,
        }
        if level.kind == "escalation":
            vals.update(state="breached", breached=True, breach_rate=100.0)
        rows = {}
        for clock in self:
            rows[clock.id] = dict(vals, level_index=clock.level_index + 1)
            if level.kind == "escalation":
                rows[clock.id]["breached_at"] = clock.breached_at or now
        return rows

    def _escalation_mark_failure(self, exc, level, now):
        self.ensure_one()
        count = self.failure_count + 1
        retry = now + timedelta(minutes=5 * 2**count) if count < MAX_FAILURES else False
        error = self._escalation_failure_text(exc)
        self.write({"failure_count": count, "last_error": error, "next_escalation_at": retry})
        self.env["escalation.log"].sudo()._escalation_create_rows(
            [
                {
                    **self._escalation_log_common(now),
                    "level_id": level.id,
                    "kind": level.kind or "escalation",
                    "trigger": "auto",
                    "outcome": "failed",
                    "error": error,
                    "actions": [
                        EngineWords(
                            self.env,
                            lambda env: env._(
                                "Attempt %(count)s of %(max)s failed", count=count, max=MAX_FAILURES
                            ),
                        )
                    ],
                }
            ]
        )

    @api.model
    def _escalation_failure_text(self, exc):
        """What the clock and the log say of a failure, which whoever reads the record reads:
        a refusal's own words (a gate, validation), otherwise the kind of error only (its
        message may hold a traceback, server paths, the record's data), whose details
        ``_escalation_log_failure`` wrote to the server log. An access refusal says so alone:
        Odoo's words name the records and the user refused, maybe not the record escalated."""
        if isinstance(exc, AccessError):
            return self.env._("Access refused: the server log has the details.")
        if isinstance(exc, UserError):
            return str(exc.args[0] if exc.args else exc)[:2000]
        return self.env._(
            "Unexpected error (%(error)s): the server log has the details.", error=type(exc).__name__
        )

    def _escalation_fired_log(self, level, result, now):
        self.ensure_one()
        return {
            **self._escalation_log_common(now, {}),  # the record's columns come with ``result``
            **result.get("log", {}),
            "level_id": level.id,
            "kind": level.kind,
            "trigger": "auto",
            "outcome": "done",
            # written in every language by the log (``escalation.log._escalation_texts``)
            "actions": list(result.get("actions", [])),
            "due_at": self.next_escalation_at,
        }
