from odoo import fields, models


class EscalationLog(models.Model):
    _inherit = "escalation.log"

    helpdesk_team_id = fields.Many2one("helpdesk.ticket.team", readonly=True, index="btree_not_null")
