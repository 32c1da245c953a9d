import re

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, drop_view_if_exists
from odoo.tools.sql import table_kind

from odoo.addons.base_process_guide.tools import domain_field_names, refuse_unsearchable
from odoo.addons.base_process_guide.tools.web_links import deleted_links_emptied

from .guide_mixin import hours_between_sql

MIN_SAMPLE_PARAM = "base_process_intelligence.min_sample"
DEFAULT_MIN_SAMPLE = 10
# the values of the parameter that are a minimum sample (others: the default)
MIN_SAMPLE_RE = "[0-9]{1,6}"
# what the step-effectiveness views read (their ``_depends``)
EFFECTIVENESS_DEPENDS = {
    "guide.line": [
        "res_model",
        "res_id",
        "item_id",
        "name",
        "step_id",
        "process_id",
        "company_id",
        "completion",
        "checked",
        "create_date",
    ],
    "guide.item": ["name"],
    "guide.hint": ["name", "model_name", "process_id", "company_id", "active"],
    "guide.hint.feedback": ["hint_id", "res_model", "res_id", "kind"],
    "guide.feedback": ["item_id", "step_id", "process_id", "state", "res_id", "record_company_id"],
    "guide.task": ["name", "step_id", "process_id", "model_name", "active"],
    "guide.task.log": ["task_id", "res_model", "res_id", "line_id"],
    "guide.step": ["name", "kind", "process_id", "model_name", "active", "alt_from_step_ids"],
    "guide.history": ["res_model", "res_id", "to_step_id", "alt_step_id", "direction"],
    "ir.config_parameter": ["key", "value"],
}
EFFECTIVENESS_KINDS = [
    ("item", "Checklist Item"),
    ("hint", "Knowledge Hint"),
    ("task", "Optional Task"),
    ("alternate", "Alternate Step"),
]


class GuideIntelligenceViewMixin(models.AbstractModel):
    """A report whose SQL view reads the guided models' tables: uninstalling a business
    app drops its table with ``CASCADE``, and the view with it; the next registry load
    builds the view again over the models that remain."""

    _name = "guide.intelligence.view.mixin"
    _description = "Process Intelligence SQL View"

    def _register_hook(self):
        super()._register_hook()
        if not self._abstract and not self._auto and table_kind(self.env.cr, self._table) is None:
            self.init()

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if domain:
            refuse_unsearchable(self, domain_field_names(domain))
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.readonly
    def web_read(self, specification):
        # the facts of deleted records stay: their link reads empty, as the list can show it
        return deleted_links_emptied(self, specification, super().web_read(specification))

    def export_data(self, fields_to_export):
        # a report's rows have no external id to import them back by: Odoo raised a bare
        # Exception (logged as an error) for the import-compatible export, which asks for it
        if "id" in fields_to_export:
            raise UserError(
                self.env._(
                    "%(report)s is a report: its rows cannot be imported back. Export it without "
                    "“I want to update data (import-compatible export)”.",
                    report=self._description,
                )
            )
        return super().export_data(fields_to_export)

    @property
    def _table_sql(self):
        # a query on the view flushes what it reads: ``_depends``, and the guided records'
        # process, owner, team and outcome, whichever bridges are installed
        fields_ = []
        for model_name in self.env["guide.process"]._guide_model_names():
            fields_ += self.env[model_name]._guide_intelligence_depends()
        return SQL().join([super()._table_sql, *(SQL(to_flush=field) for field in fields_)])


