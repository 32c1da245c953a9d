from odoo import api, fields, models


class GuideDeviation(models.Model):
    """Policy overrides and approved exceptions are deviations too, with approval and expiry."""

    _inherit = "guide.deviation"

    kind = fields.Selection(
        selection_add=[("policy", "Policy Override"), ("approval", "Approved Exception")],
        ondelete={"policy": "cascade", "approval": "cascade"},
    )
    policy_id = fields.Many2one("compliance.policy", readonly=True, index=True, ondelete="set null")
    request_id = fields.Many2one("compliance.approval.request", string="Approval Request", readonly=True)
    approver_id = fields.Many2one("res.users", string="Approved By", readonly=True)
    approval_state = fields.Selection([("approved", "Approved"), ("rejected", "Rejected")], readonly=True)
    valid_until = fields.Date(
        readonly=True,
        help="A policy override may allow the same departure until this date: later checks of the "
        "policy on the record pass as overridden, without asking again.",
    )
    is_expired = fields.Boolean(compute="_compute_is_expired", search="_search_is_expired", string="Expired")

    @api.depends("valid_until")
    def _compute_is_expired(self):
        today = fields.Date.context_today(self)
        for deviation in self:
            deviation.is_expired = bool(deviation.valid_until) and deviation.valid_until < today

    def _search_is_expired(self, operator, value):
        today = fields.Date.context_today(self)
        expired = [("valid_until", "!=", False), ("valid_until", "<", today)]
        if (operator == "=") == bool(value):
            return expired
        return ["|", ("valid_until", "=", False), ("valid_until", ">=", today)]
