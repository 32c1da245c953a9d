from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _guide_company_configurations(self):
        return [*super()._guide_company_configurations(), "compliance.policy"]
