import logging
from collections import defaultdict

import psycopg2

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.base_process_guide.tools import module_uninstalling

from .compliance_policy import ENFORCEMENTS

_logger = logging.getLogger(__name__)

# the context key of an import's refusals (``RefusalBuffer``)
CTX_REFUSALS = "compliance_import_refusals"

OUTCOMES = [
    ("passed", "Passed"),
    ("blocked", "Blocked"),
    ("warned", "Warned"),
    ("overridden", "Overridden with Reason"),
    ("approval_requested", "Approval Requested"),
    ("tier_approved", "Tier Approved"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
# outcomes that are no violation: the requirement held, or an approver let the change through
COMPLIANT = ("passed", "approved", "rejected")
EVENTS = [
    ("stage", "Stage Change"),
    ("won", "Marked Won"),
    ("lost", "Marked Lost"),
    ("fields", "Change of Fields"),
    ("create", "Creation"),
    ("approval", "Approval Decision"),
]


class RefusalBuffer:
    """The refusals of one import, recorded once when it ends (``base.load``).

    Odoo's ``load()`` tries a batch of rows at once and, when that fails, each of its
    rows again: without the buffer each refused row was audited twice, and a test import
    (rolled back) audited too. Each try (``_load_records``) is an attempt; a refusal of a
    failed batch that one of its rows' tries made again is the same refused row (the
    same values but the record's id and name, which the rolled-back try only lent). A test
    import's buffer is ``discarded``: it records nothing. Only the server puts one in a
    context (no client can send an instance of this class).
    """

    def __init__(self, discarded=False):
        self.discarded = discarded
        self.attempts = []  # [{"size": rows tried, "failed": bool, "refusals": [values]}]
        self.policy_infos = {}

    def begin(self, size):
        self.attempts.append({"size": size, "failed": False, "refusals": []})

    def fail(self):
        self.attempts[-1]["failed"] = True

    def add(self, vals_list, policy_infos):
        if not self.attempts:
            self.begin(1)
        self.attempts[-1]["refusals"].extend(vals_list)
        self.policy_infos.update(policy_infos or {})

    @staticmethod
    def _key(vals):
        # the record's id and name are the try's: a row created through another model's
        # (a partner's ticket) gets a new number each time
        return repr(
            sorted((name, value) for name, value in vals.items() if name not in ("res_id", "record_name"))
        )

    def rows(self):
        """The refusals to record: each row's own, and those of a batch none of its rows' tries made again."""
        result, batch, retries = [], defaultdict(list), 0
        for attempt in self.attempts:
            if retries:  # a row of the failed batch tried again
                retries -= 1
                for vals in attempt["refusals"]:
                    if batch[self._key(vals)]:
                        batch[self._key(vals)].pop()
                    result.append(vals)
                continue
            result += [vals for rows in batch.values() for vals in rows]
            batch = defaultdict(list)
            for vals in attempt["refusals"]:
                batch[self._key(vals)].append(vals)
            retries = attempt["size"] if attempt["failed"] else 0
        return result + [vals for rows in batch.values() for vals in rows]


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
    # the wording and rule that applied: a reference to the frozen version, not a copy per row
    policy_version_id = fields.Many2one("compliance.policy.version", readonly=True, ondelete="restrict")
    policy_version = fields.Integer(related="policy_version_id.version")
    policy_snapshot = fields.Text(related="policy_version_id.snapshot", string="Policy at the Time")
    policy_message = fields.Text(related="policy_version_id.message", string="Message at the Time")
    policy_requirement = fields.Char(
        related="policy_version_id.requirement", string="Requirement at the Time"
    )
    # a list, not a callable: Odoo translates the labels of a list only
    enforcement = fields.Selection(ENFORCEMENTS, readonly=True)
    event = fields.Selection(EVENTS, required=True, readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True, index=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    # found by the index (res_id, res_model) of the mixin
    res_id = fields.Many2oneReference(string="Record ID", model_field="res_model", readonly=True)
    record_name = fields.Char(string="Record", readonly=True)
    user_id = fields.Many2one("res.users", string="By", readonly=True, index=True)
    owner_id = fields.Many2one("res.users", string="Record Owner", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    reason = fields.Text(string="Justification", readonly=True)
    detail = fields.Text(readonly=True)
    deviation_id = fields.Many2one("guide.deviation", readonly=True, ondelete="set null")
    request_id = fields.Many2one("compliance.approval.request", readonly=True, ondelete="set null")
    # measures
    # an approver's decision is no check of the requirement: it counts in none of them
    count = fields.Integer(default=1, readonly=True, aggregator="sum", string="Checks")
    violation = fields.Integer(readonly=True, aggregator="sum", string="Violations")
    compliance_rate = fields.Float(
        readonly=True,
        aggregator="avg",
        string="Compliance Rate (%)",
        help="Share of the checks that were no violation: the requirement held, or approvers let "
        "the change through. Approvers' decisions are not checks.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._compliance_measures(vals) for vals in vals_list])

    def write(self, vals):  # pylint: disable=method-required-super
        self.check_access("write")
        raise UserError(self.env._("The compliance audit trail cannot be modified."))

    @api.ondelete(at_uninstall=True)
    def _unlink_except_audit_trail(self):
        if module_uninstalling(self.env):
            return
        # nobody has the unlink access right: this refuses the engine's own sudo() but its purge
        if not (self.env.su and self.env.context.get("compliance_purge")):
            raise UserError(
                self.env._("The compliance audit trail cannot be deleted; the superuser may purge it.")
            )

    @api.model
    def _compliance_measures(self, vals):
        """The aggregable measures of a row, from its outcome."""
        check = vals.get("event") != "approval"
        violation = check and vals.get("outcome") not in COMPLIANT
        return {
            "date": fields.Datetime.now(),
            **vals,
            "count": int(check),
            "violation": int(violation),
            "compliance_rate": (0.0 if violation else 100.0) if check else False,
        }

    @api.model
    def _compliance_row_vals(self, record, policy_info, event, outcome, **extra):
        """Values of the audit row of ``policy_info`` (configuration cache) checked on ``record``."""
        record.ensure_one()
        owner_field = record._guide_owner_field
        owner = record[owner_field] if owner_field in record._fields else False
        return {
            "policy_id": policy_info["id"],
            "policy_name": policy_info["name"],
            "policy_version_id": policy_info["version_id"],
            "enforcement": policy_info["enforcement"],
            "event": event,
            "outcome": outcome,
            "res_model": record._name,
            "res_id": record.id,
            "record_name": record.display_name,
            "user_id": self.env.uid,
            "owner_id": owner.id if owner else False,
            "company_id": record.company_id.id if "company_id" in record._fields else False,
            "detail": policy_info["message"] if outcome != "passed" else False,
            **record._policy_log_values(),
            **extra,
        }

    @api.model
    def _compliance_write_audit(self, records, groups, singles=()):
        """Write the audit rows of a check of ``records`` in one INSERT.

        :param groups: list of (policy_info, record ids, outcome): rows without details
        :param singles: list of (policy_info, record, outcome, {field: value}): rows with
            a justification, a deviation or a request
        """
        rows = [(policy_info, ids, outcome, {}) for policy_info, ids, outcome in groups if ids]
        rows += [
            (policy_info, [record.id], outcome, extra) for policy_info, record, outcome, extra in singles
        ]
        if not rows:
            return
        names = {rec.id: rec.display_name for rec in records.browse({rid for row in rows for rid in row[1]})}
        columns = defaultdict(list)
        for policy_info, ids, outcome, extra in rows:
            count = len(ids)
            columns["res_id"] += ids
            columns["record_name"] += [names[rid] for rid in ids]
            for fname, value in (
                ("policy_id", policy_info["id"]),
                ("policy_name", policy_info["name"]),
                ("policy_version_id", policy_info["version_id"]),
                ("enforcement", policy_info["enforcement"]),
                ("event", policy_info["trigger"]),
                ("outcome", outcome),
                ("detail", policy_info["message"] if outcome != "passed" else None),
                ("reason", extra.get("reason")),
                ("deviation_id", extra.get("deviation_id")),
                ("request_id", extra.get("request_id")),
            ):
                columns[fname] += [value] * count
        record_columns = records._policy_log_columns()
        records.flush_model(list(record_columns.values()))
        self.sudo()._compliance_insert_rows(
            {"res_model": records._name},
            dict(columns),
            record_model=records._name,
            record_columns=record_columns,
        )

    @api.model
    def _compliance_log_refusals(self, vals_list, policy_infos=None):
        """Record refused changes in a transaction of their own (``_compliance_commit_refusals``);
        an import's when it ends (``RefusalBuffer``)."""
        buffer = self.env.context.get(CTX_REFUSALS)
        if isinstance(buffer, RefusalBuffer):
            buffer.add(vals_list, policy_infos)
            return
        self._compliance_commit_refusals(vals_list, policy_infos)

    @api.model
    def _compliance_commit_refusals(self, vals_list, policy_infos=None):
        """Record refused changes in a transaction of their own: the refusal rolls back the caller's.

        That transaction sees only committed rows: the audit rows reference only
        what it can (``_compliance_committed_references``), so the INSERT neither
        fails on a foreign key nor waits for the refused transaction, and nothing is
        logged as an error. ``policy_infos`` ({version id: policy_info of the
        configuration cache}) lets it freeze again a version made in the refused
        transaction.
        """
        snapshots = {
            version_id: (info["snapshot"], info["id"], info["company_id"])
            for version_id, info in (policy_infos or {}).items()
        }
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '2s'")
                Log = api.Environment(cr, SUPERUSER_ID, {})["compliance.log"]
                Log._compliance_create_rows(Log._compliance_committed_references(vals_list, snapshots))
        # the rows' own transaction is rolled back on any error; the refusal still reaches the user
        except (psycopg2.Error, UserError, AccessError):
            _logger.warning(
                "Compliance: could not record %s refused change(s)", len(vals_list), exc_info=True
            )
        except Exception:
            _logger.exception("Compliance: could not record %s refused change(s)", len(vals_list))

    @api.model
    def _compliance_log_buffered_refusals(self, buffer):
        """Record the refusals of an import (``RefusalBuffer``), none of a test import."""
        rows = buffer.rows()
        if rows and not buffer.discarded:
            self._compliance_commit_refusals(rows, buffer.policy_infos)

    @api.model
    def _compliance_create_rows(self, vals_list):
        """Write audit rows given as dicts of values, in one INSERT (requests, decisions, refusals).

        Like every engine path, it goes through ``_compliance_insert_rows``, not ``create()``.
        """
        if not vals_list:
            return
        fnames = {fname for vals in vals_list for fname in vals}
        self._compliance_insert_rows({}, {fname: [vals.get(fname) for vals in vals_list] for fname in fnames})

    @api.model
    def _compliance_insert_rows(self, constants, columns, record_model=None, record_columns=None):
        """The engine's path for audit rows: one ``INSERT … SELECT FROM unnest(…)`` whatever their number.

        ``constants`` holds the values shared by every row ({field: value}),
        ``columns`` one list per field with a value per row ({field: [values]}),
        ``record_columns`` the columns read from each row's record ({field: column of
        ``record_model``'s table}, joined on ``res_id``; flushed by the caller).
        It keeps what ``create()`` guarantees: superuser only (the engine's
        ``sudo``), who and when (``user_id`` the current user unless given,
        ``date`` and the magic columns now), and the measures derived from the
        outcome in SQL, as ``_compliance_measures`` does. Only plain stored columns
        can be given (no translated or computed field).

        Extension points: this INSERT bypasses the ORM, so an override of
        ``compliance.log.create()`` (or of ``_compliance_measures``) never sees the
        engine's rows, and no computed field, tracking or ``@api.constrains`` runs
        for them. A module adding a column to the audit rows fills it through the
        guided model's hooks: ``_policy_log_columns()`` (read from the record's
        table by this INSERT, for the checks of a write) and ``_policy_log_values()``
        (the same for one record, for requests, decisions and refusals written by
        ``_compliance_create_rows``); a module reacting to new rows extends
        ``_compliance_insert_rows`` itself (every engine path ends here).
        """
        if not self.env.su:
            raise AccessError(self.env._("Compliance audit rows are written by the engine only."))
        count = len(next(iter(columns.values()))) if columns else 0
        if not count:
            return
        now = self.env.cr.now()
        constants = {
            "date": now,
            "user_id": self.env.uid,
            "count": 1,
            **constants,
            "create_uid": self.env.uid,
            "create_date": now,
            "write_uid": self.env.uid,
            "write_date": now,
        }
        constants = {fname: value for fname, value in constants.items() if fname not in columns}
        if "outcome" not in columns and "outcome" not in constants:
            raise ValueError("compliance.log rows need an outcome")
        for fname in ("count", "violation", "compliance_rate"):
            constants.pop(fname, None)
            columns.pop(fname, None)
        selects, casts, params = [], [], []
        for fname, value in constants.items():
            field = self._fields[fname]
            self._compliance_check_column(field)
            selects.append(SQL("%s::%s", field.convert_to_column(value, self), SQL(field.column_type[0])))
        names = list(columns)
        for index, fname in enumerate(names):
            field = self._fields[fname]
            self._compliance_check_column(field)
            if len(columns[fname]) != count:
                raise ValueError(f"compliance.log {fname}: {len(columns[fname])} values for {count} rows")
            selects.append(SQL.identifier("u", f"c{index}"))
            if field.type in ("integer", "float", "monetary", "boolean"):
                values = [field.convert_to_column(value, self) for value in columns[fname]]
            else:  # references, texts, selections: False is NULL
                values = [value or None for value in columns[fname]]
            casts.append(SQL("%s::%s[]", values, SQL(field.column_type[0])))
            params.append(SQL.identifier(f"c{index}"))
        outcome = (
            SQL.identifier("u", f"c{names.index('outcome')}")
            if "outcome" in columns
            else SQL("%s::varchar", constants["outcome"])
        )
        event = (
            SQL.identifier("u", f"c{names.index('event')}")
            if "event" in columns
            else SQL("%s::varchar", constants.get("event"))
        )
        # an approver's decision is no check; a check is a violation unless compliant
        decision = SQL("%s IS NOT DISTINCT FROM 'approval'", event)
        violation = SQL("NOT %s AND %s NOT IN %s", decision, outcome, COMPLIANT)
        record_columns = record_columns or {}
        for fname, column in record_columns.items():
            self._compliance_check_column(self._fields[fname])
            constants.pop(fname, None)
            selects.append(SQL.identifier("r", column))
        fnames = [*constants, *names, *record_columns, "count", "violation", "compliance_rate"]
        selects += [
            SQL("CASE WHEN %s THEN 0 ELSE 1 END", decision),
            SQL("CASE WHEN %s THEN 1 ELSE 0 END", violation),
            SQL("CASE WHEN %s THEN NULL WHEN %s THEN 0.0 ELSE 100.0 END", decision, violation),
        ]
        source = (
            SQL("unnest(%s) AS u(%s)", SQL(", ").join(casts), SQL(", ").join(params))
            if casts
            else SQL("generate_series(1, %s) AS u", count)
        )
        if record_columns:
            source = SQL(
                "%s JOIN %s r ON r.id = %s",
                source,
                SQL.identifier(self.env[record_model]._table),
                SQL.identifier("u", f"c{names.index('res_id')}"),
            )
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT %s FROM %s",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(fname) for fname in fnames),
                SQL(", ").join(selects),
                source,
            )
        )

    @api.model
    def _compliance_check_column(self, field):
        if not field.store or not field.column_type or field.translate or field.compute:
            raise ValueError(f"{field} cannot be written by the audit INSERT")

    @api.model
    def _compliance_committed_references(self, vals_list, snapshots=None):
        """``vals_list`` without the references this cursor cannot use without an error or a wait.

        A refused change is audited through a cursor of its own (the refusal rolls
        the caller's back), which sees only committed rows: a policy, team or user
        created in the refused transaction does not exist for it, and a row that
        transaction deletes is locked. Each reference is kept only if this cursor
        sees the row and can lock its key at once (``FOR KEY SHARE SKIP LOCKED``,
        one query per referenced model); otherwise it is left empty, the row keeping
        the names as text. A policy version this cursor cannot see (made in the
        refused transaction) is frozen again here from its snapshot
        (``snapshots``: {version id: (snapshot, policy id, company id)}), so that
        the row still shows the wording that refused the change. The INSERT then
        never violates a foreign key nor waits for the refused transaction.
        """
        many2ones = {
            name: field for name, field in self._fields.items() if field.type == "many2one" and field.store
        }
        wanted = defaultdict(set)
        for vals in vals_list:
            for name, value in vals.items():
                if value and name in many2ones:
                    wanted[name].add(value)
        snapshots = snapshots or {}
        for _snapshot, policy_id, company_id in snapshots.values():
            if policy_id:
                wanted["policy_id"].add(policy_id)
            if company_id:
                wanted["company_id"].add(company_id)
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
        refrozen = {}
        seen = usable.get("policy_version_id", set())
        missing = sorted(
            vid for vid in wanted.get("policy_version_id", ()) if vid not in seen and vid in snapshots
        )
        if missing:
            Version = self.env["compliance.policy.version"].sudo()
            version_vals = []
            for version_id in missing:
                snapshot, policy_id, company_id = snapshots[version_id]
                version_vals.append(
                    Version._compliance_version_vals(
                        snapshot,
                        policy_id=policy_id in usable.get("policy_id", ()) and policy_id,
                        company_id=company_id in usable.get("company_id", ()) and company_id,
                    )
                )
            versions = Version.create(version_vals)
            refrozen = dict(zip(missing, versions.ids, strict=True))
        return [
            {
                name: (
                    refrozen.get(value, value)
                    if name == "policy_version_id" and value in refrozen
                    else False
                    if name in usable and value and value not in usable[name]
                    else value
                )
                for name, value in vals.items()
            }
            for vals in vals_list
        ]

    @api.model
    def _compliance_purge(self, before):
        """Delete the log rows older than ``before``: superuser only, logged."""
        if not self.env.su:
            raise AccessError(self.env._("Only the superuser can purge the compliance audit trail."))
        logs = self.search([("date", "<", before)])
        _logger.warning("Compliance audit trail: purging %s rows older than %s", len(logs), before)
        logs.with_context(compliance_purge=True).unlink()
        return len(logs)
