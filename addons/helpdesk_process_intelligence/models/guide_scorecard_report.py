from odoo import api, fields, models
from odoo.tools import SQL


class GuideScorecardReport(models.Model):
    _inherit = "guide.scorecard.report"
    _depends = {
        "helpdesk.ticket": [
            "guide_process_id",
            "company_id",
            "user_id",
            "team_id",
            "stage_id",
            "closed_date",
        ],
        "helpdesk.ticket.stage": ["closed"],
    }

    helpdesk_team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)

    @api.model
    def _guide_scorecard_extra_columns(self):
        return super()._guide_scorecard_extra_columns() + [
            SQL("CASE WHEN s.res_model = 'helpdesk.ticket' THEN rec.team_id END AS helpdesk_team_id")
        ]


class GuideEffectivenessReport(models.Model):
    # inherited so that installing the bridge rebuilds the view with the tickets' outcome (and flushes them)
    _inherit = "guide.effectiveness.report"
    _depends = {
        "helpdesk.ticket": [
            "guide_process_id",
            "company_id",
            "user_id",
            "team_id",
            "stage_id",
            "closed_date",
        ],
        "helpdesk.ticket.stage": ["closed"],
    }


class GuideEffectivenessSummary(models.Model):
    # inherited so that installing the bridge rebuilds the view with the tickets' outcome (and flushes them)
    _inherit = "guide.effectiveness.summary"
    _depends = {
        "helpdesk.ticket": [
            "guide_process_id",
            "company_id",
            "user_id",
            "team_id",
            "stage_id",
            "closed_date",
        ],
        "helpdesk.ticket.stage": ["closed"],
    }
