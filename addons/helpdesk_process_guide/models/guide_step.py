from odoo import api, fields, models


class GuideStep(models.Model):
    _inherit = "guide.step"

    helpdesk_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        ondelete="cascade",
        domain="company_id and ['|', ('company_id', '=', False), ('company_id', '=', company_id)] or []",
    )

    @api.model
    def _guide_stage_fields(self):
        return {**super()._guide_stage_fields(), "helpdesk.ticket": "helpdesk_stage_id"}

    @api.constrains("helpdesk_stage_id", "process_id")
    def _check_helpdesk_stage_company(self):
        """A step of a company's process is on a ticket stage of its company (or of none)."""
        self._guide_check_company_of(("helpdesk_stage_id",))
