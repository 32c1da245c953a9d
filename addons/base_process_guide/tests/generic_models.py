"""Test-only models (odoo-test-helper's FakeModelLoader): a model with a stage that
no business app knows, guided by the engine alone."""

from odoo import api, fields, models


class GuideTestStage(models.Model):
    _name = "guide.test.stage"
    _description = "Guide Test Stage"
    _order = "sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)


class GuideTestRecord(models.Model):
    _name = "guide.test.record"
    _inherit = ["mail.thread", "guide.mixin"]
    _description = "Guide Test Record"

    name = fields.Char(required=True)
    stage_id = fields.Many2one("guide.test.stage", tracking=True)
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    amount = fields.Float()


class GuideStep(models.Model):
    _inherit = "guide.step"

    test_stage_id = fields.Many2one("guide.test.stage", ondelete="cascade")

    @api.model
    def _guide_stage_fields(self):
        return {**super()._guide_stage_fields(), "guide.test.record": "test_stage_id"}
