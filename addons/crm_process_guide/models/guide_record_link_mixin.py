from odoo import models


class GuideRecordLinkMixin(models.AbstractModel):
    """Rows that point at a guided record (``res_model``/``res_id``): history, deviations,
    feedback, escalation and compliance logs open that record from their views."""

    _name = "guide.record.link.mixin"
    _description = "Link to a Guided Record"

    def action_open_record(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
