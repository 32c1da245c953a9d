import logging
import time
from collections import defaultdict
from datetime import timedelta

from psycopg2 import errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, config, split_every

from odoo.addons.base_process_guide.tools import engine_no_commit

from .escalation_level import _offsets
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
# engine flags (crm_process_guide.tools; never read from the context, which any client sets):
#   writes of the engine itself, which re-synchronises the clocks afterwards
FLAG_NO_SYNC = "escalation_no_sync"
#   run the cron inside the caller's transaction (benchmark, shell)
FLAG_NO_COMMIT = "escalation_no_commit"
DEFAULT_BATCH = 50
# clocks per UPDATE of ``_escalation_write_rows`` (one statement up to this size)
BULK_UPDATE_SIZE = 10000


def _id_of(value):
    """The id of a many2one value, given as a record or as an id."""
    return value.id if isinstance(value, models.BaseModel) else (value or False)


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
    crm_team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, index="btree_not_null")
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
    next_level_id = fields.Many2one("escalation.level", readonly=True)
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
        self.check_access("read")
        unmanaged = {
            model for model in set(self.mapped("res_model")) if not self._escalation_is_manager(model)
        }
        if unmanaged:
            raise AccessError(
                _(
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
        return {
            rule["id"]: rule
            for rule in self.env["escalation.rule"]._get_escalation_config(model_name)["rules"]
        }

    @api.model
    def _escalation_is_manager(self, model_name):
        """Whether the current user administers the escalations of ``model_name`` (its guide managers)."""
        return model_name in self.env and self.env[model_name]._guide_is_manager()

    @api.model
    def _escalation_factor(self, rule, calendar):
        if rule["delay_unit"] == "hours":
            return 1.0
        if rule["time_mode"] == "working":
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
        per rule and base, one ``_work_intervals_batch`` per calendar for working-time
        rules, each distinct (start, hours) computed once.

        :return: [(next level id or False, due time or False)] in the order of ``items``
        """
        rules = self._escalation_rule_config(model_name)
        results = [(False, False)] * len(items)
        offsets_by_key = {}
        requests = defaultdict(lambda: defaultdict(list))  # calendar id: {(start, hours): [index]}
        for index, item in enumerate(items):
            rule = rules.get(item["rule_id"])
            levels = rule["levels"] if rule else ()
            due = item["state"] in DUE_STATES and (item["failure_count"] or 0) < MAX_FAILURES
            if not due or item["level_index"] >= len(levels) or not item["episode_start"]:
                continue
            calendar_id = item["calendar_id"] if rule["time_mode"] == "working" else False
            key = (rule["id"], calendar_id, item["base_hours"])
            if key not in offsets_by_key:
                calendar = self.env["resource.calendar"].browse(calendar_id or [])
                factor = self._escalation_factor(rule, calendar)
                offsets_by_key[key] = _offsets(levels, factor, item["base_hours"])
            level = levels[item["level_index"]]
            hours = offsets_by_key[key][level["id"]] + (item["paused_seconds"] or 0.0) / 3600.0
            results[index] = (level["id"], None)
            requests[calendar_id][(item["episode_start"], hours)].append(index)
        for calendar_id, by_request in requests.items():
            keys = list(by_request)
            if calendar_id:
                calendar = self.env["resource.calendar"].browse(calendar_id)
                deadlines = work_deadlines(calendar, keys)
            else:
                deadlines = [start + timedelta(hours=hours) for start, hours in keys]
            for key, deadline in zip(keys, deadlines, strict=True):
                for index in by_request[key]:
                    results[index] = (results[index][0], deadline)
        return results

    def _escalation_write_rows(self, rows):
        """Write ``rows`` ({clock id: vals} of plain columns) in one UPDATE per set of
        written columns, whatever the number of clocks (the ORM flushes 100 rows per
        UPDATE): columns with one value for the whole set are SET as constants, the
        others joined from a VALUES list. The cache gets the new values (nothing left
        to flush, nothing to read back). The engine's own writes only."""
        if not rows:
            return
        if not self.env.su:
            raise AccessError(_("Escalation clocks are written by the engine only."))
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
        self.env.cr.execute(query)
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
                by_calendar[clock.calendar_id].append(clock)
            else:
                result[clock.id] = max((now - clock.paused_since).total_seconds(), 0.0) / 3600.0
        for calendar, clocks in by_calendar.items():
            hours = work_hours_between(calendar, [(clock.paused_since, now) for clock in clocks])
            result.update(zip((clock.id for clock in clocks), hours, strict=True))
        return result

    def _escalation_close(self, log=True):
        """De-escalate: the episode ends (record out of scope or closed)."""
        clocks = self.filtered(lambda c: c.state in OPEN_STATES)
        if log:
            clocks.filtered("current_level_id")._escalation_log_deescalation()
        vals = {"state": "done", "next_level_id": False, "next_escalation_at": False, "paused_since": False}
        clocks._escalation_write_rows(dict.fromkeys(clocks.ids, vals))

    def _escalation_log_deescalation(self, note=None):
        now = fields.Datetime.now()
        note = note or _("De-escalated: the record left the rule's scope or its episode ended.")
        vals_list = [
            {
                **clock._escalation_log_common(now),
                "level_id": clock.current_level_id.id,
                "kind": "deescalation",
                "trigger": "auto",
                "outcome": "done",
                "actions": note,
            }
            for clock in self
        ]
        self.env["escalation.log"].sudo()._escalation_create_rows(vals_list)

    def _escalation_log_common(self, now):
        self.ensure_one()
        return {
            "date": now,
            "res_model": self.res_model,
            "res_id": self.res_id,
            "record_name": self.record_name,
            "rule_id": self.rule_id.id,
            "episode": self.episode,
            "company_id": self.company_id.id,
            "user_id": self.env.uid,
        }

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
    def _escalation_claim(self, now, limit):
        """Lock up to ``limit`` due clocks that no other worker holds: one indexed query."""
        self.flush_model(["state", "next_escalation_at", "failure_count"])
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT id FROM escalation_clock
                         WHERE next_escalation_at <= %s AND state IN ('running', 'breached')
                           AND rule_id NOT IN (SELECT res_id FROM guide_apply_job
                                                WHERE res_model = 'escalation.rule')
                         ORDER BY next_escalation_at, id
                         LIMIT %s
                           FOR NO KEY UPDATE SKIP LOCKED
                        """,
                        now,
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
    def _escalation_next_due(self):
        self.flush_model(["state", "next_escalation_at"])
        self.env.cr.execute(
            SQL(
                "SELECT min(next_escalation_at) FROM escalation_clock "
                "WHERE next_escalation_at IS NOT NULL AND state IN ('running', 'breached') "
                "AND rule_id NOT IN (SELECT res_id FROM guide_apply_job WHERE res_model = 'escalation.rule')"
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _escalation_due_count(self, now):
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM escalation_clock "
                "WHERE next_escalation_at <= %s AND state IN ('running', 'breached')",
                now,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _cron_escalate(self, batch_size=DEFAULT_BATCH, time_limit=None):
        """Fire the due levels of all clocks, batch after batch.

        Each batch is claimed with ``FOR NO KEY UPDATE SKIP LOCKED`` (two
        workers never take the same clocks), processed, then committed
        (except under tests). Stops at about half the cron time limit and
        reports progress so that Odoo re-runs the job at once when work is
        left; otherwise schedules itself at the next due time.
        """
        self = self.sudo()
        no_commit = self._escalation_no_commit()
        if time_limit is None:
            limit = config["limit_time_real_cron"]
            if not limit or limit < 0:
                limit = config["limit_time_real"]
            time_limit = (limit or 120) / 2
        started = time.monotonic()
        cron = self.env.ref("crm_escalation.escalation_cron", raise_if_not_found=False)
        # rule changes left to the scheduler first: their clocks do not fire until done
        self.env["guide.apply.job"]._guide_run([("res_model", "=", "escalation.rule")], time_limit)
        done = 0
        remaining = 0
        while True:
            now = fields.Datetime.now()
            ids = self._escalation_claim(now, batch_size)
            if not ids:
                remaining = 0
                break
            try:
                with self.env.cr.savepoint():
                    self.browse(ids)._escalation_fire(now)
            except Exception as exc:  # noqa: BLE001 - the batch is marked, the cron goes on
                _logger.exception("Escalation batch failed; its clocks are marked and retried later")
                self.env.invalidate_all()
                for clock in self.browse(ids).exists():
                    clock._escalation_mark_failure(exc, clock.next_level_id, now)
            done += len(ids)
            remaining = self._escalation_due_count(now)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if not no_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            # levels that became due meanwhile (catch-up) are claimed by the next round
            if time.monotonic() - started >= time_limit:
                break
        if cron and not remaining:
            next_due = self._escalation_next_due()
            if next_due:
                cron._trigger(at=max(next_due, fields.Datetime.now()))
        return done

    def _escalation_fire(self, now):
        """Fire the next level of claimed clocks; a failing record is marked and skipped."""
        Log = self.env["escalation.log"].sudo()
        self.env["escalation.log"].flush_model()
        by_model = defaultdict(lambda: self.browse())
        for clock in self:
            by_model[clock.res_model] |= clock
        for model_name, clocks in by_model.items():
            if model_name not in self.env:
                clocks._escalation_close(log=False)
                continue
            Model = self.env[model_name].with_context(active_test=False)
            existing = Model.browse(set(clocks.mapped("res_id"))).exists()
            (clocks.filtered(lambda c, ids=set(existing.ids): c.res_id not in ids)).unlink()
            clocks = clocks.exists()
            # lazily re-evaluate scope, pauses and start points (conditions on
            # related records, last team activity) before firing
            broken = existing._escalation_sync(rule_ids=set(clocks.rule_id.ids))
            for clock in clocks.filtered(lambda c, b=broken: c.rule_id.id in b):
                error = _(
                    "The condition of rule %(rule)s cannot be evaluated: fix the rule.",
                    rule=clock.rule_id.display_name,
                )
                clock._escalation_mark_failure(Exception(error), clock.next_level_id, now)
                clocks -= clock
            clocks = clocks.filtered(
                lambda c: c.state in DUE_STATES
                and c.failure_count < MAX_FAILURES
                and c.next_escalation_at
                and c.next_escalation_at <= now
            )
            rules = self._escalation_rule_config(model_name)
            groups = defaultdict(lambda: self.browse())
            for clock in clocks:
                rule = rules.get(clock.rule_id.id)
                if not rule or clock.level_index >= len(rule["levels"]):
                    clock.write({"next_escalation_at": False, "next_level_id": False})
                    continue
                groups[rule["levels"][clock.level_index]["id"]] |= clock
            fired = self.browse()
            advanced = {}  # clock id: the values of its fired level, then its next due time
            log_vals = []
            moved = Model.browse()
            for level_id, group in groups.items():
                level = self.env["escalation.level"].browse(level_id)
                records = Model.browse(group.mapped("res_id"))
                try:
                    with self.env.cr.savepoint():
                        results = records._escalation_execute(level)
                    outcome = {group: results}
                except Exception:  # noqa: BLE001 - isolate the failing records below
                    outcome = {}
                    for clock in group:
                        record = Model.browse(clock.res_id)
                        try:
                            with self.env.cr.savepoint():
                                outcome[clock] = record._escalation_execute(level)
                        except Exception as exc:  # noqa: BLE001 - logged and retried later
                            _logger.warning(
                                "Escalation %s on %s,%s failed",
                                level.display_name,
                                model_name,
                                clock.res_id,
                                exc_info=True,
                            )
                            clock._escalation_mark_failure(exc, level, now)
                for ok_clocks, results in outcome.items():
                    for clock in ok_clocks:
                        result = results[clock.res_id]
                        log_vals.append(clock._escalation_fired_log(level, result, now))
                        if result.get("moved"):
                            moved |= Model.browse(clock.res_id)
                    advanced.update(ok_clocks._escalation_advance_rows(level, now))
                    fired |= ok_clocks
            Log._escalation_create_rows(log_vals)
            # the levels done and the next due times: one write for the batch
            for clock_id, vals in fired._escalation_schedule_rows(advanced).items():
                advanced[clock_id].update(vals)
            self._escalation_write_rows(advanced)
            if moved:
                moved._escalation_sync()

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
        self.write({"failure_count": count, "last_error": str(exc)[:2000], "next_escalation_at": retry})
        self.env["escalation.log"].sudo()._escalation_create_rows(
            [
                {
                    **self._escalation_log_common(now),
                    "level_id": level.id,
                    "kind": level.kind or "escalation",
                    "trigger": "auto",
                    "outcome": "failed",
                    "error": str(exc)[:2000],
                    "actions": _("Attempt %(count)s of %(max)s failed", count=count, max=MAX_FAILURES),
                }
            ]
        )

    def _escalation_fired_log(self, level, result, now):
        self.ensure_one()
        return {
            **self._escalation_log_common(now),
            **result.get("log", {}),
            "level_id": level.id,
            "kind": level.kind,
            "trigger": "auto",
            "outcome": "done",
            "actions": "\n".join(result.get("actions", [])),
            "due_at": self.next_escalation_at,
        }
