from odoo import api, fields, models
from odoo.exceptions import ValidationError

HELPDESK_MODEL = "helpdesk.ticket"


class EscalationRule(models.Model):
    _inherit = "escalation.rule"

    helpdesk_team_ids = fields.Many2many(
        "helpdesk.ticket.team",
        string="Helpdesk Teams",
        domain="company_id and ['|', ('company_id', '=', False), ('company_id', '=', company_id)] or []",
        help="Only tickets of these teams (empty: every team).",
    )

    @api.constrains("model_name", "helpdesk_team_ids", "company_id")
    def _check_helpdesk_teams(self):
        for rule in self:
            if rule.helpdesk_team_ids and rule.model_name != HELPDESK_MODEL:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s: helpdesk teams only apply to tickets.",
                        rule=rule.display_name,
                    )
                )
            foreign = rule.helpdesk_team_ids.filtered(
                lambda team, rule=rule: rule.company_id
                and team.company_id
                and team.company_id != rule.company_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s: helpdesk teams %(teams)s belong to another company.",
                        rule=rule.display_name,
                        teams=", ".join(foreign.mapped("display_name")),
                    )
                )
            rule.level_ids._check_assignment()  # the levels' teams and tags follow the model

    def _escalation_rule_values(self):
        return {
            **super()._escalation_rule_values(),
            "helpdesk_team_ids": frozenset(self.with_context(active_test=False).helpdesk_team_ids.ids),
        }
