import json
import logging
from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.osv import expression
from odoo.tools import format_list

from .guide_condition_mixin import GUIDE_CONDITION_ERRORS

_logger = logging.getLogger(__name__)

# How an agent (or an integration) passes the justification of an override:
#   record.with_context(guide_override_reason="...", guide_override_reason_id=<id>).write(...)
CTX_REASON = "guide_override_reason"
CTX_REASON_ID = "guide_override_reason_id"


class GuideMixin(models.AbstractModel):
    """Guided record: any model with a stage can follow a process.

    Inheriting models set ``_guide_stage_field`` (a Many2one to their stage
    model) and may override the ``_guide_*`` hooks to add their own scope
    (teams, record types) and history columns. Everything else - process
    matching, checklists, gating, deviations and history - is shared.
    """

    _name = "guide.mixin"
    _description = "Guided Record"
    _guide_stage_field = "stage_id"
    _guide_owner_field = "user_id"
    # group that administers the processes of the model (reviews feedback)
    _guide_manager_group = "base.group_system"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    guide_process_id = fields.Many2one(
        "guide.process",
        string="Process",
        compute="_compute_guide_process_id",
        store=True,
        readonly=True,
        index="btree_not_null",
        copy=False,
    )
    guide_step_id = fields.Many2one(
        "guide.step",
        string="Process Step",
        compute="_compute_guide_step_id",
        store=True,
        readonly=True,
        index="btree_not_null",
        copy=False,
    )
    guide_step_entered_at = fields.Datetime(
        string="In Stage Since", default=fields.Datetime.now, readonly=True, copy=False
    )
    guide_instructions = fields.Html(related="guide_step_id.instructions", string="Instructions")
    guide_goal = fields.Text(related="guide_step_id.goal", string="Goal")
    guide_gate_mode = fields.Selection(related="guide_step_id.gate_mode", string="Gate")
    guide_line_ids = fields.One2many(
        "guide.line",
        "res_id",
        string="Checklist History",
        domain=lambda self: [("res_model", "=", self._name)],
        readonly=True,
    )
    guide_current_line_ids = fields.Many2many(
        "guide.line", string="Checklist", compute="_compute_guide_checklist", readonly=True
    )
    guide_item_done = fields.Integer(string="Items Done", compute="_compute_guide_checklist")
    guide_item_total = fields.Integer(string="Items", compute="_compute_guide_checklist")
    guide_progress = fields.Float(string="Checklist Progress", compute="_compute_guide_checklist")
    guide_missing_items = fields.Text(string="Missing Items", compute="_compute_guide_checklist")
    guide_blocked = fields.Boolean(
        string="Blocked",
        compute="_compute_guide_checklist",
        search="_search_guide_blocked",
        help="Mandatory checklist items of the current step are not done.",
    )
    guide_deadline = fields.Datetime(string="Step Due", compute="_compute_guide_deadline")
    guide_overdue = fields.Boolean(
        string="Overdue in Step", compute="_compute_guide_deadline", search="_search_guide_overdue"
    )
    guide_hint_ids = fields.Many2many("guide.hint", string="Hints", compute="_compute_guide_hint_ids")
    # what the current user said about the hints of the record (stored per user)
    guide_hint_ack_ids = fields.Many2many(
        "guide.hint", string="Hints I Acknowledged", compute="_compute_guide_hint_feedback"
    )
    guide_hint_unhelpful_ids = fields.Many2many(
        "guide.hint", string="Hints I Marked Not Helpful", compute="_compute_guide_hint_feedback"
    )
    guide_deviation_count = fields.Integer(string="Deviations", compute="_compute_guide_counts")
    guide_history_count = fields.Integer(string="Stage Changes", compute="_compute_guide_counts")
    guide_overridden = fields.Boolean(
        string="Overridden", compute="_compute_guide_counts", search="_search_guide_overridden"
    )
    guide_has_attachment = fields.Boolean(
        string="Has Attachments",
        compute="_compute_guide_has_attachment",
        search="_search_guide_has_attachment",
        help="Helper for checklist and policy conditions: at least one file is attached.",
    )

    # ------------------------------------------------------------
    # HOOKS (override in guided models)
    # ------------------------------------------------------------
    @api.model
    def _guide_process_depends(self):
        """Fields of the record that decide which process guides it."""
        return ["company_id"]

    def _guide_match_scope(self, process):
        """Part of ``self`` within the scope of ``process`` (cached plain values).

        Evaluated in Python on cached values: no query. The process condition
        (domain) is applied by the caller.
        """
        company_id = process["company_id"]
        if not company_id:
            return self
        return self.filtered(lambda rec: rec.company_id.id in (company_id, False))

    def _guide_history_values(self):
        """Extra columns of the history rows of ``self`` (one record)."""
        return {}

    @api.model
    def _guide_engine_fields(self):
        """Fields of the record that only the engine writes (bridges add theirs).

        A user's ``create``/``write`` naming one of them is refused, whatever the
        path (RPC, import, mass edit); ``default_<field>`` context keys for them
        are ignored. The engine writes them as superuser or through
        ``super().write`` below the check.
        """
        # the checklist is ticked line by line (guide.line), never through this computed view of it
        return {"guide_process_id", "guide_step_id", "guide_step_entered_at", "guide_current_line_ids"}

    def _guide_check_engine_fields(self, vals_list):
        if self.env.su:
            return
        engine_fields = self._guide_engine_fields()
        written = {fname for vals in vals_list for fname in vals if fname in engine_fields}
        if written:
            raise AccessError(
                _(
                    "%(fields)s of %(model)s are set by the process engine and cannot be written.",
                    fields=format_list(self.env, sorted(self._fields[fname].string for fname in written)),
                    model=self._description,
                )
            )

    def _guide_without_engine_defaults(self):
        """``self`` without the ``default_<field>`` context keys of engine fields."""
        context = self.env.context
        keys = {f"default_{fname}" for fname in self._guide_engine_fields()} & set(context)
        if not keys or self.env.su:
            return self
        return self.with_env(
            self.env(context={key: value for key, value in context.items() if key not in keys})
        )

    @api.model
    def _guide_is_manager(self):
        """Whether the current user administers the processes of this model."""
        return self.env.su or self.env.user.has_group(self._guide_manager_group)

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    @api.depends(lambda self: self._guide_process_depends())
    def _compute_guide_process_id(self):
        config = self.env["guide.process"]._get_guide_config(self._name)
        remaining = self
        for process in config["processes"]:
            if not remaining:
                break
            matched = remaining._guide_match_scope(process)
            if matched and process["domain"]:
                try:
                    domain = self.env["guide.process"]._guide_parse_domain(process["domain"], self._name)
                    matched = matched.filtered_domain(domain)
                except GUIDE_CONDITION_ERRORS as exc:  # broken by a later schema change
                    _logger.warning(
                        "Process guide: process %s skipped, its condition fails: %s", process["id"], exc
                    )
                    matched = matched.browse()
            matched.guide_process_id = process["id"]
            remaining -= matched
        remaining.guide_process_id = False

    @api.depends(lambda self: ("guide_process_id", self._guide_stage_field))
    def _compute_guide_step_id(self):
        config = self.env["guide.process"]._get_guide_config(self._name)
        stage_field = self._guide_stage_field
        for record in self:
            step = config["step_by_stage"].get((record.guide_process_id.id, record[stage_field].id))
            record.guide_step_id = step["id"] if step else False

    @api.depends("guide_step_id", "guide_line_ids.checked")
    def _compute_guide_checklist(self):
        lines_by_record = self._guide_current_lines()
        for record in self:
            lines = lines_by_record.get(record.id, self.env["guide.line"]).filtered("is_applicable")
            done = lines.filtered("is_done")
            missing = (lines - done).filtered("mandatory")
            record.guide_current_line_ids = lines
            record.guide_item_total = len(lines)
            record.guide_item_done = len(done)
            record.guide_progress = 100.0 * len(done) / len(lines) if lines else 0.0
            record.guide_missing_items = "\n".join(missing.mapped("name")) or False
            record.guide_blocked = bool(missing)

    @api.depends("guide_step_id.expected_hours", "guide_step_entered_at")
    def _compute_guide_deadline(self):
        now = fields.Datetime.now()
        for record in self:
            hours = record.guide_step_id.expected_hours
            if hours and record.guide_step_entered_at:
                record.guide_deadline = record.guide_step_entered_at + timedelta(hours=hours)
                record.guide_overdue = record.guide_deadline < now
            else:
                record.guide_deadline = False
                record.guide_overdue = False

    @api.depends("guide_step_id")
    def _compute_guide_hint_ids(self):
        hints = self.env["guide.hint"]._guide_hints_for(self._origin)
        for record in self:
            record.guide_hint_ids = hints.get(record._origin.id, self.env["guide.hint"])

    @api.depends_context("uid")
    def _compute_guide_hint_feedback(self):
        # the user's own rows only: reading them needs no other right
        feedback = (
            self.env["guide.hint.feedback"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self._origin.ids),
                    ("user_id", "=", self.env.uid),
                ],
                ["hint_id", "res_id", "kind"],
            )
        )
        hint_ids = {(fb.res_id, fb.kind): set() for fb in feedback}
        for fb in feedback:
            hint_ids[fb.res_id, fb.kind].add(fb.hint_id.id)
        Hint = self.env["guide.hint"]
        for record in self:
            res_id = record._origin.id
            record.guide_hint_ack_ids = Hint.browse(sorted(hint_ids.get((res_id, "ack"), ())))
            record.guide_hint_unhelpful_ids = Hint.browse(sorted(hint_ids.get((res_id, "unhelpful"), ())))

    def _compute_guide_counts(self):
        domain = [("res_model", "=", self._name), ("res_id", "in", self._origin.ids)]
        history = dict(self.env["guide.history"]._read_group(domain, ["res_id"], ["__count"]))
        deviations = dict(self.env["guide.deviation"]._read_group(domain, ["res_id"], ["__count"]))
        for record in self:
            record.guide_history_count = history.get(record._origin.id, 0)
            record.guide_deviation_count = deviations.get(record._origin.id, 0)
            record.guide_overridden = bool(record.guide_deviation_count)

    def _compute_guide_has_attachment(self):
        data = self.env["ir.attachment"]._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self._origin.ids)], ["res_id"], ["__count"]
        )
        with_files = {res_id for res_id, _count in data}
        for record in self:
            record.guide_has_attachment = record._origin.id in with_files

    # ------------------------------------------------------------
    # SEARCHES
    # ------------------------------------------------------------
    def _search_guide_blocked(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on %(field)s.", field=self._fields["guide_blocked"].string))
        lines = self.env["guide.line"].search_fetch(
            [
                ("res_model", "=", self._name),
                ("mandatory", "=", True),
                ("checked", "=", False),
                ("res_id", "in", self._search([("guide_step_id", "!=", False)])),
            ],
            ["res_id", "step_id", "completion", "apply_domain", "auto_domain", "checked", "mandatory"],
        )
        records = self.browse(set(lines.mapped("res_id")))
        steps = dict(zip(records.ids, records.mapped(lambda r: r.guide_step_id.id), strict=True))
        lines = lines.filtered(lambda line: steps.get(line.res_id) == line.step_id.id)._guide_evaluate()
        blocked_ids = {line.res_id for line in lines if line.is_applicable and not line.is_done}
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", list(blocked_ids))]

    def _search_guide_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on %(field)s.", field=self._fields["guide_overdue"].string))
        now = fields.Datetime.now()
        steps = self.env["guide.step"].search_fetch(
            [("model_name", "=", self._name), ("expected_hours", ">", 0)], ["expected_hours"]
        )
        overdue = expression.OR(
            [
                [
                    ("guide_step_id", "=", step.id),
                    ("guide_step_entered_at", "<", now - timedelta(hours=step.expected_hours)),
                ]
                for step in steps
            ]
            or [expression.FALSE_DOMAIN]
        )
        if (operator == "=") == value:
            return overdue
        return [("id", "not in", self._search(overdue))]

    def _search_guide_overridden(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                _("Unsupported search on %(field)s.", field=self._fields["guide_overridden"].string)
            )
        deviations = self.env["guide.deviation"]._search([("res_model", "=", self._name)])
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", deviations.subselect("res_id"))]

    def _search_guide_has_attachment(self, operator, value):
        attachments = self.env["ir.attachment"]._search(
            [("res_model", "=", self._name), ("res_id", "!=", False)]
        )
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", attachments.subselect("res_id"))]

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._guide_check_engine_fields(vals_list)
        model = self._guide_without_engine_defaults()
        records = super(GuideMixin, model).create(vals_list).with_env(self.env)
        guided = records.filtered("guide_process_id")
        if guided:
            guided._guide_sync_lines()
            guided._guide_log_entry()
        return records

    def write(self, vals):
        self._guide_check_engine_fields([vals])
        stage_field = self._guide_stage_field
        config = self.env["guide.process"]._get_guide_config(self._name)
        scope_changed = bool(set(vals) & (set(self._guide_process_depends()) | config["domain_fields"]))
        moving = self.browse()
        if stage_field in vals:
            moving = self.filtered(lambda rec: rec[stage_field].id != vals[stage_field])
        if not moving and not scope_changed:
            return super().write(vals)

        transitions = moving._guide_check_transitions(vals[stage_field]) if moving else []
        old_steps = {record.id: record.guide_step_id.id for record in self}
        # a stage computed from the scope (e.g. a ticket's stage following its
        # team) may change without being written: record it too
        old_stages = {} if stage_field in vals else {record.id: record[stage_field] for record in self}
        now = fields.Datetime.now()
        if moving and moving == self:
            vals = dict(vals, guide_step_entered_at=now)
        res = super().write(vals)
        if moving and moving != self:
            super(GuideMixin, moving).write({"guide_step_entered_at": now})
        if scope_changed and config["domain_fields"]:
            # the process conditions read fields the ORM cannot name in @depends
            self.env.add_to_compute(self._fields["guide_process_id"], self)
            self.env.add_to_compute(self._fields["guide_step_id"], self)
        if old_stages:
            drifted = self.filtered(lambda rec: rec[stage_field] != old_stages[rec.id])
            if drifted:
                transitions = transitions + drifted._guide_drift_transitions(old_stages, old_steps)
                super(GuideMixin, drifted).write({"guide_step_entered_at": now})
        if transitions:
            self._guide_log_transitions(transitions, now)
        changed = self.filtered(lambda rec: rec.guide_step_id.id != old_steps[rec.id])
        if changed:
            changed._guide_sync_lines()
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_guide_open_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_process_guide.guide_history_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_guide_open_deviations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_process_guide.guide_deviation_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_guide_feedback(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Feedback on the Process"),
            "res_model": "guide.feedback",
            "view_mode": "form",
            "views": [(self.env.ref("crm_process_guide.guide_feedback_view_form_quick").id, "form")],
            "target": "new",
            "context": {
                "default_process_id": self.guide_process_id.id,
                "default_step_id": self.guide_step_id.id,
                "default_res_model": self._name,
                "default_res_id": self.id,
            },
        }

    # ------------------------------------------------------------
    # BUSINESS: checklists
    # ------------------------------------------------------------
    def _guide_current_lines(self):
        """Checklist lines of each record's current step: {record id: lines}. One query."""
        records = self._origin.filtered("guide_step_id")
        if not records:
            return {}
        lines = self.env["guide.line"].search_fetch(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", records.ids),
                ("step_id", "in", records.guide_step_id.ids),
            ],
            [
                "res_model",
                "res_id",
                "step_id",
                "name",
                "sequence",
                "mandatory",
                "completion",
                "apply_domain",
                "auto_domain",
                "checked",
            ],
        )
        # line states are live (non-stored): drop values computed earlier in the
        # transaction, then evaluate them for all lines at once
        lines._guide_evaluate()
        steps = {record.id: record.guide_step_id.id for record in records}
        line_ids = defaultdict(list)
        for line in lines:
            if steps.get(line.res_id) == line.step_id.id:
                line_ids[line.res_id].append(line.id)
        return {
            res_id: lines.browse(ids).with_prefetch(lines._prefetch_ids) for res_id, ids in line_ids.items()
        }

    def _guide_sync_lines(self, refresh=False):
        """Instantiate the checklist of each record's current step.

        A record entering a step gets lines copied from the step's items as
        configured at that moment; lines already there are kept (a record in
        flight keeps the rules it started with). With ``refresh``, an
        administrator brings lines up to the current configuration: missing
        items are added, unchecked lines of removed items dropped, snapshots
        of unchanged lines updated.
        """
        config = self.env["guide.process"]._get_guide_config(self._name)
        records = self.filtered("guide_step_id")
        if not records:
            return
        Line = self.env["guide.line"].sudo()
        existing = Line.search_fetch(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", records.ids),
                ("step_id", "in", records.guide_step_id.ids),
            ],
            ["res_id", "step_id", "item_id", "checked"],
        )
        existing_keys = {(line.res_id, line.step_id.id, line.item_id.id): line for line in existing}
        vals_list = []
        kept = Line.browse()
        for record in records:
            step = config["steps"].get(record.guide_step_id.id)
            if not step:
                continue
            company_id = record.company_id.id if "company_id" in record._fields else False
            for item in step["items"]:
                line = existing_keys.get((record.id, step["id"], item["item_id"]))
                if line:
                    kept |= line
                    if refresh:
                        line.write({k: v for k, v in item.items() if k != "item_id"})
                    continue
                vals_list.append(
                    {
                        **item,
                        "res_model": self._name,
                        "res_id": record.id,
                        "step_id": step["id"],
                        "process_id": step["process_id"],
                        "company_id": company_id,
                    }
                )
        if refresh:
            (existing - kept).filtered(lambda line: not line.checked).unlink()
        if vals_list:
            Line._guide_bulk_create([{"checked": False, **vals} for vals in vals_list])

    # ------------------------------------------------------------
    # BUSINESS: transitions
    # ------------------------------------------------------------
    def _guide_direction(self, new_stage):
        """Forward/backward for each record moving to ``new_stage``, by stage rank."""
        stage_field = self._guide_stage_field
        result = {}
        for record in self:
            old_stage = record[stage_field]
            if not old_stage:
                result[record.id] = "initial"
                continue
            old_key = (old_stage.sequence, old_stage.id)
            new_key = (new_stage.sequence, new_stage.id) if new_stage else (-1, -1)
            result[record.id] = "forward" if new_key > old_key else "backward"
        return result

    def _guide_check_transitions(self, new_stage_id):
        """Check the gates of records leaving their step; raise if refused.

        :return: list of transition dicts, consumed by ``_guide_log_transitions``.
        """
        config = self.env["guide.process"]._get_guide_config(self._name)
        stage_model = self._fields[self._guide_stage_field].comodel_name
        new_stage = self.env[stage_model].browse(new_stage_id)
        directions = self._guide_direction(new_stage)
        lines_by_record = self._guide_current_lines()
        transitions, blocked, to_override = [], [], []
        for record in self:
            process_id = record.guide_process_id.id
            from_step = config["steps"].get(record.guide_step_id.id)
            to_step = config["step_by_stage"].get((process_id, new_stage_id)) if process_id else None
            if not process_id and not to_step:
                continue
            info = {
                "record": record,
                "process_id": process_id,
                "from_step": from_step,
                "to_step": to_step,
                "from_stage_name": record[self._guide_stage_field].display_name,
                "to_stage_name": new_stage.display_name,
                "direction": directions[record.id],
                "entered_at": record.guide_step_entered_at,
                "gate": "free",
                "missing": [],
                "disallowed": False,
            }
            lines = lines_by_record.get(record.id, self.env["guide.line"]).filtered("is_applicable")
            info["done"] = len(lines.filtered("is_done"))
            info["total"] = len(lines)
            info["missing"] = lines.filtered(lambda line: line.mandatory and not line.is_done).mapped("name")
            if from_step and info["direction"] == "forward":
                allowed = from_step["allowed_step_ids"]
                info["disallowed"] = bool(allowed) and (not to_step or to_step["id"] not in allowed)
                if info["missing"] or info["disallowed"]:
                    mode = from_step["gate_mode"]
                    if mode == "block":
                        blocked.append(info)
                    elif mode == "override":
                        to_override.append(info)
                    else:
                        info["gate"] = "advisory"
                else:
                    info["gate"] = "passed"
            transitions.append(info)
        if blocked:
            raise UserError(self._guide_refusal_message(blocked, new_stage))
        if to_override:
            self._guide_check_override(to_override, new_stage)
        return transitions

    def _guide_drift_transitions(self, old_stages, old_steps):
        """Transitions of records whose stage changed as a side effect of a write
        (not gated: the record did not ask to move), for ``_guide_log_transitions``."""
        config = self.env["guide.process"]._get_guide_config(self._name)
        stage_field = self._guide_stage_field
        transitions = []
        for record in self:
            from_step = config["steps"].get(old_steps[record.id])
            to_step = config["steps"].get(record.guide_step_id.id)
            if not from_step and not to_step:
                continue
            old_stage, new_stage = old_stages[record.id], record[stage_field]
            forward = (new_stage.sequence, new_stage.id) > (old_stage.sequence, old_stage.id)
            transitions.append(
                {
                    "record": record,
                    "process_id": record.guide_process_id.id or from_step["process_id"],
                    "from_step": from_step,
                    "to_step": to_step,
                    "from_stage_name": old_stage.display_name,
                    "to_stage_name": new_stage.display_name,
                    "direction": "forward" if forward else "backward",
                    "entered_at": record.guide_step_entered_at,
                    "gate": "free",
                    "missing": [],
                    "disallowed": False,
                    "done": 0,
                    "total": 0,
                }
            )
        return transitions

    def _guide_problem_text(self, info):
        # named by the stages the agent sees, whatever the designer named the steps
        parts = []
        if info["missing"]:
            parts.append(
                _(
                    "leaving %(stage)s requires %(items)s",
                    stage=info["from_stage_name"],
                    items=format_list(self.env, info["missing"]),
                )
            )
        if info["disallowed"]:
            parts.append(
                _(
                    "%(from_stage)s does not lead to %(stage)s",
                    from_stage=info["from_stage_name"],
                    stage=info["to_stage_name"],
                )
            )
        return "; ".join(parts)

    def _guide_refusal_message(self, infos, new_stage):
        lines = [f"- {info['record'].display_name}: {self._guide_problem_text(info)}" for info in infos[:20]]
        if len(infos) > 20:
            lines.append(_("- ... and %(count)s more records", count=len(infos) - 20))
        return _(
            "Cannot move to %(stage)s:\n%(details)s", stage=new_stage.display_name, details="\n".join(lines)
        )

    def _guide_check_override(self, infos, new_stage):
        groups = self.env["res.groups"].browse(
            {info["from_step"]["override_group_id"] for info in infos} - {False}
        )
        for group in groups:
            if not self.env.su and group not in self.env.user.groups_id:
                steps = {
                    info["from_step"]["name"]
                    for info in infos
                    if info["from_step"]["override_group_id"] == group.id
                }
                raise UserError(
                    _(
                        "%(message)s\n\nOnly members of %(group)s may override step %(steps)s.",
                        message=self._guide_refusal_message(infos, new_stage),
                        group=group.full_name,
                        steps=", ".join(sorted(steps)),
                    )
                )
        reason = (self.env.context.get(CTX_REASON) or "").strip()
        if not reason:
            message = _(
                "%(message)s\n\nThis step may be overridden with a reason. Through the API, write again "
                "with the context key '%(key)s' holding the justification.",
                message=self._guide_refusal_message(infos, new_stage),
                key=CTX_REASON,
            )
            raise RedirectWarning(
                message,
                "crm_process_guide.guide_override_wizard_action",
                _("Override with a reason"),
                {
                    "default_res_model": self._name,
                    "default_res_ids": json.dumps([info["record"].id for info in infos]),
                    "default_stage_res_id": new_stage.id,
                    "default_problems": "\n".join(
                        f"{info['record'].display_name}: {self._guide_problem_text(info)}" for info in infos
                    ),
                },
            )
        for info in infos:
            info["gate"] = "overridden"

    def _guide_log_entry(self):
        """History rows for records created in a guided step."""
        config = self.env["guide.process"]._get_guide_config(self._name)
        now = fields.Datetime.now()
        vals_list = []
        for record in self:
            step = config["steps"].get(record.guide_step_id.id)
            vals_list.append(
                {
                    **record._guide_history_common(now),
                    "process_id": record.guide_process_id.id,
                    "to_step_id": step and step["id"],
                    "to_stage_name": record[self._guide_stage_field].display_name,
                    "direction": "initial",
                    "gate_result": "free",
                }
            )
        self.env["guide.history"].sudo()._guide_create_rows(vals_list)

    def _guide_history_common(self, now):
        self.ensure_one()
        owner = self[self._guide_owner_field] if self._guide_owner_field in self._fields else False
        return {
            "res_model": self._name,
            "res_id": self.id,
            "record_name": self.display_name,
            "date": now,
            "user_id": self.env.uid,
            "owner_id": owner.id if owner else False,
            "company_id": self.company_id.id if "company_id" in self._fields else False,
            **self._guide_history_values(),
        }

    def _guide_log_transitions(self, transitions, now):
        """Write the history rows (and deviations) of a batch of stage changes."""
        vals_list = []
        for info in transitions:
            record, from_step = info["record"], info["from_step"]
            duration = (now - info["entered_at"]).total_seconds() / 3600.0 if info["entered_at"] else 0.0
            expected = from_step["expected_hours"] if from_step else 0.0
            missing = "\n".join(info["missing"]) or False
            vals_list.append(
                {
                    **record._guide_history_common(now),
                    "process_id": info["process_id"] or False,
                    "from_step_id": from_step and from_step["id"],
                    "to_step_id": info["to_step"] and info["to_step"]["id"],
                    "from_stage_name": info["from_stage_name"],
                    "to_stage_name": info["to_stage_name"],
                    "direction": info["direction"],
                    "gate_result": info["gate"],
                    "duration_hours": duration,
                    "expected_hours": expected,
                    "overdue": bool(expected) and duration > expected,
                    "checklist_done": info["done"],
                    "checklist_total": info["total"],
                    "checklist_missing": missing,
                }
            )
        histories = self.env["guide.history"].sudo()._guide_create_rows(vals_list)
        deviation_vals = []
        reason = (self.env.context.get(CTX_REASON) or "").strip()
        reason_id = self.env.context.get(CTX_REASON_ID) or False
        for info, history, vals in zip(transitions, histories, vals_list, strict=True):
            if info["gate"] != "overridden":
                continue
            step = info["from_step"]
            kind = "move" if info["disallowed"] and not info["missing"] else "gate"
            deviation_vals.append(
                {
                    "kind": kind,
                    "rule_name": _("Step %(step)s", step=step["name"]),
                    "rule_snapshot": json.dumps(
                        {
                            "step": step["name"],
                            "gate_mode": step["gate_mode"],
                            "missing_items": info["missing"],
                            "disallowed_move": info["disallowed"],
                            "to_stage": info["to_stage_name"],
                        }
                    ),
                    "res_model": self._name,
                    "res_id": info["record"].id,
                    "record_name": vals["record_name"],
                    "process_id": info["process_id"],
                    "step_id": step["id"],
                    "user_id": self.env.uid,
                    "date": now,
                    "reason_id": reason_id,
                    "reason": reason,
                    "history_id": history.id,
                    "company_id": vals["company_id"],
                }
            )
        if deviation_vals:
            self.env["guide.deviation"].sudo().create(deviation_vals)

    # ------------------------------------------------------------
    # BUSINESS: configuration changes
    # ------------------------------------------------------------
    @api.model
    def _guide_rematch_all(self):
        """Re-evaluate which process and step guides every record of the model."""
        records = self.with_context(active_test=False).search([])
        if not records:
            return
        old_steps = {record.id: record.guide_step_id.id for record in records}
        self.env.add_to_compute(self._fields["guide_process_id"], records)
        self.env.add_to_compute(self._fields["guide_step_id"], records)
        records.flush_recordset(["guide_process_id", "guide_step_id"])
        records.filtered(lambda rec: rec.guide_step_id.id != old_steps[rec.id])._guide_sync_lines()
