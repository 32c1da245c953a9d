from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index


class GuideRecordVariant(models.Model):
    """The path of one record through one process: the steps it visited, in order
    (hashed, so that records of the same variant group in one index scan), when it
    started, how it deviated. Engine state maintained with the visits
    (``guide.step.visit._pi_refresh``); readable where the record is."""

    _name = "guide.record.variant"
    _inherit = ["guide.record.link.mixin"]
    _description = "Process Variant of a Record"
    _order = "first_entered_at desc, id desc"
    _rec_name = "path"
    _guide_engine_owned = True
    # derived rows rebuilt in bulk: no who/when columns (and their foreign keys)
    _log_access = False

    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", required=True, readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True, ondelete="cascade")
    # the version of the process the record entered it under (its first visit)
    process_version_id = fields.Many2one("guide.process.version", readonly=True, ondelete="set null")
    path = fields.Char(readonly=True, help="The ids of the steps visited, in order, comma-separated.")
    path_hash = fields.Char(readonly=True)
    visit_count = fields.Integer("Steps Visited", readonly=True)
    first_entered_at = fields.Datetime("Started", readonly=True)
    last_entered_at = fields.Datetime("Last Step Entered", readonly=True)
    override_count = fields.Integer("Overrides", readonly=True)
    backward_count = fields.Integer("Backward Moves", readonly=True)
    first_override_step_id = fields.Many2one("guide.step", readonly=True, ondelete="set null")
    # when the first override happened, in the path: how many of its steps had been
    # entered then (the step an overridden stage move led to is the last of them)
    first_override_position = fields.Integer(readonly=True)
    owner_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_ref = fields.Integer("Team ID", readonly=True)

    def init(self):
        res = super().init()
        cr = self.env.cr
        create_index(cr, "guide_record_variant_process_idx", self._table, ["process_id", "first_entered_at"])
        create_index(cr, "guide_record_variant_hash_idx", self._table, ["process_id", "path_hash"])
        return res

    @api.model
    def _pi_insert_variants(self, scope):
        """The variants of the visits matching ``scope`` (over ``v``), in one query."""
        order = SQL("ORDER BY v.entered_at, v.history_id")
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO guide_record_variant (
                res_model, res_id, process_id, path, path_hash, visit_count, first_entered_at,
                last_entered_at, override_count, backward_count, first_override_step_id,
                first_override_position, owner_id, company_id, team_ref, process_version_id)
            SELECT res_model, res_id, process_id, path, md5(path), visit_count, first_entered_at,
                   last_entered_at, override_count, backward_count, first_override_step_id,
                   first_override_position, owner_id, company_id, team_ref, process_version_id
              FROM (
                SELECT v.res_model, v.res_id, v.process_id,
                       string_agg(v.step_id::text, ',' %(order)s) AS path,
                       count(*) AS visit_count,
                       min(v.entered_at) AS first_entered_at,
                       max(v.entered_at) AS last_entered_at,
                       count(*) FILTER (WHERE v.overridden) AS override_count,
                       count(*) FILTER (WHERE v.exit_direction = 'backward') AS backward_count,
                       (array_agg(v.step_id ORDER BY v.left_at, v.history_id) FILTER (WHERE v.overridden))[1]
                           AS first_override_step_id,
                       CASE WHEN bool_or(v.overridden) THEN
                           count(*) FILTER (WHERE v.entered_at <= v.first_override_at) END
                           AS first_override_position,
                       (array_agg(v.owner_id %(order)s))[1] AS owner_id,
                       (array_agg(v.company_id %(order)s))[1] AS company_id,
                       (array_agg(v.team_ref %(order)s))[1] AS team_ref,
                       (array_agg(v.process_version_id %(order)s))[1] AS process_version_id
                  FROM (
                    SELECT v.*, min(v.left_at) FILTER (WHERE v.overridden)
                               OVER (PARTITION BY v.res_model, v.res_id, v.process_id) AS first_override_at
                      FROM guide_step_visit v
                     WHERE %(scope)s AND v.process_id IS NOT NULL
                  ) v
                 GROUP BY v.res_model, v.res_id, v.process_id
              ) agg
            """,
                order=order,
                scope=scope,
            )
        )
