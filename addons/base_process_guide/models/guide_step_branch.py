from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import MAX_NAME


class GuideStepBranch(models.Model):
    """A conditional next step: "after Proposal, Legal review when the expected revenue
    is above 100,000, else Negotiation". The first branch (by sequence) whose condition
    holds tells the next step; the gate enforces it like the allowed next steps."""

    _name = "guide.step.branch"
    _inherit = [
        "guide.condition.mixin",
        "guide.config.mixin",
        "guide.shared.scope.mixin",
        "guide.step.row.mixin",
    ]
    _description = "Process Step Branch"
    _order = "step_id, sequence, id"
    _guide_domain_fields = ("domain",)
    _guide_bounded_fields = {"name": MAX_NAME}

    step_id = fields.Many2one("guide.step", required=True, ondelete="cascade", index=True)
    process_id = fields.Many2one(related="step_id.process_id", store=True)
    model_name = fields.Selection(related="step_id.model_name", store=True)
    company_id = fields.Many2one(related="step_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    to_step_id = fields.Many2one(
        "guide.step",
        string="Next Step",
        required=True,
        ondelete="cascade",
        domain="[('process_id', '=', process_id), ('id', '!=', step_id)]",
    )
    domain = fields.Char(string="Condition", help="Empty: the otherwise branch.")
    name = fields.Char(
        string="Why",
        translate=True,
        help="Shown to the agent, e.g. 'Deals above 100,000 need a legal review'.",
    )

    @api.depends("step_id.name", "to_step_id.name")
    def _compute_display_name(self):
        for branch in self:
            branch.display_name = f"{branch.step_id.name} → {branch.to_step_id.name}"

    @api.constrains("step_id", "to_step_id")
    def _check_to_step(self):
        for branch in self:
            if branch.to_step_id.process_id != branch.step_id.process_id:
                raise ValidationError(
                    self.env._(
                        "Branch of step %(step)s: %(target)s is a step of another process.",
                        step=branch.step_id.display_name,
                        target=branch.to_step_id.display_name,
                    )
                )
            if branch.step_id.kind == "alternate":
                raise ValidationError(
                    self.env._(
                        "Branch of step %(step)s: an alternate step has no branches; its records "
                        "leave it by its return step.",
                        step=branch.step_id.display_name,
                    )
                )
            if branch.to_step_id == branch.step_id:
                raise ValidationError(
                    self.env._(
                        "Branch of step %(step)s: a step does not branch to itself.",
                        step=branch.step_id.display_name,
                    )
                )

    def _guide_branch_values(self):
        self.ensure_one()
        return {
            "id": self.id,
            "to_step_id": self.to_step_id.id,
            "domain": self.domain or "",
            "name": self.name or "",
        }
