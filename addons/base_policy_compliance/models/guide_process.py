from odoo import models


class GuideProcess(models.Model):
    _inherit = "guide.process"

    def _guide_scope_configurations(self):
        return [*super()._guide_scope_configurations(), "compliance.policy"]
