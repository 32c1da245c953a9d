import json
import logging
from collections import defaultdict
from types import MappingProxyType

from markupsafe import Markup

from odoo import Command, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired, guide_change_refused
from odoo.addons.base_process_guide.models.guide_condition_mixin import GUIDE_CONDITION_ERRORS
from odoo.addons.base_process_guide.models.guide_config_mixin import REFUSAL_MAX_NAMED
from odoo.addons.base_process_guide.models.guide_mixin import CTX_REASON, CTX_REASON_ID
from odoo.addons.base_process_guide.tools import (
    MAX_COUNT,
    MAX_HOURS,
    MAX_NAME,
    MAX_TEXT,
    engine_flag,
    engine_flag_get,
    labelled,
    module_uninstalling,
    quoted,
    refuse_not_one,
    shortened,
)

_logger = logging.getLogger(__name__)

# context key of the API:
#   compliance_override_until: date until which a policy override stands (with guide_override_reason)
CTX_UNTIL = "compliance_override_until"
# engine flags (never read from the context, see base_process_guide.tools):
#   values written with a "mark lost" (lost reason), kept with a held change
FLAG_LOST_VALUES = "compliance_lost_values"
#   compliance_request_approval is trying the change: a held policy raises ApprovalNeeded
FLAG_COLLECT = "compliance_collect_approvals"
#   a dialog is telling what a change would need: the verdicts are raised (PolicyPreview)
#   before anything is refused, held or audited
FLAG_PREVIEW = "compliance_preview_verdicts"


