import json
import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_list

from odoo.addons.crm_process_guide.exceptions import GuideDecisionRequired
from odoo.addons.crm_process_guide.models.guide_condition_mixin import GUIDE_CONDITION_ERRORS
from odoo.addons.crm_process_guide.models.guide_mixin import CTX_REASON, CTX_REASON_ID
from odoo.addons.crm_process_guide.tools import engine_flag_get

from .compliance_approval_request import FLAG_APPROVED
from .compliance_policy import CTX_UNTIL, FLAG_COLLECT, FLAG_LOST_VALUES, ApprovalNeeded

_logger = logging.getLogger(__name__)


class GuideMixin(models.AbstractModel):
    """Policies on every guided model.

    The engine runs in ``create``/``write``: the change is made, the
    requirements of the triggered policies are evaluated on the new state
    (one query per policy), and a refused change raises, which rolls it back.
    The model-specific parts are small ``_policy_*`` hooks (``crm_lead.py``).
    """

    _inherit = "guide.mixin"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    compliance_awaiting_approval = fields.Boolean(
        string="Awaiting Approval",
        compute="_compute_guide_summary",
        search="_search_compliance_awaiting_approval",
        help="A change of the record is held until a policy's approvers decide.",
    )
    compliance_request_count = fields.Integer(string="Approval Requests", compute="_compute_guide_summary")
    compliance_violation_count = fields.Integer(string="Policy Violations", compute="_compute_guide_summary")
    compliance_has_note = fields.Boolean(
        string="Has an Internal Note",
        compute="_compute_compliance_has_note",
        search="_search_compliance_has_note",
        help="Helper for policy requirements: someone logged an internal note on the record "
        "(e.g. a resolution note).",
    )

    # ------------------------------------------------------------
    # HOOKS (override in guided models)
    # ------------------------------------------------------------
    @api.model
    def _guide_engine_fields(self):
        # request and violation state is the policy engine's
        return super()._guide_engine_fields() | {
            "compliance_awaiting_approval",
            "compliance_request_count",
            "compliance_violation_count",
            "compliance_has_note",
        }

    @api.model
    def _policy_triggers(self):
        """Events a policy of this model can be checked at."""
        return {"stage", "fields", "create"}

    @api.model
    def _policy_scope_values(self, policy):
        """Model-specific scope values of ``policy`` kept in the configuration cache."""
        return {}

    def _policy_team_leader(self):
        """Approvers of a "team leader" tier for ``self`` (one record)."""
        return self.env["res.users"]

    def _policy_log_values(self):
        """Extra columns of the audit rows and requests of ``self`` (one record)."""
        return {}

    def _policy_events(self, vals, config):
        """Events a write of ``vals`` causes, before it is made: {event: records}."""
        events = {}
        triggers = {policy["trigger"] for policy in config["policies"]}
        stage_field = self._guide_stage_field
        if "stage" in triggers and stage_field in vals:
            moving = self.filtered(lambda rec: rec[stage_field].id != vals[stage_field])
            if moving:
                events["stage"] = moving
        if "fields" in triggers and set(vals) & config["fields"]:
            events["fields"] = self
        return events

    def _policy_transition_events(self, transitions, config):
        """Events of the changes of step a write made (``guide.mixin`` transitions): a
        record re-matching a process (team, type, condition...) enters a step."""
        triggers = {policy["trigger"] for policy in config["policies"]}
        if "stage" not in triggers or not transitions:
            return {}
        return {"stage": self.browse([info["record"].id for info in transitions])}

    def _policy_creation_events(self, config):
        """Events a creation causes: the creation itself, and entering the step the record is
        created in (a record created directly in a checked step does not escape the policy)."""
        triggers = {policy["trigger"] for policy in config["policies"]}
        events = {}
        if "create" in triggers:
            events["create"] = self
        if "stage" in triggers:
            in_step = self.filtered("guide_step_id")
            if in_step:
                events["stage"] = in_step
        return events

    def _compliance_change_label(self, event, vals):
        """What a held change does, in words, for the approvers."""
        stage_field = self._guide_stage_field
        if stage_field in vals:
            stage_model = self._fields[stage_field].comodel_name
            stage = self.env[stage_model].browse(vals[stage_field])
            return _("Move %(record)s to %(stage)s", record=self.display_name, stage=stage.display_name)
        names = [self._fields[name].string for name in vals if name in self._fields]
        return _(
            "Change %(fields)s of %(record)s", fields=format_list(self.env, names), record=self.display_name
        )

    def _compliance_apply_change(self, event, vals):
        """Make the held change (approved, or submitted for approval)."""
        return self.write(vals)

    def _compliance_state_snapshot(self, vals):
        """What a held change depends on, as plain JSON values: the record's stage and the current
        values of the fields ``vals`` writes (compared again before an approved change is applied)."""
        self.ensure_one()
        names = sorted({self._guide_stage_field, *(name for name in vals if name in self._fields)})
        snapshot = {
            name: self._fields[name].convert_to_read(self[name], self, use_display_name=False)
            for name in names
        }
        return json.loads(json.dumps(snapshot, default=str))

    @api.model
    def _policy_held_vals(self, vals):
        """The part of a refused write to keep with a held change (not what the ORM added)."""
        return dict(vals)

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    def _guide_summary_models(self):
        return [*super()._guide_summary_models(), "compliance.approval.request", "compliance.log"]

    def _guide_summary_columns(self):
        """Approval requests (how many, whether one is pending: what lists and kanbans
        show) and policy violations of the records."""
        model = self._name
        return {
            **super()._guide_summary_columns(),
            "compliance_request_count": SQL(
                """(SELECT COUNT(*) FROM compliance_approval_request q
                     WHERE q.res_model = %s AND q.res_id = r.id)""",
                model,
            ),
            "compliance_pending": SQL(
                """EXISTS(SELECT 1 FROM compliance_approval_request q
                           WHERE q.res_model = %s AND q.res_id = r.id AND q.state = 'pending')""",
                model,
            ),
            "compliance_violation_count": SQL(
                """(SELECT COUNT(*) FROM compliance_log g
                     WHERE g.res_model = %s AND g.res_id = r.id AND g.violation = 1)""",
                model,
            ),
        }

    def _guide_summary_values(self, values):
        return {
            **super()._guide_summary_values(values),
            "compliance_request_count": values.get("compliance_request_count") or 0,
            "compliance_awaiting_approval": bool(values.get("compliance_pending")),
            "compliance_violation_count": values.get("compliance_violation_count") or 0,
        }

    def _search_compliance_awaiting_approval(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                _(
                    "Unsupported search on %(field)s.",
                    field=self._fields["compliance_awaiting_approval"].string,
                )
            )
        requests = (
            self.env["compliance.approval.request"]
            .sudo()
            ._search([("res_model", "=", self._name), ("state", "=", "pending")])
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", requests.subselect("res_id"))]

    def _compliance_note_domain(self):
        return [
            ("model", "=", self._name),
            ("message_type", "=", "comment"),
            ("subtype_id", "=", self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")),
            ("author_id.user_ids.share", "=", False),
        ]

    def _compute_compliance_has_note(self):
        data = (
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [*self._compliance_note_domain(), ("res_id", "in", self._origin.ids)], ["res_id"], ["__count"]
            )
        )
        with_note = {res_id for res_id, _count in data}
        for record in self:
            record.compliance_has_note = record._origin.id in with_note

    def _search_compliance_has_note(self, operator, value):
        messages = self.env["mail.message"].sudo()._search(self._compliance_note_domain())
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", messages.subselect("res_id"))]

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        config = self.env["compliance.policy"]._get_policy_config(self._name)
        if config["policies"]:
            events = records._policy_creation_events(config)
            if events:
                records._policy_enforce(events, {}, config, creating=True)
        return records

    # the policies judge a write in the phases of the process guide's write
    # (``guide.mixin._guide_write_prepare`` / ``_guide_write_finish``): the events
    # of the write are read before it, the changes of step after it, and the
    # requirements are evaluated on the new state
    def _guide_write_prepare(self, vals):
        change = super()._guide_write_prepare(vals)
        config = self.env["compliance.policy"]._get_policy_config(self._name)
        if not config["policies"]:
            return change
        events = self._policy_events(vals, config)
        if not change:
            if not events:
                return change
            change = {
                "vals": dict(vals),
                "now": fields.Datetime.now(),
                "records": self.browse(),
                "scope_changed": False,
                "old": {},
                "all_moving": False,
            }
        # the ORM overrides below may add values to ``vals``
        change["policy"] = {"events": events, "asked": dict(vals), "config": config}
        return change

    def _guide_write_finish(self, change):
        transitions = super()._guide_write_finish(change)
        policy = change.get("policy")
        if policy:
            events = dict(policy["events"])
            for event, records in self._policy_transition_events(transitions, policy["config"]).items():
                events[event] = (events.get(event) or self.browse()) | records
            if events:
                self._policy_enforce(events, policy["asked"], policy["config"])
        return transitions

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_compliance_open_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_policy_compliance.compliance_approval_request_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_compliance_open_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_policy_compliance.compliance_log_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    def compliance_request_approval(self, vals, note, event=None):
        """Submit a change for approval (the API behind the "Request Approval" button).

        The change is tried in a savepoint: if no policy holds it, it is simply
        made; if some do, it is rolled back and one request per held policy and
        record goes to the policy's approvers.

        :return: the ids of the approval requests created (an empty list when the change was made)
        """
        return self._compliance_request_approval(vals, note, event=event).ids

    def _compliance_request_approval(self, vals, note, event=None):
        """``compliance_request_approval``, returning the requests (records)."""
        return self.env["compliance.approval.request"]._compliance_submit(self, vals, note, event=event)

    # ------------------------------------------------------------
    # BUSINESS: enforcement
    # ------------------------------------------------------------
    def _policy_scope_domain(self, policy):
        """Domain of the records of this model in the scope of ``policy`` (a configuration-cache
        entry): company, process, steps, the bridges' scope fields. Its condition is added apart."""
        domain = []
        if policy["company_id"] and "company_id" in self._fields:
            domain.append(("company_id", "in", [policy["company_id"], False]))
        if policy["process_id"]:
            domain.append(("guide_process_id", "=", policy["process_id"]))
        if policy["step_ids"]:
            domain.append(("guide_step_id", "in", list(policy["step_ids"])))
        return domain

    def _policy_possible(self, policy):
        """The records of ``self`` that may be in the scope of ``policy`` (a configuration-cache
        entry), judged on values in cache, without a query: its process. Records no policy can
        concern (another process, none) cost nothing; the full scope is decided in SQL
        (``_policy_evaluate``)."""
        if not policy["process_id"]:
            return self
        return self._guide_of_process(policy["process_id"])

    def _policy_evaluate(self, candidates):
        """Scope and requirement of each policy on the new state of its records, in one query.

        :param candidates: list of (policy, records triggered)
        :return: list of (policy, records in scope, ids meeting the requirement); a policy whose
            condition no longer holds (a later schema change) is skipped with a warning
        """
        Condition = self.env["guide.condition.mixin"]
        Model = self.sudo().with_context(active_test=False)
        columns, evaluated = [], []
        for policy, records in candidates:
            try:
                scope = [
                    ("id", "in", records.ids),
                    *records._policy_scope_domain(policy),
                    *Condition._guide_domain(policy["domain"] or "[]"),
                ]
                requirement = [("id", "in", records.ids), *Condition._guide_domain(policy["requirement"])]
                in_scope = Model._search(scope).subselect()
                holds = Model._search(requirement).subselect()
            except GUIDE_CONDITION_ERRORS as exc:
                # refused when saved: only a later schema change gets here
                _logger.warning(
                    "Compliance: policy %s (%s) skipped on %s, its condition fails: %s",
                    policy["id"],
                    policy.get("name"),
                    self._name,
                    exc,
                )
                continue
            # NULL: out of scope; otherwise whether the requirement holds
            columns.append(SQL("CASE WHEN t.id IN %s THEN t.id IN %s END", in_scope, holds))
            evaluated.append(policy)
        if not evaluated:
            return []
        ids = sorted({rid for _policy, records in candidates for rid in records.ids})
        rows = self.env.execute_query(
            SQL(
                "SELECT t.id, %s FROM %s t WHERE t.id = ANY(%s) ORDER BY t.id",
                SQL(", ").join(columns),
                SQL.identifier(self._table),
                ids,
            )
        )
        checks = []
        for index, policy in enumerate(evaluated, start=1):
            scoped = [row[0] for row in rows if row[index] is not None]
            if scoped:
                checks.append((policy, self.browse(scoped), {row[0] for row in rows if row[index]}))
        return checks

    def _policy_enforce(self, events, vals, config, creating=False):
        """Check the triggered policies on the new state of the records; raise to refuse.

        One query evaluates every triggered policy's scope and requirement on all
        the records, and one INSERT writes the audit rows (``_policy_write_audit``),
        whatever the number of records.
        """
        candidates = []
        for policy in config["policies"]:
            records = events.get(policy["trigger"])
            if not records:
                continue
            if creating and policy["trigger"] == "stage" and not policy["step_ids"]:
                continue  # "any stage change": a creation is not one
            if policy["trigger"] == "fields" and not (policy["fields"] & set(vals)):
                continue
            records = records._policy_possible(policy)
            if records:
                candidates.append((policy, records))
        checks = self._policy_evaluate(candidates) if candidates else []
        if not checks:
            return
        now = fields.Datetime.now()
        reason = (self.env.context.get(CTX_REASON) or "").strip()
        standing = self._policy_standing_deviations(checks)
        approved = self._policy_approved_requests(checks)
        # audit rows: (policy, ids, outcome) in bulk, single rows with their details apart
        bulk, logs, deviations, warned = [], [], [], []
        blocked, refused_group, to_override, to_approve = [], [], [], []
        for policy, records, holding in checks:
            if holding:
                bulk.append((policy, [rid for rid in records.ids if rid in holding], "passed"))
            if len(holding) == len(records):
                continue
            mode = policy["enforcement"]
            failing = records.browse([rid for rid in records.ids if rid not in holding])
            if mode == "block":
                blocked += [(policy, record) for record in failing]
            elif mode == "warn":
                bulk.append((policy, failing.ids, "warned"))
                warned += [(policy, record) for record in failing]
            elif mode == "override":
                for record in failing:
                    deviation = standing.get((policy["id"], record.id))
                    if deviation:
                        logs.append(
                            (
                                policy,
                                record,
                                "overridden",
                                {"reason": deviation.reason, "deviation_id": deviation.id},
                            )
                        )
                    elif policy["override_group_id"] and not self._policy_in_group(
                        policy["override_group_id"]
                    ):
                        refused_group.append((policy, record))
                    elif reason:
                        deviations.append((policy, record))
                    else:
                        to_override.append((policy, record))
            elif mode == "approval":
                for record in failing:
                    request = approved.get((policy["id"], record.id))
                    if request:
                        deviations.append((policy, record))
                        logs.append((policy, record, "approved", {"request_id": request.id}))
                    else:
                        to_approve.append((policy, record))
        if blocked:
            self._policy_log_refusals(
                [record._policy_log_vals(policy, policy["trigger"], "blocked") for policy, record in blocked],
                {policy["version_id"]: policy for policy, _record in blocked if policy["version_id"]},
            )
            raise UserError(self._policy_refusal_message(blocked, _("Blocked by policy")))
        if refused_group:
            raise UserError(self._policy_refusal_message(refused_group, _("You are not allowed to override")))
        if creating and (to_approve or to_override):
            # nothing to hold or to re-apply: the record does not exist yet
            raise UserError(
                _(
                    "%(message)s\n\nCreate the record in an earlier step, then move it on.",
                    message=self._policy_refusal_message(to_approve + to_override, _("Policy not met")),
                )
            )
        if to_approve:
            if engine_flag_get(self.env, FLAG_COLLECT):
                raise ApprovalNeeded(to_approve)
            self._policy_raise_held(to_approve, vals, "approval")
        if to_override:
            self._policy_raise_held(to_override, vals, "override")
        if deviations:
            created = self._policy_create_deviations(deviations, approved, reason, now)
            for (policy, record), deviation in zip(deviations, created, strict=True):
                if deviation.kind == "policy":
                    logs.append(
                        (policy, record, "overridden", {"reason": reason, "deviation_id": deviation.id})
                    )
        self._policy_write_audit(bulk, logs)
        if warned:
            bodies = defaultdict(list)
            for policy, record in warned:
                name, message = self._policy_text(policy)
                bodies[record.id].append(
                    _("Policy %(policy)s is not met: %(message)s", policy=name, message=message)
                )
            # one batch of notes, not a message_post per record
            self.browse(list(bodies))._message_log_batch(
                {res_id: Markup("<br/>").join(lines) for res_id, lines in bodies.items()}
            )

    def _policy_log_columns(self):
        """Columns of the audit rows read from the record itself: {log field: record field}.

        The audit INSERT joins the record's table for them (no Python per record);
        a bridge adding a column to ``compliance.log`` extends this and
        ``_policy_log_values`` (the same values for one record, for requests and
        refusals).
        """
        columns = {}
        if self._guide_owner_field in self._fields:
            columns["owner_id"] = self._guide_owner_field
        if "company_id" in self._fields:
            columns["company_id"] = "company_id"
        return columns

    def _policy_write_audit(self, groups, singles=()):
        """Write the audit rows of a check in one INSERT.

        :param groups: list of (policy, record ids, outcome) — rows without details
        :param singles: list of (policy, record, outcome, {field: value}) — rows with
            a justification, a deviation or a request
        """
        rows = [(policy, ids, outcome, {}) for policy, ids, outcome in groups if ids]
        rows += [(policy, [record.id], outcome, extra) for policy, record, outcome, extra in singles]
        if not rows:
            return
        names = {rec.id: rec.display_name for rec in self.browse({rid for row in rows for rid in row[1]})}
        columns = defaultdict(list)
        for policy, ids, outcome, extra in rows:
            count = len(ids)
            columns["res_id"] += ids
            columns["record_name"] += [names[rid] for rid in ids]
            for fname, value in (
                ("policy_id", policy["id"]),
                ("policy_name", policy["name"]),
                ("policy_version_id", policy["version_id"]),
                ("enforcement", policy["enforcement"]),
                ("event", policy["trigger"]),
                ("outcome", outcome),
                ("detail", policy["message"] if outcome != "passed" else None),
                ("reason", extra.get("reason")),
                ("deviation_id", extra.get("deviation_id")),
                ("request_id", extra.get("request_id")),
            ):
                columns[fname] += [value] * count
        record_columns = self._policy_log_columns()
        self.flush_model(list(record_columns.values()))
        self.env["compliance.log"].sudo()._compliance_insert_rows(
            {"res_model": self._name}, dict(columns), record_model=self._name, record_columns=record_columns
        )

    def _policy_in_group(self, group_id):
        return self.env.su or group_id in self.env.user._get_group_ids()

    def _policy_standing_deviations(self, checks):
        """Overrides still valid (``valid_until``): {(policy id, record id): deviation}. One query."""
        policy_ids = [
            policy["id"] for policy, _records, _holding in checks if policy["enforcement"] == "override"
        ]
        if not policy_ids:
            return {}
        record_ids = {
            rid for _policy, records, holding in checks for rid in records.ids if rid not in holding
        }
        if not record_ids:
            return {}
        deviations = (
            self.env["guide.deviation"]
            .sudo()
            .search(
                [
                    ("kind", "=", "policy"),
                    ("policy_id", "in", policy_ids),
                    ("res_model", "=", self._name),
                    ("res_id", "in", list(record_ids)),
                    ("valid_until", ">=", fields.Date.context_today(self)),
                ],
                order="id",
            )
        )
        return {(dev.policy_id.id, dev.res_id): dev for dev in deviations}

    def _policy_approved_requests(self, checks):
        """Approved, not yet applied requests: {(policy id, record id): request}. One query."""
        policy_ids = [
            policy["id"] for policy, _records, _holding in checks if policy["enforcement"] == "approval"
        ]
        if not policy_ids:
            return {}
        record_ids = {
            rid for _policy, records, holding in checks for rid in records.ids if rid not in holding
        }
        if not record_ids:
            return {}
        requests = (
            self.env["compliance.approval.request"]
            .sudo()
            .search(
                [
                    ("policy_id", "in", policy_ids),
                    ("res_model", "=", self._name),
                    ("res_id", "in", list(record_ids)),
                    ("state", "=", "approved"),
                    ("applied", "=", False),
                ],
                order="id",
            )
        )
        allowed = set(engine_flag_get(self.env, FLAG_APPROVED) or ())
        # an approved request covers the requester's change (or the system applying it)
        return {
            (req.policy_id.id, req.res_id): req
            for req in requests
            if req.id in allowed or req.requester_id == self.env.user
        }

    def _policy_create_deviations(self, pairs, approved, reason, now):
        histories = self._policy_last_histories({record.id for _policy, record in pairs})
        until = self.env.context.get(CTX_UNTIL) or False
        vals_list, requests = [], self.env["compliance.approval.request"]
        for policy, record in pairs:
            request = approved.get((policy["id"], record.id))
            vals = {
                "kind": "approval" if request else "policy",
                "rule_name": _("Policy %(policy)s", policy=policy["name"]),
                "rule_snapshot": policy["snapshot"],
                "policy_id": policy["id"],
                "res_model": self._name,
                "res_id": record.id,
                "record_name": record.display_name,
                "process_id": record.guide_process_id.id,
                "step_id": record.guide_step_id.id,
                "user_id": self.env.uid,
                "date": now,
                "reason_id": self.env.context.get(CTX_REASON_ID) or False,
                "reason": reason or (request and request.note) or policy["message"],
                "history_id": histories.get(record.id, False),
                "company_id": record.company_id.id if "company_id" in record._fields else False,
            }
            if request:
                vals.update(
                    {
                        "request_id": request.id,
                        "approver_id": request.decided_by_id.id,
                        "approval_state": "approved",
                        "reason": request.note or reason or policy["message"],
                    }
                )
                requests |= request
            else:
                vals["valid_until"] = until
            vals_list.append(vals)
        deviations = self.env["guide.deviation"].sudo().create(vals_list)
        for deviation in deviations.filtered("request_id"):
            deviation.request_id._compliance_engine().write({"applied": True, "deviation_id": deviation.id})
        return deviations

    def _policy_last_histories(self, record_ids):
        """Stage changes made in this transaction: {record id: history id}. One query."""
        rows = (
            self.env["guide.history"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", list(record_ids)),
                    ("create_date", ">=", self.env.cr.now()),
                ],
                ["res_id"],
                order="id",
            )
        )
        return {row.res_id: row.id for row in rows}

    def _policy_log_vals(self, policy, event, outcome, **extra):
        self.ensure_one()
        owner_field = self._guide_owner_field
        owner = self[owner_field] if owner_field in self._fields else False
        return {
            "policy_id": policy["id"],
            "policy_name": policy["name"],
            "policy_version_id": policy["version_id"],
            "enforcement": policy["enforcement"],
            "event": event,
            "outcome": outcome,
            "res_model": self._name,
            "res_id": self.id,
            "record_name": self.display_name,
            "user_id": self.env.uid,
            "owner_id": owner.id if owner else False,
            "company_id": self.company_id.id if "company_id" in self._fields else False,
            "detail": policy["message"] if outcome != "passed" else False,
            **self._policy_log_values(),
            **extra,
        }

    def _policy_log_refusals(self, vals_list, policies=None):
        """Record refused changes in a transaction of their own: the refusal rolls back the caller's.

        That transaction sees only committed rows: the audit rows reference only
        what it can (``compliance.log._compliance_committed_references``), so the
        INSERT neither fails on a foreign key nor waits for the refused transaction,
        and nothing is logged as an error. ``policies`` ({version id: policy of the
        configuration cache}) lets it freeze again a version made in the refused
        transaction.
        """
        snapshots = {
            version_id: (policy["snapshot"], policy["id"], policy["company_id"])
            for version_id, policy in (policies or {}).items()
        }
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '2s'")
                Log = api.Environment(cr, SUPERUSER_ID, {})["compliance.log"]
                Log._compliance_create_rows(Log._compliance_committed_references(vals_list, snapshots))
        except Exception:  # noqa: BLE001 - the refusal itself must reach the user
            _logger.warning(
                "Compliance: could not record %s refused change(s) on %s",
                len(vals_list),
                self._name,
                exc_info=True,
            )

    def _policy_text(self, policy):
        """(name, message) of a policy of the configuration cache, in the user's language."""
        return policy["texts"].get(self.env.lang) or (policy["name"], policy["message"] or "")

    def _policy_problems(self, pairs, limit=None):
        return [
            "{}: {}: {}".format(record.display_name, *self._policy_text(policy))
            for policy, record in pairs[:limit]
        ]

    def _policy_refusal_message(self, pairs, title):
        lines = [f"- {problem}" for problem in self._policy_problems(pairs, limit=20)]
        if len(pairs) > 20:
            lines.append(_("- ... and %(count)s more", count=len(pairs) - 20))
        return _("%(title)s:\n%(details)s", title=title, details="\n".join(lines))

    def _policy_raise_held(self, pairs, vals, mode):
        """Offer the way out of a held change: the approval request or the justification wizard."""
        event = pairs[0][0]["trigger"]
        held_vals = self._policy_held_vals(vals)
        if event == "lost":
            held_vals.update(engine_flag_get(self.env, FLAG_LOST_VALUES) or {})
        records = self.browse(sorted({record.id for _policy, record in pairs}))
        if mode == "approval":
            title = _("Needs approval")
            hint = _("The approvers of the policy decide: request their approval with a justification.")
            name = _("Request Approval")
        else:
            title = _("Policy not met")
            hint = _("This policy may be overridden with a justification, which is recorded.")
            name = _("Override a Policy")
        raise GuideDecisionRequired(
            f"{self._policy_refusal_message(pairs, title)}\n\n{hint}",
            {
                "type": "ir.actions.act_window",
                "name": name,
                "res_model": "compliance.policy.wizard",
                "view_mode": "form",
                "views": [(False, "form")],
                "target": "new",
                "context": {
                    "default_mode": mode,
                    "default_res_model": self._name,
                    "default_res_ids": json.dumps(records.ids),
                    "default_vals": json.dumps(held_vals, default=str),
                    "default_event": event,
                    "default_problems": "\n".join(self._policy_problems(pairs)),
                },
            },
            # the wizard holds the whole refused write: the form drops its unsaved copy
            discard={"res_model": self._name, "res_ids": records.ids},
        )
