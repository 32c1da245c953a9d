from odoo import api, models

from odoo.addons.base_policy_compliance.models.compliance_policy import FLAG_LOST_VALUES
from odoo.addons.base_process_guide.tools import engine_flag, refuse_missing


class CrmLead(models.Model):
    """CRM side of the policies: sales teams, team leaders, won and lost."""

    _inherit = "crm.lead"

    @api.model
    def _policy_triggers(self):
        return super()._policy_triggers() | {"won", "lost"}

    @api.model
    def _policy_scope_values(self, policy):
        return {
            **super()._policy_scope_values(policy),
            "crm_team_ids": frozenset(policy.with_context(active_test=False).crm_team_ids._origin.ids),
        }

    def _policy_scope_domain(self, policy_info):
        domain = super()._policy_scope_domain(policy_info)
        if policy_info.get("crm_team_ids"):
            domain.append(("team_id", "in", list(policy_info["crm_team_ids"])))
        return domain

    def _policy_team_leader(self):
        self.ensure_one()
        return self.team_id.user_id

    def _policy_log_values(self):
        return {**super()._policy_log_values(), "crm_team_id": self.team_id.id}

    def _policy_log_columns(self):
        return {**super()._policy_log_columns(), "crm_team_id": "team_id"}

    def _policy_events(self, vals, config):
        events = super()._policy_events(vals, config)
        triggers = {info["trigger"] for info in config["policies"]}
        if "won" in triggers and vals.get("stage_id"):
            if self.env["crm.stage"].browse(vals["stage_id"]).is_won:
                winning = self.filtered(lambda lead: not lead.stage_id.is_won or not lead.active)
                if winning:
                    events["won"] = winning
        if "lost" in triggers and "active" in vals and not vals["active"]:
            losing = self.filtered("active")
            if losing:
                events["lost"] = losing
        return events

    def _policy_transition_events(self, transitions, config):
        events = super()._policy_transition_events(transitions, config)
        # won or lost outside the process, then brought into it (team, type...): a win or a
        # loss in its scope
        entering = self.browse([info["record"].id for info in transitions if info["entering"]])
        events.update(entering._policy_outcome_events(config))
        return events

    def _policy_creation_events(self, config):
        events = super()._policy_creation_events(config)
        events.update(self._policy_outcome_events(config))
        return events

    def _policy_outcome_events(self, config):
        """The leads of ``self`` that arrive already won or lost (created, imported or
        duplicated so, or brought into the scope of the policies so): {event: leads}. A lead
        created archived is a lead marked lost, as one created in a won stage is won."""
        triggers = {info["trigger"] for info in config["policies"]}
        events = {}
        if "won" in triggers:
            won = self.filtered(lambda lead: lead.stage_id.is_won)
            if won:
                events["won"] = won
        if "lost" in triggers:
            lost = self.filtered(lambda lead: not lead.active)
            if lost:
                events["lost"] = lost
        return events

    def _compliance_change_head(self, event, vals):
        if self._compliance_change_wins(event, vals):
            return self.env._("Mark %(record)s as won", record=self.display_name)
        if event == "lost":
            return self.env._("Mark %(record)s as lost", record=self.display_name)
        return super()._compliance_change_head(event, vals)

    def _compliance_change_head_fields(self, event, vals):
        described = super()._compliance_change_head_fields(event, vals)
        if event == "lost":
            return described | {"active", "probability"}
        stage = self.env["crm.stage"].browse(vals.get("stage_id") or []).exists()
        if self._compliance_change_wins(event, vals) or stage.is_won:
            # the CRM sets the probability of a won lead (100) itself
            return described | {"probability"}
        return described

    def _compliance_change_wins(self, event, vals):
        """Whether the change submitted for the event ``won`` marks the lead won (as
        ``_compliance_apply_change`` applies it): a client may send the event with a move
        to another stage, which its label must not call a win."""
        if event != "won":
            return False
        if set(vals) <= {"stage_id", "probability"}:
            return True
        stage = self.env["crm.stage"].browse(vals.get("stage_id") or []).exists()
        return bool(stage) and stage.is_won

    def _compliance_apply_change(self, event, vals):
        if event == "lost":
            return self.action_set_lost(**{key: value for key, value in vals.items() if key != "active"})
        if event == "won" and set(vals) <= {"stage_id", "probability"}:
            return self.action_set_won()
        return super()._compliance_apply_change(event, vals)

    def action_set_lost(self, **additional_values):
        """Write the lost values (lost reason) before archiving, so that the policies checked
        when a lead is marked lost see them, and keep them with a change held for approval.

        Returns ``True`` where the CRM returns nothing (its archiving answers ``None``,
        which XML-RPC cannot carry)."""
        refuse_missing(self, "write")
        if additional_values:
            self.write(dict(additional_values))
        with engine_flag(self.env, FLAG_LOST_VALUES, additional_values):
            res = super().action_set_lost()
        return True if res is None else res
