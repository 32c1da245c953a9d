from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_process_guide.models.guide_mixin import CTX_REASON, CTX_REASON_ID
from odoo.addons.base_process_guide.tools import (
    engine_flag,
    json_ids,
    json_vals,
    json_value,
    refuse_deleted,
    refuse_not_one,
    shortened,
)

from ..models.compliance_policy import CTX_UNTIL, FLAG_LOST_VALUES


class CompliancePolicyWizard(models.TransientModel):
    """The way out of a held change: justify an override, or ask for approval."""

    _name = "compliance.policy.wizard"
    # the ids and numbers a client sends are checked before the database sees them
    _inherit = ["guide.bounded.mixin"]
    _description = "Override a Policy or Request Approval"
    # refused when typed, too long, naming the field (not only at Confirm)
    _guide_typed_text_fields = ("reason",)

    mode = fields.Selection(
        [("override", "Override with a Justification"), ("approval", "Request Approval")],
        required=True,
        readonly=True,
    )
    res_model = fields.Char(required=True, readonly=True)
    res_ids = fields.Char(required=True, readonly=True, help="JSON list of the records concerned.")
    vals = fields.Text(required=True, readonly=True, help="JSON of the held change.")
    event = fields.Char(readonly=True)
    problems = fields.Text(string="Policies Not Met", readonly=True)
    # where the held change takes the records, as the gate's dialog names it
    stage_name = fields.Char(string="Target Stage", compute="_compute_stage_name")
    # the reasons offered on the records' model
    reason_id = fields.Many2one(
        "guide.deviation.reason", domain="['|', ('model_name', '=', False), ('model_name', '=', res_model)]"
    )
    reason = fields.Text(string="Justification", required=True)
    valid_until = fields.Date(
        help="Override only: until this date, the policy does not ask again for these records.",
    )

    @api.depends("res_model", "vals")
    def _compute_stage_name(self):
        for wizard in self:
            stage = wizard._target_stage()
            wizard.stage_name = stage.display_name if stage else False

    def _target_stage(self):
        """The stage the held change moves the records to; None when it moves none (a loss,
        a change of fields) or the values a client sent name none."""
        self.ensure_one()
        Model = self.env.get(self.res_model or "")
        if Model is None or "guide.mixin" not in Model._inherit_module:
            return None
        vals = json_value(self.vals or "{}")
        stage_field = Model._fields[Model._guide_stage_field]
        stage_id = vals.get(stage_field.name) if isinstance(vals, dict) else None
        if type(stage_id) is not int or not 0 < stage_id < 2**31:
            return None
        return self.env[stage_field.comodel_name].browse(stage_id).exists() or None

    @api.constrains("reason_id")
    def _check_reason(self):
        """The reason is one offered to the user (active, of their companies): refused at
        once as the change would refuse it, naming nothing of another company's."""
        for wizard in self.filtered("reason_id"):
            self.env["guide.deviation.reason"]._guide_offered(wizard.reason_id.id, wizard.res_model)

    def _records(self):
        self.ensure_one()
        if self.res_model not in self.env or "guide.mixin" not in self.env[self.res_model]._inherit_module:
            raise UserError(self.env._("%(model)s is not a guided model.", model=shortened(self.res_model)))
        ids = json_ids(self.env, self.res_ids, self._description)
        return refuse_deleted(self.env[self.res_model].browse(ids))

    def action_confirm(self):
        refuse_not_one(self)
        records = self._records()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the justification."))
        vals = json_vals(self.env, self.vals, self._description)
        self.env["compliance.approval.request"]._compliance_check_submitted(records, vals, self.event)
        if self.mode == "approval":
            requests = records._compliance_request_approval(vals, reason, event=self.event)
            if not requests:
                return {"type": "ir.actions.client", "tag": "soft_reload"}
            return requests._compliance_requested_action()
        ctx = {CTX_REASON: reason, CTX_REASON_ID: self.reason_id.id, CTX_UNTIL: self.valid_until}
        lost_values = {key: value for key, value in vals.items() if key != "active"}
        records = records.with_context(**ctx)
        if self.event == "lost":
            with engine_flag(self.env, FLAG_LOST_VALUES, lost_values):
                records._compliance_apply_change("lost", vals)
        else:
            records._compliance_apply_change(self.event, vals)
        # the form or kanban behind the dialog shows the records as they are now
        return {"type": "ir.actions.client", "tag": "soft_reload"}
