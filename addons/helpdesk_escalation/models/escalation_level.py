from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .escalation_rule import HELPDESK_MODEL


class EscalationLevel(models.Model):
    _inherit = "escalation.level"

    assign_helpdesk_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Helpdesk Team",
        domain="company_id and ['|', ('company_id', '=', False), ('company_id', '=', company_id)] or []",
    )
    helpdesk_tag_ids = fields.Many2many("helpdesk.ticket.tag", string="Add Ticket Tags")

    @api.constrains("assign_helpdesk_team_id", "helpdesk_tag_ids", "rule_id")
    def _check_helpdesk_assignment(self):
        # a constraint of its own: an override's fields replace those of the override before
        # it (crm_escalation's, when it loads after this module), which left these unchecked
        self._check_assignment()

    @api.constrains("assign_to", "assign_user_id", "assign_helpdesk_team_id", "helpdesk_tag_ids")
    def _check_assignment(self):
        for level in self:
            is_ticket = level.rule_id.model_name == HELPDESK_MODEL
            if (level.assign_helpdesk_team_id or level.helpdesk_tag_ids) and not is_ticket:
                raise ValidationError(
                    self.env._(
                        "Escalation level %(level)s: helpdesk teams and ticket tags only apply to tickets.",
                        level=level.name,
                    )
                )
            team = level.sudo().assign_helpdesk_team_id
            company = level.rule_id.company_id
            if company and team.company_id and team.company_id != company:
                # the engine would move the rule's tickets to a team of another company (the
                # tickets of a rule of every company are moved only to a team of theirs)
                raise ValidationError(
                    self.env._(
                        "Escalation level %(level)s: helpdesk team %(team)s belongs to %(other)s, not to "
                        "%(company)s, the company of rule %(rule)s.",
                        level=level.name,
                        team=team.name,
                        other=team.company_id.name,
                        company=company.name,
                        rule=level.rule_id.display_name,
                    )
                )
        return super()._check_assignment()

    def _escalation_assign_team(self):
        if self.rule_id.model_name == HELPDESK_MODEL:
            return self.assign_helpdesk_team_id
        return super()._escalation_assign_team()
