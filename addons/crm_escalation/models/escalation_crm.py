"""The CRM scope of the escalation models: sales teams on rules, levels, clocks and log
rows, CRM tags on levels (``base_escalation`` knows no business app)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

LEAD_MODEL = "crm.lead"


class EscalationRule(models.Model):
    _inherit = "escalation.rule"

    model_name = fields.Selection(default=LEAD_MODEL)
    crm_team_ids = fields.Many2many(
        "crm.team", string="Sales Teams", check_company=True, help="Empty: every team."
    )

    @api.constrains("model_name", "crm_team_ids")
    def _check_teams(self):
        for rule in self:
            if rule.crm_team_ids and rule.model_name != LEAD_MODEL:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s: sales teams only apply to leads.", rule=rule.display_name
                    )
                )
            rule.level_ids._check_assignment()  # the levels' teams and tags follow the model

    def _escalation_rule_values(self):
        return {
            **super()._escalation_rule_values(),
            "crm_team_ids": frozenset(self.with_context(active_test=False).crm_team_ids.ids),
        }


class EscalationLevel(models.Model):
    _inherit = "escalation.level"

    assign_crm_team_id = fields.Many2one("crm.team", string="Team", check_company=True)
    crm_tag_ids = fields.Many2many("crm.tag", string="Add Tags")

    @api.constrains("assign_crm_team_id", "crm_tag_ids", "rule_id")
    def _check_crm_assignment(self):
        # a constraint of its own: an override's fields replace those of the override before
        # it (helpdesk_escalation's, when it loads after this module), which left these unchecked
        self._check_assignment()

    @api.constrains("assign_to", "assign_user_id", "assign_crm_team_id", "crm_tag_ids")
    def _check_assignment(self):
        for level in self:
            if (level.assign_crm_team_id or level.crm_tag_ids) and level.rule_id.model_name != LEAD_MODEL:
                raise ValidationError(
                    self.env._(
                        "Escalation level %(level)s: sales teams and CRM tags only apply to leads.",
                        level=level.name,
                    )
                )
        return super()._check_assignment()

    def _escalation_assign_team(self):
        if self.rule_id.model_name == LEAD_MODEL:
            return self.assign_crm_team_id
        return super()._escalation_assign_team()


class EscalationClock(models.Model):
    _inherit = "escalation.clock"

    crm_team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, index="btree_not_null")


class EscalationLog(models.Model):
    _inherit = "escalation.log"

    crm_team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, index=True)
