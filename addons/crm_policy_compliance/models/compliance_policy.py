import json

from odoo import Command, _, api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.crm_process_guide.tools import MAX_COUNT, MAX_HOURS, engine_flag, engine_flag_get

# context key of the API:
#   compliance_override_until: date until which a policy override stands (with guide_override_reason)
CTX_UNTIL = "compliance_override_until"
# engine flags (never read from the context, see crm_process_guide.tools):
#   values written with a "mark lost" (lost reason), kept with a held change
FLAG_LOST_VALUES = "compliance_lost_values"
#   compliance_request_approval is trying the change: a held policy raises ApprovalNeeded
FLAG_COLLECT = "compliance_collect_approvals"


class ApprovalNeeded(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside a savepoint by ``compliance.approval.request._compliance_submit`` to hold a change."""

    def __init__(self, held):
        super().__init__("approval needed")
        self.held = held


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
}

# kept by the engine only (SQL), never written through the ORM
ENGINE_FIELDS = {"version", "version_id"}


class CompliancePolicy(models.Model):
    """A requirement that must hold on a guided record when something happens to it.

    Scope (process, teams, company, condition) and requirement are written in
    the product's one rule language (``guide.condition.mixin``); the engine
    that checks them is ``guide.mixin`` (``models/guide_mixin.py``).
    """

    _name = "compliance.policy"
    _inherit = ["guide.condition.mixin", "mail.thread"]
    _description = "Compliance Policy"
    _order = "sequence, id"
    _check_company_auto = True
    _guide_domain_fields = ("domain", "requirement")

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
    model_name = fields.Selection(
        selection="_selection_guide_models", string="Applies to", required=True, default="crm.lead"
    )
    process_id = fields.Many2one(
        "guide.process",
        check_company=True,
        domain="[('model_name', '=', model_name)]",
        tracking=True,
        help="Only records guided by this process (empty: any record of the model).",
    )
    crm_team_ids = fields.Many2many(
        "crm.team", string="Sales Teams", check_company=True, help="Empty: every team."
    )
    domain = fields.Char(
        string="Scope Condition",
        tracking=True,
        help="Only records matching this Odoo domain are checked, e.g. [('expected_revenue', '>', 50000)].",
    )
    # when
    trigger = fields.Selection(TRIGGERS, string="Checked When", required=True, default="stage", tracking=True)
    step_ids = fields.Many2many(
        "guide.step",
        string="Steps",
        domain="[('model_name', '=', model_name)]",
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
        help="Odoo domain that must hold on the record after the change, e.g. "
        "[('partner_id.vat', '!=', False)] or [('guide_has_attachment', '=', True)].",
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
    reminder_hours = fields.Float(
        string="Remind After (hours)", default=24.0, help="Pending requests are reminded after this delay."
    )
    reminder_max = fields.Integer(
        string="Reminders at Most", default=2, help="Reminders stop after this number, or when decided."
    )
    # statistics
    log_count = fields.Integer(compute="_compute_log_stats", string="Checks")
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

    def _compute_log_stats(self):
        data = self.env["compliance.log"]._read_group(
            [("policy_id", "in", self.ids)], ["policy_id", "outcome"], ["__count"]
        )
        totals, violations = {}, {}
        for policy, outcome, count in data:
            totals[policy.id] = totals.get(policy.id, 0) + count
            if outcome != "passed":
                violations[policy.id] = violations.get(policy.id, 0) + count
        for policy in self:
            policy.log_count = totals.get(policy.id, 0)
            policy.violation_count = violations.get(policy.id, 0)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("model_name", "trigger", "field_ids", "step_ids", "process_id", "crm_team_ids")
    def _check_scope(self):
        for policy in self:
            name = policy.display_name
            supported = self.env[policy.model_name]._policy_triggers()
            if policy.trigger not in supported:
                raise ValidationError(
                    _(
                        "Policy %(policy)s: %(model)s records cannot be checked when %(trigger)s.",
                        policy=name,
                        model=policy.model_name,
                        trigger=dict(policy._fields["trigger"]._description_selection(self.env))[
                            policy.trigger
                        ],
                    )
                )
            if policy.trigger == "fields" and not policy.field_ids:
                raise ValidationError(
                    _("Policy %(policy)s: choose the fields whose change is checked.", policy=name)
                )
            if policy.field_ids.filtered(lambda f, p=policy: f.model != p.model_name):
                raise ValidationError(
                    _("Policy %(policy)s: the fields belong to another model.", policy=name)
                )
            if policy.process_id and policy.process_id.model_name != policy.model_name:
                raise ValidationError(_("Policy %(policy)s: the process guides another model.", policy=name))
            foreign = policy.step_ids.filtered(
                lambda s, p=policy: s.model_name != p.model_name
                or (p.process_id and s.process_id != p.process_id)
            )
            if foreign:
                raise ValidationError(
                    _(
                        "Policy %(policy)s: step %(step)s is not a step of its process or model.",
                        policy=name,
                        step=foreign[0].display_name,
                    )
                )
            if policy.crm_team_ids and policy.model_name != "crm.lead":
                raise ValidationError(_("Policy %(policy)s: sales teams only apply to leads.", policy=name))

    @api.constrains("reminder_hours", "reminder_max")
    def _check_reminders(self):
        for policy in self:
            if not 0 <= policy.reminder_hours <= MAX_HOURS or not 0 <= policy.reminder_max <= MAX_COUNT:
                raise ValidationError(
                    _(
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
                    _(
                        "Policy %(policy)s: a creation cannot wait for an approval; block or warn instead.",
                        policy=policy.display_name,
                    )
                )
            if not policy.tier_ids:
                raise ValidationError(
                    _("Policy %(policy)s: add at least one approval tier.", policy=policy.display_name)
                )

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
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
        res = super().write(vals)
        if VERSIONED_FIELDS & set(vals):
            self._policy_bump_version()
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=_("%s (copy)", policy.name)) for policy, vals in zip(self, vals_list, strict=True)
        ]

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_view_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_policy_compliance.compliance_log_action")
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_violations(self):
        action = self.action_view_logs()
        action["domain"] = [("policy_id", "=", self.id), ("outcome", "!=", "passed")]
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _policy_check_engine_fields(self, vals):
        """The version number and row are the engine's (written in SQL): refused to everyone."""
        forged = ENGINE_FIELDS & set(vals)
        if forged:
            raise UserError(
                _(
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
                "trigger": self.trigger,
                "steps": self.step_ids.mapped("name"),
                "fields": self.field_ids.mapped("name"),
                "scope": self.domain or "",
                "requirement": self.requirement,
                "message": self.message,
                "enforcement": self.enforcement,
            },
            ensure_ascii=False,
        )

    def _policy_values(self):
        """Plain values of a policy, kept in the configuration cache."""
        self.ensure_one()
        languages = self.env["res.lang"].get_installed()
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "version_id": self.version_id.id,
            "company_id": self.company_id.id,
            "process_id": self.process_id.id,
            "crm_team_ids": frozenset(self.crm_team_ids.ids),
            "domain": self.domain or "",
            "trigger": self.trigger,
            "step_ids": frozenset(self.step_ids.ids),
            "fields": frozenset(self.field_ids.mapped("name")),
            "requirement": self.requirement,
            "message": self.message,
            # name and message in each language, for the refusals and notes (no query there)
            "texts": {
                code: (policy.name, policy.message or "")
                for code, policy in ((code, self.with_context(lang=code)) for code, _lang in languages)
            },
            "enforcement": self.enforcement,
            "override_group_id": self.override_group_id.id,
            "snapshot": self._policy_snapshot(),
            **self.env[self.model_name]._policy_scope_values(self),
        }

    @api.model
    @tools.ormcache("model_name")
    def _get_policy_config(self, model_name):
        """Active policies of a model as plain data (cleared when policies change)."""
        policies = (
            self.sudo().with_context(active_test=True, lang=None).search([("model_name", "=", model_name)])
        )
        config = {"policies": tuple(policy._policy_values() for policy in policies), "fields": set()}
        for policy in config["policies"]:
            if policy["trigger"] == "fields":
                config["fields"] |= policy["fields"]
        config["fields"] = frozenset(config["fields"])
        return config


