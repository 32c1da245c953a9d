from odoo import api, models


class HelpdeskTicket(models.Model):
    """Helpdesk scope of the escalation engine: helpdesk teams, their leaders and working hours."""

    _inherit = "helpdesk.ticket"

    @api.model
    def _escalation_depends(self):
        # the team scopes the rules; team, category, channel and priority choose the process
        return super()._escalation_depends() | {"team_id", "category_id", "channel_id", "priority"}

    @api.model
    def _escalation_rule_search_domain(self, rule):
        domain = super()._escalation_rule_search_domain(rule)
        # archived teams still limit the rule (as in its cached values)
        teams = rule.with_context(active_test=False).helpdesk_team_ids
        if teams:
            domain = [*domain, ("team_id", "in", teams._origin.ids)]
        return domain

    def _escalation_match_scope(self, rule_info):
        tickets = super()._escalation_match_scope(rule_info)
        if rule_info["helpdesk_team_ids"]:
            tickets = tickets.filtered(lambda ticket: ticket.team_id.id in rule_info["helpdesk_team_ids"])
        return tickets

    def _escalation_is_open(self):
        return super()._escalation_is_open().filtered(lambda ticket: not ticket.stage_id.closed)

    def _escalation_team_calendar(self):
        self.ensure_one()
        return self.team_id.resource_calendar_id or super()._escalation_team_calendar()

    def _escalation_team_leader(self):
        self.ensure_one()
        return self.team_id.user_id

    def _escalation_extra_vals(self, level):
        vals = super()._escalation_extra_vals(level)
        if level.helpdesk_tag_ids:
            vals["tag_ids"] = [(4, tag.id) for tag in level.helpdesk_tag_ids]
        return vals

    def _escalation_log_values(self):
        return {**super()._escalation_log_values(), "helpdesk_team_id": self.team_id.id}

    def _escalation_clock_values(self):
        return {**super()._escalation_clock_values(), "helpdesk_team_id": self.team_id.id}