class ApprovalNeeded(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside a savepoint by ``compliance.approval.request._compliance_submit`` to hold a change."""

    def __init__(self, held):
        super().__init__("approval needed")
        self.held = held


class PolicyPreview(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside a savepoint under ``FLAG_PREVIEW`` with what the policies decided of a change."""

    def __init__(self, verdicts):
        super().__init__("policy preview")
        self.verdicts = verdicts


class PolicyVerdicts:
    """What the enforcement of one change decided, per (policy_info, record) checked."""

    __slots__ = (
        "approved",
        "audit",
        "audit_details",
        "blocked",
        "not_allowed",
        "reason",
        "to_approve",
        "to_deviate",
        "to_override",
        "warned",
    )

    def __init__(self, reason, approved):
        self.reason = reason  # the justification given with the change (context)
        self.approved = approved  # {(policy id, record id): approved request covering the change}
        self.audit = []  # (policy_info, record ids, outcome): audit rows without details
        self.audit_details = []  # (policy_info, record, outcome, {field: value}): rows with details
        self.warned = []  # (policy_info, record): let through, noted on the record
        self.blocked = []  # refused, the refusal audited in a transaction of its own
        self.not_allowed = []  # overridable, but not by this user (override group)
        self.to_override = []  # held until a justification is given
        self.to_approve = []  # held until the approvers decide
        self.to_deviate = []  # let through by a justification or an approved request: a deviation


TRIGGERS = [
    ("stage", "Entering Steps"),
    ("won", "Marked Won"),
    ("lost", "Marked Lost"),
    ("fields", "Change of Fields"),
    ("create", "Creation"),
]
ENFORCEMENTS = [
    ("block", "Block"),
    ("warn", "Warn (record a violation)"),
    ("approval", "Approval Required"),
    ("override", "Override with Justification"),
]
# changing one of these makes a new version of the policy (the audit trail keeps the old one)
VERSIONED_FIELDS = {
    "name",
    "message",
    "requirement",
    "enforcement",
    "trigger",
    "step_ids",
    "field_ids",
    "domain",
    "process_id",
    "override_group_id",
    "allow_self_approval",
    "distinct_approvers",
}

# kept by the engine only (SQL), never written through the ORM
ENGINE_FIELDS = {"version", "version_id"}


def tiers_without_distinct_approvers(approver_sets):
    """Indexes of tiers that cannot each be decided by a different person, given each tier's
    approvers (sets of users): tiers fewer people than themselves can approve (empty when every
    tier can have an approver of its own; a bipartite matching by augmenting paths)."""
    decider = {}  # user -> index of the tier they decide

    def assign(index, seen):
        for user in approver_sets[index]:
            if user not in seen:
                seen.add(user)
                if user not in decider or assign(decider[user], seen):
                    decider[user] = index
                    return True
        return False

    for index in range(len(approver_sets)):
        seen = set()
        if not assign(index, seen):
            # the tiers reached share only the people seen, one fewer than themselves
            return sorted({index, *(decider[user] for user in seen)})
    return []


class CompliancePolicy(models.Model):
    """A requirement that must hold on a guided record when something happens to it.

    Scope (process, steps, company, condition; the bridges add theirs, such as
    teams) and requirement are written in the product's one rule language
    (``guide.condition.mixin``); ``_policy_enforce`` checks them when
    ``guide.mixin`` reports a change (``models/guide_mixin.py``).
    """

    _name = "compliance.policy"
    _inherit = [
        "guide.condition.mixin",
        "guide.shared.scope.mixin",
        "guide.scope.mixin",
        "guide.bounded.mixin",
        "mail.thread",
    ]
    _description = "Compliance Policy"
    _order = "sequence, id"
    _check_company_auto = True
    _guide_domain_fields = ("domain", "requirement")
    _guide_bounded_fields = {"name": MAX_NAME, "message": MAX_TEXT}
    # the database refuses negative reminders too (reminder_positive): checked before the INSERT
    _guide_insert_checked_fields = ("reminder_hours", "reminder_max")

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    version = fields.Integer(
        default=1, readonly=True, copy=False, help="Incremented when the rule itself changes."
    )
    version_id = fields.Many2one(
        "compliance.policy.version",
        string="Current Version",
        readonly=True,
        copy=False,
        help="The frozen wording and rule the audit rows of this version reference.",
    )
    company_id = fields.Many2one("res.company", index=True, tracking=True)
    # scope
    model_name = fields.Selection(selection="_selection_guide_models", string="Applies to", required=True)
    process_id = fields.Many2one(
        "guide.process",
        check_company=True,
        domain="[('model_name', '=', model_name)]",
        tracking=True,
        help="Only records guided by this process (empty: any record of the model).",
    )
    scope_domain = fields.Char(
        compute="_compute_scope_domain",
        help="Technical: the scope as a domain, so that the condition editor counts the records of "
        "the scope only.",
    )
    domain = fields.Char(
        string="Scope Condition",
        tracking=True,
        help="Only the records matching these conditions are checked (for instance: expected revenue "
        "above 50,000); empty: every record.",
    )
    # when
    trigger = fields.Selection(TRIGGERS, string="Checked When", required=True, default="stage", tracking=True)
    step_ids = fields.Many2many(
        "guide.step",
        string="Steps",
        domain="[('model_name', '=', model_name), ('process_id', '=?', process_id)]",
        help="Entering Steps: checked when a record enters one of these steps (empty: any stage change).",
    )
    field_ids = fields.Many2many(
        "ir.model.fields",
        string="Fields",
        domain="[('model', '=', model_name), ('store', '=', True)]",
        help="Change of Fields: checked when one of these fields is written.",
    )
    # what
    requirement = fields.Char(
        required=True,
        tracking=True,
        help="The conditions the record must meet after the change (for instance: the customer "
        "has a VAT number, a document is attached).",
    )
    message = fields.Text(
        string="Message to the Agent",
        required=True,
        translate=True,
        tracking=True,
        help="Shown when the requirement does not hold: what to do to comply.",
    )
    enforcement = fields.Selection(ENFORCEMENTS, required=True, default="block", tracking=True)
    override_group_id = fields.Many2one(
        "res.groups",
        string="Override Restricted to",
        tracking=True,
        help="Override with Justification: only members of this group may override (empty: anyone).",
    )
    # approval
    tier_ids = fields.One2many("compliance.policy.tier", "policy_id", string="Approval Tiers", copy=True)
    allow_self_approval = fields.Boolean(
        help="An approver may approve a request they made themselves.", tracking=True
    )
    distinct_approvers = fields.Boolean(
        string="Different Approver at Each Tier",
        default=True,
        tracking=True,
        help="Nobody decides two tiers of the same request: whoever approved a tier leaves "
        "the next ones to the other approvers.",
    )
    reminder_hours = fields.Float(
        string="Remind After (hours)", default=24.0, help="Pending requests are reminded after this delay."
    )
    reminder_max = fields.Integer(
        string="Reminders at Most", default=2, help="Reminders stop after this number, or when decided."
    )
    # statistics
    log_count = fields.Integer(compute="_compute_log_stats", string="Audit Trail")
    violation_count = fields.Integer(compute="_compute_log_stats", string="Violations")

    _sql_constraints = [
        (
            "reminder_positive",
            "CHECK(reminder_hours >= 0 AND reminder_max >= 0)",
            "Reminders cannot be negative.",
        )
    ]

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    @api.model
    def _selection_guide_models(self):
        return self.env["guide.process"]._selection_guide_models()

    @api.depends(
        lambda self: [
            name
            for name, field in self._fields.items()
            if field.store and field.type in ("selection", "many2one", "many2many") and name != "tier_ids"
        ]
    )
    def _compute_scope_domain(self):
        """The scope (company, process, steps, the bridges' teams) as the engine reads it, from
        the form as it stands (the ids of its values, saved or not)."""
        for policy in self:
            if not self._guide_is_guided_model(policy.model_name):
                # a model the form offers not (a client's): no scope, refused at save
                policy.scope_domain = "[]"
                continue
            info = {
                "company_id": policy.company_id._origin.id,
                "process_id": policy.process_id._origin.id,
                "step_ids": frozenset(policy.step_ids._origin.ids),
                **self.env[policy.model_name]._policy_scope_values(policy),
            }
            policy.scope_domain = repr(self.env[policy.model_name]._policy_scope_domain(info))

    def _compute_log_stats(self):
        # the audit rows (checks and approvers' decisions), and the report's violations
        data = self.env["compliance.log"]._read_group(
            [("policy_id", "in", self.ids)], ["policy_id"], ["__count", "violation:sum"]
        )
        stats = {policy.id: (rows, violations) for policy, rows, violations in data}
        for policy in self:
            policy.log_count, policy.violation_count = stats.get(policy.id, (0, 0))

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("model_name")
    def _check_model_name_guided(self):
        self._guide_check_guided_model()

    @api.constrains("model_name", "trigger", "field_ids", "step_ids", "process_id")
    def _check_scope(self):
        for policy in self:
            name = policy.display_name
            supported = self.env[policy.model_name]._policy_triggers()
            if policy.trigger not in supported:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: %(model)s records cannot be checked when %(trigger)s.",
                        policy=name,
                        model=shortened(policy.model_name),
                        trigger=dict(policy._fields["trigger"]._description_selection(self.env))[
                            policy.trigger
                        ],
                    )
                )
            if policy.trigger == "fields" and not policy.field_ids:
                raise ValidationError(
                    self.env._("Policy %(policy)s: choose the fields whose change is checked.", policy=name)
                )
            if policy.field_ids.filtered(lambda f, p=policy: f.model != p.model_name):
                raise ValidationError(
                    self.env._("Policy %(policy)s: the fields belong to another model.", policy=name)
                )
        self._guide_check_scope("step_ids")

    @api.constrains("reminder_hours", "reminder_max")
    def _check_reminders(self):
        for policy in self:
            if not 0 <= policy.reminder_hours <= MAX_HOURS or not 0 <= policy.reminder_max <= MAX_COUNT:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: reminders come after 0 to %(hours)s hours, at most "
                        "%(count)s times.",
                        policy=policy.display_name,
                        hours=MAX_HOURS,
                        count=MAX_COUNT,
                    )
                )

    @api.constrains("enforcement", "trigger", "tier_ids")
    def _check_enforcement(self):
        for policy in self:
            if policy.enforcement != "approval":
                continue
            if policy.trigger == "create":
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: a creation cannot wait for an approval; block or warn instead.",
                        policy=policy.display_name,
                    )
                )
            if not policy.tier_ids:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s: add at least one approval tier.", policy=policy.display_name
                    )
                )

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._guide_check_model_names_sent(
            (self._guide_vals_name(vals), vals.get("model_name", self.env.context.get("default_model_name")))
            for vals in vals_list
        )
        for vals in vals_list:
            self._policy_check_engine_fields(vals)
        # the tiers created with the policy belong to its first version
        with engine_flag(self.env, "compliance_policy_new"):
            policies = super().create(vals_list)
        policies._policy_freeze_version()
        self.env.registry.clear_cache()
        return policies

    def write(self, vals):
        self._policy_check_engine_fields(vals)
        if "model_name" in vals:
            self._guide_check_model_names_sent((policy.display_name, vals["model_name"]) for policy in self)
            self._policy_check_model_change(vals["model_name"])
        archiving = self.filtered("active") if "active" in vals and not vals["active"] else self.browse()
        res = super().write(vals)
        if VERSIONED_FIELDS & set(vals):
            self._policy_bump_version()
        if archiving:
            archiving._policy_cancel_pending("archived")
        self.env.registry.clear_cache()
        return res

    @api.ondelete(at_uninstall=True)
    def _unlink_except_audited(self):
        """A policy that checked records is not deleted: its audit rows and requests would
        lose it (the reports and scorecards grouped them under no policy). It is archived
        instead; a module's uninstallation deletes it (its rows keep its name)."""
        if not self or module_uninstalling(self.env):
            return
        counts = dict(
            self.env["compliance.log"]
            .sudo()
            ._read_group([("policy_id", "in", self.ids)], ["policy_id"], ["__count"])
        )
        used = self.filtered(lambda policy: counts.get(policy))
        if not used:
            return
        named = "\n".join(
            self.env._(
                "%(policy)s (%(count)s check(s) in the audit trail)",
                policy=policy.display_name,
                count=counts[policy],
            )
            for policy in used[:REFUSAL_MAX_NAMED]
        )
        raise UserError(
            self.env._(
                "A policy that checked records cannot be deleted: its audit trail and approval "
                "requests would lose the policy they name, and the compliance reports its figures."
                "\n%(policies)s\nArchive the policy instead: it then checks nothing more, and its "
                "pending approval requests are cancelled.",
                policies=named,
            )
        )

    def unlink(self):
        # none once it checked records (refused) but under a module's uninstallation, or when
        # its audit rows were purged meanwhile
        self._policy_cancel_pending("uninstalled" if module_uninstalling(self.env) else "deleted")
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    def copy_data(self, default=None):
        """A copy is archived (unless ``default`` says otherwise): an active one would check
        every change its original checks a second time, before anyone reviewed it."""
        vals_list = super().copy_data(default=default)
        archived = {} if "active" in (default or {}) else {"active": False}
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=policy.name), **archived)
            for policy, vals in zip(self, vals_list, strict=True)
        ]

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_view_logs(self):
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("base_policy_compliance.compliance_log_action")
        action["domain"] = [("policy_id", "=", self.id)]
        # the columns of the policy's app (its team), as its menus show them
        action["context"] = {"compliance_app_model": self.model_name}
        return action

    def action_view_versions(self):
        """The policy's versions, the wording and rule each audit row and request references."""
        refuse_not_one(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Versions of %(policy)s", policy=self.display_name),
            "res_model": "compliance.policy.version",
            "view_mode": "list,form",
            "domain": [("policy_id", "=", self.id)],
            "context": {},
        }

    def action_view_violations(self):
        action = self.action_view_logs()
        action["name"] = self.env._("Policy Violations")
        action["domain"] = [("policy_id", "=", self.id), ("violation", "=", 1)]
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _policy_uninstall_model(self, model_name):
        """A policy bridge's uninstallation (its ``uninstall_hook``): the policies of
        ``model_name`` are deleted (their audit rows and requests keep their names), and every
        pending request on its records is cancelled, its requester told and its approvers'
        activities closed: without the bridge nothing would ever decide it, and a policy left
        behind would check the model again, its process and steps emptied, when the bridge is
        installed again."""
        uninstalling = self.env(
            su=True, context={**self.env.context, "active_test": False, MODULE_UNINSTALL_FLAG: True}
        )
        pending = uninstalling["compliance.approval.request"].search(
            [("res_model", "=", model_name), ("state", "=", "pending")]
        )
        pending._compliance_cancel_policy_gone("uninstalled")
        uninstalling["compliance.policy"].search([("model_name", "=", model_name)]).unlink()

    def _policy_cancel_pending(self, how):
        """Cancel the pending approval requests of these policies, archived, deleted or
        removed by a module's uninstallation (``how``): nothing is left to approve (the change
        is no longer held), the requesters are told."""
        pending = (
            self.env["compliance.approval.request"]
            .sudo()
            .search([("policy_id", "in", self.ids), ("state", "=", "pending")])
        )
        pending._compliance_cancel_policy_gone(how)

    def _policy_check_model_change(self, model_name):
        """Refuse to move a policy that already checked records to another model: its audit
        trail and approval requests are on the records of the first one."""
        moved = self.filtered(lambda policy: policy.model_name != model_name)
        if not moved:
            return
        for model in ("compliance.log", "compliance.approval.request"):
            used = self.env[model].sudo().search([("policy_id", "in", moved.ids)], limit=1).policy_id
            if used:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s has already checked %(model)s records: what it applies to "
                        "cannot be changed any more. Duplicate the policy and change the copy instead.",
                        policy=quoted(self.env, used.display_name),
                        model=self._guide_model_label(used.model_name),
                    )
                )

    @api.model
    def _policy_check_engine_fields(self, vals):
        """The version number and row are the engine's (written in SQL): refused to everyone."""
        forged = ENGINE_FIELDS & set(vals)
        if forged:
            raise UserError(
                self.env._(
                    "The version of a policy is kept by the engine: %(fields)s cannot be written.",
                    fields=", ".join(sorted(forged)),
                )
            )

    def _policy_bump_version(self):
        """A new version of the rule: later logs and requests show it, earlier ones keep theirs."""
        if not self.ids or engine_flag_get(self.env, "compliance_policy_new"):
            return
        self.env.cr.execute(
            SQL("UPDATE compliance_policy SET version = version + 1 WHERE id IN %s", tuple(self.ids))
        )
        self.invalidate_recordset(["version"])
        self._policy_freeze_version()
        self.env.registry.clear_cache()

    def _policy_freeze_version(self):
        """Make the immutable version row of the policies' current rule (the engine's, as superuser)."""
        if not self:
            return
        self.flush_recordset()
        Version = self.env["compliance.policy.version"].sudo()
        policies = self.sudo().with_context(lang=None)
        versions = Version.create(
            [
                Version._compliance_version_vals(
                    policy._policy_snapshot(), policy_id=policy.id, company_id=policy.company_id.id
                )
                for policy in policies
            ]
        )
        self.env.cr.execute(
            SQL(
                "UPDATE compliance_policy p SET version_id = v.id FROM compliance_policy_version v "
                "WHERE v.id IN %s AND p.id = v.policy_id",
                tuple(versions.ids),
            )
        )
        self.invalidate_recordset(["version_id"])

    def _policy_snapshot(self):
        """The policy as it applies now, kept in logs, deviations and requests."""
        self.ensure_one()
        return json.dumps(
            {
                "policy": self.name,
                "version": self.version,
                "model": self.model_name,
                "trigger": self.trigger,
                "steps": self.step_ids.mapped("name"),
                "fields": self.field_ids.mapped("name"),
                "scope": self.domain or "",
                "requirement": self.requirement,
                "message": self.message,
                "enforcement": self.enforcement,
                **self._policy_approval_snapshot(),
            },
            ensure_ascii=False,
        )

    def _policy_approval_snapshot(self):
        """Who may override or approve, as the policy says now (part of its snapshot): a policy
        version shows the tiers and approval options that applied, which changing them makes
        a new version of."""
        self.ensure_one()
        return {
            "process": self.process_id.name or "",
            "override_group": self.override_group_id.full_name or "",
            "allow_self_approval": self.allow_self_approval,
            "distinct_approvers": self.distinct_approvers,
            "tiers": [tier._policy_tier_snapshot() for tier in self.tier_ids],
        }

    def _policy_values(self):
        """The ``policy_info`` of a policy kept in the configuration cache: plain, immutable values
        (a read-only mapping of numbers, strings, frozensets and tuples), shared by every
        transaction until the policies change; hooks receive it, never change it."""
        self.ensure_one()
        languages = self.env["res.lang"].get_installed()
        scope_values = self.env[self.model_name]._policy_scope_values(self)
        return MappingProxyType(
            {
                "id": self.id,
                "name": self.name,
                "version": self.version,
                "version_id": self.version_id.id,
                "company_id": self.company_id.id,
                "process_id": self.process_id.id,
                "domain": self.domain or "",
                "trigger": self.trigger,
                "step_ids": frozenset(self.step_ids.ids),
                "fields": frozenset(self.field_ids.mapped("name")),
                "requirement": self.requirement,
                "message": self.message,
                # name and message in each language, for the refusals and notes (no query there)
                "texts": MappingProxyType(
                    {
                        code: (policy.name, policy.message or "")
                        for code, policy in (
                            (code, self.with_context(lang=code)) for code, _lang in languages
                        )
                    }
                ),
                "enforcement": self.enforcement,
                "override_group_id": self.override_group_id.id,
                "snapshot": self._policy_snapshot(),
                **scope_values,
            }
        )

    @api.model
    @tools.ormcache("model_name")
    def _get_policy_config(self, model_name):
        """Active policies of a model as plain, immutable data (cleared when policies change):
        ``{"policies": (policy_info, ...), "fields": frozenset of the field names checked}``."""
        policies = (
            self.sudo().with_context(active_test=True, lang=None).search([("model_name", "=", model_name)])
        )
        policy_infos = tuple(policy._policy_values() for policy in policies)
        checked = frozenset().union(*(info["fields"] for info in policy_infos if info["trigger"] == "fields"))
        return MappingProxyType({"policies": policy_infos, "fields": checked})

    # ------------------------------------------------------------
    # ENFORCEMENT (called by guide.mixin's create and write phases)
    # ------------------------------------------------------------
    @api.model
    def _policy_enforce(self, records, events, vals, config, creating=False):
        """Check the policies a change triggers on the new state of ``records``; raise to refuse.

        In steps: collect the policies the events trigger (``_policy_candidates``, no
        query); evaluate their scope and requirement on all the records in one query
        (``_policy_evaluate``); decide per policy and record: passed, warned, blocked,
        overridden or held for a justification or an approval (``_policy_decide``);
        refuse or hold the change (``_policy_refuse``); record what is let through:
        deviations, the audit rows in one INSERT, notes (``_policy_accept``).

        :param records: the guided records written or created
        :param events: {event: records} the change causes
        :param vals: the values of the write (``{}`` for a creation)
        :param config: the model's configuration cache (``_get_policy_config``)
        """
        verdicts = self._policy_judge(records, events, vals, config, creating)
        if verdicts:
            self._policy_accept(records, verdicts)

    @api.model
    def _policy_judge(self, records, events, vals, config, creating=False):
        """The judging part of ``_policy_enforce`` (the pipeline's *judge* phase): raise
        to refuse or hold; ``_policy_accept`` records what the verdicts let through.

        :return: the verdicts, or None when no policy applies
        """
        candidates = self._policy_candidates(events, vals, config, creating)
        checks = self._policy_evaluate(candidates) if candidates else []
        if not checks:
            return None
        verdicts = self._policy_decide(records, checks)
        if engine_flag_get(self.env, FLAG_PREVIEW):
            raise PolicyPreview(verdicts)
        if creating and records._guide_received():
            self._policy_receive(verdicts)
        self._policy_refuse(records, verdicts, vals, creating)
        return verdicts

    @api.model
    def _policy_preview(self, records, vals, context=None):
        """What the policies would decide of the write ``vals`` on ``records`` (made with the
        client context ``context``: a justification already given), for a dialog to say it
        before the user decides: the write is tried in a savepoint, rolled back once judged,
        and nothing is refused, held, audited or notified.

        :return: the verdicts (``PolicyVerdicts``), or None when no policy judges the change
            or it fails before them (the write itself says why, when it is made)
        """
        if not records or not self._get_policy_config(records._name)["policies"]:
            return None
        try:
            with self.env.cr.savepoint(), engine_flag(self.env, FLAG_PREVIEW):
                records.with_context(**(context or {})).write(dict(vals))
                raise PolicyPreview(None)
        except PolicyPreview as preview:
            return preview.verdicts
        except UserError:
            return None

    @api.model
    def _policy_candidates(self, events, vals, config, creating=False):
        """The policies the events trigger, each with the records it may concern, judged on the
        configuration cache without a query: list of (policy_info, records)."""
        candidates = []
        for policy_info in config["policies"]:
            records = events.get(policy_info["trigger"])
            if not records or not self._policy_triggered(policy_info, vals, creating):
                continue
            records = records._policy_possible(policy_info)
            if records:
                candidates.append((policy_info, records))
        return candidates

    @api.model
    def _policy_triggered(self, policy_info, vals, creating):
        """Whether the event of ``policy_info`` is one for it: a creation is no "any stage change",
        a write of other fields no change of its fields."""
        if creating and policy_info["trigger"] == "stage" and not policy_info["step_ids"]:
            return False
        return policy_info["trigger"] != "fields" or bool(policy_info["fields"] & set(vals))

    @api.model
    def _policy_evaluate(self, candidates):
        """Scope and requirement of each policy on the new state of its records, in one query.

        :param candidates: list of (policy_info, records triggered), records of one model
        :return: list of (policy_info, records in scope, ids meeting the requirement); a policy whose
            condition no longer holds (a later schema change) is skipped with a warning
        """
        if not candidates:
            return []
        Condition = self.env["guide.condition.mixin"]
        base = candidates[0][1].browse()
        Model = base.sudo().with_context(active_test=False)
        columns, evaluated = [], []
        for policy_info, records in candidates:
            try:
                scope = [
                    ("id", "in", records.ids),
                    *records._policy_scope_domain(policy_info),
                    *Condition._guide_domain(policy_info["domain"] or "[]"),
                ]
                requirement = [
                    ("id", "in", records.ids),
                    *Condition._guide_domain(policy_info["requirement"]),
                ]
                in_scope = Model._search(scope).subselect()
                holds = Model._search(requirement).subselect()
            except GUIDE_CONDITION_ERRORS as exc:
                # refused when saved: only a later schema change gets here
                _logger.warning(
                    "Compliance: policy %s (%s) skipped on %s, its condition fails: %s",
                    policy_info["id"],
                    policy_info.get("name"),
                    base._name,
                    exc,
                )
                continue
            # NULL: out of scope; otherwise whether the requirement holds
            columns.append(SQL("CASE WHEN t.id IN %s THEN t.id IN %s END", in_scope, holds))
            evaluated.append(policy_info)
        if not evaluated:
            return []
        ids = sorted({rid for _info, records in candidates for rid in records.ids})
        rows = self.env.execute_query(
            SQL(
                "SELECT t.id, %s FROM %s t WHERE t.id = ANY(%s) ORDER BY t.id",
                SQL(", ").join(columns),
                SQL.identifier(base._table),
                ids,
            )
        )
        checks = []
        for index, policy_info in enumerate(evaluated, start=1):
            scoped = [row[0] for row in rows if row[index] is not None]
            if scoped:
                checks.append((policy_info, base.browse(scoped), {row[0] for row in rows if row[index]}))
        return checks

    @api.model
    def _policy_decide(self, records, checks):
        """Sort the evaluated (policy, record) pairs by what happens to them (``PolicyVerdicts``).
        One query for the standing overrides, one for the approved requests, when relevant."""
        reason = self.env["guide.mixin"]._guide_context_reason()
        approved = self.env["compliance.approval.request"]._compliance_approved_for(records, checks)
        verdicts = PolicyVerdicts(reason, approved)
        standing = self.env["guide.deviation"]._compliance_standing_overrides(records, checks)
        for policy_info, scoped, holding in checks:
            if holding:
                verdicts.audit.append((policy_info, [rid for rid in scoped.ids if rid in holding], "passed"))
            failing = scoped.browse([rid for rid in scoped.ids if rid not in holding])
            if failing:
                self._policy_decide_failing(policy_info, failing, verdicts, standing)
        return verdicts

    @api.model
    def _policy_decide_failing(self, policy_info, failing, verdicts, standing):
        """The verdict on the records ``failing`` the requirement of ``policy_info``, by its enforcement."""
        mode = policy_info["enforcement"]
        if mode == "block":
            verdicts.blocked += [(policy_info, record) for record in failing]
        elif mode == "warn":
            verdicts.audit.append((policy_info, failing.ids, "warned"))
            verdicts.warned += [(policy_info, record) for record in failing]
        elif mode == "override":
            for record in failing:
                self._policy_decide_override(
                    policy_info, record, verdicts, standing.get((policy_info["id"], record.id))
                )
        elif mode == "approval":
            for record in failing:
                request = verdicts.approved.get((policy_info["id"], record.id))
                if request:
                    verdicts.to_deviate.append((policy_info, record))
                    verdicts.audit_details.append(
                        (policy_info, record, "approved", {"request_id": request.id})
                    )
                else:
                    verdicts.to_approve.append((policy_info, record))

    @api.model
    def _policy_decide_override(self, policy_info, record, verdicts, deviation):
        """An override policy not met: a standing override, a justification given, or one to ask for."""
        if deviation:
            extra = {"reason": deviation.reason, "deviation_id": deviation.id}
            verdicts.audit_details.append((policy_info, record, "overridden", extra))
        elif policy_info["override_group_id"] and not self._policy_user_in_group(
            policy_info["override_group_id"]
        ):
            verdicts.not_allowed.append((policy_info, record))
        elif verdicts.reason:
            verdicts.to_deviate.append((policy_info, record))
        else:
            verdicts.to_override.append((policy_info, record))

    @api.model
    def _policy_receive(self, verdicts):
        """A creation received from outside the company (``guide.mixin._guide_receiving``: an
        incoming email, a customer's portal request) is neither refused nor held — nobody is
        there to be told, to give a reason or to wait for approvers, and the customer's request
        would be lost: what would have been blocked or held is let through as a warning,
        audited as a violation and noted on the record."""
        held = verdicts.blocked + verdicts.not_allowed + verdicts.to_override + verdicts.to_approve
        if not held:
            return
        verdicts.blocked, verdicts.not_allowed, verdicts.to_override, verdicts.to_approve = [], [], [], []
        failing = {}
        for policy_info, record in held:
            failing.setdefault(policy_info["id"], (policy_info, []))[1].append(record.id)
        verdicts.audit += [(policy_info, ids, "warned") for policy_info, ids in failing.values()]
        verdicts.warned += held

    @api.model
    def _policy_user_in_group(self, group_id):
        return self.env.su or group_id in self.env.user._get_group_ids()

    @api.model
    def _policy_refuse(self, records, verdicts, vals, creating):
        """Raise when the change cannot be made as it is: blocked (audited apart, the refusal
        rolls the transaction back), not allowed, or held for a justification or an approval."""
        if verdicts.blocked:
            Log = self.env["compliance.log"]
            Log._compliance_log_refusals(
                [
                    Log._compliance_row_vals(rec, info, info["trigger"], "blocked")
                    for info, rec in verdicts.blocked
                ],
                {info["version_id"]: info for info, _rec in verdicts.blocked if info["version_id"]},
            )
            raise guide_change_refused(
                self._policy_refusal_message(verdicts.blocked, self.env._("Blocked by policy"))
            )
        if verdicts.not_allowed:
            # who may: the refused user knows whom to ask
            groups = (
                self.env["res.groups"]
                .sudo()
                .browse(sorted({info["override_group_id"] for info, _rec in verdicts.not_allowed}))
            )
            # Odoo keeps a group's full name once per request, whatever the language it was
            # read in (in English by the policies' cache): read again in the reader's
            groups.invalidate_recordset(["full_name"])
            title = self.env._("You are not allowed to override")
            refusal = self._policy_refusal_message(verdicts.not_allowed, title)
            raise guide_change_refused(
                self.env._(
                    "%(refusal)s\n\nOnly the members of %(groups)s may override it: ask one of them.",
                    refusal=refusal,
                    groups=tools.format_list(self.env, groups.mapped("full_name")),
                )
            )
        if creating and (verdicts.to_approve or verdicts.to_override):
            # nothing to hold or to re-apply: the record does not exist yet
            refusal = self._policy_refusal_message(
                verdicts.to_approve + verdicts.to_override, self.env._("Policy not met")
            )
            raise UserError(
                self.env._(
                    "%(message)s\n\nCreate the record in an earlier step, then move it on.", message=refusal
                )
            )
        if verdicts.to_approve:
            if engine_flag_get(self.env, FLAG_COLLECT):
                raise ApprovalNeeded(verdicts.to_approve)
            self._policy_raise_held(records, verdicts.to_approve, vals, "approval")
        if verdicts.to_override:
            self._policy_raise_held(records, verdicts.to_override, vals, "override")

    @api.model
    def _policy_accept(self, records, verdicts):
        """Record a change let through: deviations, its audit rows (one INSERT), warning notes."""
        if verdicts.to_deviate:
            deviations = self.env["guide.deviation"]._compliance_create_policy_deviations(
                records, verdicts.to_deviate, verdicts.approved, verdicts.reason
            )
            for (policy_info, record), deviation in zip(verdicts.to_deviate, deviations, strict=True):
                if deviation.kind == "policy":
                    extra = {"reason": verdicts.reason, "deviation_id": deviation.id}
                    verdicts.audit_details.append((policy_info, record, "overridden", extra))
        self.env["compliance.log"]._compliance_write_audit(records, verdicts.audit, verdicts.audit_details)
        if verdicts.warned:
            self._policy_note_warnings(records, verdicts.warned)

    @api.model
    def _policy_note_warnings(self, records, warned):
        """One batch of notes on the records let through with a warning (not a message_post each)."""
        bodies = defaultdict(list)
        for policy_info, record in warned:
            name, message = self._policy_text(policy_info)
            bodies[record.id].append(
                self.env._("Policy %(policy)s is not met: %(message)s", policy=name, message=message)
            )
        records.browse(list(bodies))._message_log_batch(
            {res_id: Markup("<br/>").join(lines) for res_id, lines in bodies.items()}
        )

    # ------------------------------------------------------------
    # ENFORCEMENT: messages
    # ------------------------------------------------------------
    @api.model
    def _policy_text(self, policy_info):
        """(name, message) of a policy of the configuration cache, in the user's language."""
        return policy_info["texts"].get(self.env.lang) or (policy_info["name"], policy_info["message"] or "")

    @api.model
    def _policy_problems(self, pairs, limit=None):
        return [
            labelled(self.env, record.display_name, labelled(self.env, *self._policy_text(policy_info)))
            for policy_info, record in pairs[:limit]
        ]

    @api.model
    def _policy_refusal_message(self, pairs, title):
        lines = [f"- {problem}" for problem in self._policy_problems(pairs, limit=20)]
        if len(pairs) > 20:
            lines.append(self.env._("- ... and %(count)s more", count=len(pairs) - 20))
        return self.env._("%(title)s:\n%(details)s", title=title, details="\n".join(lines))

    @api.model
    def _policy_raise_held(self, records, pairs, vals, mode):
        """Offer the way out of a held change: the approval request or the justification wizard."""
        event = pairs[0][0]["trigger"]
        held_vals = records._policy_held_vals(vals)
        if event == "lost":
            held_vals.update(engine_flag_get(self.env, FLAG_LOST_VALUES) or {})
        # the dialog takes the whole write: the records no policy holds are changed with the
        # others once the justification is given or the approval asked (they were lost)
        held = records.browse(sorted(set(records.ids)))
        if mode == "approval":
            title = self.env._("Needs approval")
            hint = self.env._(
                "The approvers of the policy decide: request their approval with a justification."
            )
            name = self.env._("Request Approval")
        else:
            title = self.env._("Policy not met")
            hint = self.env._("This policy may be overridden with a justification, which is recorded.")
            name = self.env._("Override a Policy")
        # a step's gate already overridden in the dialog before this one: its reason goes on
        # with the held change (without it the approval asked met the gate again, whose dialog
        # reopened, and so on: the change could never be submitted)
        gate = {
            key: self.env.context[key] for key in (CTX_REASON, CTX_REASON_ID) if self.env.context.get(key)
        }
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
                    "default_res_model": records._name,
                    "default_res_ids": json.dumps(held.ids),
                    "default_vals": json.dumps(held_vals, default=str),
                    "default_event": event,
                    "default_problems": "\n".join(self._policy_problems(pairs)),
                    **gate,
                },
            },
            # the wizard holds the whole refused write: the form drops its unsaved copy
            discard={"res_model": records._name, "res_ids": held.ids},
        )