class CompliancePolicyTier(models.Model):
    """Who approves, in order: each tier must approve before the next is asked."""

    _name = "compliance.policy.tier"
    _description = "Policy Approval Tier"
    _order = "sequence, id"

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
    user_ids = fields.Many2many("res.users", string="Approving Users")
    group_id = fields.Many2one("res.groups", string="Approving Group")

    @api.constrains("approver_type", "user_ids", "group_id")
    def _check_approvers(self):
        for tier in self:
            if tier.approver_type == "users" and not tier.user_ids:
                raise ValidationError(
                    _(
                        "Policy %(policy)s, tier %(tier)s: choose the approving users.",
                        policy=tier.policy_id.display_name,
                        tier=tier.name,
                    )
                )
            if tier.approver_type == "group" and not tier.group_id:
                raise ValidationError(
                    _(
                        "Policy %(policy)s, tier %(tier)s: choose the approving group.",
                        policy=tier.policy_id.display_name,
                        tier=tier.name,
                    )
                )

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

    def _policy_request_lines(self, record):
        """Tier lines of a request on ``record`` (x2many commands): the approvers of each tier
        resolved now, the first tier to decide."""
        lines = []
        for index, tier in enumerate(self):
            approvers = tier._policy_approvers(record)
            if not approvers:
                raise UserError(
                    _(
                        "Policy %(policy)s, tier %(tier)s: nobody can approve %(record)s.",
                        policy=tier.policy_id.name,
                        tier=tier.name,
                        record=record.display_name,
                    )
                )
            line = {
                "sequence": tier.sequence,
                "name": tier.name,
                "approver_ids": [Command.set(approvers.ids)],
                "state": "pending" if index == 0 else "waiting",
            }
            lines.append(Command.create(line))
        return lines

    def _policy_approvers(self, record):
        """Users approving ``record`` at this tier, resolved now (snapshot)."""
        self.ensure_one()
        if self.approver_type == "users":
            return self.user_ids.filtered("active")
        if self.approver_type == "group":
            return self.group_id.users.filtered(lambda u: u.active and not u.share)
        return record._policy_team_leader()
