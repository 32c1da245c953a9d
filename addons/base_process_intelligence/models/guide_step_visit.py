import logging

from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .guide_mixin import hours_between_sql

_logger = logging.getLogger(__name__)

# the refresh of visits and variants runs in one transaction at a time
REFRESH_LOCK = 7_316_240_016
# history rows committed late (a long transaction took its id before others committed):
# the records of rows dated this many minutes before the last refresh are refreshed again
LATE_COMMIT_MINUTES = 60


def _touched(alias):
    """The rows of alias whose record has history rows newer than the last refresh."""
    return SQL(
        "(%s, %s) IN (SELECT res_model, res_id FROM guide_pi_touched)",
        SQL.identifier(alias, "res_model"),
        SQL.identifier(alias, "res_id"),
    )


class GuideStepVisitRefresh(models.Model):
    """Where the visits and variants stand: the last ``guide.history`` id they include
    and when they were refreshed (one row, written in SQL by ``_pi_refresh``). Kept in
    a table of its own, not in system parameters: writing one clears the registry's
    caches of every worker, and the map refreshes on each read."""

    _name = "guide.step.visit.refresh"
    _description = "Refresh of Step Visits"
    _log_access = False

    history_mark = fields.Integer(readonly=True)
    refreshed_at = fields.Datetime(readonly=True)

    def init(self):
        res = super().init()
        # the row the refresh updates (empty: never refreshed, the next refresh is full)
        self.env.cr.execute(
            SQL(
                "INSERT INTO %(table)s (history_mark) SELECT 0 WHERE NOT EXISTS (SELECT FROM %(table)s)",
                table=SQL.identifier(self._table),
            )
        )
        return res

    @api.model
    def _pi_state(self, lock=False):
        """(row id, last history id included, refreshed at) of the visits; with ``lock``,
        the row locked for the refresh, or None when another transaction refreshed since
        this one began (it sees their rows as they were: deleting them would fail)."""
        cr = self.env.cr
        table = SQL.identifier(self._table)
        query = SQL("SELECT id, history_mark, refreshed_at FROM %s ORDER BY id LIMIT 1", table)
        if lock:
            try:
                with cr.savepoint(flush=False):
                    cr.execute(SQL("%s FOR UPDATE", query), log_exceptions=False)
                    row = cr.fetchone()
            except SerializationFailure:
                _logger.debug("Step visits refreshed by another transaction since this one began")
                return None
        else:
            cr.execute(query)
            row = cr.fetchone()
        if not row:
            cr.execute(
                SQL(
                    "INSERT INTO %s (history_mark) VALUES (0) RETURNING id, history_mark, refreshed_at",
                    table,
                )
            )
            row = cr.fetchone()
        return row

    @api.model
    def _pi_mark(self, state_id, mark, refreshed_at):
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET history_mark = %s, refreshed_at = %s WHERE id = %s",
                SQL.identifier(self._table),
                mark,
                refreshed_at,
                state_id,
            )
        )

    @api.model
    def _pi_refreshed_at(self):
        """When the visits were last refreshed (False: never)."""
        return self._pi_state()[2] or False


