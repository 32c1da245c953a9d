from odoo import api, fields, models
from odoo.exceptions import ValidationError

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
        for rule in self:
            foreign = rule.met_milestone_ids.filtered(
                lambda milestone, rule=rule: milestone.model_name != rule.model_name
                or (rule.process_id and milestone.process_id != rule.process_id)
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s: milestones %(milestones)s are outside the rule's model "
                        "or process.",
                        rule=rule.display_name,
                        milestones=", ".join(foreign.mapped("name")),
                    )
                )

    def _escalation_rule_values(self):
        return {**super()._escalation_rule_values(), "met_milestone_ids": frozenset(self.met_milestone_ids.ids)}


class EscalationClock(models.Model):
    _inherit = "escalation.clock"

    def _escalation_sync_action(self, record, rule_info, in_scope, is_live, start):
        # a record that reached a milestone meeting the rule: met for good (no new episode)
        met = rule_info.get("met_milestone_ids")
        if met and in_scope and not met.isdisjoint(record.guide_milestone_ids.ids):
            return "meet" if self and self.state in OPEN_STATES else None
        return super()._escalation_sync_action(record, rule_info, in_scope, is_live, start)


class GuideMixin(models.AbstractModel):
    _inherit = "guide.mixin"

    def _guide_milestones_reached(self, rows):
        res = super()._guide_milestones_reached(rows)
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        milestone_ids = set(rows.milestone_id.ids)
        rule_ids = {
            info["id"] for info in config["rules"] if not info["met_milestone_ids"].isdisjoint(milestone_ids)
        }
        if rule_ids:
            self._escalation_sync(rule_ids=rule_ids, existing=True)
        return res

    def _guide_after_event(self, fnames):
        res = super()._guide_after_event(fnames)
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        if self and config["fields"] & set(fnames):
            self._escalation_sync(existing=True)
        return res
