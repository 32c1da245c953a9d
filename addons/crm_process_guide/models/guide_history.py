from odoo import fields, models


class GuideHistory(models.Model):
    _inherit = "guide.history"

    crm_team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
