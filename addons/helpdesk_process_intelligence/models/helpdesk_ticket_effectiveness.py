from odoo import api, models
from odoo.tools import SQL


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    _guide_team_field = "team_id"

    @api.model
    def _guide_outcome_depends(self):
        return {
            **super()._guide_outcome_depends(),
            "helpdesk.ticket": ["stage_id", "closed_date"],
            "helpdesk.ticket.stage": ["closed"],
        }

    @api.model
    def _guide_outcome_sql(self, alias):
        """A ticket is closed in a closing stage, on ``closed_date``; closing is its only
        outcome (no success rate)."""
        closed = SQL(
            "EXISTS (SELECT 1 FROM helpdesk_ticket_stage s WHERE s.id = %s AND s.closed)",
            SQL.identifier(alias, "stage_id"),
        )
        return SQL(
            """%(closed)s AS is_closed, NULL::boolean AS is_success,
               CASE WHEN %(closed)s THEN COALESCE(%(closed_date)s, %(changed)s) END AS date_closed""",
            closed=closed,
            closed_date=SQL.identifier(alias, "closed_date"),
            changed=SQL.identifier(alias, "write_date"),
        )
