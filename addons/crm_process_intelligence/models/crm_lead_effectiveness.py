from odoo import api, models
from odoo.tools import SQL


class CrmLead(models.Model):
    _inherit = "crm.lead"

    _guide_team_field = "team_id"

    @api.model
    def _guide_outcome_depends(self):
        return {
            **super()._guide_outcome_depends(),
            "crm.lead": ["stage_id", "active", "probability", "date_closed"],
            "crm.stage": ["is_won"],
        }

    @api.model
    def _guide_outcome_sql(self, alias):
        """A lead is closed when won (a won stage) or lost (archived at probability 0);
        success is won; closed on ``date_closed`` (Odoo sets it when won), else on the
        last change of a lost lead."""
        won = SQL(
            "EXISTS (SELECT 1 FROM crm_stage s WHERE s.id = %s AND s.is_won)",
            SQL.identifier(alias, "stage_id"),
        )
        lost = SQL(
            "(NOT COALESCE(%s, TRUE) AND COALESCE(%s, 0) = 0)",
            SQL.identifier(alias, "active"),
            SQL.identifier(alias, "probability"),
        )
        return SQL(
            """(%(won)s OR %(lost)s) AS is_closed, %(won)s AS is_success,
               CASE WHEN %(won)s OR %(lost)s THEN COALESCE(%(closed)s, %(changed)s) END AS date_closed""",
            won=won,
            lost=lost,
            closed=SQL.identifier(alias, "date_closed"),
            changed=SQL.identifier(alias, "write_date"),
        )
