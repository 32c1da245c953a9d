import json
from datetime import date, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base_process_guide.tools import shortened

from .compliance_policy import CTX_UNTIL

# a policy override stands for at most a year
OVERRIDE_MAX_DAYS = 366


def _snapshot_version(snapshot):
    """The policy version a snapshot (``compliance.policy._policy_snapshot``) names."""
    try:
        return json.loads(snapshot or "{}").get("version")
    except (ValueError, AttributeError):
        return None


class GuideDeviationReason(models.Model):
    _inherit = "guide.deviation.reason"

    def _guide_reason_users(self):
        # a request's reason (chosen with its justification, shown to its approvers,
        # carried by the deviations of its approved change) is part of the audit trail
        return [
            *super()._guide_reason_users(),
            (
                "compliance.approval.request",
                "reason_id",
                lambda count: self.env._("approval requests: %(count)s", count=count),
            ),
        ]


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

    @api.model
    def _guide_snapshot_labels(self):
        return {
            **super()._guide_snapshot_labels(),
            "policy": self.env._("Policy"),
            "version": self.env._("Version"),
            "requirement": self.env._("Requirement"),
            "message": self.env._("Message"),
        }

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

    # ------------------------------------------------------------
    # BUSINESS: policy deviations (compliance.policy._policy_enforce)
    # ------------------------------------------------------------
    @api.model
    def _compliance_context_until(self):
        """The date until which a policy override stands (``compliance_override_until``, a
        date or ``YYYY-MM-DD``): from today to ``OVERRIDE_MAX_DAYS`` ahead, refused otherwise."""
        until = self.env.context.get(CTX_UNTIL)
        if not until:
            return False
        try:
            day = fields.Date.to_date(until)
        except (TypeError, ValueError):
            day = None
        today = fields.Date.context_today(self)
        if not isinstance(day, date) or not today <= day <= today + timedelta(days=OVERRIDE_MAX_DAYS):
            raise UserError(
                self.env._(
                    "An override stands until a date from today to %(days)s days ahead, not %(value)s.",
                    days=OVERRIDE_MAX_DAYS,
                    value=shortened(until),
                )
            )
        return day

    @api.model
    def _compliance_standing_overrides(self, records, checks):
        """Overrides of ``records`` still valid (``valid_until``): {(policy id, record id): deviation}.
        One query.

        :param checks: list of (policy_info, records in scope, ids meeting the requirement)
        """
        policy_ids = [info["id"] for info, _records, _holding in checks if info["enforcement"] == "override"]
        record_ids = {rid for _info, scoped, holding in checks for rid in scoped.ids if rid not in holding}
        if not policy_ids or not record_ids:
            return {}
        deviations = self.sudo().search(
            [
                ("kind", "=", "policy"),
                ("policy_id", "in", policy_ids),
                ("res_model", "=", records._name),
                ("res_id", "in", list(record_ids)),
                ("valid_until", ">=", fields.Date.context_today(self)),
            ],
            order="id",
        )
        # an override stands for the version of the policy it was given under: a policy
        # changed since (its requirement, who may override...) asks again
        versions = {
            info["id"]: _snapshot_version(info["snapshot"])
            for info, _records, _holding in checks
            if info["enforcement"] == "override"
        }
        return {
            (dev.policy_id.id, dev.res_id): dev
            for dev in deviations
            if _snapshot_version(dev.rule_snapshot) == versions[dev.policy_id.id]
        }

    @api.model
    def _compliance_create_policy_deviations(self, records, pairs, approved, reason):
        """The deviations of the (policy_info, record) ``pairs`` let through by the justification
        ``reason`` or by an approved request (``approved``: {(policy id, record id): request}),
        in one ``create``; the requests are marked applied."""
        now = fields.Datetime.now()
        histories = self._compliance_last_histories(records, {record.id for _info, record in pairs})
        until = self._compliance_context_until()
        reason_id = records._guide_context_reason_id()
        titles = {info["id"]: self._compliance_policy_titles(info) for info, _record in pairs}
        vals_list = []
        for policy_info, record in pairs:
            request = approved.get((policy_info["id"], record.id))
            vals = {
                "kind": "approval" if request else "policy",
                "rule_name": titles[policy_info["id"]],
                "rule_snapshot": policy_info["snapshot"],
                "policy_id": policy_info["id"],
                "res_model": records._name,
                "res_id": record.id,
                "record_name": record.display_name,
                "process_id": record.guide_process_id.id,
                "step_id": record.guide_step_id.id,
                "user_id": self.env.uid,
                "date": now,
                "reason_id": reason_id,
                "reason": reason or (request and request.note) or policy_info["message"],
                "history_id": histories.get(record.id, False),
                "company_id": record.company_id.id if "company_id" in record._fields else False,
            }
            if request:
                vals.update(
                    {
                        "request_id": request.id,
                        "approver_id": request.decided_by_id.id,
                        "approval_state": "approved",
                        "reason": request.note or reason or policy_info["message"],
                    }
                )
            else:
                vals["valid_until"] = until
            vals_list.append(vals)
        deviations = self.sudo().create(vals_list)
        for deviation in deviations.filtered("request_id"):
            deviation.request_id._compliance_engine().write({"applied": True, "deviation_id": deviation.id})
        return deviations

    @api.model
    def _guide_fill_langs(self, langs):
        # the titles of the policies' deviations too (``_compliance_policy_titles``)
        res = super()._guide_fill_langs(langs)
        for lang in langs:
            template = self.with_context(lang=lang).env._("Policy %(policy)s", policy="%(name)s")
            self._guide_fill_titles(lang, "Policy %(name)s", template, "policy_id", "compliance_policy")
        return res

    @api.model
    def _compliance_policy_titles(self, policy_info):
        """{lang: title} of the deviations of the policy ``policy_info`` (an entry of the
        configuration cache, which keeps its name in every language: no query), each reader
        reading it in theirs."""
        names = {"en_US": policy_info["name"]}
        names.update((lang, name) for lang, (name, _message) in policy_info["texts"].items())
        return {
            lang: self.with_context(lang=lang).env._("Policy %(policy)s", policy=name)
            for lang, name in names.items()
        }

    @api.model
    def _compliance_last_histories(self, records, record_ids):
        """Stage changes of ``records`` made in this transaction: {record id: history id}. One query."""
        rows = (
            self.env["guide.history"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", records._name),
                    ("res_id", "in", list(record_ids)),
                    ("create_date", ">=", self.env.cr.now()),
                ],
                ["res_id"],
                order="id",
            )
        )
        return {row.res_id: row.id for row in rows}