class CompliancePolicyTier(models.Model):
    """Who approves, in order: each tier must approve before the next is asked."""

    _name = "compliance.policy.tier"
    _inherit = ["guide.shared.scope.mixin", "guide.bounded.mixin"]
    _description = "Policy Approval Tier"
    _guide_company_path = "policy_id.company_id"
    _check_company_auto = True
    _order = "sequence, id"
    _guide_bounded_fields = {"name": MAX_NAME}

    policy_id = fields.Many2one("compliance.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Tier", required=True, translate=True)
    approver_type = fields.Selection(
        [("users", "Users"), ("group", "Members of a Group"), ("team_leader", "Team Leader")],
        string="Approvers",
        required=True,
        default="users",
    )
    user_ids = fields.Many2many(
        "res.users", string="Approving Users", check_company=True, domain="[('share', '=', False)]"
    )
    group_id = fields.Many2one("res.groups", string="Approving Group")

    @api.constrains("approver_type", "user_ids", "group_id")
    def _check_approvers(self):
        for tier in self:
            if tier.approver_type == "users" and not tier.user_ids:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s, tier %(tier)s: choose the approving users.",
                        policy=tier.policy_id.display_name,
                        tier=tier.name,
                    )
                )
            if tier.approver_type == "group" and not tier.group_id:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s, tier %(tier)s: choose the approving group.",
                        policy=tier.policy_id.display_name,
                        tier=tier.name,
                    )
                )
            # portal users never decide a request (nor see one): a tier of them waited for ever
            portal = (
                tier.user_ids.filtered("share") if tier.approver_type == "users" else tier.user_ids.browse()
            )
            if portal or (tier.approver_type == "group" and tier._policy_group_of_customers()):
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s, tier %(tier)s: %(approvers)s cannot approve: approvers are "
                        "internal users.",
                        policy=tier.policy_id.display_name,
                        tier=tier.name,
                        approvers=", ".join(portal.mapped("name")) if portal else tier.group_id.full_name,
                    )
                )

    def _policy_group_of_customers(self):
        """Whether the tier's group is one of portal or public users (or implies one): no
        internal user is a member of it."""
        self.ensure_one()
        customers = self.env.ref("base.group_portal") | self.env.ref("base.group_public")
        group = self.group_id.sudo()
        return bool((group | group.trans_implied_ids) & customers)

    @api.model_create_multi
    def create(self, vals_list):
        tiers = super().create(vals_list)
        tiers.policy_id._policy_bump_version()
        return tiers

    def write(self, vals):
        res = super().write(vals)
        self.policy_id._policy_bump_version()
        return res

    def unlink(self):
        policies = self.policy_id
        res = super().unlink()
        policies._policy_bump_version()
        return res

    def _policy_tier_snapshot(self):
        """The tier in a policy's snapshot: its name and who approves (names, as of now)."""
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "approvers": self.approver_type,
            "users": self.user_ids.mapped("name") if self.approver_type == "users" else [],
            "group": (self.group_id.full_name or "") if self.approver_type == "group" else "",
        }

    def _policy_request_lines(self, record, excluded=None, distinct=False):
        """Tier lines of a request on ``record`` (x2many commands): the approvers of each tier
        resolved now but ``excluded`` (the requester, when the policy does not let them approve
        their own request), the first tier to decide. With ``distinct``, the tiers must be
        decidable by different people."""
        lines = []
        approver_sets = []
        for index, tier in enumerate(self):
            approvers = tier._policy_approvers(record) - (excluded or self.env["res.users"])
            if not approvers:
                message = (
                    self.env._(
                        "Policy %(policy)s, tier %(tier)s: nobody but you can approve %(record)s, "
                        "and the policy does not allow approving your own request.",
                        policy=tier.policy_id.name,
                        tier=tier.name,
                        record=record.display_name,
                    )
                    if excluded and tier._policy_approvers(record)
                    else self.env._(
                        "Policy %(policy)s, tier %(tier)s: nobody can approve %(record)s.",
                        policy=tier.policy_id.name,
                        tier=tier.name,
                        record=record.display_name,
                    )
                )
                raise UserError(message)
            approver_sets.append(approvers)
            line = {
                "sequence": tier.sequence,
                "name": tier.name,
                "tier_id": tier.id,
                "approver_ids": [Command.set(approvers.ids)],
                "state": "pending" if index == 0 else "waiting",
            }
            lines.append(Command.create(line))
        short = distinct and tiers_without_distinct_approvers(approver_sets)
        if short:
            short_approvers = self.env["res.users"].union(*(approver_sets[index] for index in short))
            raise UserError(
                self.env._(
                    "Policy %(policy)s asks a different approver at each tier, but its tiers %(tiers)s "
                    "can only be approved by %(users)s for %(record)s: add approvers to these tiers.",
                    policy=self[:1].policy_id.name,
                    tiers=", ".join(self[index].name for index in short),
                    users=", ".join(short_approvers.mapped("name")),
                    record=record.display_name,
                )
            )
        return lines

    def _policy_approvers(self, record):
        """Users approving ``record`` at this tier, resolved now (snapshot): active internal
        users who work for the record's company (a team leader archived after the policy was
        saved approves nothing; the members of a group of every company are not told of, nor
        listed on, a request they could never open)."""
        self.ensure_one()
        if self.approver_type == "users":
            users = self.user_ids
        elif self.approver_type == "group":
            users = self.group_id.users
        else:
            users = record._policy_team_leader()
        company = record.company_id if "company_id" in record._fields else record.env["res.company"]
        return users.filtered(
            lambda u: u.active and not u.share and (not company or company in u.company_ids)
        )
