from odoo import api, models
from odoo.tools import SQL

# closed stages where a ticket is dropped rather than resolved
DROPPED_STAGES = (
    "helpdesk_mgmt.helpdesk_ticket_stage_cancelled",
    "helpdesk_mgmt.helpdesk_ticket_stage_rejected",
)


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    _guide_team_field = "team_id"

    # the outcome hooks as the process map's (p3) define them: the same contract
    @api.model
    def _guide_dropped_stage_ids(self):
        """Closed stages that drop a ticket (cancelled, rejected) rather than resolve it."""
        stages = [self.env.ref(xmlid, raise_if_not_found=False) for xmlid in DROPPED_STAGES]
        return tuple(stage.id for stage in stages if stage) or (0,)

    @api.model
    def _guide_outcome_sql(self, alias):
        # a stage created without ``closed`` holds NULL: open
        return SQL(
            "(SELECT CASE WHEN NOT COALESCE(st.closed, FALSE) THEN 'open' "
            "WHEN st.id IN %(dropped)s THEN 'dropped' ELSE 'success' END "
            "FROM helpdesk_ticket_stage st WHERE st.id = %(stage)s)",
            dropped=self._guide_dropped_stage_ids(),
            stage=SQL.identifier(alias, "stage_id"),
        )

    @api.model
    def _guide_closed_at_sql(self, alias):
        return SQL("%s", SQL.identifier(alias, "closed_date"))

    @api.model
    def _guide_outcome_depends(self):
        return {
            **super()._guide_outcome_depends(),
            "helpdesk.ticket": ["stage_id", "closed_date"],
            "helpdesk.ticket.stage": ["closed"],
        }
