import logging
from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

OUTCOMES = [
    ("passed", "Passed"),
    ("blocked", "Blocked"),
    ("warned", "Warned"),
    ("overridden", "Overridden with Reason"),
    ("approval_requested", "Approval Requested"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
EVENTS = [
    ("stage", "Stage Change"),
    ("won", "Marked Won"),
    ("lost", "Marked Lost"),
    ("fields", "Change of Fields"),
    ("create", "Creation"),
    ("approval", "Approval Decision"),
]


class ComplianceLog(models.Model):
    """Audit trail: every policy evaluation that matters, with the policy as it was.

    Rows are written by the engine only (with ``sudo``); nobody edits them,
    and only the superuser purges them, explicitly (``_compliance_purge``).
    """

    _name = "compliance.log"
    _inherit = ["guide.bulk.mixin", "guide.record.link.mixin"]
    _description = "Compliance Audit Log"
    _order = "date desc, id desc"
    _guide_engine_owned = True
    _rec_name = "policy_name"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    policy_id = fields.Many2one(
        "compliance.policy", string="Policy Rule", readonly=True, index=True, ondelete="set null"
    )
    policy_name = fields.Char(string="Policy", required=True, readonly=True)
    policy_version = fields.Integer(readonly=True)
    policy_snapshot = fields.Text(string="Policy at the Time", readonly=True)
    enforcement = fields.Selection(
        selection=lambda self: self.env["compliance.policy"]._fields["enforcement"].selection, readonly=True
    )
    event = fields.Selection(EVENTS, required=True, readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True, index=True)
    res_model = fields.Char(string="Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", readonly=True, index=True)
    record_name = fields.Char(string="Record", readonly=True)
    user_id = fields.Many2one("res.users", string="By", readonly=True, index=True)
    owner_id = fields.Many2one("res.users", string="Record Owner", readonly=True, index=True)
    crm_team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    reason = fields.Text(string="Justification", readonly=True)
    detail = fields.Text(readonly=True)
    deviation_id = fields.Many2one("guide.deviation", readonly=True, ondelete="set null")
    request_id = fields.Many2one("compliance.approval.request", readonly=True, ondelete="set null")
    # measures
    count = fields.Integer(default=1, readonly=True, aggregator="sum", string="Checks")
    violation = fields.Integer(readonly=True, aggregator="sum", string="Violations")
    compliance_rate = fields.Float(
        readonly=True,
        aggregator="avg",
        string="Compliance Rate (%)",
        help="Share of the checks whose requirement held (100 when passed, 0 otherwise).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._compliance_measures(vals) for vals in vals_list])

    def write(self, vals):  # pylint: disable=method-required-super
        self.check_access("write")
        raise UserError(_("The compliance audit trail cannot be modified."))

    def unlink(self):
        self.check_access("unlink")
        if not (self.env.su and self.env.context.get("compliance_purge")):
            raise UserError(_("The compliance audit trail cannot be deleted; the superuser may purge it."))
        return super().unlink()

    @api.model
    def _compliance_measures(self, vals):
        """The aggregable measures of a row, from its outcome."""
        outcome = vals.get("outcome")
        return {
            "date": fields.Datetime.now(),
            "count": 1,
            **vals,
            "violation": int(outcome not in ("passed", "approved", "rejected")),
            "compliance_rate": 100.0 if outcome == "passed" else 0.0,
        }

    @api.model
    def _compliance_create_rows(self, vals_list):
        """Write audit rows, one INSERT whatever their number (the engine's path)."""
        return self._guide_bulk_create([self._compliance_measures(vals) for vals in vals_list])

    @api.model
    def _compliance_committed_references(self, vals_list):
        """``vals_list`` without the references this cursor cannot use without an error or a wait.

        A refused change is audited through a cursor of its own (the refusal rolls
        the caller's back), which sees only committed rows: a policy, team or user
        created in the refused transaction does not exist for it, and a row that
        transaction deletes is locked. Each reference is kept only if this cursor
        sees the row and can lock its key at once (``FOR KEY SHARE SKIP LOCKED``,
        one query per referenced model); otherwise it is left empty, the row keeping
        the names and the policy snapshot as text. The INSERT then never violates
        a foreign key nor waits for the refused transaction.
        """
        many2ones = {
            name: field for name, field in self._fields.items() if field.type == "many2one" and field.store
        }
        wanted = defaultdict(set)
        for vals in vals_list:
            for name, value in vals.items():
                if value and name in many2ones:
                    wanted[name].add(value)
        usable = {}
        for name, ids in wanted.items():
            table = self.env[many2ones[name].comodel_name]._table
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM %s WHERE id IN %s FOR KEY SHARE SKIP LOCKED",
                    SQL.identifier(table),
                    tuple(ids),
                )
            )
            usable[name] = {row[0] for row in self.env.cr.fetchall()}
        return [
            {
                name: (False if name in usable and value and value not in usable[name] else value)
                for name, value in vals.items()
            }
            for vals in vals_list
        ]

    @api.model
    def _compliance_purge(self, before):
        """Delete the log rows older than ``before``: superuser only, logged."""
        if not self.env.su:
            raise AccessError(_("Only the superuser can purge the compliance audit trail."))
        logs = self.search([("date", "<", before)])
        _logger.warning("Compliance audit trail: purging %s rows older than %s", len(logs), before)
        logs.with_context(compliance_purge=True).unlink()
        return len(logs)
