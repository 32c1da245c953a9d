from odoo import api, models
from odoo.tools import SQL


class CrmLead(models.Model):
    _inherit = "crm.lead"

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
    def _guide_team_history_field(self):
        return "crm_team_id"

    @api.model
    def _guide_outcome_labels(self):
        return {"success": self.env._("Won"), "dropped": self.env._("Lost")}
