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
        # every read of the view (search, fetch by id, read_group, count) is built here: a
        # view over every guided record is costed high enough for PostgreSQL to compile
        # it (JIT), which took 39 s on 20,000 leads for a query that runs in one; the
        # setting ends with the transaction
        self.env.cr.execute(SQL("SET LOCAL jit = off"))
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        # what the record rules read (``company_id``; ``res_model`` for ``pi_visible``) is
        # fetched with the rows: checking them afterwards read every column by id, a second
        # run of the view (of all of it for an aggregate, whose ids filter nothing)
        field_names = [
            *field_names,
            *(fname for fname in ("company_id", "res_model") if fname in self._fields),
        ]
        return super().search_fetch(domain, field_names, offset, limit, order)

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
    def _guide_record_parts_sql(self):
        """The guided models' records with their outcome, one SELECT per model (whose
        table exists: a registry being loaded may build the view before it)."""
        parts = [
            self.env[model_name]._guide_intelligence_record_sql()
            for model_name in self.env["guide.process"]._guide_model_names()
            if table_kind(self.env.cr, self.env[model_name]._table) is not None
        ]
        return parts or [
            SQL(
                "SELECT NULL::varchar AS res_model, NULL::int AS res_id, NULL::int AS process_id, "
                "NULL::int AS company_id, NULL::int AS user_id, NULL::int AS team_id, "
                "NULL::timestamp AS create_date, FALSE AS is_closed, NULL::boolean AS is_success, "
                "NULL::timestamp AS date_closed WHERE FALSE"
            )
        ]

    @api.model
    def _guide_records_sql(self):
        """The guided models' records with their outcome (``_guide_record_parts_sql``)."""
        return SQL(" UNION ALL ").join(SQL("(%s)", part) for part in self._guide_record_parts_sql())

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
    def _guide_line_label_sql(self, item_name, task_name, line_name):
        """The label of a checklist line: the item's (or the added task's) translated name
        while the line's snapshot ``line_name`` is still its English name (as
        ``guide.line.title``), else the snapshot."""
        return SQL(
            """CASE WHEN %(item)s->>'en_US' = %(line)s THEN %(item)s
                    WHEN %(task)s->>'en_US' = %(line)s THEN %(task)s
                    ELSE jsonb_build_object('en_US', %(line)s) END""",
            item=item_name,
            task=task_name,
            line=line_name,
        )

    @api.model
    def _guide_numbered_sql(self, table, alias, columns, where=None):
        """The rows of the configuration ``table`` (hints, tasks, alternate steps) with
        their translated name, their number ``n`` (0, 1, ... by id) and how many there are
        (``n_all``): a report row of one of them on a record has the id
        ``(res_id * n_all + n) * 4 + kind``, computed from its own row (no numbering of the
        report's rows, which kept filters from reaching the tables)."""
        return SQL(
            """(SELECT %(columns)s, %(name)s AS label,
                       row_number() OVER (ORDER BY %(alias)s.id) - 1 AS n, count(*) OVER () AS n_all
                  FROM %(table)s %(alias)s %(where)s)""",
            alias=SQL.identifier(alias),
            columns=SQL(", ").join(SQL.identifier(alias, column) for column in ("id", *columns)),
            name=self._guide_name_sql(alias),
            table=SQL.identifier(table),
            where=SQL("WHERE %s", where) if where else SQL(),
        )

    @api.model
    def _guide_effectiveness_branches_sql(self, records):
        """The SELECTs of the rows, one per kind, over ``records`` (the records of one
        model, ``_guide_record_parts_sql``): one row per line and per (hint, record),
        (optional task, record) and (alternate step, record), with ``done`` and the
        outcome. Every row's id comes from its own row (a line's id; the record's id and
        the hint's, task's or step's number), the kind in its last two bits (a hint's row
        odd), so that a filter (a process, a record, the ids of a page, the access rules)
        reaches the tables in each branch. A line's row also gives what its label is made
        of (``line_name``, ``line_task_id``), which the summary aggregates by."""
        hours = hours_between_sql(SQL("rec.create_date"), SQL("rec.date_closed"))
        items = SQL(
            """
            SELECT gl.id::bigint * 4 AS id, 'item'::varchar AS kind, gl.item_id, NULL::int AS hint_id,
                   NULL::int AS task_id,
                   -- the item's (or the added task's) name while the line's snapshot is
                   -- still its English name (as ``guide.line.title``), else the snapshot
                   %(label)s AS label,
                   gl.step_id, gs.process_id, rec.res_model, gl.res_id,
                   gl.company_id, rec.user_id, rec.team_id, gl.create_date AS date,
                   CASE WHEN gl.completion = 'manual' THEN COALESCE(gl.checked, FALSE)::int END AS done,
                   COALESCE(rec.is_closed, FALSE) AS is_closed, rec.is_success,
                   %(hours)s AS hours,
                   0::bigint AS unhelpful, gl.name AS line_name, task.task_id AS line_task_id
              FROM guide_line gl
              JOIN guide_step gs ON gs.id = gl.step_id
              LEFT JOIN guide_item gi ON gi.id = gl.item_id
              -- a line of an optional task added to the record: its first log's task
              LEFT JOIN (SELECT DISTINCT ON (tl.line_id, tl.res_id, tl.res_model)
                                tl.line_id, tl.res_id, tl.res_model, t.id AS task_id, t.name
                           FROM guide_task_log tl JOIN guide_task t ON t.id = tl.task_id
                          ORDER BY tl.line_id, tl.res_id, tl.res_model, tl.id) task
                     ON gl.item_id IS NULL AND task.line_id = gl.id AND task.res_id = gl.res_id
                    AND task.res_model = gl.res_model
              JOIN (%(records)s) rec ON rec.res_model = gl.res_model AND rec.res_id = gl.res_id
            """,
            hours=hours,
            records=records,
            label=self._guide_line_label_sql(SQL("gi.name"), SQL("task.name"), SQL("gl.name")),
        )
        hints = SQL(
            """
            SELECT (rec.res_id::bigint * h.n_all + h.n) * 4 + 1 AS id,
                   'hint'::varchar AS kind, NULL::int AS item_id, h.id AS hint_id, NULL::int AS task_id,
                   h.label, NULL::int AS step_id, rec.process_id, rec.res_model, rec.res_id,
                   rec.company_id, rec.user_id, rec.team_id, rec.create_date AS date,
                   COALESCE(f.ack, 0) AS done,
                   COALESCE(rec.is_closed, FALSE) AS is_closed, rec.is_success,
                   %(hours)s AS hours,
                   -- the hint's *not helpful* marks on this record
                   COALESCE(f.unhelpful, 0) AS unhelpful, NULL::varchar AS line_name,
                   NULL::int AS line_task_id
              FROM %(hints)s h
              JOIN (%(records)s) rec ON rec.res_model = h.model_name AND rec.process_id IS NOT NULL
                      AND (h.process_id IS NULL OR h.process_id = rec.process_id)
                      AND (h.company_id IS NULL OR h.company_id = rec.company_id)
              LEFT JOIN (SELECT f.hint_id, f.res_model, f.res_id, bool_or(f.kind = 'ack')::int AS ack,
                                count(*) FILTER (WHERE f.kind = 'unhelpful') AS unhelpful
                           FROM guide_hint_feedback f
                          GROUP BY f.hint_id, f.res_model, f.res_id) f
                     ON f.hint_id = h.id AND f.res_model = rec.res_model AND f.res_id = rec.res_id
             WHERE h.active
            """,
            hours=hours,
            records=records,
            hints=self._guide_numbered_sql(
                "guide_hint", "h", ["model_name", "process_id", "company_id", "active"]
            ),
        )
        # optional tasks: added or not on the records that entered the task's step
        tasks = SQL(
            """
            SELECT (rec.res_id::bigint * t.n_all + t.n) * 4 + 2 AS id,
                   'task'::varchar AS kind, NULL::int AS item_id, NULL::int AS hint_id, t.id AS task_id,
                   t.label, t.step_id, rec.process_id, rec.res_model, rec.res_id,
                   rec.company_id, rec.user_id, rec.team_id, rec.create_date AS date,
                   EXISTS (SELECT 1 FROM guide_task_log l
                            WHERE l.task_id = t.id AND l.res_id = rec.res_id
                              AND l.res_model = rec.res_model)::int AS done,
                   COALESCE(rec.is_closed, FALSE) AS is_closed, rec.is_success,
                   %(hours)s AS hours, 0::bigint AS unhelpful, NULL::varchar AS line_name,
                   NULL::int AS line_task_id
              FROM %(tasks)s t
              JOIN (%(records)s) rec ON rec.res_model = t.model_name AND rec.process_id = t.process_id
             WHERE t.active
               AND EXISTS (SELECT 1 FROM guide_history gh
                            WHERE gh.res_id = rec.res_id AND gh.res_model = rec.res_model
                              AND gh.to_step_id = t.step_id)
            """,
            hours=hours,
            records=records,
            tasks=self._guide_numbered_sql(
                "guide_task", "t", ["model_name", "process_id", "step_id", "active"]
            ),
        )
        # alternate steps: the detour taken or not by the records of the process (that
        # entered one of the steps it is entered from, when it names them)
        alternates = SQL(
            """
            SELECT (rec.res_id::bigint * s.n_all + s.n) * 4 + 3 AS id,
                   'alternate'::varchar AS kind, NULL::int AS item_id, NULL::int AS hint_id,
                   NULL::int AS task_id, s.label, s.id AS step_id, rec.process_id, rec.res_model,
                   rec.res_id, rec.company_id, rec.user_id, rec.team_id, rec.create_date AS date,
                   EXISTS (SELECT 1 FROM guide_history gh
                            WHERE gh.res_id = rec.res_id AND gh.res_model = rec.res_model
                              AND gh.alt_step_id = s.id AND gh.direction = 'detour')::int AS done,
                   COALESCE(rec.is_closed, FALSE) AS is_closed, rec.is_success,
                   %(hours)s AS hours, 0::bigint AS unhelpful, NULL::varchar AS line_name,
                   NULL::int AS line_task_id
              FROM %(alternates)s s
              JOIN (%(records)s) rec ON rec.res_model = s.model_name AND rec.process_id = s.process_id
             WHERE s.active
               AND (NOT EXISTS (SELECT 1 FROM guide_step_alt_from_rel af WHERE af.step_id = s.id)
                    OR EXISTS (SELECT 1 FROM guide_history gh
                                 JOIN guide_step_alt_from_rel af
                                   ON af.step_id = s.id AND af.from_step_id = gh.to_step_id
                                WHERE gh.res_id = rec.res_id AND gh.res_model = rec.res_model))
            """,
            hours=hours,
            records=records,
            alternates=self._guide_numbered_sql(
                "guide_step", "s", ["model_name", "process_id", "active"], SQL("s.kind = 'alternate'")
            ),
        )
        return [items, hints, tasks, alternates]

    @api.model
    def _guide_effectiveness_rows_sql(self, branch=None):
        """The rows of every kind, model by model (``branch``: how each SELECT is wrapped,
        e.g. in an aggregate): each SELECT reads one model's table, so that the planner
        foresees how many rows it joins, and a filter on the records reaches their table."""
        branches = [
            sql
            for records in self._guide_record_parts_sql()
            for sql in self._guide_effectiveness_branches_sql(records)
        ]
        if branch:
            branches = [branch(sql) for sql in branches]
        return SQL(" UNION ALL ").join(SQL("(%s)", sql) for sql in branches)

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

    @api.model
    def _guide_partial_sql(self, rows):
        """One kind's ``rows`` counted by item, hint, task or alternate step (per process,
        model and company), by what the label is made of and by done, closed and success:
        narrow rows (integers, a line's name), where each of ``done``, ``is_closed`` and
        ``is_success`` is computed once per row (a row's expressions are computed again
        for each aggregate that names them, and the labels (jsonb) made the sort wide)."""
        return SQL(
            """
            SELECT min(e.id) AS id, e.kind, e.item_id, e.hint_id, e.task_id, e.step_id, e.process_id,
                   e.res_model, e.company_id, e.line_name COLLATE "C" AS line_name, e.line_task_id,
                   e.done, e.is_closed, e.is_success, count(*) AS n, sum(e.hours) AS hours_sum,
                   count(e.hours) AS hours_n, sum(e.unhelpful) AS unhelpful
              FROM (%s) e
             -- the names compared byte by byte (the same groups), not by the language's rules
             GROUP BY e.kind, e.item_id, e.hint_id, e.task_id, e.step_id, e.process_id, e.res_model,
                      e.company_id, e.line_name COLLATE "C", e.line_task_id, e.done, e.is_closed,
                      e.is_success
            """,
            rows,
        )

    @api.model
    def _guide_aggregate_sql(self):
        """The figures of each item, hint, task or alternate step (per process, model and
        company), from the counts of each kind (``_guide_partial_sql``); an average is
        the sum over the count of its values, as ``avg()`` divides them (the same numeric
        division), so the figures are those of one aggregate over the rows."""
        Report = self.env["guide.effectiveness.report"]
        closed_done = SQL("p.done = 1 AND p.is_closed")
        closed_not_done = SQL("p.done = 0 AND p.is_closed")

        def avg(value, where):
            # avg(value) FILTER (WHERE where) over the rows counted in p.n
            return SQL(
                "sum(%(value)s * p.n) FILTER (WHERE %(where)s) "
                "/ NULLIF(sum(p.n) FILTER (WHERE %(where)s AND %(value)s IS NOT NULL), 0)",
                value=value,
                where=where,
            )

        def avg_hours(where):
            return SQL(
                "sum(p.hours_sum) FILTER (WHERE %(where)s) "
                "/ NULLIF(sum(p.hours_n) FILTER (WHERE %(where)s), 0)",
                where=where,
            )

        return SQL(
            """
            SELECT min(p.id) AS id, p.kind, p.item_id, p.hint_id, p.task_id,
                   -- one of the item's names (no max() of jsonb)
                   max(p.label::text)::jsonb AS label, p.step_id,
                   p.process_id, p.res_model, p.company_id,
                   sum(p.n)::bigint AS record_count,
                   COALESCE(sum(p.n) FILTER (WHERE p.done = 1), 0)::bigint AS done_count,
                   COALESCE(sum(p.n) FILTER (WHERE p.done = 0), 0)::bigint AS not_done_count,
                   %(done_rate)s * 100.0 AS done_rate,
                   COALESCE(sum(p.n) FILTER (WHERE %(closed_done)s), 0)::bigint AS closed_done,
                   COALESCE(sum(p.n) FILTER (WHERE %(closed_not_done)s), 0)::bigint AS closed_not_done,
                   %(closed_rate_done)s * 100.0 AS closed_rate_done,
                   %(closed_rate_not_done)s * 100.0 AS closed_rate_not_done,
                   %(success_rate_done)s * 100.0 AS success_rate_done,
                   %(success_rate_not_done)s * 100.0 AS success_rate_not_done,
                   %(hours_done)s AS hours_done,
                   %(hours_not_done)s AS hours_not_done,
                   sum(p.unhelpful) AS unhelpful_count
              FROM (SELECT p.*,
                           CASE p.kind WHEN 'item' THEN %(line_label)s
                                       WHEN 'hint' THEN %(hint_label)s
                                       WHEN 'task' THEN %(task_label)s
                                       ELSE %(step_label)s END AS label
                      FROM (%(partial)s) p
                      LEFT JOIN guide_item gi ON gi.id = p.item_id
                      LEFT JOIN guide_task task ON task.id = p.line_task_id
                      LEFT JOIN guide_hint h ON h.id = p.hint_id
                      LEFT JOIN guide_task t ON t.id = p.task_id
                      LEFT JOIN guide_step s ON s.id = p.step_id) p
             GROUP BY p.kind, p.item_id, p.hint_id, p.task_id, p.step_id, p.process_id, p.res_model,
                      p.company_id, CASE WHEN p.item_id IS NULL THEN p.label END
            """,
            done_rate=avg(SQL("p.done"), SQL("TRUE")),
            closed_done=closed_done,
            closed_not_done=closed_not_done,
            closed_rate_done=avg(SQL("p.is_closed::int"), SQL("p.done = 1")),
            closed_rate_not_done=avg(SQL("p.is_closed::int"), SQL("p.done = 0")),
            success_rate_done=avg(SQL("p.is_success::int"), closed_done),
            success_rate_not_done=avg(SQL("p.is_success::int"), closed_not_done),
            hours_done=avg_hours(closed_done),
            hours_not_done=avg_hours(closed_not_done),
            line_label=Report._guide_line_label_sql(SQL("gi.name"), SQL("task.name"), SQL("p.line_name")),
            hint_label=Report._guide_name_sql("h"),
            task_label=Report._guide_name_sql("t"),
            step_label=Report._guide_name_sql("s"),
            partial=Report._guide_effectiveness_rows_sql(branch=self._guide_partial_sql),
        )

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                WITH m AS (SELECT COALESCE(
                                 (SELECT value::int FROM ir_config_parameter
                                   WHERE key = %(param)s AND value ~ %(pattern)s), %(default)s) AS n),
                     -- on the rows the filters leave (a process, a model, the access rules)
                     s AS (%(rows)s)
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
                rows=self._guide_aggregate_sql(),
                of_company=SQL("(f.res_id IS NULL OR f.record_company_id IS NOT DISTINCT FROM s.company_id)"),
                param=MIN_SAMPLE_PARAM,
                pattern=f"^{MIN_SAMPLE_RE}$",
                default=DEFAULT_MIN_SAMPLE,
            )
        )
