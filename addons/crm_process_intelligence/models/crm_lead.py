from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL


class CrmLead(models.Model):
    _inherit = "crm.lead"

    _guide_team_field = "team_id"

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

    @api.model
    def _guide_team_history_field(self):
        return "crm_team_id"

    @api.model
    def _pi_figure_groups(self):
        return ("sales_team.group_sale_salesman",)

    @api.model
    def _pi_people_manager_groups(self):
        return ("sales_team.group_sale_manager",)

    @api.model
    def _pi_led_user_ids(self):
        teams = self.env["crm.team"].sudo().search([("user_id", "=", self.env.uid)])
        return set(teams.member_ids.ids)

    @api.model
    def _guide_outcome_labels(self):
        return {"success": self.env._("Won"), "dropped": self.env._("Lost")}

    # ------------------------------------------------------------
    # DEMO
    # ------------------------------------------------------------
    @api.model
    def _pi_demo_record_vals(self, process, index, rng):
        companies = ["Azure", "Deco", "Gemini", "Lumber", "Ready Mat", "Wood Corner", "Nova", "Atlas"]
        needs = ["office furniture", "desks renewal", "meeting rooms", "storage", "chairs", "open space"]
        team = process.crm_team_ids[:1]
        users = team.member_ids or self.env.ref("base.user_admin")
        return {
            "name": f"{rng.choice(companies)} — {rng.choice(needs)} (#{index + 1})",
            "type": "opportunity",
            "team_id": team.id,
            "user_id": rng.choice(users).id,
            "expected_revenue": rng.randrange(2, 60) * 1000,
        }

    @api.model
    def _pi_demo_stage_date_field(self):
        return "date_last_stage_update"

    def _pi_demo_close(self, outcome, last_date):
        if outcome:
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_lead SET active = %s, probability = %s, date_closed = %s WHERE id = %s",
                    outcome == "success",
                    100 if outcome == "success" else 0,
                    last_date + timedelta(hours=2),
                    self.id,
                )
            )
        return True
