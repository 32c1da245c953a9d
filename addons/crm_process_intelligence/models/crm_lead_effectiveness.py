from odoo import api, models
from odoo.tools import SQL


class CrmLead(models.Model):
    _inherit = "crm.lead"

    _guide_team_field = "team_id"

    # the outcome hooks as the process map's (p3) define them: the same contract
    @api.model
    def _guide_outcome_sql(self, alias):
        # won: active at 100 % (a won stage); lost: archived at 0 % (crm's lost)
        return SQL(
            "CASE WHEN %(a)s.active AND %(a)s.probability >= 100 THEN 'success' "
            "WHEN NOT %(a)s.active AND COALESCE(%(a)s.probability, 0) = 0 THEN 'dropped' "
            "ELSE 'open' END",
            a=SQL.identifier(alias),
        )

    @api.model
    def _guide_closed_at_sql(self, alias):
        return SQL("%s", SQL.identifier(alias, "date_closed"))

    @api.model
    def _guide_outcome_depends(self):
        return {
            **super()._guide_outcome_depends(),
            "crm.lead": ["active", "probability", "date_closed"],
        }
