from odoo import api, models


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "guide.mixin"]
    _guide_manager_group = "helpdesk_mgmt.group_helpdesk_manager"

    @api.model
    def _guide_process_depends(self):
        return [*super()._guide_process_depends(), "team_id", "category_id", "channel_id", "priority"]

    def _guide_match_scope(self, process):
        tickets = super()._guide_match_scope(process)
        if process["helpdesk_team_ids"]:
            tickets = tickets.filtered(lambda t: t.team_id.id in process["helpdesk_team_ids"])
        if process["helpdesk_category_ids"]:
            tickets = tickets.filtered(lambda t: t.category_id.id in process["helpdesk_category_ids"])
        if process["helpdesk_channel_ids"]:
            tickets = tickets.filtered(lambda t: t.channel_id.id in process["helpdesk_channel_ids"])
        if process["helpdesk_min_priority"]:
            tickets = tickets.filtered(lambda t: (t.priority or "0") >= process["helpdesk_min_priority"])
        return tickets

    def _guide_may_match(self, vals, config):
        if not super()._guide_may_match(vals, config):
            return False
        if any(not process["helpdesk_team_ids"] for process in config["processes"]):
            return True
        guided_teams = frozenset().union(*(process["helpdesk_team_ids"] for process in config["processes"]))
        if "team_id" not in vals:
            return True  # the team may follow another field (a lead's salesperson or type)
        return vals["team_id"] in guided_teams

    def _guide_history_values(self):
        values = super()._guide_history_values()
        teams = self._guide_cached_values("team_id")
        categories = self._guide_cached_values("category_id")
        for res_id, team_id, category_id in zip(self._ids, teams, categories, strict=True):
            values[res_id].update(
                helpdesk_team_id=team_id or False, helpdesk_category_id=category_id or False
            )
        return values

    @api.model
    def _guide_time_scope_domain(self):
        # closed tickets are done: time changes nothing for them
        return [*super()._guide_time_scope_domain(), ("stage_id.closed", "=", False)]
