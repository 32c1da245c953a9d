from odoo import api, models
from odoo.tools import SQL


class GuideMixin(models.AbstractModel):
    _inherit = "guide.mixin"

    # the field holding the record's team (a Many2one), set by the bridges
    _guide_team_field = None

    @api.model
    def _guide_outcome_sql(self, alias):
        """Hook: the outcome of the records of this model, as three SQL columns over the
        table aliased ``alias``: ``is_closed`` (boolean: decided — won or lost, closed),
        ``is_success`` (boolean, NULL where success means nothing but closing) and
        ``date_closed`` (timestamp). The engine knows no outcome: nothing is closed."""
        return SQL("FALSE AS is_closed, NULL::boolean AS is_success, NULL::timestamp AS date_closed")

    @api.model
    def _guide_outcome_depends(self):
        """Hook: the fields ``_guide_outcome_sql`` reads, {model name: [field names]},
        flushed before a report is read."""
        return {}

    @api.model
    def _guide_intelligence_depends(self):
        """The fields ``_guide_intelligence_record_sql`` reads, to flush before a report
        query (Odoo's ``_depends``, computed from the installed bridges)."""
        fnames = ["guide_process_id", "company_id", self._guide_owner_field, self._guide_team_field]
        fields_ = [self._fields[fname] for fname in fnames if fname and fname in self._fields]
        for model_name, outcome_fnames in self._guide_outcome_depends().items():
            fields_ += [self.env[model_name]._fields[fname] for fname in outcome_fnames]
        return fields_

    @api.model
    def _guide_intelligence_record_sql(self):
        """One row per guided record of this model: the record, its process, company,
        owner, team, creation and outcome (see ``_guide_outcome_sql``)."""
        alias = "r"

        def column(fname, cast):
            if fname and fname in self._fields and self._fields[fname].store:
                return SQL("%s::%s", SQL.identifier(alias, fname), SQL(cast))
            return SQL("NULL::%s", SQL(cast))

        return SQL(
            """SELECT %(model)s::varchar AS res_model, r.id AS res_id, r.guide_process_id AS process_id,
                      %(company)s AS company_id, %(owner)s AS user_id, %(team)s AS team_id,
                      r.create_date AS create_date, %(outcome)s
                 FROM %(table)s r
                WHERE r.guide_process_id IS NOT NULL""",
            model=self._name,
            company=column("company_id", "int"),
            owner=column(self._guide_owner_field, "int"),
            team=column(self._guide_team_field, "int"),
            outcome=self._guide_outcome_sql(alias),
            table=SQL.identifier(self._table),
        )
