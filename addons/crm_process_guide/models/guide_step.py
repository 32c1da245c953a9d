from odoo import api, fields, models


class GuideStep(models.Model):
    _inherit = "guide.step"

    crm_stage_id = fields.Many2one("crm.stage", string="CRM Stage", ondelete="cascade")

    @api.model
    def _guide_stage_fields(self):
        return {**super()._guide_stage_fields(), "crm.lead": "crm_stage_id"}