class GuideStepVisit(models.Model):
    """One stay of a guided record in a step, derived from the stage history: when it
    entered, when it left, for which step, how (overdue, overridden, backward).

    Engine state, maintained in SQL by ``_pi_refresh`` (cron, button, and before the
    map is read): never written by users. Rows are readable where their record is."""

    _name = "guide.step.visit"
    _inherit = ["guide.record.link.mixin"]
    _description = "Step Visit"
    _order = "entered_at desc, id desc"
    _rec_name = "step_id"
    _guide_engine_owned = True
    # derived rows rebuilt in bulk: no who/when columns (and their foreign keys)
    _log_access = False

    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", required=True, readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True, ondelete="cascade")
    # the version of the process the record entered the step under
    process_version_id = fields.Many2one("guide.process.version", readonly=True, ondelete="set null")
    step_id = fields.Many2one("guide.step", readonly=True, ondelete="cascade")
    # the next step of the same process (empty: the record left the process or is still here)
    next_step_id = fields.Many2one("guide.step", readonly=True, ondelete="set null")
    # the history rows that opened and closed the visit (ids: no foreign key to check per row)
    history_id = fields.Integer("Entry", readonly=True)
    exit_history_id = fields.Integer("Exit", readonly=True)
    visit_number = fields.Integer(readonly=True, help="1 for the record's first step, then 2, 3...")
    entered_at = fields.Datetime(readonly=True)
    left_at = fields.Datetime(readonly=True)
    duration_hours = fields.Float("Hours in Step", readonly=True, aggregator="avg")
    expected_hours = fields.Float(readonly=True, aggregator="avg")
    overdue = fields.Boolean("Left Late", readonly=True)
    # where the record stopped: it is still in the step, or left it for no step (a
    # cancelled ticket, a record closed outside the process) and entered none since
    last_stay = fields.Boolean(
        readonly=True,
        help="The record's last stay in a step: still there, or left for no step since.",
    )
    overridden = fields.Boolean("Left by Override", readonly=True)
    exit_direction = fields.Selection(
        [
            ("forward", "Forward"),
            ("backward", "Backward"),
            ("same", "Same Rank"),
            ("initial", "Entry"),
            ("return", "Returned"),
        ],
        readonly=True,
    )
    # a stay in an alternate step (a detour): the step the record was in when it entered
    # it (its own stay there goes on meanwhile); empty for the stays in stage steps
    detour_from_step_id = fields.Many2one(
        "guide.step", string="Detour From", readonly=True, ondelete="set null"
    )
    owner_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_ref = fields.Integer("Team ID", readonly=True)

    def init(self):
        res = super().init()
        # the map reads a process's visits of a period; the record's rows (the refresh,
        # access checks) use the index of guide.record.link.mixin
        cr = self.env.cr
        create_index(cr, "guide_step_visit_process_idx", self._table, ["process_id", "entered_at"])
        # the times in step of the map, read presorted by step and duration (index-only
        # with the filters' columns); the visits still open, joined to their record
        # (guide_step_visit_duration_idx, without the version, was replaced in 18.0.2.1.0)
        cr.execute(SQL("DROP INDEX IF EXISTS guide_step_visit_duration_idx"))
        cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS guide_step_visit_duration_v_idx ON guide_step_visit "
                "(process_id, step_id, duration_hours) "
                "INCLUDE (entered_at, owner_id, team_ref, company_id, process_version_id) "
                "WHERE left_at IS NOT NULL"
            )
        )
        # where the records stopped, joined to their record for their outcome
        # (guide_step_visit_open_idx, of the visits still open, was replaced in 18.0.2.1.2)
        cr.execute(SQL("DROP INDEX IF EXISTS guide_step_visit_open_idx"))
        create_index(
            cr, "guide_step_visit_last_idx", self._table, ["process_id", "step_id"], where="last_stay"
        )
        # the detours of a process, for the map's entry edges (few rows among the visits)
        create_index(
            cr,
            "guide_step_visit_detour_idx",
            self._table,
            ["process_id", "entered_at"],
            where="detour_from_step_id IS NOT NULL",
        )
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    @api.model
    def action_pi_refresh(self):
        """The refresh button of the process map (engine users): brings the visits and
        variants up to the last stage change."""
        self.env["guide.process"].browse().check_access("read")
        self._pi_refresh()
        return True

    @api.model
    def _cron_pi_refresh(self):
        self._pi_refresh()

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _pi_team_sql(self, alias):
        """The team of a history row ``alias``: each guided model names its column."""
        history = self.env["guide.history"]
        cases = []
        for model_name in self.env["guide.process"]._guide_model_names():
            fname = self.env[model_name]._guide_team_history_field()
            if fname and fname in history._fields:
                cases.append(SQL("WHEN %s THEN %s", model_name, SQL.identifier(alias, fname)))
        if not cases:
            return SQL("NULL::int")
        return SQL("CASE %s %s END", SQL.identifier(alias, "res_model"), SQL(" ").join(cases))

    @api.model
    def _pi_refresh(self, full=False):
        """Bring visits and variants up to the stage history: rebuild the rows of the
        records with history rows newer than the last refresh (every record when
        ``full`` or on a database never refreshed). One transaction at a time (others
        keep what is there), and none that began before another's refresh committed
        (it would delete the rows that one replaced): the others read the rows as they
        were when they began. Returns whether it ran."""
        cr = self.env.cr
        cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", REFRESH_LOCK))
        if not cr.fetchone()[0]:
            return False
        State = self.env["guide.step.visit.refresh"]
        state = State._pi_state(lock=True)
        if state is None:
            return False
        state_id, mark, refreshed_at = state
        self.env["guide.history"].flush_model()
        self.env["guide.step"].flush_model(["process_id", "expected_hours"])
        cr.execute(SQL("SELECT COALESCE(max(id), 0) FROM guide_history"))
        top = cr.fetchone()[0]
        full = full or not refreshed_at
        if not full and top == mark:
            return True
        if full:
            cr.execute(SQL("DELETE FROM guide_record_variant"))
            cr.execute(SQL("DELETE FROM guide_step_visit"))
            scope = SQL("TRUE")
        else:
            cr.execute(
                SQL(
                    """CREATE TEMP TABLE guide_pi_touched ON COMMIT DROP AS
                       SELECT DISTINCT res_model, res_id FROM guide_history
                        WHERE id > %s OR date >= %s::timestamp - make_interval(mins => %s)""",
                    mark,
                    refreshed_at,
                    LATE_COMMIT_MINUTES,
                )
            )
            for table in ("guide_record_variant", "guide_step_visit"):
                cr.execute(SQL("DELETE FROM %s t WHERE %s", SQL.identifier(table), _touched("t")))
            scope = _touched("h")
        self._pi_insert_visits(scope)
        self.env["guide.record.variant"]._pi_insert_variants(SQL("TRUE") if full else _touched("v"))
        if not full:
            cr.execute(SQL("DROP TABLE guide_pi_touched"))
        State._pi_mark(state_id, top, cr.now())
        self.env.invalidate_all()
        return True

    @api.model
    def _pi_insert_visits(self, scope):
        """Visits of the history rows matching ``scope`` (over ``h``), in one query: each
        history row entering a stage step opens a visit, the record's next row closes it
        (a row entering no step too, as a cancellation: the visit stays the record's last
        stay while no later row enters a step); each detour row (entering an alternate
        step) opens a visit of the alternate step, the record's next return row closes
        it. The stay in the stage step goes on during a detour: detour and return rows do
        not split it. A stay left is judged late against the expected hours in force when
        it was left (its exit row's, as the history judged it); one still open, against
        the step's."""
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO guide_step_visit (
                res_model, res_id, process_id, step_id, next_step_id, history_id, exit_history_id,
                visit_number, entered_at, left_at, duration_hours, expected_hours, overdue, overridden,
                exit_direction, owner_id, company_id, team_ref, detour_from_step_id, process_version_id,
                last_stay)
            SELECT t.res_model, t.res_id, s.process_id, t.to_step_id,
                   CASE WHEN ns.process_id = s.process_id THEN ns.id END,
                   t.id, t.next_id,
                   CASE WHEN NOT t.detour THEN row_number() OVER (
                       PARTITION BY t.res_model, t.res_id, s.process_id, t.detour ORDER BY t.date, t.id) END,
                   t.date, t.next_date, t.hours, e.expected_hours,
                   t.next_id IS NOT NULL AND e.expected_hours > 0 AND t.hours > e.expected_hours,
                   COALESCE(t.next_gate = 'overridden', FALSE),
                   t.next_direction, t.owner_id, t.company_id, t.team_ref,
                   CASE WHEN t.detour THEN t.from_step_id END,
                   t.process_version_id, t.steps_after = 0
              FROM (
                SELECT h.id, h.res_model, h.res_id, h.to_step_id, h.from_step_id, h.date, h.owner_id,
                       h.company_id, h.process_version_id, COALESCE(h.direction = 'detour', FALSE) AS detour,
                       COALESCE(h.direction <> 'return', TRUE) AS kept,
                       %(team)s AS team_ref,
                       lead(h.id) OVER w AS next_id,
                       lead(h.date) OVER w AS next_date,
                       lead(h.to_step_id) OVER w AS next_step_id,
                       lead(h.gate_result) OVER w AS next_gate,
                       lead(h.direction) OVER w AS next_direction,
                       lead(h.from_step_id) OVER w AS next_from_step_id,
                       lead(h.expected_hours) OVER w AS next_expected_hours,
                       count(h.to_step_id) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
                           AS steps_after,
                       %(hours)s AS hours
                  FROM guide_history h
                 WHERE %(scope)s
                WINDOW w AS (
                    PARTITION BY h.res_model, h.res_id, COALESCE(h.direction IN ('detour', 'return'), FALSE)
                    ORDER BY h.date, h.id)
              ) t
              JOIN guide_step s ON s.id = t.to_step_id
              LEFT JOIN guide_step ns ON ns.id = t.next_step_id
             CROSS JOIN LATERAL (
                SELECT CASE WHEN t.next_from_step_id = t.to_step_id
                            THEN COALESCE(t.next_expected_hours, s.expected_hours)
                            ELSE s.expected_hours END AS expected_hours
             ) e
             WHERE t.kept
            """,
                team=self._pi_team_sql("h"),
                hours=hours_between_sql(SQL("h.date"), SQL("lead(h.date) OVER w")),
                scope=scope,
            )
        )
