from odoo import api, fields, models


class GuideStep(models.Model):
    _inherit = "guide.step"

    helpdesk_stage_id = fields.Many2one("helpdesk.ticket.stage", ondelete="cascade")

    @api.model
    def _guide_stage_fields(self):
        return {**super()._guide_stage_fields(), "helpdesk.ticket": "helpdesk_stage_id"}
