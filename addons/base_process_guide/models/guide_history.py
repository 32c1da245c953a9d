from odoo import api, fields, models
from odoo.tools import SQL


class GuideHistory(models.Model):
    """One row per stage change of a guided record (read-only audit)."""

    _name = "guide.history"
    _inherit = ["guide.bulk.mixin", "guide.record.link.mixin"]
    _description = "Stage History"
    _order = "date desc, id desc"
    _rec_name = "record_name"
    _guide_engine_owned = True
    # one row per record at every move, never written after: ``user_id`` says who, no
    # creator/writer columns (two foreign keys checked row by row)
    _log_access = False

    res_model = fields.Char("Model", required=True, readonly=True)
    # found by the index (res_id, res_model) of the mixin
    res_id = fields.Many2oneReference("Record", model_field="res_model", required=True, readonly=True)
    record_name = fields.Char(readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True, index=True, ondelete="set null")
    from_step_id = fields.Many2one("guide.step", readonly=True, ondelete="set null")
    to_step_id = fields.Many2one("guide.step", readonly=True, index=True, ondelete="set null")
    # the stages' names at the time of the move, in every language of the database: each
    # reader reads them in theirs (``guide.mixin._guide_stage_texts``)
    from_stage_name = fields.Char("From Stage", readonly=True, translate=True)
    to_stage_name = fields.Char("To Stage", readonly=True, translate=True)
    # the stages themselves (of the guided model's stage model; 0: none, empty: a row
    # written before they were kept): a language installed later is given their names
    # (``_guide_fill_langs``)
    from_stage_res_id = fields.Integer("From Stage ID", readonly=True, aggregator=False)
    to_stage_res_id = fields.Integer("To Stage ID", readonly=True, aggregator=False)
    direction = fields.Selection(
        [("initial", "Entry"), ("forward", "Forward"), ("backward", "Backward"), ("same", "Same Rank")],
        required=True,
        readonly=True,
    )
    gate_result = fields.Selection(
        [
            ("passed", "Passed"),
            ("overridden", "Overridden"),
            ("advisory", "Advanced with Warnings"),
            ("free", "Not Gated"),
            ("imported", "Imported Past the Gate"),
            ("received", "Received Past the Gate"),
        ],
        string="Gate",
        required=True,
        readonly=True,
        default="free",
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one("res.users", string="Moved By", readonly=True)
    owner_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    # the step that was left
    duration_hours = fields.Float("Hours in Previous Step", readonly=True, aggregator="avg")
    expected_hours = fields.Float(readonly=True, aggregator="avg")
    overdue = fields.Boolean("Left Late", readonly=True)
    overdue_count = fields.Integer(readonly=True, aggregator="sum")
    overridden_count = fields.Integer(readonly=True, aggregator="sum")
    checklist_done = fields.Integer("Items Done", readonly=True)
    checklist_total = fields.Integer("Items", readonly=True)
    checklist_missing = fields.Text("Missing Items", readonly=True)
    checklist_rate = fields.Float("Checklist Completion (%)", readonly=True, aggregator="avg")
    deviation_ids = fields.One2many("guide.deviation", "history_id", string="Deviations", readonly=True)
    note = fields.Text(readonly=True)
    # the transaction's time (``date`` is the move's, to the second): rows written in
    # this transaction are the ones created since it began
    create_date = fields.Datetime("Created on", readonly=True, default=fields.Datetime.now)

    @api.model
    def _guide_create_rows(self, vals_list):
        """Create history rows, filling the aggregable measures, in one query."""
        for vals in vals_list:
            done, total = vals.get("checklist_done", 0), vals.get("checklist_total", 0)
            vals["checklist_rate"] = 100.0 * done / total if total else 100.0
            vals["overdue_count"] = int(bool(vals.get("overdue")))
            vals["overridden_count"] = int(vals.get("gate_result") == "overridden")
            vals.setdefault("gate_result", "free")
            vals.setdefault("date", fields.Datetime.now())
        return self._guide_bulk_create(vals_list)

    @api.depends("record_name", "from_stage_name", "to_stage_name")
    @api.depends_context("guide_history_stages")
    def _compute_display_name(self):
        """The record's name; "From → To" where the record is already named (a deviation's
        stage change, context key ``guide_history_stages``)."""
        if not self.env.context.get("guide_history_stages"):
            return super()._compute_display_name()
        for row in self:
            stages = [name for name in (row.from_stage_name, row.to_stage_name) if name]
            row.display_name = " → ".join(stages) or row.record_name

    @api.model
    def _guide_fill_langs(self, langs):
        """Languages ``langs`` installed since rows were written: their stage names in those
        languages (``_guide_fill_stage_names``), per guided model whose stages are named in
        every language."""
        columns = {"from_stage_name": "from_stage_res_id", "to_stage_name": "to_stage_res_id"}
        self.flush_model([*columns, *columns.values()])
        for model_name in self.env["guide.process"]._guide_model_names():
            Model = self.env[model_name]
            stage_model = self.env[Model._fields[Model._guide_stage_field].comodel_name]
            if not stage_model._fields["name"].translate:
                continue
            for lang in langs:
                for column, stage_column in columns.items():
                    self._guide_fill_stage_names(model_name, stage_model._table, lang, column, stage_column)
        self.invalidate_model(list(columns))

    @api.model
    def _guide_fill_stage_names(self, model_name, stage_table, lang, column, stage_column):
        """Give the rows of ``model_name`` that lack the language ``lang`` in ``column`` the
        name in ``lang`` of the stage that ``stage_column`` names, as it is named now (a row
        whose stage is gone keeps its names); a row written before the stages were kept
        (``stage_column`` empty), of the stage of that English name. Two UPDATEs."""
        params = {
            "column": SQL.identifier(column),
            "stage": SQL.identifier(stage_column),
            "stages": SQL.identifier(stage_table),
            "lang": lang,
            "model": model_name,
        }
        self.env.cr.execute(
            SQL(
                """UPDATE guide_history h
                      SET %(column)s = h.%(column)s || jsonb_build_object(%(lang)s, s.name->>%(lang)s)
                     FROM %(stages)s s
                    WHERE h.res_model = %(model)s
                      AND s.id = h.%(stage)s
                      AND s.name ? %(lang)s
                      AND NOT h.%(column)s ? %(lang)s""",
                **params,
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE guide_history h
                      SET %(column)s = h.%(column)s || jsonb_build_object(%(lang)s, s.name->>%(lang)s)
                     FROM (SELECT DISTINCT ON (name->>'en_US') name
                             FROM %(stages)s
                            WHERE name ? %(lang)s
                         ORDER BY name->>'en_US', id) s
                    WHERE h.res_model = %(model)s
                      AND h.%(stage)s IS NULL
                      AND h.%(column)s->>'en_US' = s.name->>'en_US'
                      AND NOT h.%(column)s ? %(lang)s""",
                **params,
            )
        )
