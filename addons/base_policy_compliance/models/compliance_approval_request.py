import json
import logging

from markupsafe import Markup

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.base_process_guide.models.guide_mixin import CTX_REASON, CTX_REASON_ID
from odoo.addons.base_process_guide.tools import (
    engine_flag,
    engine_flag_get,
    field_labels,
    module_uninstalling,
    quoted,
    refuse_missing,
    refuse_not_one,
    shortened,
)
from odoo.addons.base_process_guide.tools.bounds import referenced_ids

from .compliance_policy import FLAG_COLLECT, ApprovalNeeded, tiers_without_distinct_approvers
from .guide_mixin import SNAPSHOT_PATH

_logger = logging.getLogger(__name__)

# engine flag (not a context key: a client cannot set it): the approved requests being applied
FLAG_APPROVED = "compliance_approved_request_ids"


class ComplianceApprovalRequest(models.Model):
    """A held change waiting for the approvers of a policy.

    The policy, its tiers and their approvers are copied when the request is
    made: editing the configuration later does not change who decides a
    request in flight.
    """

    _name = "compliance.approval.request"
    _inherit = ["mail.thread", "mail.activity.mixin", "guide.record.link.mixin"]
    _description = "Policy Approval Request"
    _order = "request_date desc, id desc"
    # the requester and the approvers discuss the change in its chatter: whoever may read the
    # request posts there (it is the engine's to write), in their own name
    # (``mail.message._compliance_check_request_authors``)
    _mail_post_access = "read"
    _guide_engine_owned = True
    # moved with its record by ``_compliance_follow_company`` (its approvers too)
    _guide_follows_record_company = False

    # the request's words (its name, the change, the policy's name and message): in every
    # language of the database, each reader reads them in theirs (``_compliance_store_words``)
    name = fields.Char(required=True, readonly=True, translate=True)
    policy_id = fields.Many2one(
        "compliance.policy", string="Policy Rule", readonly=True, index=True, ondelete="set null"
    )
    policy_name = fields.Char(string="Policy", readonly=True, translate=True)
    # the wording and rule that held the change: the frozen version, not a copy
    policy_version_id = fields.Many2one("compliance.policy.version", readonly=True, ondelete="restrict")
    policy_snapshot = fields.Text(related="policy_version_id.snapshot", string="Policy at the Time")
    # in words, as the reader may see them (not a related field: computed as superuser, it
    # named records the reader may not read)
    policy_scope_text = fields.Char(string="Scope Condition", compute="_compute_policy_texts")
    policy_requirement_text = fields.Char(string="Requirement", compute="_compute_policy_texts")
    message = fields.Text(string="Requirement Not Met", readonly=True, translate=True)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", required=True, readonly=True
    )
    record_name = fields.Char(string="Record", readonly=True)
    change = fields.Char(string="Requested Change", readonly=True, translate=True)
    target_vals = fields.Text(readonly=True, help="The held write, applied when the request is approved.")
    record_snapshot = fields.Text(
        string="Record When Requested",
        readonly=True,
        help="The record's stage, the values of the fields the change writes and of those its policy "
        "reads, when the request was made: the approved change is applied only if they are still the same.",
    )
    event = fields.Char(readonly=True)
    requester_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    # the record's owner when the request was made (the record may have gone to another since)
    owner_id = fields.Many2one("res.users", string="Owner When Requested", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    request_date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    note = fields.Text(string="Justification", readonly=True)
    # the deviation reason the requester chose with the justification (a gate's dialog): the
    # deviations the approved change writes carry it
    reason_id = fields.Many2one("guide.deviation.reason", readonly=True, ondelete="set null")
    state = fields.Selection(
        [
            ("pending", "Waiting for Approval"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
            ("outdated", "Outdated"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    applied = fields.Boolean(readonly=True, help="The approved change has been applied to the record.")
    # what the current user may still do with the record (it may have gone to another owner
    # since): the buttons that would end in Odoo's access error are hidden
    record_readable = fields.Boolean(compute="_compute_record_access")
    record_writable = fields.Boolean(compute="_compute_record_access")
    # why the change was not applied, in every language of the database: each reader reads it
    # in theirs (``_compliance_write_apply_error``)
    apply_error = fields.Text(readonly=True, translate=True)
    allow_self_approval = fields.Boolean(readonly=True)
    distinct_approvers = fields.Boolean(string="Different Approver at Each Tier", readonly=True)
    line_ids = fields.One2many("compliance.approval.line", "request_id", string="Tiers", readonly=True)
    current_line_id = fields.Many2one("compliance.approval.line", compute="_compute_current_line")
    current_approver_ids = fields.Many2many(
        "res.users", compute="_compute_current_line", string="To Approve By"
    )
    can_decide = fields.Boolean(compute="_compute_current_line", search="_search_can_decide")
    my_decision_note = fields.Char(
        string="Your Decision",
        compute="_compute_my_decision_note",
        help="The tier you approved, and who is next.",
    )
    decision_date = fields.Datetime(readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    reject_reason = fields.Text(readonly=True)
    lead_time_hours = fields.Float(
        string="Approval Lead Time", readonly=True, aggregator="avg", help="From request to decision (hours)."
    )
    reminder_hours = fields.Float(readonly=True)
    reminder_max = fields.Integer(readonly=True)
    reminder_count = fields.Integer(readonly=True)
    last_reminder_at = fields.Datetime(readonly=True)
    deviation_id = fields.Many2one("guide.deviation", readonly=True, ondelete="set null")
    count = fields.Integer(default=1, readonly=True, aggregator="sum", string="Requests")
    guide_bypassed_items = fields.Text(
        string="Checklist Gate Bypassed",
        compute="_compute_guide_bypassed_items",
        help="Mandatory checklist items of the record's current stage that approving the move "
        "also lets through.",
    )

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    @api.depends("line_ids.state", "line_ids.approver_ids", "state")
    @api.depends_context("uid")
    def _compute_current_line(self):
        for request in self:
            line = request.line_ids.filtered(lambda ln: ln.state == "pending")[:1]
            request.current_line_id = line
            request.current_approver_ids = line.approver_ids
            request.can_decide = (
                request.state == "pending"
                and bool(line)
                and self.env.user in line.approver_ids
                and (request.allow_self_approval or request.requester_id != self.env.user)
            )

    @api.depends("line_ids.state", "line_ids.decided_by_id", "line_ids.approver_ids", "state")
    @api.depends_context("uid")
    def _compute_my_decision_note(self):
        """Why a pending request shows its approver no button: they approved a tier of it, the
        current one is for others."""
        for request in self:
            mine = request.line_ids.filtered(
                lambda ln: ln.state == "approved" and ln.decided_by_id == self.env.user
            )
            current = request.current_line_id
            if request.state != "pending" or not mine or not current or self.env.user in current.approver_ids:
                request.my_decision_note = False
                continue
            request.my_decision_note = self.env._(
                "You approved tier %(tier)s; tier %(current)s is for %(users)s.",
                tier=mine[-1].name,
                current=current.name,
                users=", ".join(current.approver_ids.mapped("name")),
            )

    @api.depends_context("lang", "uid")
    @api.depends("policy_version_id")
    def _compute_policy_texts(self):
        for request in self:
            version = request.policy_version_id.sudo()
            texts = version._compliance_condition_texts(self.env) if version else ("-", "-")
            request.policy_scope_text, request.policy_requirement_text = texts

    @api.depends_context("uid")
    def _compute_record_access(self):
        """Whether the current user may read, and change, each request's record now."""
        self.record_readable = self.record_writable = False
        for res_model, requests in self.grouped("res_model").items():
            if res_model not in self.env:
                continue
            records = self.env[res_model].browse(requests.mapped("res_id")).sudo().exists().sudo(False)
            readable = set(records._filtered_access("read").ids)
            writable = set(records._filtered_access("write").ids)
            for request in requests:
                request.record_readable = request.res_id in readable
                request.record_writable = request.res_id in writable

    def _compute_guide_bypassed_items(self):
        """What else a pending stage move lets through: the record's checklist gate."""
        self.guide_bypassed_items = False
        pending = self.filtered(
            lambda req: req.state == "pending" and req.target_vals and req.res_model in self.env
        )
        for res_model, requests in pending.grouped("res_model").items():
            Model = self.env[res_model]
            stage_field = getattr(Model, "_guide_stage_field", None)
            if not stage_field:
                continue
            # the approver may not read the record: item names of its gate only
            records = Model.sudo().browse(requests.mapped("res_id")).exists()
            by_id = {rec.id: rec for rec in records}
            for request in requests:
                record = by_id.get(request.res_id)
                stage_id = json.loads(request.target_vals).get(stage_field)
                # evaluated now (the stored figure is for lists)
                if not record or not stage_id or not record.guide_missing_items:
                    continue
                stage = self.env[Model._fields[stage_field].comodel_name].browse(stage_id)
                if record._guide_rank_direction(record[stage_field], stage) == "forward":
                    request.guide_bypassed_items = record.guide_missing_items

    def _search_can_decide(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("Unsupported search on %(field)s.", field=self._fields["can_decide"].string)
            )
        lines = self.env["compliance.approval.line"]._search(
            [("state", "=", "pending"), ("approver_ids", "in", self.env.uid)]
        )
        domain = [
            ("state", "=", "pending"),
            ("id", "in", lines.subselect("request_id")),
            "|",
            ("allow_self_approval", "=", True),
            ("requester_id", "!=", self.env.uid),
        ]
        if (operator == "=") == value:
            return domain
        return [("id", "not in", self._search(domain))]

    # ------------------------------------------------------------
    # ACCESS
    # ------------------------------------------------------------
    @api.model
    def _guide_record_access_extra_domains(self):
        """Besides those of the records they can read, users read the requests they made
        and those they are an approver of (to decide them)."""
        approving = (
            self.env["compliance.approval.line"].sudo()._search([("approver_ids", "in", [self.env.uid])])
        )
        return [[("requester_id", "=", self.env.uid)], [("id", "in", approving.subselect("request_id"))]]

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._("Approval requests change only through their Approve and Reject buttons.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_except_audit_trail(self):
        if module_uninstalling(self.env):
            return
        # nobody has the unlink access right: this refuses the engine's own sudo() but its purge
        if not (self.env.su and self.env.context.get("compliance_purge")):
            raise UserError(
                self.env._("Approval requests are part of the audit trail and cannot be deleted.")
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_approve(self):
        refuse_missing(self, "read")
        self._compliance_lock()
        for request in self:
            request._compliance_check_decider()
            if request._compliance_is_outdated():
                request._compliance_mark_outdated()
                continue
            request._compliance_decide_line("approved")
        return True

    def action_open_reject_wizard(self):
        refuse_not_one(self)
        self._compliance_check_decider()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject"),
            "res_model": "compliance.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_id": self.id},
        }

    def action_reject(self, reason=False):
        refuse_missing(self, "read")
        # the requests first, as Odoo refuses them: who may not read them learns nothing else
        self.check_access("read")
        reason = self.env["guide.mixin"]._guide_bounded_text(reason, self.env._("The reason"))
        if not reason:
            raise UserError(self.env._("Give the reason for the rejection."))
        self._compliance_lock()
        for request in self:
            request._compliance_check_decider()
            request._compliance_decide_line("rejected", reason)
        return True

    def action_cancel(self):
        refuse_missing(self, "read")
        self._compliance_lock()
        for request in self:
            if request.state != "pending":
                raise UserError(self.env._("Request %(request)s is already decided.", request=request.name))
            if request.requester_id != self.env.user and not self.env.su:
                raise AccessError(
                    self.env._("Only the requester may cancel request %(request)s.", request=request.name)
                )
            request._compliance_engine().write({"state": "cancelled", "decision_date": fields.Datetime.now()})
            request._compliance_close_activities()
        return True

    def action_apply(self):
        """Apply an approved change that could not be applied automatically (requester only)."""
        refuse_missing(self, "read")
        self._compliance_lock()
        for request in self:
            if request.state != "approved" or request.applied:
                raise UserError(
                    self.env._("Request %(request)s has no approved change to apply.", request=request.name)
                )
            if request.requester_id != self.env.user and not self.env.su:
                raise AccessError(
                    self.env._("Only the requester may apply request %(request)s.", request=request.name)
                )
            if request._compliance_is_outdated():
                request._compliance_mark_outdated()
                continue
            request._compliance_check_record_access("write")
            request._compliance_apply(raise_on_error=True)
        return True

    def action_open_record(self):
        refuse_not_one(self)
        if self.res_model in self.env and self._compliance_record():
            self._compliance_check_record_access("read")
        return super().action_open_record()

    def _compliance_check_record_access(self, operation):
        """Refuse, in words, the current user who may no longer ``operation`` ("read" or
        "write") this request's record (it went to another owner, another team...): naming
        the record and who can act on it now, not with Odoo's access error."""
        self.ensure_one()
        record = self._compliance_record()
        if not record or self.env.su or record.has_access(operation):
            return
        owner_field = getattr(record, "_guide_owner_field", None)
        owner = record.sudo()[owner_field] if owner_field in record._fields else None
        who = owner.name if owner else self.env._("its owner or a manager")
        if operation == "read":
            message = self.env._(
                "You cannot open %(record)s: your access rights do not reach it (or no longer do). "
                "Who can act on it now: %(who)s.",
                record=quoted(self.env, self.record_name),
                who=who,
            )
        else:
            message = self.env._(
                "You can no longer change %(record)s: you lost access to it since the request was made, "
                "so you cannot apply the approved change. Who can act on it now: %(who)s.",
                record=quoted(self.env, self.record_name),
                who=who,
            )
        raise UserError(message)

    def _compliance_lock(self):
        """Take the rows of these requests and of their tiers before deciding them. Two
        decisions at once (an approver approving while another rejects, two approvers of a
        tier, the requester cancelling) met in the database, where the second one's update
        failed and PostgreSQL's refusal was logged as an ERROR: the second now waits here for
        the first, then fails its snapshot (a concurrency failure Odoo retries, not an error
        to log) and, run again, finds the request decided."""
        if not self.ids:
            return
        ids = tuple(sorted(self.ids))
        self.env.cr.execute(
            SQL(
                "SELECT id FROM compliance_approval_request WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", ids
            ),
            log_exceptions=False,
        )
        self.env.cr.execute(
            SQL(
                "SELECT id FROM compliance_approval_line WHERE request_id IN %s "
                "ORDER BY id FOR NO KEY UPDATE",
                ids,
            ),
            log_exceptions=False,
        )

    # ------------------------------------------------------------
    # BUSINESS: submission
    # ------------------------------------------------------------
    @api.model
    def _compliance_submit(self, records, vals, note, event=None):
        """Submit the change ``vals`` of ``records`` for approval (``compliance_request_approval``).

        The change is tried in a savepoint: if no policy holds it, it is simply
        made; if some do, it is rolled back, one request per held policy and
        record goes to the policy's approvers and the records none holds take
        the change.

        :return: the requests made (empty when the change was made)
        """
        # asking to change records is changing them: the requester needs write access
        refuse_missing(records, "write")
        records.check_access("write")
        note = records._guide_bounded_text(note, self.env._("The note to the approvers"))
        if not note:
            raise UserError(self.env._("Explain to the approvers why this change is needed."))
        self._compliance_check_submitted(records, vals, event)
        try:
            with self.env.cr.savepoint(), engine_flag(self.env, FLAG_COLLECT):
                # a copy: a model's write adds its own values to the dict it is given (the
                # CRM's stage dates), which are no part of the change the approvers decide
                records._compliance_apply_change(event, dict(vals))
        except ApprovalNeeded as held:
            requests = self._compliance_create_requests(held.held, note, vals, event)
            # the records no policy held take the change now, as they would alone (a mass
            # edit lost it for them); whatever they need in turn refuses the whole submission
            rest = records - records.browse({record.id for _info, record in held.held})
            if rest:
                rest._compliance_apply_change(event, dict(vals))
            return requests
        return self.browse()

    def _compliance_requested_action(self):
        """The notification a dialog closes with once the requests ``self`` are sent; the
        form or kanban behind it then shows the records as they are."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Approval requested"),
                "message": self.env._("Your request was sent to the approvers.")
                if len(self) == 1
                else self.env._("%(count)s approval requests were sent to the approvers.", count=len(self)),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _compliance_check_submitted(self, records, vals, event):
        """Refuse a change submitted for approval that is not one: ``vals`` a dict of
        fields of the records' model, ``event`` empty or one their policies know."""
        if not isinstance(vals, dict) or not vals:
            raise UserError(
                self.env._(
                    "The change to approve is a set of field values, not %(value)s.",
                    value=shortened(vals),
                )
            )
        unknown = [fname for fname in vals if fname not in records._fields]
        if unknown:
            raise UserError(
                self.env._(
                    "%(model)s has no field %(fields)s.",
                    model=records._description,
                    fields=field_labels(records, unknown),
                )
            )
        for fname, value in vals.items():
            if not self._compliance_is_field_value(records, records._fields[fname], value):
                raise UserError(
                    self.env._(
                        "%(model)s: %(value)s is not a value of %(field)s.",
                        model=records._description,
                        value=shortened(value),
                        field=field_labels(records, [fname]),
                    )
                )
        if event and (not isinstance(event, str) or event not in records._policy_triggers()):
            raise UserError(
                self.env._(
                    "%(model)s: %(value)s is not an event its policies are checked at.",
                    model=records._description,
                    value=shortened(event),
                )
            )

    @api.model
    def _compliance_is_field_value(self, records, field, value):
        """Whether ``value`` sent by a client can be written to ``field`` of ``records``: of
        its type, one of its choices, a record that exists."""
        if field.type == "many2one" and value is not False:
            return (
                isinstance(value, int)
                and not isinstance(value, bool)
                and 0 < value < 2**31
                and bool(self.env[field.comodel_name].browse(value).exists())
            )
        if field.type in ("many2many", "one2many") and value:
            # the rows its commands link exist (a foreign key error was logged as an ERROR)
            ids = referenced_ids(field, value)
            if ids is None or len(self.env[field.comodel_name].browse(set(ids)).exists()) != len(set(ids)):
                return False
        if field.type == "selection" and value is not False and not callable(field.selection):
            return value in {key for key, _label in field.selection}
        try:
            field.convert_to_cache(value, records[:1])
        except (ValueError, TypeError, OverflowError):
            return False
        return True

    @api.model
    def _compliance_create_requests(self, held, note, vals, event):
        """One request per (policy, record) held, approvers resolved now; one audit INSERT.

        :param held: list of (policy_info, record) of the configuration cache
        """
        self._compliance_check_not_pending(held)
        policies = self.env["compliance.policy"].sudo().browse({info["id"] for info, _record in held})
        # the reason chosen with the justification (checked: one offered on the records' model)
        reasons = {
            model_name: self.env[model_name]._guide_context_reason_id()
            for model_name in {record._name for _info, record in held}
        }
        vals_list = [
            {
                **self._compliance_request_vals(
                    policies.browse(policy_info["id"]), policy_info, record, note, vals, event
                ),
                "reason_id": reasons[record._name],
            }
            for policy_info, record in held
        ]
        requests = self.sudo().with_context(mail_create_nolog=True).create(vals_list)
        requests._compliance_store_words(held)
        Log = self.env["compliance.log"].sudo()
        Log._compliance_create_rows(
            [
                Log._compliance_row_vals(
                    record,
                    policy_info,
                    policy_info["trigger"],
                    "approval_requested",
                    reason=note,
                    request_id=req.id,
                )
                for (policy_info, record), req in zip(held, requests, strict=True)
            ]
        )
        requests._compliance_notify_approvers()
        requests._compliance_post_held()
        return requests.sudo(False)

    @api.model
    def _compliance_check_not_pending(self, held):
        """Refuse a second request for a (policy, record) already waiting. One query."""
        records = {record for _info, record in held}
        pending = self.sudo().search(
            [
                ("res_model", "in", list({record._name for record in records})),
                ("res_id", "in", list({record.id for record in records})),
                ("state", "=", "pending"),
            ]
        )
        pending_keys = {(req.policy_id.id, req.res_model, req.res_id): req for req in pending}
        for policy_info, record in held:
            duplicate = pending_keys.get((policy_info["id"], record._name, record.id))
            if duplicate:
                raise UserError(
                    self.env._(
                        "%(record)s is already waiting for the approval of policy %(policy)s (%(request)s).",
                        record=record.display_name,
                        policy=policy_info["name"],
                        request=duplicate.name,
                    )
                )

    @api.model
    def _compliance_request_vals(self, policy, policy_info, record, note, vals, event):
        """Values of the request holding ``vals`` on ``record`` for ``policy`` (its record and its
        entry of the configuration cache)."""
        event = event or policy_info["trigger"]
        owner_field = record._guide_owner_field
        owner = record[owner_field] if owner_field in record._fields else False
        return {
            "name": self.env._(
                "%(policy)s: %(record)s", policy=policy_info["name"], record=record.display_name
            ),
            "policy_id": policy_info["id"],
            "policy_name": policy_info["name"],
            "policy_version_id": policy_info["version_id"],
            "message": policy_info["message"],
            "res_model": record._name,
            "res_id": record.id,
            "record_name": record.display_name,
            "event": event,
            "change": record._compliance_change_label(event, vals),
            "target_vals": json.dumps(vals, default=str),
            "record_snapshot": json.dumps(
                record.sudo()._compliance_state_snapshot(vals, record._compliance_policy_paths(policy_info)),
                default=str,
            ),
            "requester_id": self.env.uid,
            "owner_id": owner.id if owner else False,
            "company_id": record.company_id.id if "company_id" in record._fields else False,
            "note": note,
            "allow_self_approval": policy.allow_self_approval,
            "distinct_approvers": policy.distinct_approvers,
            "reminder_hours": policy.reminder_hours,
            "reminder_max": policy.reminder_max,
            "line_ids": policy.tier_ids._policy_request_lines(
                record,
                excluded=self.env["res.users"] if policy.allow_self_approval else self.env.user,
                distinct=policy.distinct_approvers,
            ),
            **record._policy_log_values(),
        }

    def _compliance_store_words(self, held):
        """The words of these new requests in every language of the database, for approvers and
        readers of other languages: the policy's name and message as translated, the change
        built again in that language from the held values (``_compliance_change_in``), the
        requester's language keeping the change as they were shown it. One UPDATE per
        language.

        :param held: list of (policy_info, record), as the requests"""
        columns = ("name", "policy_name", "change", "message")
        requester_lang = self.env.lang or "en_US"
        for lang, _label in self.env["res.lang"].get_installed():
            env = self.with_context(lang=lang).env
            rows = []
            for request, (policy_info, record) in zip(self, held, strict=True):
                policy, message = policy_info["texts"].get(lang) or (
                    policy_info["name"],
                    policy_info["message"],
                )
                rows.append(
                    (
                        env._("%(policy)s: %(record)s", policy=policy, record=record.display_name),
                        policy,
                        request.change if lang == requester_lang else request._compliance_change_in(lang),
                        message or None,
                    )
                )
            self.env.cr.execute(
                SQL(
                    """UPDATE compliance_approval_request r SET %s
                         FROM unnest(%s::int[], %s::varchar[], %s::varchar[], %s::varchar[], %s::text[])
                              AS v(id, name, policy_name, change, message)
                        WHERE r.id = v.id""",
                    SQL(", ").join(
                        SQL(
                            "%s = COALESCE(r.%s, '{}'::jsonb)"
                            " || jsonb_strip_nulls(jsonb_build_object(%s, v.%s))",
                            SQL.identifier(column),
                            SQL.identifier(column),
                            lang,
                            SQL.identifier(column),
                        )
                        for column in columns
                    ),
                    self.ids,
                    *([row[index] for row in rows] for index in range(len(columns))),
                )
            )
        self.invalidate_recordset(list(columns))

    def _compliance_post_held(self):
        """Tell each record's followers its change is held, and by whom it is decided."""
        for request in self:
            record = request._compliance_record()
            record.message_post(
                body=self.env._(
                    "“%(change)s” is held: policy %(policy)s needs approval. Approvers: %(users)s.",
                    change=request.change or request.name,
                    policy=request.policy_name,
                    users=", ".join(request.current_approver_ids.mapped("name")),
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _compliance_approved_for(self, records, checks):
        """Approved, not yet applied requests covering this change of ``records``:
        {(policy id, record id): request}. An approved request covers its own change only,
        as the engine applies it (at the last approval, or by *Apply*): any other change,
        the requester's included, would pass under an approval given for other values.
        No query outside an application.

        :param checks: list of (policy_info, records in scope, ids meeting the requirement)
        """
        allowed = engine_flag_get(self.env, FLAG_APPROVED)
        policy_ids = [info["id"] for info, _records, _holding in checks if info["enforcement"] == "approval"]
        record_ids = {rid for _info, scoped, holding in checks for rid in scoped.ids if rid not in holding}
        if not allowed or not policy_ids or not record_ids:
            return {}
        requests = self.sudo().search(
            [
                ("id", "in", list(allowed)),
                ("policy_id", "in", policy_ids),
                ("res_model", "=", records._name),
                ("res_id", "in", list(record_ids)),
                ("state", "=", "approved"),
                ("applied", "=", False),
            ],
            order="id",
        )
        return {(req.policy_id.id, req.res_id): req for req in requests}

    # ------------------------------------------------------------
    # BUSINESS: decision and application
    # ------------------------------------------------------------
    def _compliance_engine(self):
        return self.sudo()

    def _compliance_record(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id).exists()

    def _compliance_check_decider(self):
        self.ensure_one()
        if self.state != "pending":
            raise UserError(self.env._("Request %(request)s is already decided.", request=self.name))
        line = self.current_line_id
        if self.env.su:
            return
        decided = self.line_ids.filtered(
            lambda ln: ln.state == "approved" and ln.decided_by_id == self.env.user
        )
        if self.distinct_approvers and decided:
            # a rule of the policy, not a missing right
            raise UserError(
                self.env._(
                    "You approved tier %(decided)s of %(record)s; each tier has a different approver: "
                    "tier %(tier)s is for %(users)s.",
                    decided=decided[:1].name,
                    record=self.record_name,
                    tier=line.name,
                    users=", ".join(line.approver_ids.mapped("name")),
                )
            )
        if self.env.user not in line.approver_ids:
            raise AccessError(
                self.env._(
                    "You are not an approver of request %(request)s at tier %(tier)s (approvers: %(users)s).",
                    request=self.name,
                    tier=line.name,
                    users=", ".join(line.approver_ids.mapped("name")),
                )
            )
        if self.requester_id == self.env.user and not self.allow_self_approval:
            raise AccessError(
                self.env._(
                    "Request %(request)s: policy %(policy)s does not allow approving your own request.",
                    request=self.name,
                    policy=self.policy_name,
                )
            )

    def _compliance_is_outdated(self):
        """Whether the record moved on since the request was made: its stage, a field the change
        writes, or a value its policy's scope or requirement reads."""
        self.ensure_one()
        if not self.record_snapshot:
            return False
        record = self._compliance_record()
        if not record:
            return False  # reported by _compliance_apply
        vals = json.loads(self.target_vals or "{}")
        snapshot = json.loads(self.record_snapshot)
        paths = [key.removeprefix(SNAPSHOT_PATH) for key in snapshot if key.startswith(SNAPSHOT_PATH)]
        current = record.sudo()._compliance_state_snapshot(vals, paths)
        # the values the request was made on (a snapshot taken before a field was added to
        # them, by an earlier version, is compared on its own fields)
        return any(current.get(name) != value for name, value in snapshot.items())

    def _compliance_mark_outdated(self):
        """Nothing is applied: the request is closed as outdated and the requester told why."""
        self.ensure_one()
        self._compliance_close_activities()
        now = fields.Datetime.now()
        texts = self._compliance_texts(
            lambda request: request.env._(
                "%(change)s was not applied: %(record)s changed since the request was made (its stage, "
                "whether it is archived, the values the change writes, or a value its policy reads). "
                "Request the change again if it is still needed.",
                change=request.change or request.name,
                record=request.record_name,
            )
        )
        self._compliance_engine().write(
            {
                "state": "outdated",
                "decision_date": now,
                "decided_by_id": self.env.uid,
                "lead_time_hours": (now - self.request_date).total_seconds() / 3600.0,
            }
        )
        self._compliance_write_apply_error({self.id: texts})
        self._compliance_post_requester(texts)
        self._compliance_post_record(texts)
        return True

    def _compliance_texts(self, make):
        """{lang: ``make(request)``}: the words ``make`` writes of this request (read in the
        language of its environment) in English and every language of the database."""
        self.ensure_one()
        langs = {"en_US", *(code for code, _label in self.env["res.lang"].get_installed())}
        return {lang: make(self.with_context(lang=lang)) for lang in sorted(langs)}

    def _compliance_requester_lang(self):
        """The language the requester reads (else their company's, else the current one)."""
        return self.requester_id.lang or self.company_id.partner_id.lang or self.env.lang or "en_US"

    @api.model
    def _compliance_in(self, texts, lang):
        """The words ``texts`` ({lang: text}) in ``lang``, else in English."""
        return texts.get(lang) or texts.get("en_US") or next(iter(texts.values()))

    def _compliance_write_apply_error(self, texts_by_id):
        """Write why the change of these requests was not applied, in every language
        (``texts_by_id``: {request id: {lang: text}}): each reader reads it in theirs. One
        UPDATE for the batch."""
        self.flush_model(["apply_error"])
        self.env.cr.execute(
            SQL(
                """UPDATE compliance_approval_request r SET apply_error = v.texts
                     FROM unnest(%s::int[], %s::jsonb[]) AS v(id, texts)
                    WHERE r.id = v.id""",
                list(texts_by_id),
                [json.dumps(texts) for texts in texts_by_id.values()],
            )
        )
        self.browse(texts_by_id).invalidate_recordset(["apply_error"])

    def _compliance_post_requester(self, texts):
        """Tell the requester ``texts`` ({lang: text}) on the request, in their language."""
        self._compliance_engine().message_post(
            body=self._compliance_in(texts, self._compliance_requester_lang()),
            partner_ids=self.requester_id.partner_id.ids,
        )

    def _compliance_post_record(self, texts):
        """Note ``texts`` ({lang: text}) on the request's record, in its owner's language."""
        record = self._compliance_record().sudo()
        if not record or not hasattr(record, "message_post"):
            return
        lang = self.env.lang
        if hasattr(record, "_guide_by_owner_language"):
            lang = next(iter(record._guide_by_owner_language()))
        record.message_post(body=self._compliance_in(texts, lang), subtype_xmlid="mail.mt_note")

    def _compliance_cancel_deleted(self):
        """The records of these pending requests were deleted (by ``env.user``): each request is
        cancelled, its approvers' activities closed and its requester told why."""
        user = self.env.user.name
        for request in self:
            request._compliance_cancel(
                lambda req: req.env._(
                    "%(change)s was not applied: %(record)s was deleted by %(user)s; the request is "
                    "cancelled.",
                    change=req.change or req.name,
                    record=req.record_name,
                    user=user,
                )
            )
        return True

    def _compliance_cancel_policy_gone(self, how):
        """The policies of these pending requests were archived, deleted or removed by a
        module's uninstallation (``how``, by ``env.user``): nothing is left to approve (no
        policy holds the change any more); each request is cancelled, its approvers'
        activities closed and its requester told to make the change again if it is still
        needed."""
        user = self.env.user.name

        def words(request):
            change, policy = request.change or request.name, request.policy_name
            if how == "archived":
                return request.env._(
                    "%(change)s was not applied: policy %(policy)s was archived by %(user)s, and "
                    "nothing is left to approve; the request is cancelled. Make the change again if "
                    "it is still needed.",
                    change=change,
                    policy=policy,
                    user=user,
                )
            if how == "uninstalled":
                return request.env._(
                    "%(change)s was not applied: policy %(policy)s was removed with the module "
                    "that applied it, which was uninstalled, and nothing is left to approve; the "
                    "request is cancelled. Make the change again if it is still needed.",
                    change=change,
                    policy=policy,
                )
            return request.env._(
                "%(change)s was not applied: policy %(policy)s was deleted by %(user)s, and "
                "nothing is left to approve; the request is cancelled. Make the change again if "
                "it is still needed.",
                change=change,
                policy=policy,
                user=user,
            )

        for request in self:
            request._compliance_cancel(words)
        return True

    def _compliance_cancel(self, words, decided_by=True):
        """Cancel this pending request: its approvers' activities closed, the requester told
        why (``words(request)``, written in every language: ``_compliance_texts``)."""
        self.ensure_one()
        self._compliance_close_activities()
        texts = self._compliance_texts(words)
        vals = {"state": "cancelled", "decision_date": fields.Datetime.now()}
        if decided_by:
            vals["decided_by_id"] = self.env.uid
        self._compliance_engine().write(vals)
        self._compliance_write_apply_error({self.id: texts})
        self._compliance_post_requester(texts)
        return True

    def _compliance_decide_line(self, decision, reason=None):
        self.ensure_one()
        now = fields.Datetime.now()
        line = self.current_line_id
        if decision == "approved" and self.distinct_approvers:
            self._compliance_leave_later_tiers(line)
        line.sudo().write(
            {"state": decision, "decided_by_id": self.env.uid, "decision_date": now, "comment": reason}
        )
        self._compliance_close_activities()
        engine = self._compliance_engine()
        next_line = self.line_ids.filtered(lambda ln: ln.state == "waiting")[:1]
        if decision == "approved" and next_line:
            next_line.sudo().state = "pending"
            # each approver's decision is evidence, the next tier's too
            self.env["compliance.log"].sudo()._compliance_create_rows(
                [
                    self._compliance_log_vals(
                        "tier_approved", reason=self.env._("Tier %(tier)s approved", tier=line.name)
                    )
                ]
            )
            engine.message_post(
                body=self.env._(
                    "Tier %(tier)s approved by %(user)s.", tier=line.name, user=self.env.user.name
                )
            )
            self._compliance_notify_approvers()
            return
        lead_time = (now - self.request_date).total_seconds() / 3600.0
        engine.write(
            {
                "state": decision,
                "decision_date": now,
                "decided_by_id": self.env.uid,
                "reject_reason": reason,
                "lead_time_hours": lead_time,
            }
        )
        outcome = "approved" if decision == "approved" else "rejected"
        self.env["compliance.log"].sudo()._compliance_create_rows(
            [self._compliance_log_vals(outcome, reason=reason)]
        )
        user = self.env.user.name
        if decision == "approved":
            texts = self._compliance_texts(
                lambda request: request.env._(
                    "%(change)s approved by %(user)s (policy %(policy)s).",
                    change=request.change,
                    user=user,
                    policy=request.policy_name,
                )
            )
        else:
            texts = self._compliance_texts(
                lambda request: request.env._(
                    "%(change)s rejected by %(user)s (policy %(policy)s): %(reason)s",
                    change=request.change,
                    user=user,
                    policy=request.policy_name,
                    reason=reason,
                )
            )
        # the requester told in their language, the record's followers in its owner's (the
        # approver may not be able to read the record: a narrow sudo to post the decision)
        self._compliance_post_requester(texts)
        self._compliance_post_record(texts)
        if decision == "approved":
            self._compliance_apply(raise_on_error=False)

    def _compliance_leave_later_tiers(self, line):
        """The current user approves tier ``line`` of a request asking a different approver at
        each tier: they leave its later tiers, refused when that would leave one of them with
        nobody (naming the other approvers of this tier, who may decide it instead)."""
        later = self.line_ids.filtered(lambda ln: ln.state == "waiting")
        if not later:
            return
        deciders = self.line_ids.filtered(lambda ln: ln.state == "approved").decided_by_id | self.env.user
        short = tiers_without_distinct_approvers([ln.approver_ids - deciders for ln in later])
        if short:
            raise UserError(
                self.env._(
                    "Request %(request)s: if you approve tier %(tier)s, nobody is left to approve tier "
                    "%(later)s (policy %(policy)s asks a different approver at each tier). Leave tier "
                    "%(tier)s to %(users)s.",
                    request=self.name,
                    tier=line.name,
                    later=", ".join(later[index].name for index in short),
                    policy=self.policy_name,
                    users=", ".join((line.approver_ids - self.env.user).mapped("name")) or "-",
                )
            )
        for later_line in later.filtered(lambda ln: self.env.user in ln.approver_ids):
            later_line.sudo().approver_ids = [Command.unlink(self.env.uid)]

    def _compliance_apply(self, raise_on_error):
        """Apply the approved change, as the requester, covered by this request."""
        self.ensure_one()
        record = self._compliance_record()
        if not record:
            texts = self._compliance_texts(lambda request: request.env._("The record no longer exists."))
            self._compliance_write_apply_error({self.id: texts})
            return False
        vals = json.loads(self.target_vals or "{}")
        # the deviations the change writes carry the justification and the reason chosen (one
        # no longer offered there since -- archived, moved to another model, of a company the
        # requester no longer reaches -- is left out: the justification still says why)
        requester_env = self._compliance_requester_env()
        reason = self.reason_id.with_env(requester_env)._guide_filter_offered(self.res_model)
        ctx = {CTX_REASON: self.note or self.change, CTX_REASON_ID: reason.id}
        # as the requester, in their language: a refusal (a gate, another policy) is kept in
        # their words
        ctx["lang"] = self._compliance_requester_lang()
        try:
            with self.env.cr.savepoint(), engine_flag(self.env, FLAG_APPROVED, frozenset(self.ids)):
                record.with_env(requester_env).with_context(**ctx)._compliance_apply_change(self.event, vals)
        except (UserError, AccessError) as exc:
            if raise_on_error:
                raise
            if isinstance(exc, AccessError):
                # Odoo's access error names user ids and models: said in words instead
                user = self.requester_id.name
                texts = self._compliance_texts(
                    lambda request: request.env._(
                        "%(user)s may no longer change %(record)s (access rights); the approved "
                        "change waits: %(user)s applies it with Apply the Change once allowed to "
                        "change the record again.",
                        user=user,
                        record=request.record_name,
                    )
                )
            else:
                # a refusal of the record's own rules (a gate, another policy): in the words
                # it was given in
                message = str(exc.args[0]) if exc.args else str(exc)
                texts = self._compliance_texts(lambda _request: message)
            self._compliance_write_apply_error({self.id: texts})
            self._compliance_post_requester(
                {
                    lang: self.with_context(lang=lang).env._(
                        "The approved change could not be applied: %(error)s", error=error
                    )
                    for lang, error in texts.items()
                }
            )
            return False
        self._compliance_engine().write({"applied": True, "apply_error": False})
        return True

    def _compliance_requester_env(self):
        """The environment the approved change is applied in: its requester, in the companies
        they work for (the request's first), not in those of the session of the approver who
        decided it, which may be companies the requester does not work for (Odoo then
        refuses every access of the requester)."""
        self.ensure_one()
        requester = self.requester_id.sudo()
        companies = requester.company_ids
        first = self.company_id if self.company_id in companies else requester.company_id
        return self.env(
            user=requester.id,
            su=False,
            context={**self.env.context, "allowed_company_ids": (first | companies).ids},
        )

    def _compliance_log_vals(self, outcome, reason=None):
        """The audit row of a decision on this request, carrying the bridge's columns as the
        rows of the check that held the change do (``_compliance_bridge_log_values``)."""
        self.ensure_one()
        policy = self.policy_id
        return {
            **self._compliance_bridge_log_values(),
            "policy_id": policy.id,
            "policy_name": self.policy_name,
            "policy_version_id": self.policy_version_id.id,
            "enforcement": "approval",
            "event": "approval",
            "outcome": outcome,
            "res_model": self.res_model,
            "res_id": self.res_id,
            "record_name": self.record_name,
            "user_id": self.env.uid,
            "owner_id": self.owner_id.id,
            "company_id": self.company_id.id,
            "reason": reason or self.note,
            "request_id": self.id,
        }

    def _compliance_bridge_log_values(self):
        """The bridge's columns of the record's audit rows (its ``_policy_log_values()``: a
        team...) for a decision row: as the request saved them when it was made (the same
        columns), else as the record has them now; none once the record is deleted."""
        self.ensure_one()
        if self.res_model not in self.env:
            return {}
        record = self.sudo()._compliance_record()
        if not record or not hasattr(record, "_policy_log_values"):
            return {}
        values = record._policy_log_values()
        for fname in values.keys() & self._fields.keys():
            value = self.sudo()[fname]
            values[fname] = value.id if isinstance(value, models.BaseModel) else value
        return values

    def _compliance_notify_approvers(self, users=None):
        """Activities (on the request) for the approvers of the current tier (those of ``users``
        only, when given). Scheduled by the engine (OdooBot), not by the user whose change
        asked for them: Odoo lets whoever created an activity reassign or delete it, and the
        requester could take the approvers' to-dos off their lists."""
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        engine = self._compliance_engine().with_user(SUPERUSER_ID)
        for request in self:
            line = request.current_line_id
            approvers = line.approver_ids if users is None else line.approver_ids & users
            for user in approvers:
                lang = user.lang or self.env.lang
                engine.browse(request.id).activity_schedule(
                    activity_type_id=activity_type.id if activity_type else False,
                    summary=self.with_context(lang=lang).env._(
                        "Approve: %(change)s", change=request._compliance_change_in(lang)
                    ),
                    note=request.message,
                    user_id=user.id,
                )
            engine.browse(request.id).message_subscribe(partner_ids=approvers.partner_id.ids)

    def _compliance_change_in(self, lang):
        """The change of this request in the language ``lang``, for its approvers' to-dos and
        reminders: built again from the held values, with its requester's access as when it
        was made (the stored ``change`` is in the requester's language, kept as the request's
        evidence); the stored words when the record is gone or no longer the requester's to
        read."""
        self.ensure_one()
        try:
            vals = json.loads(self.target_vals or "")
        except ValueError:
            vals = None
        if self.res_model not in self.env or not isinstance(vals, dict) or not self.requester_id:
            return self.change or self.name
        Model = self.env[self.res_model].with_user(self.requester_id).with_context(lang=lang)
        try:
            return Model.browse(self.res_id)._compliance_change_label(self.event, vals)
        except (AccessError, MissingError):
            return self.change or self.name

    def _compliance_close_activities(self):
        self.sudo().activity_ids.unlink()

    def _compliance_excluded_approvers(self):
        """Who may not decide this request's undecided tiers: its requester unless its policy
        allowed approving one's own request, and, when it asks a different approver at each
        tier, those who approved one."""
        self.ensure_one()
        excluded = self.env["res.users"] if self.allow_self_approval else self.requester_id
        if self.distinct_approvers:
            excluded |= self.line_ids.filtered(lambda ln: ln.state == "approved").decided_by_id
        return excluded

    def _compliance_may_decide(self, user):
        """Whether ``user`` can still decide this request: an active internal user of its company."""
        self.ensure_one()
        return user.active and not user.share and (not self.company_id or self.company_id in user.company_ids)

    @api.model
    def _compliance_approvers_changed(self, users):
        """``users`` were archived, made portal users or left companies: the undecided tiers of
        pending requests keep the approvers who can still decide; a tier left with none is
        resolved again from its policy's tier for the record, and when nobody can approve it
        either, the request is cancelled and its requester told why. One query when ``users``
        approve nothing pending."""
        lines = (
            self.env["compliance.approval.line"]
            .sudo()
            .search(
                [
                    ("approver_ids", "in", users.ids),
                    ("state", "in", ("pending", "waiting")),
                    ("request_id.state", "=", "pending"),
                ]
            )
        )
        for request, request_lines in lines.grouped("request_id").items():
            request._compliance_resolve_lines(request_lines)
            request._compliance_cancel_undecidable()
        return True

    @api.model
    def _compliance_follow_company(self, records):
        """The requests of ``records`` take the company their records were moved to:
        a pending change is read and decided where its record is (multi-company rule), and
        the approvers who do not work for that company leave its undecided tiers
        (``_compliance_resolve_lines``: a tier left with nobody goes to its policy tier's
        approvers for the record, or the request is cancelled and its requester told).
        A decided request just takes the record's company, read where its record is as the
        other audit rows are. One query when the records have no request."""
        requests = self.sudo().search([("res_model", "=", records._name), ("res_id", "in", records.ids)])
        if not requests:
            return
        companies = {record.id: record.company_id for record in records.sudo()}
        moved = requests.filtered(lambda req: req.company_id != companies[req.res_id])
        for company, company_requests in moved.grouped(lambda req: companies[req.res_id]).items():
            company_requests.write({"company_id": company.id})
        for request in moved.filtered(lambda req: req.state == "pending"):
            undecided = request.line_ids.filtered(lambda line: line.state in ("pending", "waiting"))
            request._compliance_resolve_lines(undecided)
            request._compliance_cancel_undecidable()

    def _compliance_cancel_undecidable(self):
        """Cancel this pending request, its requester told why, when its policy asks a different
        approver at each tier and its undecided tiers can no longer have one each (approvers
        archived or gone to another company): it would wait for ever."""
        self.ensure_one()
        if self.state != "pending" or not self.distinct_approvers:
            return
        undecided = self.line_ids.filtered(lambda ln: ln.state in ("pending", "waiting"))
        deciders = self.line_ids.filtered(lambda ln: ln.state == "approved").decided_by_id
        short = tiers_without_distinct_approvers([ln.approver_ids - deciders for ln in undecided])
        if not short:
            return
        tiers = ", ".join(undecided[index].name for index in short)
        users = ", ".join((undecided.approver_ids - deciders).mapped("name")) or "-"
        self._compliance_cancel(
            lambda request: request.env._(
                "%(change)s was not applied: tiers %(tiers)s can no longer be approved by different "
                "people (approvers left: %(users)s), as policy %(policy)s asks; the request is "
                "cancelled. Request the change again once the policy names more approvers.",
                change=request.change or request.name,
                tiers=tiers,
                users=users,
                policy=request.policy_name,
            )
        )

    def _compliance_resolve_lines(self, lines):
        """Drop from the undecided tiers ``lines`` of this pending request the approvers who can
        no longer decide (``_compliance_may_decide``); see ``_compliance_approvers_changed``."""
        self.ensure_one()
        engine = self._compliance_engine()
        # archived approvers included: a many2many hides them otherwise
        for line in lines.sudo().with_context(active_test=False):
            gone = line.approver_ids.filtered(lambda user: not self._compliance_may_decide(user))
            if not gone:
                continue
            approvers = line.approver_ids - gone
            if not approvers and line.tier_id:
                record = self._compliance_record().sudo()
                if record:
                    approvers = (
                        line.tier_id._policy_approvers(record) - self._compliance_excluded_approvers()
                    ).filtered(self._compliance_may_decide)
            if not approvers:
                tier, users = line.name, ", ".join(gone.mapped("name"))
                self._compliance_cancel(
                    lambda request, tier=tier, users=users: request.env._(
                        "%(change)s was not applied: nobody can approve tier %(tier)s any more "
                        "(%(users)s archived or without access to its company); the request is "
                        "cancelled. Request the change again once the policy names approvers who "
                        "can decide it.",
                        change=request.change or request.name,
                        tier=tier,
                        users=users,
                    ),
                    decided_by=False,
                )
                return
            line.approver_ids = approvers
            if line.state == "pending":
                engine.activity_ids.filtered(lambda act, gone=gone: act.user_id in gone).unlink()
                new = approvers - engine.activity_ids.user_id
                if new:
                    self._compliance_notify_approvers(users=new)
            engine.message_post(
                body=self.env._(
                    "Tier %(tier)s: %(gone)s can no longer decide (archived or without access to the "
                    "request's company); approvers now: %(users)s.",
                    tier=line.name,
                    gone=", ".join(gone.mapped("name")),
                    users=", ".join(approvers.mapped("name")),
                ),
                partner_ids=approvers.partner_id.ids,
            )

    @api.model
    def _cron_remind(self, limit=500):
        """Remind the approvers of pending requests: bounded, stops when decided.

        The requests due (reminders left, the interval past since the last one) are
        selected in SQL, oldest first, so that requests out of reminders never hold the
        others back; their rows are locked and those another worker holds skipped, so that
        two runs at once do not remind twice. A reminder that fails uses its turn (retried
        after the interval, at most *Reminders at Most* times) and the next requests are
        reminded."""
        now = fields.Datetime.now()
        self.flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id FROM compliance_approval_request
                 WHERE state = 'pending' AND reminder_hours > 0
                   AND COALESCE(reminder_count, 0) < COALESCE(reminder_max, 0)
                   AND COALESCE(last_reminder_at, request_date) + reminder_hours * INTERVAL '1 hour' <= %s
                 ORDER BY request_date, id
                 LIMIT %s
                   FOR NO KEY UPDATE SKIP LOCKED
                """,
                now,
                limit,
            )
        )
        for request in self.sudo().browse([row[0] for row in rows]):
            request._compliance_remind(now)
        return True

    def _compliance_remind(self, now):
        """Post one reminder of ``self`` to the approvers of its current tier; a failure is
        logged (a refusal as a warning) and uses the reminder's turn. A request whose record
        moved on since it was made (``_compliance_is_outdated``) is closed as outdated
        instead, as its approval would be: nobody is reminded of a change that can no longer
        apply, and the requester is told in their language."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                if self._compliance_is_outdated():
                    lang = self.requester_id.lang or self.company_id.partner_id.lang or self.env.lang
                    self.with_context(lang=lang)._compliance_mark_outdated()
                    return
                # in the approvers' language (the scheduler has none: English)
                approvers = self.current_line_id.approver_ids
                lang = approvers[:1].lang or self.company_id.partner_id.lang or self.env.lang
                self._compliance_engine().message_post(
                    body=Markup("%s")
                    % self.with_context(lang=lang).env._(
                        "Reminder %(count)s/%(max)s: %(change)s is waiting for your approval.",
                        count=self.reminder_count + 1,
                        max=self.reminder_max,
                        change=self._compliance_change_in(lang),
                    ),
                    partner_ids=approvers.partner_id.ids,
                    subtype_xmlid="mail.mt_comment",
                )
        except (UserError, AccessError) as exc:
            # a refusal (e.g. an approver's access), not a failure: the next requests are reminded
            _logger.warning("Compliance: cannot remind the approvers of request %s: %s", self.id, exc)
        except Exception:  # noqa: BLE001 - rolled back to the savepoint; the next requests are reminded
            _logger.exception("Compliance: cannot remind the approvers of request %s", self.id)
        self.invalidate_recordset()
        self._compliance_engine().write({"reminder_count": self.reminder_count + 1, "last_reminder_at": now})


class ComplianceApprovalLine(models.Model):
    """One tier of a request, with the approvers resolved when the request was made."""

    _name = "compliance.approval.line"
    _inherit = ["guide.searched.access.mixin"]
    _description = "Policy Approval Tier Decision"
    _order = "sequence, id"

    request_id = fields.Many2one("compliance.approval.request", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="request_id.company_id", store=True)
    sequence = fields.Integer(readonly=True)
    name = fields.Char(string="Tier", readonly=True)
    # the policy's tier, to resolve its approvers again when none of the copied ones can decide
    tier_id = fields.Many2one(
        "compliance.policy.tier", string="Policy Tier", readonly=True, ondelete="set null"
    )
    approver_ids = fields.Many2many("res.users", string="Approvers", readonly=True)
    state = fields.Selection(
        [
            ("waiting", "Waiting"),
            ("pending", "To Decide"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
        ],
        default="waiting",
        readonly=True,
        required=True,
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decision_date = fields.Datetime(readonly=True)
    comment = fields.Text(readonly=True)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # a tier is readable where its request is (by id too: guide.searched.access.mixin)
        if not self.env.su:
            requests = self.env["compliance.approval.request"].with_context(active_test=False)._search([])
            domain = expression.AND([domain, [("request_id", "in", requests)]])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _guide_access_error(self, forbidden):
        return AccessError(
            self.env._(
                "You cannot access these approval tiers (ids %(ids)s): they belong to approval requests "
                "you are not allowed to read.",
                ids=", ".join(str(id_) for id_ in forbidden.ids[:10]),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Approval tiers are written by the engine only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(
                self.env._("Approval tiers are decided through their request's Approve and Reject buttons.")
            )
        return super().write(vals)