class GuideEffectivenessReport(models.Model):
    """Step effectiveness, one row per checklist line (item on a record) and per hint
    on a guided record it may concern: was it done (ticked, acknowledged), and how did
    the record end (closed, won, hours to close).

    A SQL view over ``guide_line``, ``guide_hint``/``guide_hint_feedback`` and the
    guided records' outcome (``guide.mixin._guide_outcome_sql``), always current. The
    rates are averages of 0/100 values left NULL outside their population, so a pivot
    grouped any way gives the rate of the records behind the cell. Rows are readable
    where their record is (``guide.record.link.mixin``); the aggregates everybody
    reads are ``guide.effectiveness.summary``.
    """

    _name = "guide.effectiveness.report"
    _inherit = ["guide.record.link.mixin", "guide.intelligence.view.mixin"]
    _description = "Step Effectiveness (per record)"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "label"
    # searching the view flushes what it reads (the guided records: ``_table_sql``)
    _depends = EFFECTIVENESS_DEPENDS

    kind = fields.Selection(
        EFFECTIVENESS_KINDS,
        readonly=True,
        help="Done means: an item ticked, a hint acknowledged, an optional task added, an alternate "
        "step entered (a detour taken).",
    )
    item_id = fields.Many2one("guide.item", string="Checklist Item", readonly=True)
    hint_id = fields.Many2one("guide.hint", readonly=True)
    task_id = fields.Many2one("guide.task", string="Optional Task", readonly=True)
    # the item's, hint's, task's or step's translated name (jsonb, read in the
    # reader's language with the ORM's fallback to English, as the names themselves)
    label = fields.Char("Item or Hint", readonly=True, translate=True)
    step_id = fields.Many2one("guide.step", readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True)
    res_model = fields.Char("Model", readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    team_id = fields.Integer("Team Id", readonly=True, aggregator=False)
    date = fields.Datetime("Entered On", readonly=True)
    done = fields.Integer(
        readonly=True, help="1 when ticked or acknowledged, 0 when not; empty for automatic items."
    )
    done_rate = fields.Float("Done (%)", readonly=True, aggregator="avg")
    closed = fields.Integer(readonly=True)
    closed_rate_done = fields.Float("Closed When Done (%)", readonly=True, aggregator="avg")
    closed_rate_not_done = fields.Float("Closed When Not Done (%)", readonly=True, aggregator="avg")
    closed_done = fields.Integer("Closed, Done", readonly=True)
    closed_not_done = fields.Integer("Closed, Not Done", readonly=True)
    success_rate_done = fields.Float(
        "Success When Done (%)",
        readonly=True,
        aggregator="avg",
        help="Of the records closed, the share that ended in success (a won lead, a resolved ticket).",
    )
    success_rate_not_done = fields.Float(
        "Success When Not Done (%)",
        readonly=True,
        aggregator="avg",
        help="Of the records closed, the share that ended in success (a won lead, a resolved ticket).",
    )
    hours_done = fields.Float("Hours to Close When Done", readonly=True, aggregator="avg")
    hours_not_done = fields.Float("Hours to Close When Not Done", readonly=True, aggregator="avg")

    # ------------------------------------------------------------
    # SQL
    # ------------------------------------------------------------
    @api.model
    def _guide_records_sql(self):
        """The guided models' records with their outcome, one SELECT per model (whose
        table exists: a registry being loaded may build the view before it)."""
        parts = [
            self.env[model_name]._guide_intelligence_record_sql()
            for model_name in self.env["guide.process"]._guide_model_names()
            if table_kind(self.env.cr, self.env[model_name]._table) is not None
        ]
        if not parts:
            return SQL(
                "SELECT NULL::varchar AS res_model, NULL::int AS res_id, NULL::int AS process_id, "
                "NULL::int AS company_id, NULL::int AS user_id, NULL::int AS team_id, "
                "NULL::timestamp AS create_date, FALSE AS is_closed, NULL::boolean AS is_success, "
                "NULL::timestamp AS date_closed WHERE FALSE"
            )
        return SQL(" UNION ALL ").join(SQL("(%s)", part) for part in parts)

    @api.model
    def _guide_name_sql(self, alias):
        """The translated name (jsonb) of the table ``alias``, sure to hold ``en_US``
        (the ORM's fallback): the English name, else the first language it has."""
        name = SQL.identifier(alias, "name")
        return SQL(
            "jsonb_build_object('en_US', COALESCE(%(name)s->>'en_US', "
            "%(name)s->>(SELECT min(k) FROM jsonb_object_keys(%(name)s) k))) || %(name)s",
            name=name,
        )

    @api.model
    def _guide_effectiveness_rows_sql(self):
        """One row per line and per (hint, record), with ``done`` and the outcome."""
        return SQL(
            """
            WITH rec AS (%(records)s)
            SELECT gl.id::bigint * 4 AS id, 'item'::varchar AS kind, gl.item_id, NULL::int AS hint_id,
                   NULL::int AS task_id,
                   -- the item's (or the added task's) name while the line's snapshot is
                   -- still its English name (as ``guide.line.title``), else the snapshot
                   CASE WHEN gi.name->>'en_US' = gl.name THEN gi.name
                        WHEN task.name->>'en_US' = gl.name THEN task.name
                        ELSE jsonb_build_object('en_US', gl.name) END AS label,
                   gl.step_id, gs.process_id, gl.res_model, gl.res_id,
                   gl.company_id, rec.user_id, rec.team_id, gl.create_date AS date,
                   CASE WHEN gl.completion = 'manual' THEN COALESCE(gl.checked, FALSE)::int END AS done,
                   COALESCE(rec.is_closed, FALSE) AS is_closed, rec.is_success,
                   %(hours)s AS hours,
                   0 AS unhelpful
              FROM guide_line gl
              JOIN guide_step gs ON gs.id = gl.step_id
              LEFT JOIN guide_item gi ON gi.id = gl.item_id
              -- a line of an optional task added to the record: through its log
              LEFT JOIN LATERAL (
                  SELECT t.name FROM guide_task_log tl JOIN guide_task t ON t.id = tl.task_id
                   WHERE gl.item_id IS NULL AND tl.res_id = gl.res_id AND tl.res_model = gl.res_model
                     AND tl.line_id = gl.id
                   ORDER BY tl.id LIMIT 1) task ON TRUE
              JOIN rec ON rec.res_model = gl.res_model AND rec.res_id = gl.res_id
            UNION ALL
            -- ids numbered in a fixed order: within XML-RPC's 32-bit integers
            SELECT row_number() OVER (ORDER BY h.id, rec.res_model, rec.res_id) * 4 + 1,
                   'hint', NULL, h.id, NULL,
                   %(name_h)s,
                   NULL, rec.process_id, rec.res_model, rec.res_id,
                   rec.company_id, rec.user_id, rec.team_id, rec.create_date,
                   EXISTS (SELECT 1 FROM guide_hint_feedback f
                            WHERE f.hint_id = h.id AND f.res_model = rec.res_model
                              AND f.res_id = rec.res_id AND f.kind = 'ack')::int,
                   COALESCE(rec.is_closed, FALSE), rec.is_success,
                   %(hours)s,
                   -- the hint's *not helpful* marks on this record
                   (SELECT count(*) FROM guide_hint_feedback f
                     WHERE f.hint_id = h.id AND f.res_model = rec.res_model
                       AND f.res_id = rec.res_id AND f.kind = 'unhelpful')
              FROM guide_hint h
              JOIN rec ON rec.res_model = h.model_name AND rec.process_id IS NOT NULL
                      AND (h.process_id IS NULL OR h.process_id = rec.process_id)
                      AND (h.company_id IS NULL OR h.company_id = rec.company_id)
             WHERE h.active
            UNION ALL
            -- optional tasks: added or not on the records that entered the task's step
            SELECT row_number() OVER (ORDER BY t.id, rec.res_model, rec.res_id) * 4 + 2,
                   'task', NULL, NULL, t.id,
                   %(name_t)s,
                   t.step_id, rec.process_id, rec.res_model, rec.res_id,
                   rec.company_id, rec.user_id, rec.team_id, rec.create_date,
                   EXISTS (SELECT 1 FROM guide_task_log l
                            WHERE l.task_id = t.id AND l.res_id = rec.res_id
                              AND l.res_model = rec.res_model)::int,
                   COALESCE(rec.is_closed, FALSE), rec.is_success,
                   %(hours)s, 0
              FROM guide_task t
              JOIN rec ON rec.res_model = t.model_name AND rec.process_id = t.process_id
             WHERE t.active
               AND EXISTS (SELECT 1 FROM guide_history gh
                            WHERE gh.res_id = rec.res_id AND gh.res_model = rec.res_model
                              AND gh.to_step_id = t.step_id)
            UNION ALL
            -- alternate steps: the detour taken or not by the records of the process (that
            -- entered one of the steps it is entered from, when it names them)
            SELECT row_number() OVER (ORDER BY s.id, rec.res_model, rec.res_id) * 4 + 3,
                   'alternate', NULL, NULL, NULL,
                   %(name_s)s,
                   s.id, rec.process_id, rec.res_model, rec.res_id,
                   rec.company_id, rec.user_id, rec.team_id, rec.create_date,
                   EXISTS (SELECT 1 FROM guide_history gh
                            WHERE gh.res_id = rec.res_id AND gh.res_model = rec.res_model
                              AND gh.alt_step_id = s.id AND gh.direction = 'detour')::int,
                   COALESCE(rec.is_closed, FALSE), rec.is_success,
                   %(hours)s, 0
              FROM guide_step s
              JOIN rec ON rec.res_model = s.model_name AND rec.process_id = s.process_id
             WHERE s.kind = 'alternate' AND s.active
               AND (NOT EXISTS (SELECT 1 FROM guide_step_alt_from_rel af WHERE af.step_id = s.id)
                    OR EXISTS (SELECT 1 FROM guide_history gh
                                 JOIN guide_step_alt_from_rel af
                                   ON af.step_id = s.id AND af.from_step_id = gh.to_step_id
                                WHERE gh.res_id = rec.res_id AND gh.res_model = rec.res_model))
            """,
            records=self._guide_records_sql(),
            hours=hours_between_sql(SQL("rec.create_date"), SQL("rec.date_closed")),
            name_h=self._guide_name_sql("h"),
            name_t=self._guide_name_sql("t"),
            name_s=self._guide_name_sql("s"),
        )

    @api.model
    def _guide_effectiveness_sql(self):
        return SQL(
            """
            SELECT e.id, e.kind, e.item_id, e.hint_id, e.task_id, e.label, e.step_id, e.process_id,
                   e.res_model, e.res_id, e.company_id, e.user_id, e.team_id, e.date, e.done,
                   e.done * 100.0 AS done_rate,
                   e.is_closed::int AS closed,
                   CASE WHEN e.done = 1 THEN e.is_closed::int * 100.0 END AS closed_rate_done,
                   CASE WHEN e.done = 0 THEN e.is_closed::int * 100.0 END AS closed_rate_not_done,
                   (e.done = 1 AND e.is_closed)::int AS closed_done,
                   (e.done = 0 AND e.is_closed)::int AS closed_not_done,
                   CASE WHEN e.done = 1 AND e.is_closed THEN e.is_success::int * 100.0 END
                       AS success_rate_done,
                   CASE WHEN e.done = 0 AND e.is_closed THEN e.is_success::int * 100.0 END
                       AS success_rate_not_done,
                   CASE WHEN e.done = 1 AND e.is_closed THEN e.hours END AS hours_done,
                   CASE WHEN e.done = 0 AND e.is_closed THEN e.hours END AS hours_not_done
              FROM (%s) e
            """,
            self._guide_effectiveness_rows_sql(),
        )

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._guide_effectiveness_sql(),
            )
        )


