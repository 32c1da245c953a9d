from odoo import api, fields, models
from odoo.tools import SQL


class GuideScorecardReport(models.Model):
    _inherit = "guide.scorecard.report"
    _depends = {
        "crm.lead": [
            "guide_process_id",
            "company_id",
            "user_id",
            "team_id",
            "stage_id",
            "active",
            "probability",
            "date_closed",
        ],
        "crm.stage": ["is_won"],
    }

    crm_team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)

    @api.model
    def _guide_scorecard_extra_columns(self):
        return super()._guide_scorecard_extra_columns() + [
            SQL("CASE WHEN s.res_model = 'crm.lead' THEN rec.team_id END AS crm_team_id")
        ]


class GuideEffectivenessReport(models.Model):
    # inherited so that installing the bridge rebuilds the view with the leads' outcome (and flushes them)
    _inherit = "guide.effectiveness.report"
    _depends = {
        "crm.lead": [
            "guide_process_id",
            "company_id",
            "user_id",
            "team_id",
            "stage_id",
            "active",
            "probability",
            "date_closed",
        ],
        "crm.stage": ["is_won"],
    }


class GuideEffectivenessSummary(models.Model):
    # inherited so that installing the bridge rebuilds the view with the leads' outcome (and flushes them)
    _inherit = "guide.effectiveness.summary"
    _depends = {
        "crm.lead": [
            "guide_process_id",
            "company_id",
            "user_id",
            "team_id",
            "stage_id",
            "active",
            "probability",
            "date_closed",
        ],
        "crm.stage": ["is_won"],
    }
