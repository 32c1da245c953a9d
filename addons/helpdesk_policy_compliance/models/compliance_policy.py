from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base_process_guide.tools import module_uninstalling, refuse_emptied_scope


class CompliancePolicy(models.Model):
    _inherit = "compliance.policy"

    helpdesk_team_ids = fields.Many2many(
        "helpdesk.ticket.team",
        string="Helpdesk Teams",
        domain="company_id and ['|', ('company_id', '=', False), ('company_id', '=', company_id)] or []",
        help="Empty: every team.",
    )

    @api.constrains("model_name", "helpdesk_team_ids", "company_id")
    def _check_helpdesk_teams(self):
        for policy in self:
            if policy.helpdesk_team_ids and policy.model_name != "helpdesk.ticket":
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: helpdesk teams only apply to tickets.", policy=policy.display_name
                    )
                )
        # a company's policy is limited to helpdesk teams of its company (or of none)
        self._guide_check_company_of(("helpdesk_team_ids",))


class ComplianceLog(models.Model):
    _inherit = "compliance.log"

    helpdesk_team_id = fields.Many2one("helpdesk.ticket.team", readonly=True, index=True)


class ComplianceApprovalRequest(models.Model):
    _inherit = "compliance.approval.request"

    helpdesk_team_id = fields.Many2one("helpdesk.ticket.team", readonly=True, index=True)


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_sole_team_of_a_policy(self):
        if module_uninstalling(self.env):
            return
        refuse_emptied_scope(self.env["compliance.policy"], "helpdesk_team_ids", self)
