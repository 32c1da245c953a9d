from odoo import fields, models


class EscalationClock(models.Model):
    _inherit = "escalation.clock"

    helpdesk_team_id = fields.Many2one("helpdesk.ticket.team", readonly=True, index="btree_not_null")
