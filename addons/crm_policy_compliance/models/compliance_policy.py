from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base_process_guide.tools import module_uninstalling, refuse_emptied_scope


class CompliancePolicy(models.Model):
    """CRM scope of the policies: sales teams."""

    _inherit = "compliance.policy"

    # a CRM database configures lead policies first (the CRM menu's action says so too)
    model_name = fields.Selection(default="crm.lead")
    crm_team_ids = fields.Many2many(
        "crm.team", string="Sales Teams", check_company=True, help="Empty: every team."
    )

    @api.constrains("model_name", "crm_team_ids")
    def _check_crm_teams(self):
        for policy in self:
            if policy.crm_team_ids and policy.model_name != "crm.lead":
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: sales teams only apply to leads.", policy=policy.display_name
                    )
                )


class ComplianceLog(models.Model):
    _inherit = "compliance.log"

    crm_team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, index=True)


class ComplianceApprovalRequest(models.Model):
    _inherit = "compliance.approval.request"

    crm_team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, index=True)


class CrmTeam(models.Model):
    _inherit = "crm.team"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_sole_team_of_a_policy(self):
        if module_uninstalling(self.env):
            return
        refuse_emptied_scope(self.env["compliance.policy"], "crm_team_ids", self)
