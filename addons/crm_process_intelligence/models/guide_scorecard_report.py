from odoo import api, fields, models
from odoo.tools import SQL


class GuideScorecardReport(models.Model):
    _inherit = "guide.scorecard.report"

    crm_team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)

    @api.model
    def _guide_scorecard_extra_columns(self):
        return super()._guide_scorecard_extra_columns() + [
            SQL("CASE WHEN s.res_model = 'crm.lead' THEN rec.team_id END AS crm_team_id")
        ]


class GuideEffectivenessReport(models.Model):
    # inherited so that installing the bridge rebuilds the view with the leads' outcome
    _inherit = "guide.effectiveness.report"


class GuideEffectivenessSummary(models.Model):
    # inherited so that installing the bridge rebuilds the view with the leads' outcome
    _inherit = "guide.effectiveness.summary"
