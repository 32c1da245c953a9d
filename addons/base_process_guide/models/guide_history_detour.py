from odoo import fields, models


class GuideHistory(models.Model):
    """Detours in the history: a row when a record enters an alternate step, one when it
    leaves it (with the time spent there, counted as one detour)."""

    _inherit = "guide.history"

    direction = fields.Selection(
        selection_add=[("detour", "Alternate Step Entered"), ("return", "Alternate Step Left")],
        ondelete={"detour": "cascade", "return": "cascade"},
    )
    alt_step_id = fields.Many2one(
        "guide.step", string="Alternate Step", readonly=True, index="btree_not_null", ondelete="set null"
    )
    alt_step_name = fields.Char(string="Alternate Step Name", readonly=True)
    detour_count = fields.Integer(string="Detours", readonly=True, aggregator="sum")
