import json
from types import MappingProxyType

from odoo import api, fields, models


class CompliancePolicy(models.Model):
    _inherit = "compliance.policy"

    required_milestone_ids = fields.Many2many(
        "guide.milestone",
        "compliance_policy_milestone_rel",
        "policy_id",
        "milestone_id",
        string="Requires Milestones",
        domain="[('model_name', '=', model_name)]",
        help="The requirement holds only on records that reached these milestones too, e.g. "
        "no win before Contract signed.",
    )

    @api.constrains("model_name", "process_id", "required_milestone_ids")
    def _check_required_milestones(self):
        self._guide_check_scope("required_milestone_ids")

    def write(self, vals):
        res = super().write(vals)
        if "required_milestone_ids" in vals:
            # a new rule: a new version (the audit trail keeps the old one)
            self._policy_bump_version()
        return res

    def _policy_snapshot(self):
        snapshot = super()._policy_snapshot()
        if not self.required_milestone_ids:
            return snapshot
        values = json.loads(snapshot)
        values["milestones"] = self.required_milestone_ids.mapped("name")
        return json.dumps(values, ensure_ascii=False)

    def _policy_values(self):
        info = super()._policy_values()
        if not self.required_milestone_ids:
            return info
        return MappingProxyType(
            {
                **info,
                "requirement": self._policy_requirement_with_milestones(),
                "required_milestone_ids": frozenset(self.required_milestone_ids.ids),
            }
        )

    def _policy_requirement_with_milestones(self):
        """The requirement and the required milestones as one condition of the rule language
        (two domains written one after the other hold together)."""
        self.ensure_one()
        leaves = ", ".join(
            f"('guide_milestone_ids', 'in', [{milestone_id}])"
            for milestone_id in self.required_milestone_ids.ids
        )
        text = (self.requirement or "").strip()
        inner = text[1:-1].strip().rstrip(",").strip() if text[:1] in "[(" and text[-1:] in "])" else ""
        return f"[{inner}, {leaves}]" if inner else f"[{leaves}]"


class GuideMilestone(models.Model):
    _inherit = "guide.milestone"

    def _guide_milestone_rule_fields(self):
        return [*super()._guide_milestone_rule_fields(), ("compliance.policy", "required_milestone_ids")]