class GuideEffectivenessSummary(models.Model):
    """Step effectiveness per checklist item and hint (process-level aggregates, no
    record): how often it is done, and how closing, winning and the time to close
    differ between the records where it was done and where it was not, with the number
    of records behind each figure. A figure drawn from fewer records than the minimum
    sample (system parameter ``base_process_intelligence.min_sample``, 10) is left
    empty and the row flagged, so nobody reads noise as signal. The agents' feedback
    on the item (or its step) and the hint's *not helpful* marks stand next to it."""

    _name = "guide.effectiveness.summary"
    _inherit = ["guide.intelligence.view.mixin"]
    _description = "Step Effectiveness"
    _auto = False
    _order = "process_id, kind, label, id"
    _rec_name = "label"
    _depends = EFFECTIVENESS_DEPENDS

    kind = fields.Selection(
        EFFECTIVENESS_KINDS,
        readonly=True,
        help="Done means: an item ticked, a hint acknowledged, an optional task added, an alternate "
        "step entered (a detour taken).",
    )
    item_id = fields.Many2one("guide.item", string="Checklist Item", readonly=True)
    hint_id = fields.Many2one("guide.hint", readonly=True)
    task_id = fields.Many2one("guide.task", string="Optional Task", readonly=True)
    label = fields.Char("Item or Hint", readonly=True, translate=True)
    step_id = fields.Many2one("guide.step", readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True)
    res_model = fields.Char("Model", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    record_count = fields.Integer("Records", readonly=True)
    done_count = fields.Integer("Done", readonly=True)
    not_done_count = fields.Integer("Not Done", readonly=True)
    done_rate = fields.Float("Done (%)", readonly=True, aggregator=False)
    closed_done = fields.Integer("Closed, Done", readonly=True)
    closed_not_done = fields.Integer("Closed, Not Done", readonly=True)
    closed_rate_done = fields.Float("Closed When Done (%)", readonly=True, aggregator=False)
    closed_rate_not_done = fields.Float("Closed When Not Done (%)", readonly=True, aggregator=False)
    success_rate_done = fields.Float(
        "Success When Done (%)",
        readonly=True,
        aggregator=False,
        help="Of the records closed, the share that ended in success (a won lead, a resolved ticket).",
    )
    success_rate_not_done = fields.Float(
        "Success When Not Done (%)",
        readonly=True,
        aggregator=False,
        help="Of the records closed, the share that ended in success (a won lead, a resolved ticket).",
    )
    hours_done = fields.Float("Hours to Close When Done", readonly=True, aggregator=False)
    hours_not_done = fields.Float("Hours to Close When Not Done", readonly=True, aggregator=False)
    # which figures are left empty for want of records (the list shows them empty, not 0)
    total_few = fields.Boolean("Too Few Records", readonly=True)
    done_few = fields.Boolean("Too Few Done", readonly=True)
    not_done_few = fields.Boolean("Too Few Not Done", readonly=True)
    closed_done_few = fields.Boolean("Too Few Closed When Done", readonly=True)
    closed_not_done_few = fields.Boolean("Too Few Closed When Not Done", readonly=True)
    low_sample = fields.Boolean(
        "Small Sample",
        readonly=True,
        help="Fewer records than the minimum sample on one side: the figures of that side are left empty.",
    )
    feedback_count = fields.Integer("Feedback", readonly=True, help="Feedback on the item, or on its step.")
    feedback_accepted = fields.Integer(readonly=True)
    unhelpful_count = fields.Integer("Marked Not Helpful", readonly=True)

    # the figures of a model are for the users who work its records (a global rule)
    pi_visible = fields.Boolean(compute="_compute_pi_visible", search="_search_pi_visible")

    def _compute_pi_visible(self):
        Process = self.env["guide.process"]
        for row in self:
            row.pi_visible = Process._pi_sees_figures(row.res_model)

    def _search_pi_visible(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(
                self.env._("Step effectiveness: search the rows whose figures you see with = or != only.")
            )
        # record rules are applied in a superuser environment: ask as the user
        Process = self.env["guide.process"].with_user(self.env.user)
        names = [name for name in Process._guide_model_names() if Process._pi_sees_figures(name)]
        positive = (operator == "=") == bool(value)
        return [("res_model", "in" if positive else "not in", names)]

    @api.model
    def _guide_min_sample(self):
        """The minimum sample (system parameter ``MIN_SAMPLE_PARAM``): a whole number of up
        to six digits, else the default, as the view reads it."""
        value = self.env["ir.config_parameter"].sudo().get_param(MIN_SAMPLE_PARAM) or ""
        return int(value) if re.fullmatch(MIN_SAMPLE_RE, value) else DEFAULT_MIN_SAMPLE

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                WITH e AS (%(rows)s),
                     m AS (SELECT COALESCE(
                                 (SELECT value::int FROM ir_config_parameter
                                   WHERE key = %(param)s AND value ~ %(pattern)s), %(default)s) AS n),
                     s AS (
                    SELECT min(e.id) AS id, e.kind, e.item_id, e.hint_id, e.task_id,
                           -- one of the item's names (no max() of jsonb)
                           max(e.label::text)::jsonb AS label, e.step_id,
                           e.process_id, e.res_model, e.company_id,
                           count(*) AS record_count,
                           count(*) FILTER (WHERE e.done = 1) AS done_count,
                           count(*) FILTER (WHERE e.done = 0) AS not_done_count,
                           avg(e.done) * 100.0 AS done_rate,
                           count(*) FILTER (WHERE e.done = 1 AND e.is_closed) AS closed_done,
                           count(*) FILTER (WHERE e.done = 0 AND e.is_closed) AS closed_not_done,
                           avg(e.is_closed::int) FILTER (WHERE e.done = 1) * 100.0 AS closed_rate_done,
                           avg(e.is_closed::int) FILTER (WHERE e.done = 0) * 100.0 AS closed_rate_not_done,
                           avg(e.is_success::int) FILTER (WHERE e.done = 1 AND e.is_closed) * 100.0
                               AS success_rate_done,
                           avg(e.is_success::int) FILTER (WHERE e.done = 0 AND e.is_closed) * 100.0
                               AS success_rate_not_done,
                           avg(e.hours) FILTER (WHERE e.done = 1 AND e.is_closed) AS hours_done,
                           avg(e.hours) FILTER (WHERE e.done = 0 AND e.is_closed) AS hours_not_done,
                           sum(e.unhelpful) AS unhelpful_count
                      FROM e
                     GROUP BY e.kind, e.item_id, e.hint_id, e.task_id, e.step_id, e.process_id, e.res_model,
                              e.company_id, CASE WHEN e.item_id IS NULL THEN e.label END)
                SELECT s.id, s.kind, s.item_id, s.hint_id, s.task_id, s.label, s.step_id, s.process_id,
                       s.res_model, s.company_id, s.record_count, s.done_count, s.not_done_count,
                       CASE WHEN s.done_count + s.not_done_count >= m.n THEN s.done_rate END AS done_rate,
                       s.closed_done, s.closed_not_done,
                       CASE WHEN s.done_count >= m.n THEN s.closed_rate_done END AS closed_rate_done,
                       CASE WHEN s.not_done_count >= m.n THEN s.closed_rate_not_done END
                           AS closed_rate_not_done,
                       CASE WHEN s.closed_done >= m.n THEN s.success_rate_done END AS success_rate_done,
                       CASE WHEN s.closed_not_done >= m.n THEN s.success_rate_not_done END
                           AS success_rate_not_done,
                       CASE WHEN s.closed_done >= m.n THEN s.hours_done END AS hours_done,
                       CASE WHEN s.closed_not_done >= m.n THEN s.hours_not_done END AS hours_not_done,
                       (s.done_count < m.n OR s.not_done_count < m.n) AS low_sample,
                       s.done_count + s.not_done_count < m.n AS total_few,
                       s.done_count < m.n AS done_few, s.not_done_count < m.n AS not_done_few,
                       s.closed_done < m.n AS closed_done_few, s.closed_not_done < m.n AS closed_not_done_few,
                       -- feedback given on a record counts on its company's row only
                       CASE WHEN s.kind <> 'hint' THEN
                           (SELECT count(*) FROM guide_feedback f
                             WHERE (f.item_id = s.item_id
                                    OR (f.item_id IS NULL AND f.step_id = s.step_id))
                               AND %(of_company)s)
                       ELSE (SELECT count(*) FROM guide_feedback f
                              WHERE f.item_id IS NULL AND f.step_id IS NULL AND f.process_id = s.process_id
                                AND %(of_company)s)
                       END AS feedback_count,
                       CASE WHEN s.kind <> 'hint' THEN
                           (SELECT count(*) FROM guide_feedback f
                             WHERE f.state = 'accepted' AND (f.item_id = s.item_id
                                OR (f.item_id IS NULL AND f.step_id = s.step_id))
                               AND %(of_company)s)
                       ELSE (SELECT count(*) FROM guide_feedback f
                              WHERE f.state = 'accepted' AND f.item_id IS NULL AND f.step_id IS NULL
                                AND f.process_id = s.process_id
                                AND %(of_company)s)
                       END AS feedback_accepted,
                       s.unhelpful_count
                  FROM s, m)
                """,
                table=SQL.identifier(self._table),
                rows=self.env["guide.effectiveness.report"]._guide_effectiveness_rows_sql(),
                of_company=SQL("(f.res_id IS NULL OR f.record_company_id IS NOT DISTINCT FROM s.company_id)"),
                param=MIN_SAMPLE_PARAM,
                pattern=f"^{MIN_SAMPLE_RE}$",
                default=DEFAULT_MIN_SAMPLE,
            )
        )
