from odoo import api, fields, models

from .escalation_clock import OPEN_STATES


class EscalationRule(models.Model):
    _inherit = "escalation.rule"

    met_milestone_ids = fields.Many2many(
        "guide.milestone",
        "escalation_rule_met_milestone_rel",
        "rule_id",
        "milestone_id",
        string="Met by Milestones",
        domain="[('model_name', '=', model_name)]",
        help="The rule is met (its clock stops for good) when the record reaches one of these "
        "milestones, e.g. a first-response rule met by First reply sent.",
    )

    @api.constrains("model_name", "process_id", "met_milestone_ids")
    def _check_met_milestones(self):
        self._guide_check_scope("met_milestone_ids")

    def _escalation_rule_values(self):
        return {
            **super()._escalation_rule_values(),
            "met_milestone_ids": frozenset(self.met_milestone_ids.ids),
        }


class EscalationClock(models.Model):
    _inherit = "escalation.clock"

    def _escalation_sync_action(self, record, rule_info, in_scope, is_live, start):
        # a record that reached a milestone meeting the rule: met for good (no new episode)
        met = rule_info.get("met_milestone_ids")
        if met and in_scope and not met.isdisjoint(record.guide_milestone_ids.ids):
            return "meet" if self and self.state in OPEN_STATES else None
        return super()._escalation_sync_action(record, rule_info, in_scope, is_live, start)


class GuideMilestone(models.Model):
    _inherit = "guide.milestone"

    def _guide_milestone_rule_fields(self):
        return [*super()._guide_milestone_rule_fields(), ("escalation.rule", "met_milestone_ids")]
