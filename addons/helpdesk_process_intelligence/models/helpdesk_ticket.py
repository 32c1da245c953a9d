from datetime import timedelta

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

    @api.model
    def _guide_team_history_field(self):
        return "helpdesk_team_id"

    @api.model
    def _pi_figure_groups(self):
        return ("helpdesk_mgmt.group_helpdesk_user_own",)

    @api.model
    def _pi_people_manager_groups(self):
        return ("helpdesk_mgmt.group_helpdesk_manager",)

    @api.model
    def _pi_led_user_ids(self):
        teams = self.env["helpdesk.ticket.team"].sudo().search([("user_id", "=", self.env.uid)])
        return set(teams.user_ids.ids)

    @api.model
    def _guide_outcome_labels(self):
        return {"success": self.env._("Resolved"), "dropped": self.env._("Cancelled")}

    # ------------------------------------------------------------
    # DEMO
    # ------------------------------------------------------------
    @api.model
    def _pi_demo_record_vals(self, process, index, rng):
        issues = [
            "Cannot log in",
            "Invoice missing",
            "Printer offline",
            "Password reset",
            "Wrong delivery address",
            "Slow dashboard",
            "Export fails",
            "Refund request",
        ]
        team = process.helpdesk_team_ids[:1]
        users = team.user_ids or self.env.ref("base.user_admin")
        name = f"{rng.choice(issues)} (#{index + 1})"
        return {
            "name": name,
            "description": f"<p>{name}</p>",
            "team_id": team.id,
            "user_id": rng.choice(users).id,
        }

    @api.model
    def _pi_demo_stage_date_field(self):
        return "last_stage_update"

    def _pi_demo_close(self, outcome, last_date):
        closed_at = last_date + timedelta(hours=1)
        if outcome == "success":
            self.env.cr.execute(
                SQL("UPDATE helpdesk_ticket SET closed_date = %s WHERE id = %s", closed_at, self.id)
            )
        elif outcome == "dropped":
            cancelled = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_cancelled")
            # the cancelled stage is no step of the process: the ticket leaves its step
            self.env.cr.execute(
                SQL(
                    "UPDATE helpdesk_ticket SET stage_id = %s, closed_date = %s, guide_step_id = NULL, "
                    "guide_item_done = 0, guide_item_total = 0, guide_progress = 0, guide_blocked = FALSE "
                    "WHERE id = %s",
                    cancelled.id,
                    closed_at,
                    self.id,
                )
            )
            self.invalidate_recordset()
        else:
            self.env.cr.execute(SQL("UPDATE helpdesk_ticket SET closed_date = NULL WHERE id = %s", self.id))
        return True
