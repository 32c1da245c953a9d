"""A test-only outcome on the engine's test-only guided model (FakeModelLoader)."""

from odoo import api, fields, models
from odoo.tools import SQL


class GuideTestRecord(models.Model):
    _inherit = "guide.test.record"

    outcome = fields.Selection([("success", "Done"), ("dropped", "Abandoned")])
    closed_at = fields.Datetime()

    @api.model
    def _guide_outcome_sql(self, alias):
        return SQL("COALESCE(%s, 'open')", SQL.identifier(alias, "outcome"))

    @api.model
    def _guide_closed_at_sql(self, alias):
        return SQL("%s", SQL.identifier(alias, "closed_at"))
