from odoo import api, fields, models
from odoo.exceptions import UserError


class EscalationManualWizard(models.TransientModel):
    """Escalate a record by hand: to a user and/or to a level of a rule, with a reason."""

    _name = "escalation.manual.wizard"
    # the ids and numbers a client sends are checked before the database sees them
    _inherit = ["guide.bounded.mixin"]
    _description = "Manual Escalation"

    res_model = fields.Char(required=True)
    res_id = fields.Integer(required=True)
    record_name = fields.Char(compute="_compute_record_name")
    rule_id = fields.Many2one("escalation.rule", domain="[('model_name', '=', res_model)]")
    level_id = fields.Many2one(
        "escalation.level",
        domain="[('rule_id', '=', rule_id)]",
        help="Run the actions of this level (reassignment, followers, activity...).",
    )
    user_id = fields.Many2one(
        "res.users", string="Escalate To", domain="[('share', '=', False)]", help="New owner of the record."
    )
    reason = fields.Text(required=True)

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for wizard in self:
            record = wizard._record()
            wizard.record_name = record.display_name if record else False

    @api.onchange("rule_id")
    def _onchange_rule_id(self):
        if self.level_id.rule_id != self.rule_id:
            self.level_id = False

    def _record(self):
        self.ensure_one()
        if self.res_model not in self.env or "guide_process_id" not in self.env[self.res_model]._fields:
            return None
        return self.env[self.res_model].browse(self.res_id).exists()

    def _check_escalate_to(self):
        """The new owner is an active internal user: what the dialog offers, whatever a
        client sends (a portal user, OdooBot or an archived user owns no record)."""
        user = self.user_id.sudo()
        if user and (user.share or not user.active):
            raise UserError(
                self.env._(
                    "%(user)s cannot be escalated to: only an active internal user can own the record.",
                    user=user.name,
                )
            )

    def action_confirm(self):
        self.ensure_one()
        record = self._record()
        if not record:
            raise UserError(self.env._("The record to escalate no longer exists."))
        if not self.level_id and not self.user_id:
            raise UserError(self.env._("Choose to whom or to which level the record is escalated."))
        if self.level_id and (self.level_id.rule_id != self.rule_id or not self.level_id.active):
            raise UserError(self.env._("The level does not belong to the chosen rule."))
        if self.rule_id and self.rule_id.model_name != record._name:
            raise UserError(
                self.env._(
                    "Escalation rule %(rule)s is not a rule of %(model)s.",
                    rule=self.rule_id.display_name,
                    model=record._description,
                )
            )
        self._check_escalate_to()
        reason = self.env["guide.mixin"]._guide_bounded_text(self.reason, self.env._("The reason"))
        if not reason:
            raise UserError(self.env._("Give the reason of the escalation."))
        record.check_access("write")
        record._escalation_manual(self.level_id, self.user_id, reason)
        return record._escalation_after_manual_action()
