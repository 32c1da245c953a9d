from odoo import api, models


class HelpdeskTicket(models.Model):
    """Helpdesk side of the policies: helpdesk teams and their leaders."""

    _inherit = "helpdesk.ticket"

    @api.model
    def _policy_scope_values(self, policy):
        return {
            **super()._policy_scope_values(policy),
            "helpdesk_team_ids": frozenset(
                policy.with_context(active_test=False).helpdesk_team_ids._origin.ids
            ),
        }

    def _policy_scope_domain(self, policy_info):
        domain = super()._policy_scope_domain(policy_info)
        if policy_info.get("helpdesk_team_ids"):
            domain.append(("team_id", "in", list(policy_info["helpdesk_team_ids"])))
        return domain

    def _policy_team_leader(self):
        self.ensure_one()
        return self.team_id.user_id

    def _policy_log_values(self):
        return {**super()._policy_log_values(), "helpdesk_team_id": self.team_id.id}

    def _policy_log_columns(self):
        return {**super()._policy_log_columns(), "helpdesk_team_id": "team_id"}
