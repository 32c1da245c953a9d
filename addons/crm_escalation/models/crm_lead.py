from odoo import api, models


class CrmLead(models.Model):
    """CRM scope of the escalation engine: sales teams and their leaders."""

    _inherit = "crm.lead"

    @api.model
    def _escalation_depends(self):
        return super()._escalation_depends() | {"team_id", "type"}

    @api.model
    def _escalation_rule_search_domain(self, rule):
        domain = super()._escalation_rule_search_domain(rule)
        # archived teams still limit the rule (as in its cached values)
        teams = rule.with_context(active_test=False).crm_team_ids
        if teams:
            domain = [*domain, ("team_id", "in", teams._origin.ids)]
        return domain

    def _escalation_match_scope(self, rule_info):
        records = super()._escalation_match_scope(rule_info)
        if rule_info["crm_team_ids"]:
            records = records.filtered(lambda lead: lead.team_id.id in rule_info["crm_team_ids"])
        return records

    def _escalation_is_open(self):
        return super()._escalation_is_open().filtered(lambda lead: not lead.stage_id.is_won)

    def _escalation_records_action(self):
        # the user handed the lead over to someone they cannot follow: back to the
        # pipeline (or the leads) they came from; sudo only reads which one
        is_opportunity = self.sudo().type == "opportunity"
        xmlid = "crm.crm_lead_action_pipeline" if is_opportunity else "crm.crm_lead_all_leads"
        pipeline = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        return {**pipeline, "target": "main"}

    def _escalation_team_calendar(self):
        self.ensure_one()
        return self.team_id.resource_calendar_id or super()._escalation_team_calendar()

    def _escalation_team_leader(self):
        self.ensure_one()
        return self.team_id.user_id

    def _escalation_owner_vals(self, user):
        vals = super()._escalation_owner_vals(user)
        if self.team_id and user not in self.team_id.member_ids | self.team_id.user_id:
            # keep the team: crm.lead would move the lead to a team of the new salesperson
            vals["team_id"] = self.team_id.id
        return vals

    def _escalation_extra_vals(self, level):
        vals = super()._escalation_extra_vals(level)
        if level.crm_tag_ids:
            vals["tag_ids"] = [(4, tag.id) for tag in level.crm_tag_ids]
        return vals

    def _escalation_log_values(self):
        return {**super()._escalation_log_values(), "crm_team_id": self.team_id.id}

    def _escalation_clock_values(self):
        return {**super()._escalation_clock_values(), "crm_team_id": self.team_id.id}
