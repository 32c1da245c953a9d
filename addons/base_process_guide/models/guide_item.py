from odoo import api, fields, models

from ..tools import MAX_NAME, MAX_TEXT


class GuideItem(models.Model):
    _name = "guide.item"
    _inherit = [
        "guide.condition.mixin",
        "guide.config.mixin",
        "guide.shared.scope.mixin",
        "guide.step.row.mixin",
    ]
    _guide_company_path = "step_id.process_id.company_id"
    _description = "Checklist Item"
    _order = "step_id, sequence, id"
    _guide_domain_fields = ("apply_domain", "auto_domain")
    _guide_bounded_fields = {"name": MAX_NAME, "description": MAX_TEXT}

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(string="Title", required=True, translate=True)
    description = fields.Text(string="Help", translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    step_id = fields.Many2one("guide.step", required=True, ondelete="cascade", index=True)
    process_id = fields.Many2one(related="step_id.process_id", store=True, index=True)
    model_name = fields.Selection(related="step_id.model_name", store=True)
    company_id = fields.Many2one(related="step_id.company_id", store=True)
    mandatory = fields.Boolean(default=True, help="Mandatory items gate leaving the step forward.")
    completion = fields.Selection(
        [("manual", "Ticked by a person"), ("auto", "Automatic")],
        default="manual",
        required=True,
        help="Automatic items are done while their condition holds on the record; nobody ticks them by hand.",
    )
    apply_domain = fields.Char(
        string="Applies When",
        help="The item only applies to records matching this condition (empty: always).",
    )
    auto_domain = fields.Char(
        string="Done When", help="For automatic items: the item is done while this holds."
    )

    apply_domain_text = fields.Char(compute="_compute_domain_texts", string="Applies When, in Words")
    auto_domain_text = fields.Char(compute="_compute_domain_texts", string="Done When, in Words")

    @api.depends("apply_domain", "auto_domain", "condition_model")
    @api.depends_context("lang")
    def _compute_domain_texts(self):
        for item in self:
            item.apply_domain_text = item._guide_condition_words("apply_domain", item.condition_model)
            item.auto_domain_text = item._guide_condition_words("auto_domain", item.condition_model)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("completion", "auto_domain")
    def _check_auto_domain(self):
        self._guide_check_condition_set("completion", "auto_domain")

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    def write(self, vals):
        # a row of one model does not move to a parent of another
        before = self._guide_models_before(vals, "step_id")
        res = super().write(vals)
        self._guide_refuse_other_model(before, "step_id")
        return res

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    def _guide_item_values(self):
        """Snapshot of the item, copied onto the checklist lines of a record."""
        self.ensure_one()
        return {
            "item_id": self.id,
            "name": self.name,
            "description": self.description or False,
            "sequence": self.sequence,
            "mandatory": self.mandatory,
            "completion": self.completion,
            "apply_domain": self.apply_domain or False,
            "auto_domain": self.auto_domain or False,
        }
