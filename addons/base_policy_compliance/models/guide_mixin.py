import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_list, html2plaintext

from odoo.addons.base_process_guide.models.guide_rule_words import RuleWords
from odoo.addons.base_process_guide.tools import refuse_not_one
from odoo.addons.base_process_guide.tools.bounds import referenced_ids
from odoo.addons.base_process_guide.tools.refusal import domain_paths

from .compliance_policy import CTX_UNTIL

# the values a held change's label shows (the approvers decide on them), bounded
CHANGE_VALUES = 10
CHANGE_VALUE_SIZE = 80
# the keys of a held change's snapshot that are digests of what its policy reads
SNAPSHOT_PATH = "policy reads:"


class GuideMixin(models.AbstractModel):
    """Policies on every guided model: the pipeline hooks and the bridges' hooks.

    The hooks of the process guide's pipeline (``guide.mixin._guide_pipeline``)
    collect the events of a change and hand them to the policy engine
    (``compliance.policy._policy_judge``, then ``_policy_accept``), which
    evaluates the requirements on the new state (one query for every triggered
    policy) and refuses, holds or audits the change; a refusal raises, which
    rolls the change back. Approval requests are made and applied by
    ``compliance.approval.request``, audit rows written by ``compliance.log``.
    The model-specific parts are small ``_policy_*`` hooks, overridden by the bridges
    (``crm_policy_compliance``, ``helpdesk_policy_compliance``).
    """

    _inherit = "guide.mixin"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    compliance_awaiting_approval = fields.Boolean(
        string="Awaiting Approval",
        compute="_compute_guide_status",
        search="_search_compliance_awaiting_approval",
        help="A change of the record is held until a policy's approvers decide.",
    )
    # the lists' pill under the column "Approval" (the kanban's "Awaiting approval"), short
    # enough for the column in every language
    compliance_approval_badge = fields.Char(string="Approval", compute="_compute_guide_status")
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
            "compliance_approval_badge",
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
        triggers = {info["trigger"] for info in config["policies"]}
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
        triggers = {info["trigger"] for info in config["policies"]}
        if "stage" not in triggers or not transitions:
            return {}
        return {"stage": self.browse([info["record"].id for info in transitions])}

    def _policy_creation_events(self, config):
        """Events a creation causes: the creation itself, and entering the step the record is
        created in (a record created directly in a checked step does not escape the policy)."""
        triggers = {info["trigger"] for info in config["policies"]}
        events = {}
        if "create" in triggers:
            events["create"] = self
        if "stage" in triggers:
            in_step = self._guide_having("guide_step_id")
            if in_step:
                events["stage"] = in_step
        return events

    def _compliance_change_label(self, event, vals):
        """What a held change does, in words, for the approvers: the move (or the fields it
        changes) and the values it writes, which the approvers decide on (a stage move held
        with other values does not hide them)."""
        head = self._compliance_change_head(event, vals)
        described = self._compliance_change_head_fields(event, vals)
        held = self._policy_held_vals(vals)
        values = self._compliance_change_values({k: v for k, v in held.items() if k not in described})
        if not values:
            return head
        return self.env._("%(change)s (%(values)s)", change=head, values=values)

    def _compliance_change_head(self, event, vals):
        """The change in words, without its values (``_compliance_change_label``)."""
        stage_field = self._guide_stage_field
        if stage_field in vals:
            stage_model = self._fields[stage_field].comodel_name
            stage = self.env[stage_model].browse(vals[stage_field])
            return self.env._(
                "Move %(record)s to %(stage)s", record=self.display_name, stage=stage.display_name
            )
        names = [self._fields[name].string for name in vals if name in self._fields]
        return self.env._(
            "Change %(fields)s of %(record)s", fields=format_list(self.env, names), record=self.display_name
        )

    def _compliance_change_head_fields(self, event, vals):
        """The fields of ``vals`` whose value the head of the label already says (the stage)."""
        return {self._guide_stage_field}

    def _compliance_change_values(self, vals):
        """The values ``vals`` writes, as the reader sees them ("Expected Revenue: 1,000"; the
        names of the records it links, those the reader may not read as #id), bounded."""
        words = RuleWords(self.env, self._name)
        items = []
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None:
                continue
            if len(items) == CHANGE_VALUES:
                items.append("…")
                break
            if field.type in ("many2many", "one2many"):
                ids = referenced_ids(field, value)
                shown = (
                    ", ".join(words._records(field, ids))
                    if ids
                    else ("…" if value else words.value(False, field))
                )
            else:
                if field.type == "html" and isinstance(value, str):
                    value = html2plaintext(value)
                if isinstance(value, str) and len(value) > CHANGE_VALUE_SIZE:
                    value = value[: CHANGE_VALUE_SIZE - 1] + "…"
                shown = words.value(value, field)
            if len(shown) > 2 * CHANGE_VALUE_SIZE:
                # many linked records, a structure: the beginning only
                shown = shown[: 2 * CHANGE_VALUE_SIZE - 1] + "…"
            items.append(
                self.env._("%(field)s: %(value)s", field=field._description_string(self.env), value=shown)
            )
        return "; ".join(items)

    def _compliance_apply_change(self, event, vals):
        """Make the held change (approved, or submitted for approval)."""
        return self.write(vals)

    def _compliance_state_snapshot(self, vals, paths=()):
        """What a held change depends on, as plain JSON values: the record's stage, whether it is
        archived (``_compliance_snapshot_fields``), the current values of the fields ``vals``
        writes and a digest of the values at each of ``paths``, the fields the policy's scope
        and requirement read (``_compliance_policy_paths``): compared again before an approved
        change is applied. Digests, not values: the snapshot is read with the request, and a
        path may reach what its readers may not read."""
        self.ensure_one()
        names = sorted(
            {
                self._guide_stage_field,
                *self._compliance_snapshot_fields(),
                *(name for name in vals if name in self._fields),
            }
        )
        snapshot = {
            name: self._fields[name].convert_to_read(self[name], self, use_display_name=False)
            for name in names
        }
        snapshot.update({SNAPSHOT_PATH + path: self._compliance_path_digest(path) for path in sorted(paths)})
        return json.loads(json.dumps(snapshot, default=str))

    def _compliance_path_digest(self, path):
        """A digest of the values at ``path`` (a field name or a dotted path) of the record: ids
        for records, the values otherwise; a path that no longer names fields (a module
        uninstalled) has one of its own."""
        try:
            value = self.mapped(path)
        except (KeyError, ValueError):
            value = "missing"
        if isinstance(value, models.BaseModel):
            value = sorted(value.ids)
        elif isinstance(value, list):
            value = sorted(value, key=str)
        text = json.dumps(value, default=str, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def _compliance_policy_paths(self, policy_info):
        """The fields (dotted paths) the scope and the requirement of ``policy_info`` (a
        configuration-cache entry) read: a change of one of them, while a request waits, is a
        change of what the approvers decide on."""
        Condition = self.env["guide.condition.mixin"]
        domains = (
            self._policy_scope_domain(policy_info),
            Condition._guide_domain(policy_info["domain"] or "[]"),
            Condition._guide_domain(policy_info["requirement"] or "[]"),
        )
        return {path for domain in domains for path in domain_paths(domain)} - {"id"}

    @api.model
    def _compliance_snapshot_fields(self):
        """Fields a held change depends on whatever it writes, besides the stage: whether the
        record is archived (a lead marked lost, a ticket archived while its request waited is
        not brought back by the approval)."""
        return {self._active_name} if self._active_name else set()

    @api.model
    def _policy_held_vals(self, vals):
        """The part of a refused write to keep with a held change (not what the model's own
        ``write`` added: ``_guide_held_vals``)."""
        return self._guide_held_vals(vals)

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    def _guide_summary_models(self):
        return [*super()._guide_summary_models(), "compliance.approval.request", "compliance.log"]

    def _guide_summary_columns(self):
        """How many approval requests and policy violations the records have (the form's
        buttons)."""
        model = self._name
        return {
            **super()._guide_summary_columns(),
            "compliance_request_count": SQL(
                """(SELECT COUNT(*) FROM compliance_approval_request q
                     WHERE q.res_model = %s AND q.res_id = r.id)""",
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
            "compliance_violation_count": values.get("compliance_violation_count") or 0,
        }

    def _guide_status_models(self):
        return [*super()._guide_status_models(), "compliance.approval.request"]

    def _guide_status_columns(self):
        """Whether an approval request of the records is pending (what lists and kanbans
        show)."""
        return {
            **super()._guide_status_columns(),
            "compliance_pending": SQL(
                """EXISTS(SELECT 1 FROM compliance_approval_request q
                           WHERE q.res_model = %s AND q.res_id = r.id AND q.state = 'pending')""",
                self._name,
            ),
        }

    def _guide_status_values(self, values):
        pending = bool(values.get("compliance_pending"))
        return {
            **super()._guide_status_values(values),
            "compliance_awaiting_approval": pending,
            "compliance_approval_badge": self.env._("Pending") if pending else False,
        }

    def _search_compliance_awaiting_approval(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._(
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

    def _compliance_note_query(self, domain=()):
        """The internal notes (``_compliance_note_domain``) that say something: a note of
        markup and blanks only (an empty note posted over RPC) is none."""
        query = self.env["mail.message"].sudo()._search([*self._compliance_note_domain(), *domain])
        body = SQL.identifier(query.table, "body")
        query.add_where(SQL("regexp_replace(COALESCE(%s, ''), '<[^>]*>|&nbsp;|\\s', '', 'g') <> ''", body))
        return query

    def _compute_compliance_has_note(self):
        query = self._compliance_note_query([("res_id", "in", self._origin.ids)])
        with_note = {res_id for (res_id,) in self.env.execute_query(query.select("res_id"))}
        for record in self:
            record.compliance_has_note = record._origin.id in with_note

    def _search_compliance_has_note(self, operator, value):
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", self._compliance_note_query().subselect("res_id"))]

    # ------------------------------------------------------------
    # PIPELINE (guide.mixin._guide_pipeline)
    # ------------------------------------------------------------
    # the policies read the events of a write before it (collect), judge them on
    # the new state after the gates (judge), and write the audit trail last,
    # after the history and the escalation clocks (after)
    @api.model
    def _guide_pipeline(self):
        return [
            *super()._guide_pipeline(),
            ("collect", 20, "_policy_collect"),
            ("judge", 20, "_policy_judge_change"),
            ("after", 30, "_policy_record_audit"),
        ]

    @api.model
    def _guide_acts_outside_processes(self):
        # a policy of no process applies to every record of the model
        config = self.env["compliance.policy"]._get_policy_config(self._name)
        return super()._guide_acts_outside_processes() or any(
            not policy["process_id"] for policy in config["policies"]
        )

    @api.model
    def _guide_context_keys_checked(self):
        return super()._guide_context_keys_checked() | {CTX_UNTIL}

    def _policy_collect(self, change):
        """Collect: the policy events of the change (``change["compliance"]``)."""
        config = self.env["compliance.policy"]._get_policy_config(self._name)
        if not config["policies"]:
            return
        if CTX_UNTIL in self.env.context:
            # a malformed override date is refused before anything is judged
            self.env["guide.deviation"]._compliance_context_until()
        if change["creating"]:
            events = self._policy_creation_events(config)
        else:
            events = self._policy_events(change["vals"], config)
        # the ORM overrides below guide.mixin may add values to ``vals``
        change["compliance"] = {"events": events, "asked": dict(change["vals"]), "config": config}

    def _policy_judge_change(self, change):
        """Judge: the policies the events and the changes of step trigger, on the new
        state (raise to refuse or hold)."""
        check = change.get("compliance")
        if not check:
            return
        events = dict(check["events"])
        guide = change.get("guide")
        if not change["creating"] and guide and guide.get("transitions"):
            by_event = self._policy_transition_events(guide["transitions"], check["config"])
            for event, records in by_event.items():
                events[event] = (events.get(event) or self.browse()) | records
        if events:
            check["verdicts"] = self.env["compliance.policy"]._policy_judge(
                self, events, check["asked"], check["config"], creating=change["creating"]
            )

    def _policy_record_audit(self, change):
        """After-effects: deviations, audit rows and notes of what was let through; the
        pending approval requests of records moved to another company go with them."""
        moved_company = self._guide_company_moved(change)
        if moved_company:
            self.env["compliance.approval.request"]._compliance_follow_company(moved_company)
        verdicts = (change.get("compliance") or {}).get("verdicts")
        if verdicts:
            self.env["compliance.policy"]._policy_accept(self, verdicts)

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    def unlink(self):
        """Nothing is left to approve on a deleted record: its pending approval requests are
        cancelled (the requester told, the approvers' activities closed). The requests and
        the audit trail stay."""
        requests = (
            self.env["compliance.approval.request"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids), ("state", "=", "pending")])
        )
        res = super().unlink()
        requests._compliance_cancel_deleted()
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_compliance_open_requests(self):
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "base_policy_compliance.compliance_approval_request_action"
        )
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        # the app's columns (its team), as its menus show them
        action["context"] = {"compliance_app_model": self._name}
        return action

    def action_compliance_open_logs(self):
        """The record's policy violations (what its button counts), in its audit trail: the
        filter taken off shows every check of the record."""
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("base_policy_compliance.compliance_log_action")
        action["name"] = self.env._("Policy Violations")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {"compliance_app_model": self._name, "search_default_violations": 1}
        return action

    def compliance_request_approval(self, vals, note, event=None):
        """Submit a change for approval (the API behind the "Request Approval" button).

        The change is tried in a savepoint: if no policy holds it, it is simply
        made; if some do, it is rolled back, one request per held policy and
        record goes to the policy's approvers and the records none holds take
        the change.

        :return: the ids of the approval requests created (an empty list when the change was made)
        """
        return self._compliance_request_approval(vals, note, event=event).ids

    def _compliance_request_approval(self, vals, note, event=None):
        """``compliance_request_approval``, returning the requests (records)."""
        return self.env["compliance.approval.request"]._compliance_submit(self, vals, note, event=event)

    # ------------------------------------------------------------
    # HOOKS: scope and audit columns (the enforcement is compliance.policy's)
    # ------------------------------------------------------------
    def _policy_scope_domain(self, policy_info):
        """Domain of the records of this model in the scope of ``policy_info`` (a configuration-cache
        entry): company, process, steps, the bridges' scope fields. Its condition is added apart."""
        domain = []
        if policy_info["company_id"] and "company_id" in self._fields:
            domain.append(("company_id", "in", [policy_info["company_id"], False]))
        if policy_info["process_id"]:
            domain.append(("guide_process_id", "=", policy_info["process_id"]))
        if policy_info["step_ids"]:
            domain.append(("guide_step_id", "in", list(policy_info["step_ids"])))
        return domain

    def _policy_possible(self, policy_info):
        """The records of ``self`` that may be in the scope of ``policy_info`` (a configuration-cache
        entry), judged on values in cache, without a query: its process. Records no policy can
        concern (another process, none) cost nothing; the full scope is decided in SQL
        (``compliance.policy._policy_evaluate``)."""
        if not policy_info["process_id"]:
            return self
        return self._guide_of_process(policy_info["process_id"])

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
