from odoo import api, models

from odoo.addons.base_process_guide.models.mail_activity import MERGING_FLAG
from odoo.addons.base_process_guide.tools import engine_flag


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "guide.mixin"]
    _guide_manager_group = "sales_team.group_sale_manager"
    _guide_every_record_group = "sales_team.group_sale_salesman_all_leads"

    @api.model
    def _guide_process_depends(self):
        return [*super()._guide_process_depends(), "team_id", "type"]

    def _guide_match_scope(self, process):
        records = super()._guide_match_scope(process)
        if process["crm_team_ids"]:
            records = records.filtered(lambda lead: lead.team_id.id in process["crm_team_ids"])
        if process["lead_type"] != "both":
            records = records.filtered(lambda lead: lead.type == process["lead_type"])
        return records

    def _guide_may_match(self, vals, config):
        if not super()._guide_may_match(vals, config):
            return False
        if any(not process["crm_team_ids"] for process in config["processes"]):
            return True
        guided_teams = frozenset().union(*(process["crm_team_ids"] for process in config["processes"]))
        if "team_id" not in vals:
            return True  # the team may follow another field (a lead's salesperson or type)
        return vals["team_id"] in guided_teams

    def _guide_history_values(self):
        values = super()._guide_history_values()
        for res_id, team_id in zip(self._ids, self._guide_cached_values("team_id"), strict=True):
            values[res_id]["crm_team_id"] = team_id or False
        return values

    @api.model
    def _guide_held_vals(self, vals):
        """Without the values the CRM adds itself to a move, a win or a loss (dates, the
        automated probability, a read-only computation no user writes): its ``write`` adds
        them again when the held change is made."""
        held = super()._guide_held_vals(vals)
        for key in ("date_last_stage_update", "date_closed", "date_open", "automated_probability"):
            held.pop(key, None)
        return held

    @api.model
    def _guide_time_scope_domain(self):
        # won leads are done (lost ones are archived): time changes nothing for them
        return [*super()._guide_time_scope_domain(), ("stage_id.is_won", "=", False)]

    def _merge_dependences(self, opportunities):
        # the merged leads' checklist lines are deleted with them: their ticks are noted here;
        # the milestones they reached are reached here too
        self._guide_merge_note(opportunities)
        self._guide_merge_milestones(opportunities)
        # their activities move here: those optional tasks added tick no line of this lead
        with engine_flag(self.env, MERGING_FLAG):
            res = super()._merge_dependences(opportunities)
        # their messages are now this lead's: so are the events the conditions read of them
        self._guide_merge_message_events(opportunities)
        return res
