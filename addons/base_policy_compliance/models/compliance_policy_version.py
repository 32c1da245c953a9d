import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.base_process_guide.models.guide_rule_words import domain_words
from odoo.addons.base_process_guide.tools import labelled, module_uninstalling

from .compliance_policy import ENFORCEMENTS, TRIGGERS


class CompliancePolicyVersion(models.Model):
    """A policy as it applied, frozen: audit rows, requests and deviations reference it.

    One row per version of a policy's audited wording and rule (``VERSIONED_FIELDS``
    and tiers), made by the engine when the policy is created or changed; nobody
    edits or deletes it (``write`` refuses even with ``sudo``, deleting too
    except for the superuser's purge), so an audit row always shows exactly the
    wording that applied.
    """

    _name = "compliance.policy.version"
    _description = "Compliance Policy Version"
    _order = "policy_id, version desc, id desc"
    _rec_names_search = ["name"]

    policy_id = fields.Many2one(
        "compliance.policy", string="Policy Rule", readonly=True, index=True, ondelete="set null"
    )
    version = fields.Integer(required=True, readonly=True)
    name = fields.Char(string="Policy", required=True, readonly=True)
    message = fields.Text(string="Message to the Agent", readonly=True)
    trigger = fields.Selection(TRIGGERS, string="Checked When", readonly=True)
    requirement = fields.Char(string="Requirement (as written)", readonly=True)
    enforcement = fields.Selection(ENFORCEMENTS, readonly=True)
    snapshot = fields.Text(string="Policy at the Time", required=True, readonly=True)
    # what the screens show: the conditions of the snapshot in words, in the reader's language
    requirement_text = fields.Char(string="Requirement", compute="_compute_condition_texts")
    scope_text = fields.Char(string="Scope Condition", compute="_compute_condition_texts")
    approval_text = fields.Text(string="Approval", compute="_compute_approval_texts")
    override_text = fields.Char(string="Override Restricted to", compute="_compute_approval_texts")
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    @api.depends_context("lang")
    @api.depends("name", "version", "policy_id.name")
    def _compute_display_name(self):
        """The version's name, in the reader's language where it is worded as its policy is
        now (the policy's translation; the version keeps the source words it was frozen
        with, ``_policy_freeze_version``), as written at the time otherwise."""
        policies = self.policy_id.sudo()
        source = {policy.id: policy.name for policy in policies.with_context(lang=None)}
        for version in self:
            policy = version.policy_id
            current = policy and source.get(policy.id) == version.name
            version.display_name = self.env._(
                "%(policy)s (v%(version)s)",
                policy=policy.sudo().name if current else version.name,
                version=version.version,
            )

    @api.depends_context("lang", "uid")
    @api.depends("snapshot", "requirement")
    def _compute_condition_texts(self):
        for version in self:
            version.scope_text, version.requirement_text = version._compliance_condition_texts(self.env)

    def _compliance_condition_texts(self, env):
        """(scope, requirement) of this version in words for the reader of ``env``: in their
        language, naming only the records they may read (``#id`` for the others)."""
        data = self._compliance_snapshot_data()
        # versions made before the snapshot named its model: the policy's, while it exists
        model_name = data.get("model") or self.sudo().policy_id.model_name
        return (
            domain_words(env, model_name, data.get("scope") or "") or env._("Every record"),
            domain_words(env, model_name, self.requirement or "") or "-",
        )

    @api.depends_context("lang")
    @api.depends("snapshot", "enforcement")
    def _compute_approval_texts(self):
        snapshots = {version: version._compliance_snapshot_data() for version in self}
        tier_names = self._compliance_tier_names(snapshots.values())
        for version, data in snapshots.items():
            version.approval_text = version.enforcement == "approval" and version._compliance_approval_text(
                data, tier_names
            )
            version.override_text = version.enforcement == "override" and (
                self.env._("Not recorded in this version")
                if "override_group" not in data
                else data["override_group"] or self.env._("Anyone")
            )

    def _compliance_snapshot_data(self):
        self.ensure_one()
        try:
            data = json.loads(self.snapshot or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _compliance_tier_names(self, snapshots):
        """{tier id: name in the reader's language} for the tiers of ``snapshots`` that still
        exist under the name they had then (a snapshot keeps the name as written)."""
        recorded = {
            tier["id"]: tier.get("name")
            for data in snapshots
            for tier in data.get("tiers") or ()
            if isinstance(tier, dict) and isinstance(tier.get("id"), int)
        }
        tiers = self.env["compliance.policy.tier"].sudo().browse(recorded).exists()
        written = {tier.id: tier.name for tier in tiers.with_context(lang=None)}
        return {
            tier.id: tier.name
            for tier in tiers.with_context(lang=self.env.lang)
            if written.get(tier.id) == recorded[tier.id]
        }

    def _compliance_approval_text(self, data, tier_names):
        """The approval tiers and options of a version's snapshot in words, a line each."""
        if "tiers" not in data:
            return self.env._("Not recorded in this version (made before versions kept their approval tiers)")
        Policy = self.env["compliance.policy"]
        approvers = dict(
            self.env["compliance.policy.tier"]._fields["approver_type"]._description_selection(self.env)
        )
        lines = []
        tiers = [tier for tier in data["tiers"] or () if isinstance(tier, dict)]
        for number, tier in enumerate(tiers, start=1):
            if tier.get("approvers") == "users":
                who = ", ".join(tier.get("users") or ())
            elif tier.get("approvers") == "group":
                who = self.env._("Members of %(group)s", group=tier.get("group"))
            else:
                who = approvers.get(tier.get("approvers"), tier.get("approvers"))
            name = tier_names.get(tier.get("id")) or tier.get("name")
            lines.append(labelled(self.env, "%s. %s" % (number, name), who))
        for option in ("distinct_approvers", "allow_self_approval"):
            label = Policy._fields[option]._description_string(self.env)
            answer = self.env._("Yes") if data.get(option) else self.env._("No")
            lines.append(labelled(self.env, label, answer))
        return "\n".join(lines)

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Policy versions are written by the engine only."))
        return super().create(vals_list)

    def write(self, vals):  # pylint: disable=method-required-super
        self.check_access("write")
        raise UserError(
            self.env._("A policy version cannot be modified: change the policy, which makes a new one.")
        )

    @api.ondelete(at_uninstall=True)
    def _unlink_except_audit_trail(self):
        if module_uninstalling(self.env):
            return
        # nobody has the unlink access right: this refuses the engine's own sudo() but its purge
        if not (self.env.su and self.env.context.get("compliance_purge")):
            raise UserError(
                self.env._("A policy version cannot be deleted; the superuser may purge the audit trail.")
            )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _compliance_version_vals(self, snapshot, policy_id=False, company_id=False):
        """Values of a version row from a policy snapshot (the JSON of ``_policy_snapshot``)."""
        data = json.loads(snapshot)
        return {
            "policy_id": policy_id,
            "version": data.get("version") or 1,
            "name": data.get("policy") or "",
            "message": data.get("message"),
            "trigger": data.get("trigger"),
            "requirement": data.get("requirement"),
            "enforcement": data.get("enforcement"),
            "snapshot": snapshot,
            "company_id": company_id,
        }
