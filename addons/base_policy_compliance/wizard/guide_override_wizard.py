from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_process_guide.models.guide_mixin import CTX_REASON, CTX_REASON_ID
from odoo.addons.base_process_guide.tools import json_ids, json_value

# the justification the policies are previewed with (the one typed is not known yet)
PREVIEW_REASON = "(preview)"


class GuideOverrideWizard(models.TransientModel):
    """The gate's dialog says what else the move needs from the policies, and its one
    justification answers them too: the policies it overrides record it, the approvals
    the move needs are requested with it (one dialog, not the gate's then the policy's)."""

    _inherit = "guide.override.wizard"

    approval_problems = fields.Text(string="Needs Approval", readonly=True)
    policy_problems = fields.Text(string="Policies Overridden", readonly=True)

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        if {"approval_problems", "policy_problems"} & set(fields_list):
            # the change the dialog makes (fields of no view: the client sends them in the context)
            move = super().default_get(["res_model", "res_ids", "stage_res_id", "vals"])
            defaults.update(self._policy_problems(move))
        return defaults

    @api.model
    def _policy_problems(self, move):
        """The policies the change of the dialog (``move``: its default values) meets once its gate
        is overridden, in words: those needing approval and those the justification overrides."""
        Policy = self.env["compliance.policy"]
        res_model = move.get("res_model")
        if not isinstance(res_model, str) or "guide.mixin" not in getattr(
            self.env.get(res_model), "_inherit_module", {}
        ):
            return {}
        Model = self.env[res_model]
        try:
            records = Model.browse(json_ids(self.env, move.get("res_ids"), self._description)).exists()
        except UserError:
            return {}
        stage = move.get("stage_res_id")
        if not isinstance(stage, int) or isinstance(stage, bool):
            return {}
        held = json_value(move.get("vals") or "{}")
        vals = {**(held if isinstance(held, dict) else {}), records._guide_stage_field: stage}
        verdicts = Policy._policy_preview(records, vals, {CTX_REASON: PREVIEW_REASON})
        if not verdicts:
            return {}
        overridden = [pair for pair in verdicts.to_deviate if pair[0]["enforcement"] == "override"]
        return {
            "approval_problems": "\n".join(Policy._policy_problems(verdicts.to_approve)) or False,
            "policy_problems": "\n".join(Policy._policy_problems(overridden)) or False,
        }

    def _apply_override(self, records, vals, reason):
        if not self.env["compliance.policy"]._get_policy_config(records._name)["policies"]:
            return super()._apply_override(records, vals, reason)
        # the move is submitted as an approval request is: made at once when no policy holds
        # it, held for the approvers of those that do (the gate's justification goes with it)
        ctx = {CTX_REASON: reason, CTX_REASON_ID: self.reason_id.id}
        requests = records.with_context(**ctx)._compliance_request_approval(vals, reason)
        if not requests:
            return {"type": "ir.actions.client", "tag": "soft_reload"}
        return requests._compliance_requested_action()
