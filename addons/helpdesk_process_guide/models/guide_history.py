from odoo import fields, models


class GuideHistory(models.Model):
    _inherit = "guide.history"

    helpdesk_team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    helpdesk_category_id = fields.Many2one(
        "helpdesk.ticket.category", string="Ticket Category", readonly=True
    )
