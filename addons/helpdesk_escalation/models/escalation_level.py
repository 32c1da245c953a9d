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
        return super()._check_assignment()

    def _escalation_assign_team(self):
        if self.rule_id.model_name == HELPDESK_MODEL:
            return self.assign_helpdesk_team_id
        return super()._escalation_assign_team()
