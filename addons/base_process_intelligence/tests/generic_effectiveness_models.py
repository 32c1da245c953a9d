"""Test-only models (odoo-test-helper's FakeModelLoader): a model with a stage that no
business app knows, with an outcome (a closing stage) for process intelligence."""

from odoo import api, fields, models
from odoo.tools import SQL


class GuideTestStage(models.Model):
    _name = "guide.test.stage"
    _description = "Guide Test Stage"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    closing = fields.Boolean()


class GuideTestRecord(models.Model):
    _name = "guide.test.record"
    _inherit = ["mail.thread", "guide.mixin"]
    _description = "Guide Test Record"

    name = fields.Char(required=True)
    stage_id = fields.Many2one("guide.test.stage")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    date_closed = fields.Datetime()

    @api.model
    def _guide_outcome_sql(self, alias):
        return SQL(
            "CASE WHEN EXISTS (SELECT 1 FROM guide_test_stage s WHERE s.id = %s AND s.closing) "
            "THEN 'success' ELSE 'open' END",
            SQL.identifier(alias, "stage_id"),
        )

    @api.model
    def _guide_closed_at_sql(self, alias):
        return SQL("%s", SQL.identifier(alias, "date_closed"))


class GuideStep(models.Model):
    _inherit = "guide.step"

    test_stage_id = fields.Many2one("guide.test.stage", ondelete="cascade")

    @api.model
    def _guide_stage_fields(self):
        return {**super()._guide_stage_fields(), "guide.test.record": "test_stage_id"}
