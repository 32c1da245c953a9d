from odoo import api, fields, models
from odoo.exceptions import ValidationError

CRM_MODEL = "crm.lead"


class GuideProcess(models.Model):
    _inherit = "guide.process"

    crm_team_ids = fields.Many2many(
        "crm.team", string="Sales Teams", help="Leave empty to apply to every sales team.", check_company=True
    )
    lead_type = fields.Selection(
        [("both", "Leads and Opportunities"), ("lead", "Leads"), ("opportunity", "Opportunities")],
        default="both",
        required=True,
    )

    @api.constrains("model_name", "crm_team_ids", "lead_type")
    def _check_crm_scope(self):
        for process in self:
            if process.model_name != CRM_MODEL and (process.crm_team_ids or process.lead_type != "both"):
                raise ValidationError(
                    self.env._(
                        "Process %(process)s: sales teams and lead type only apply to leads.",
                        process=process.display_name,
                    )
                )

    @api.model
    def _guide_default_model_name(self):
        # leads stay the default of a new process, as before the engine had bridges
        return CRM_MODEL

    @api.model
    def _guide_scope_fields(self):
        return super()._guide_scope_fields() | {"crm_team_ids", "lead_type"}

    def _guide_scope_domain(self):
        domain = super()._guide_scope_domain()
        if self.model_name != CRM_MODEL:
            return domain
        teams = self._guide_crm_teams()
        if teams:
            domain.append(("team_id", "in", teams.ids))
        if self.lead_type != "both":
            domain.append(("type", "=", self.lead_type))
        return domain

    def _guide_scope_values(self):
        return {
            **super()._guide_scope_values(),
            "crm_team_ids": frozenset(self._guide_crm_teams().ids),
            "lead_type": self.lead_type,
        }

    def _guide_crm_teams(self):
        """The sales teams the process is limited to, archived ones included: archiving a
        team does not make its process apply to every team."""
        return self.with_context(active_test=False).crm_team_ids
