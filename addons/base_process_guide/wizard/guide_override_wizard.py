from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.guide_mixin import CTX_REASON, CTX_REASON_ID
from ..tools import json_ids, json_vals, refuse_deleted, refuse_not_one, shortened


class GuideOverrideWizard(models.TransientModel):
    """Ask for the justification of a gate override, then apply the move."""

    _name = "guide.override.wizard"
    # the ids and numbers a client sends are checked before the database sees them
    _inherit = ["guide.bounded.mixin"]
    _description = "Override a Process Gate"
    # refused when typed, too long, naming the field (not only at Confirm)
    _guide_typed_text_fields = ("reason",)

    res_model = fields.Char(required=True, readonly=True)
    res_ids = fields.Char(required=True, readonly=True, help="JSON list of the records to move.")
    stage_res_id = fields.Integer(string="Target Stage ID", required=True, readonly=True)
    stage_name = fields.Char(string="Target Stage", readonly=True)
    vals = fields.Text(string="Held Change", readonly=True, help="JSON of the held change.")
    problems = fields.Text(string="What Is Not Done", readonly=True)
    # the reasons offered on the records' model
    reason_id = fields.Many2one(
        "guide.deviation.reason", domain="['|', ('model_name', '=', False), ('model_name', '=', res_model)]"
    )
    reason = fields.Text(string="Justification", required=True)

    @api.constrains("reason_id")
    def _check_reason(self):
        """The reason is one offered to the user (active, of their companies): refused at
        once as the move would refuse it, naming nothing of another company's."""
        for wizard in self.filtered("reason_id"):
            self.env["guide.deviation.reason"]._guide_offered(wizard.reason_id.id, wizard.res_model)

    def action_confirm(self):
        refuse_not_one(self)
        if self.res_model not in self.env or "guide.mixin" not in self.env[self.res_model]._inherit_module:
            raise UserError(self.env._("%(model)s is not a guided model.", model=shortened(self.res_model)))
        ids = json_ids(self.env, self.res_ids, self._description)
        records = refuse_deleted(self.env[self.res_model].browse(ids))
        reason = self.reason.strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the override."))
        stage_field = records._fields[records._guide_stage_field]
        stage = self.env[stage_field.comodel_name].browse(self.stage_res_id).exists()
        if not stage:
            raise UserError(
                self.env._(
                    "%(field)s %(value)s does not exist.", field=stage_field.string, value=self.stage_res_id
                )
            )
        return self._apply_override(records, self._held_vals(stage_field.name, stage.id), reason)

    def _held_vals(self, stage_field, stage_id):
        """The change the dialog makes: the refused write it holds, which moves the records
        to the stage it names (the move alone when it holds none)."""
        self.ensure_one()
        vals = json_vals(self.env, self.vals, self._description) if self.vals else {}
        return {**vals, stage_field: stage_id}

    def _apply_override(self, records, vals, reason):
        """Make the move ``vals`` of ``records`` past their gate with the justification
        ``reason``; the action the dialog closes with (the policies extend it: the same
        justification asks for the approvals the move needs)."""
        records.with_context(**{CTX_REASON: reason, CTX_REASON_ID: self.reason_id.id}).write(vals)
        # the form or kanban behind the dialog shows the records as they are now
        return {"type": "ir.actions.client", "tag": "soft_reload"}
