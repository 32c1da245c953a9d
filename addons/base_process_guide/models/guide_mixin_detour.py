from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_list

from ..tools import group_names, labelled, lock_rows, refuse_missing, refuse_not_one

# a step dict whose allowed next steps hold no real step: every forward move is off the path
NOWHERE = frozenset({0})


# one extension per concern of the guided record (optional tasks and milestones live in
# guide_mixin_adaptive), each with its pipeline hook
class GuideMixin(models.AbstractModel):
    """Alternate steps (detours) and conditional branches of guided records.

    A record enters an alternate step of its process by hand
    (``action_guide_enter_alternate``) or automatically (its condition, evaluated
    in batch after a write that changes the record's step or a field the condition
    reads); while there it keeps its stage, and forward moves are judged by the
    alternate step's gate; ``action_guide_complete_alternate`` (mandatory items of
    its checklist done) returns it. Branches narrow a step's allowed next steps to
    the first branch whose condition holds.
    """

    _inherit = "guide.mixin"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    guide_alt_step_id = fields.Many2one(
        "guide.step",
        string="Alternate Step",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    guide_alt_entered_at = fields.Datetime(string="In Alternate Step Since", readonly=True, copy=False)
    guide_alt_entered_by_id = fields.Many2one(
        "res.users", string="Alternate Step Entered By", readonly=True, copy=False, ondelete="set null"
    )
    guide_alt_return_step_id = fields.Many2one(
        "guide.step", string="Returns To", readonly=True, copy=False, ondelete="set null"
    )
    guide_alt_instructions = fields.Html(
        related="guide_alt_step_id.instructions", string="Alternate Step Instructions"
    )
    guide_alt_line_ids = fields.Many2many(
        "guide.line", string="Alternate Step Checklist", compute="_compute_guide_alt_checklist"
    )
    guide_alt_missing_items = fields.Text(
        string="Alternate Step Missing Items", compute="_compute_guide_alt_checklist"
    )
    guide_alt_item_done = fields.Integer(
        string="Alternate Step Items Done", compute="_compute_guide_alt_checklist"
    )
    guide_alt_item_total = fields.Integer(
        string="Alternate Step Items", compute="_compute_guide_alt_checklist"
    )
    # the panel of a record in an alternate step: its checklist is the one *Complete* needs;
    # what the stage step's checklist counts for meanwhile, as the gate judges the return
    guide_alt_heading = fields.Char(string="Alternate Step Heading", compute="_compute_guide_alt_panel")
    guide_alt_stage_role = fields.Selection(
        [
            ("with_return", "Needed for the return"),
            ("after_return", "Needed after the return"),
            ("not_needed", "Not needed"),
        ],
        string="Step Checklist While in the Alternate Step",
        compute="_compute_guide_alt_panel",
    )
    guide_alt_stage_note = fields.Char(string="Step Checklist Note", compute="_compute_guide_alt_panel")
    guide_alt_can_enter = fields.Boolean(
        string="Alternate Steps Available", compute="_compute_guide_alt_can_enter"
    )
    guide_next_step_id = fields.Many2one("guide.step", string="Next Step", compute="_compute_guide_next_step")
    guide_next_step_why = fields.Char(string="Why This Next Step", compute="_compute_guide_next_step")
    # the same, in the language's parentheses (full-width in Chinese), for the panel
    guide_next_step_why_label = fields.Char(string="Next Step Reason", compute="_compute_guide_next_step")

    # ------------------------------------------------------------
    # HOOKS
    # ------------------------------------------------------------
    @api.model
    def _guide_engine_fields(self):
        return super()._guide_engine_fields() | {
            "guide_alt_step_id",
            "guide_alt_entered_at",
            "guide_alt_entered_by_id",
            "guide_alt_return_step_id",
            "guide_alt_line_ids",
        }

    @api.model
    def _guide_pipeline(self):
        # detours entered and left: after the history of the step, before the clocks
        return [*super()._guide_pipeline(), ("after", 12, "_guide_record_detours")]

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    @api.depends_context("lang", "uid")
    @api.depends("guide_alt_step_id", "guide_line_ids.checked")
    def _compute_guide_alt_checklist(self):
        records = self._origin.filtered("guide_alt_step_id")
        Line = self.env["guide.line"]
        lines = Line.browse()
        if records:
            lines = Line.search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", records.ids),
                    ("step_id", "in", records.guide_alt_step_id.ids),
                ]
            )._guide_evaluate()
        by_record = defaultdict(lambda: Line)
        steps = {record.id: record.guide_alt_step_id.id for record in records}
        for line in lines:
            if steps.get(line.res_id) == line.step_id.id and line.is_applicable:
                by_record[line.res_id] |= line
        for record in self:
            record_lines = by_record[record._origin.id]
            missing = record_lines.filtered(lambda line: line.mandatory and not line.is_done)
            record.guide_alt_line_ids = record_lines
            record.guide_alt_missing_items = "\n".join(missing.mapped("title")) or False
            record.guide_alt_item_done = len(record_lines.filtered("is_done"))
            record.guide_alt_item_total = len(record_lines)

    @api.depends_context("lang")
    @api.depends("guide_alt_step_id", "guide_alt_return_step_id", "guide_step_id")
    def _compute_guide_alt_panel(self):
        config = self.env["guide.process"]._get_guide_config(self._name)
        Step = self.env["guide.step"].sudo()
        for record in self:
            if not record.guide_alt_step_id:
                record.guide_alt_heading = record.guide_alt_stage_role = record.guide_alt_stage_note = False
                continue
            names = {
                "step": Step.browse(record.guide_alt_step_id.id).name,
                "return_step": Step.browse(record.guide_alt_return_step_id.id).name,
            }
            record.guide_alt_heading = (
                self.env._("Alternate step: %(step)s · returns to %(return_step)s", **names)
                if names["return_step"]
                else self.env._("Alternate step: %(step)s", step=names["step"])
            )
            role = record._guide_alt_stage_role(config)
            record.guide_alt_stage_role = role
            step = config["steps"].get(record.guide_step_id.id)
            if not (step and step["items"]):
                record.guide_alt_stage_note = False
                continue
            names["step"] = Step.browse(step["id"]).name
            if role == "with_return" and step["gate_mode"] == "advisory":
                note = self.env._(
                    "Checklist of %(step)s below: checked too (advisory), as completing the alternate "
                    "step moves on to %(return_step)s.",
                    **names,
                )
            elif role == "with_return":
                note = self.env._(
                    "Checklist of %(step)s below: needed too, as completing the alternate step "
                    "moves on to %(return_step)s.",
                    **names,
                )
            elif role == "after_return":
                note = self.env._(
                    "Checklist of %(step)s below: not needed to complete the alternate step; "
                    "needed afterwards to move on.",
                    step=names["step"],
                )
            else:
                note = self.env._(
                    "Checklist of %(step)s below: not needed to complete the alternate step.",
                    step=names["step"],
                )
            record.guide_alt_stage_note = note

    @api.depends_context("uid")
    @api.depends("guide_process_id", "guide_step_id", "guide_alt_step_id")
    def _compute_guide_alt_can_enter(self):
        config = self.env["guide.process"]._get_guide_config(self._name)
        groups = None  # read only when a step is restricted
        for record in self:
            can_enter = False
            for alt in config["alt_steps"].values():
                if record.guide_alt_step_id or alt["process_id"] != record.guide_process_id.id:
                    continue
                if alt["alt_from_step_ids"] and record.guide_step_id.id not in alt["alt_from_step_ids"]:
                    continue
                if alt["alt_group_ids"]:
                    if groups is None:
                        groups = set(self.env.user.groups_id.ids)
                    if not alt["alt_group_ids"] & groups:
                        continue
                can_enter = True
                break
            record.guide_alt_can_enter = can_enter

    @api.depends_context("uid", "lang")
    @api.depends("guide_step_id", "guide_alt_step_id")
    def _compute_guide_next_step(self):
        config = self.env["guide.process"]._get_guide_config(self._name)
        records = self._origin.filtered(
            lambda rec: (config["steps"].get(rec.guide_step_id.id) or {}).get("branches")
        )
        expected = records._guide_branch_targets(
            {rec.id: config["steps"][rec.guide_step_id.id] for rec in records}
        )
        Step = self.env["guide.step"]
        for record in self:
            branch = expected.get(record._origin.id)
            if not branch:
                record.guide_next_step_id = Step
                record.guide_next_step_why = False
                record.guide_next_step_why_label = False
                continue
            record.guide_next_step_id = Step.browse(branch["to_step_id"])
            record.guide_next_step_why = self._guide_branch_why(branch)
            record.guide_next_step_why_label = self.env._("(%(why)s)", why=record.guide_next_step_why)

    @api.model
    def _guide_branch_why(self, branch):
        """Why a record goes to the step of ``branch`` (its cached values), in the agent's
        words: the branch's own wording, "by default" for the branch without a condition
        (empty or ``[]``), never the condition's code."""
        if branch["name"]:
            return branch["name"]
        if not branch["domain"].strip() or branch["domain"].replace(" ", "") == "[]":
            return self.env._("by default")
        return self.env._("its condition is met")

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_guide_enter_alternate(self, step_id=False, reason=False):
        """Enter the alternate step ``step_id`` (an id) with ``reason``: for users who may
        edit the records and belong to the step's groups, whatever the path."""
        refuse_missing(self, "write")
        self.check_access("write")
        # a second request at once (a second click) is refused as if it came after
        lock_rows(self)
        config = self.env["guide.process"]._get_guide_config(self._name)
        # an id, or its digits, as for a task or a milestone; any other value refused naming it
        alt = config["alt_steps"].get(self._guide_client_record("guide.step", step_id).id)
        if not alt:
            raise UserError(self.env._("This is not an alternate step of an active process."))
        name = self._guide_alt_name(alt)
        if (
            alt["alt_group_ids"]
            and not self.env.su
            and not (alt["alt_group_ids"] & set(self.env.user.groups_id.ids))
        ):
            raise AccessError(
                self.env._(
                    "Only members of %(groups)s may enter the alternate step %(step)s.",
                    groups=group_names(self.env["res.groups"].sudo().browse(alt["alt_group_ids"])),
                    step=name,
                )
            )
        reason = self._guide_bounded_text(reason, self.env._("The reason"))
        if alt["alt_reason_required"] and not reason:
            raise UserError(
                self.env._("Give the reason for entering the alternate step %(step)s.", step=name)
            )
        for record in self:
            problem = None
            if record.guide_process_id.id != alt["process_id"]:
                problem = self.env._("its process has no alternate step %(step)s", step=name)
            elif record.guide_alt_step_id:
                problem = self.env._(
                    "it is in the alternate step %(step)s already", step=record.guide_alt_step_id.name
                )
            elif alt["alt_from_step_ids"] and record.guide_step_id.id not in alt["alt_from_step_ids"]:
                problem = self.env._("%(step)s is not entered from this step", step=name)
            if problem:
                raise UserError(
                    self.env._(
                        "%(record)s cannot enter the alternate step %(step)s: %(problem)s.",
                        record=record.display_name,
                        step=name,
                        problem=problem,
                    )
                )
        self._guide_enter_detour(alt, reason)
        return True

    def action_guide_complete_alternate(self):
        """Complete the records' alternate steps (their mandatory items done) and return
        them: to the step they came from, or the step the alternate step returns to (a
        stage move, judged by the gates as any other)."""
        refuse_missing(self, "write")
        self.check_access("write")
        lock_rows(self)
        outside = self.filtered(lambda rec: not rec.guide_alt_step_id)
        if outside:
            raise UserError(
                self.env._(
                    "Not in an alternate step: %(records)s.",
                    records=format_list(self.env, outside.mapped("display_name")),
                )
            )
        config = self.env["guide.process"]._get_guide_config(self._name)
        self._guide_check_alternates_done(config)
        returns = self._guide_alternate_returns(config)
        self._guide_leave_detour("passed")
        stage_field = self._guide_stage_field
        for stage_id, ids in returns.items():
            # the return is a move like any other: the user's rights, the gates
            self.browse(ids).write({stage_field: stage_id})
        return True

    def _guide_check_alternates_done(self, config):
        """Refuse, naming each record, its alternate step and what is left, if a record's
        alternate step has mandatory items not done."""
        pairs = {
            (rec.id, rec.guide_alt_step_id.id): config["alt_steps"][rec.guide_alt_step_id.id]
            for rec in self
            if rec.guide_alt_step_id.id in config["alt_steps"]
        }
        checklists = self._guide_checklists(pairs)
        incomplete = [
            (self.browse(res_id), pairs[res_id, step_id], checklist[2])
            for (res_id, step_id), checklist in checklists.items()
            if checklist[2]
        ]
        if not incomplete:
            return
        details = [
            "- "
            + labelled(
                self.env,
                record.display_name,
                self.env._(
                    "%(step)s (%(items)s)",
                    step=self._guide_alt_name(alt),
                    items=format_list(self.env, self._guide_item_titles(alt, missing)),
                ),
            )
            for record, alt, missing in incomplete
        ]
        raise UserError(
            self.env._(
                "The alternate step is not done yet; still to do:\n%(details)s",
                details="\n".join(details),
            )
        )

    def _guide_alternate_returns(self, config):
        """{stage id: record ids} of the records whose alternate step returns them to another
        step of their process: the configured step, else the step they came from (recorded
        when they entered). The others stay where they are, as do those whose current step
        does not lead to that step (``_guide_returns_off_path``)."""
        returns = defaultdict(list)
        off_path = self._guide_returns_off_path(config)
        for record in self:
            target = config["steps"].get(record.guide_alt_return_step_id.id)
            if (
                target
                and target["process_id"] == record.guide_process_id.id
                and target["id"] != record.guide_step_id.id
                and record.id not in off_path
            ):
                returns[target["stage_id"]].append(record.id)
        return returns

    def _guide_returns_off_path(self, config):
        """Ids of the records of ``self`` whose alternate step returns them forward to a step
        their current step does not lead to (not among its allowed next steps, or not its
        branch): sent back behind the step they entered it from, the return would be refused
        as off the path, and every other way on as the detour not done. Completing the detour
        leaves them where they are, its gate passed, free to go on from there. One query for
        the branch conditions, when their steps have branches."""
        stage_field = self._guide_stage_field
        Stage = self.env[self._fields[stage_field].comodel_name]
        forward = {}
        for record in self:
            step = config["steps"].get(record.guide_step_id.id)
            target = config["steps"].get(record.guide_alt_return_step_id.id)
            if not (step and target) or target["id"] == step["id"]:
                continue
            if self._guide_rank_direction(record[stage_field], Stage.browse(target["stage_id"])) == "forward":
                forward[record.id] = (step, target["id"])
        with_branches = {res_id: step for res_id, (step, _target) in forward.items() if step.get("branches")}
        branches = self.browse(list(with_branches))._guide_branch_targets(with_branches)
        off_path = set()
        for res_id, (step, target_id) in forward.items():
            branch = branches.get(res_id)
            if (step["allowed_step_ids"] and target_id not in step["allowed_step_ids"]) or (
                branch and branch["to_step_id"] != target_id
            ):
                off_path.add(res_id)
        return off_path

    def action_guide_open_alternate_wizard(self):
        refuse_not_one(self)
        # the process it names is the product's field (a customer reads none)
        self.check_field_access_rights("read", ["guide_process_id"])
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Enter an Alternate Step"),
            "res_model": "guide.alternate.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_res_model": self._name,
                "default_res_id": self.id,
                "default_process_id": self.guide_process_id.id,
            },
        }

    # ------------------------------------------------------------
    # BUSINESS: detours
    # ------------------------------------------------------------
    def _guide_alt_stage_role(self, config):
        """What the checklist of the stage step counts for while ``self`` (one record) is in
        an alternate step, as ``action_guide_complete_alternate`` and the gates judge it:
        ``with_return`` when the return is a forward move out of the step (its gate judges
        the move), ``after_return`` when the record returns where it is (the step's gate
        judges its next move on), ``not_needed`` when the return moves it back."""
        target = config["steps"].get(self.guide_alt_return_step_id.id)
        if (
            not target
            or target["process_id"] != self.guide_process_id.id
            or target["id"] == self.guide_step_id.id
            or self._origin.id in self._origin._guide_returns_off_path(config)
        ):
            return "after_return"
        stage_model = self.env[self._fields[self._guide_stage_field].comodel_name]
        direction = self._guide_rank_direction(
            self[self._guide_stage_field], stage_model.browse(target["stage_id"])
        )
        return "with_return" if direction == "forward" else "not_needed"

    def _guide_alt_name(self, alt):
        """The alternate step's name in the user's language."""
        return self.env["guide.step"].sudo().browse(alt["id"]).name

    def _guide_enter_detour(self, alt, note):
        """Put ``self`` in the alternate step ``alt`` (cached values): engine state, its
        checklist (lines already there from an earlier stay are kept), a history row."""
        if not self:
            return
        now = fields.Datetime.now()
        # back where they came from, unless the alternate step returns to a configured step
        by_return = defaultdict(list)
        for record in self:
            by_return[alt["alt_return_step_id"] or record.guide_step_id.id].append(record.id)
        for return_step_id, ids in by_return.items():
            self.browse(ids).sudo().write(
                {
                    "guide_alt_step_id": alt["id"],
                    "guide_alt_entered_at": now,
                    "guide_alt_entered_by_id": self.env.uid,
                    "guide_alt_return_step_id": return_step_id or False,
                }
            )
        self._guide_insert_alt_lines(alt)
        stage_field = self._guide_stage_field
        common = self._guide_history_common(now)
        texts = self._guide_stage_texts(self.mapped(stage_field))
        name = self._guide_alt_name(alt)
        self.env["guide.history"].sudo()._guide_create_rows(
            [
                {
                    **common[record.id],
                    "process_id": alt["process_id"],
                    "from_step_id": record.guide_step_id.id,
                    "to_step_id": alt["id"],
                    "alt_step_id": alt["id"],
                    "alt_step_name": name,
                    "from_stage_name": texts.get(record[stage_field].id, False),
                    "to_stage_name": texts.get(record[stage_field].id, False),
                    "from_stage_res_id": record[stage_field].id,
                    "to_stage_res_id": record[stage_field].id,
                    "direction": "detour",
                    "gate_result": "free",
                    "note": note or False,
                }
                for record in self
            ]
        )
        body = Markup("<p>%s</p>") % (
            self.env._("Entered the alternate step %(step)s: %(note)s", step=name, note=note)
            if note
            else self.env._("Entered the alternate step %(step)s", step=name)
        )
        if hasattr(self, "_message_log_batch"):
            self._message_log_batch(dict.fromkeys(self.ids, body))

    def _guide_insert_alt_lines(self, alt):
        if not alt["items"]:
            return
        Line = self.env["guide.line"].sudo()
        existing = {
            (line.res_id, line.item_id.id)
            for line in Line.search_fetch(
                [("res_model", "=", self._name), ("res_id", "in", self.ids), ("step_id", "=", alt["id"])],
                ["res_id", "item_id"],
            )
        }
        has_company = "company_id" in self._fields
        vals_list = [
            {
                **item,
                "res_model": self._name,
                "res_id": record.id,
                "step_id": alt["id"],
                "company_id": record.company_id.id if has_company else False,
                "checked": False,
            }
            for record in self
            for item in alt["items"]
            if (record.id, item["item_id"]) not in existing
        ]
        if vals_list:
            Line._guide_bulk_create(vals_list)
            self.invalidate_recordset(["guide_line_ids"])

    def _guide_leave_detour(self, gate, note=False):
        """End the detours of ``self``: a history row each (time spent, checklist), then
        the engine state is cleared. The alternate step may be gone (deleted or its
        process archived): the row keeps its name."""
        records = self.filtered("guide_alt_step_id") | self.filtered("guide_alt_entered_at")
        if not records:
            return
        now = fields.Datetime.now()
        config = self.env["guide.process"]._get_guide_config(self._name)
        pairs = {
            (rec.id, rec.guide_alt_step_id.id): config["alt_steps"][rec.guide_alt_step_id.id]
            for rec in records
            if rec.guide_alt_step_id.id in config["alt_steps"]
        }
        checklists = self._guide_checklists(pairs) if pairs else {}
        stage_field = self._guide_stage_field
        common = records._guide_history_common(now)
        texts = records._guide_stage_texts(records.mapped(stage_field))
        vals_list = []
        for record in records:
            alt = record.guide_alt_step_id.sudo()
            done, total, missing = checklists.get((record.id, alt.id), (0, 0, []))
            duration = (
                (now - record.guide_alt_entered_at).total_seconds() / 3600.0
                if record.guide_alt_entered_at
                else 0.0
            )
            expected = alt.expected_hours
            vals_list.append(
                {
                    **common[record.id],
                    "process_id": record.guide_process_id.id or alt.process_id.id,
                    "from_step_id": alt.id,
                    "to_step_id": record.guide_step_id.id,
                    "alt_step_id": alt.id,
                    "alt_step_name": alt.name or False,
                    "from_stage_name": texts.get(record[stage_field].id, False),
                    "to_stage_name": texts.get(record[stage_field].id, False),
                    "from_stage_res_id": record[stage_field].id,
                    "to_stage_res_id": record[stage_field].id,
                    "direction": "return",
                    "gate_result": gate,
                    "duration_hours": duration,
                    "expected_hours": expected,
                    "overdue": bool(expected) and duration > expected,
                    "checklist_done": done,
                    "checklist_total": total,
                    "checklist_missing": "\n".join(missing) or False,
                    "detour_count": 1,
                    "note": note,
                }
            )
        self.env["guide.history"].sudo()._guide_create_rows(vals_list)
        records.sudo().write(
            {
                "guide_alt_step_id": False,
                "guide_alt_entered_at": False,
                "guide_alt_entered_by_id": False,
                "guide_alt_return_step_id": False,
            }
        )

    def _guide_record_detours(self, change):
        """After-effects: detours left by a move past their gate or out of their process,
        then the automatic entries (one query for the conditions of all the records)."""
        config = self.env["guide.process"]._get_guide_config(self._name)
        guide = change.get("guide") or {}
        transitions = guide.get("transitions") or []
        left = [info for info in transitions if info.get("detour_gate")]
        if left:
            by_gate = defaultdict(list)
            for info in left:
                by_gate[info["detour_gate"]].append(info["record"].id)
            for gate, ids in by_gate.items():
                self.browse(ids)._guide_leave_detour(gate)
        if transitions and not change["creating"]:
            # out of the process of their alternate step
            moved = self.browse([info["record"].id for info in transitions])._guide_having(
                "guide_alt_step_id"
            )
            strays = moved.filtered(lambda rec: rec.guide_alt_step_id.process_id != rec.guide_process_id)
            strays._guide_leave_detour("free", self.env._("The record left the process."))
            self._guide_resume_detours(transitions)
        autos = [alt for alt in config["alt_steps"].values() if alt["alt_auto_domain"]]
        if not autos:
            return
        if not (change["creating"] or transitions or config["alt_fields"].intersection(change["vals"])):
            return
        process_ids = {alt["process_id"] for alt in autos}
        # read from the cache for the batch, not through a record per value
        values = zip(
            self._ids,
            self._guide_cached_values("guide_process_id"),
            self._guide_cached_values("guide_alt_step_id"),
            strict=True,
        )
        candidates = self.browse(
            [res_id for res_id, process_id, alt_id in values if process_id in process_ids and not alt_id]
        ).with_prefetch(self._prefetch_ids)
        if candidates:
            candidates._guide_enter_auto_detours(autos)

    def _guide_resume_detours(self, transitions):
        """Records back in a step of the process they left from an alternate step, not past
        its gate (back where they were, or behind): in the alternate step again, as they
        would be had they not left (its checklist as they left it)."""
        by_alt = defaultdict(list)
        for info in transitions:
            if info.get("alt_left") and info["to_step"] and not info.get("detour_gate"):
                by_alt[info["alt_left"]["id"]].append(info)
        for infos in by_alt.values():
            self.browse([info["record"].id for info in infos])._guide_enter_detour(
                infos[0]["alt_left"],
                self.env._("Back in the process: the alternate step it left unfinished goes on."),
            )

    def _guide_enter_auto_detours(self, autos):
        """Enter the alternate steps ``autos`` whose condition holds, once per stay in a
        stage step (a detour completed or left since the record entered its step is not
        entered again automatically)."""
        matches = self.env["guide.condition.mixin"]._guide_filter_many(
            self.sudo(), {alt["alt_auto_domain"] for alt in autos}
        )
        returned = self._guide_detours_of_this_stay(
            [("direction", "=", "return"), ("alt_step_id", "in", [alt["id"] for alt in autos])]
        )
        entered = self.browse()
        for alt in autos:
            targets = self.filtered(
                lambda rec, alt=alt, entered=entered: rec not in entered
                and rec.id in matches[alt["alt_auto_domain"]]
                and rec.guide_process_id.id == alt["process_id"]
                and (not alt["alt_from_step_ids"] or rec.guide_step_id.id in alt["alt_from_step_ids"])
                and (rec.id, alt["id"]) not in returned
            )
            targets._guide_enter_detour(alt, self.env._("Automatically, as its condition holds."))
            entered |= targets

    def _guide_detours_of_this_stay(self, domain):
        """{(record id, alternate step id)} of the history rows of ``self`` matching
        ``domain`` (entries into or returns from alternate steps) written in the records'
        stay in their current step: after the row that began it. Told by the rows' order,
        not their time: a record taken out of its process and brought back in the same
        second is in a new stay, and what it did before is not of it. Two queries."""
        History = self.env["guide.history"].sudo()
        rows = History.search_fetch(
            [("res_model", "=", self._name), ("res_id", "in", self.ids), *domain], ["res_id", "alt_step_id"]
        )
        if not rows:
            return set()
        steps = dict(zip(self._ids, self._guide_cached_values("guide_step_id"), strict=True))
        with_step = [res_id for res_id in set(rows.mapped("res_id")) if steps.get(res_id)]
        starts = dict(
            self.env.execute_query(
                SQL(
                    """SELECT DISTINCT ON (h.res_id) h.res_id, h.id
                         FROM guide_history h
                         JOIN unnest(%s::int[], %s::int[]) AS s(res_id, step_id)
                           ON s.res_id = h.res_id AND s.step_id = h.to_step_id
                        WHERE h.res_model = %s AND h.direction NOT IN ('detour', 'return')
                     ORDER BY h.res_id, h.id DESC""",
                    with_step,
                    [steps[res_id] for res_id in with_step],
                    self._name,
                )
            )
        )
        return {(row.res_id, row.alt_step_id.id) for row in rows if row.id > starts.get(row.res_id, 0)}

    def _guide_set_entry_origins(self, entries, creating=False):
        res = super()._guide_set_entry_origins(entries, creating)
        if not creating:
            self._guide_set_detours_left(entries)
        return res

    def _guide_set_detours_left(self, entries):
        """Mark the ``entries`` (records coming back to a process) that left it from one of
        its alternate steps, the detour not done: ``alt_left``, the alternate step's cached
        values. Coming back forward passes its gate, as a move out of it does; elsewhere the
        record is in it again. One query, when the processes have alternate steps."""
        config = self.env["guide.process"]._get_guide_config(self._name)
        process_ids = {info["process_id"] for info in entries}
        alts = {key: alt for key, alt in config["alt_steps"].items() if alt["process_id"] in process_ids}
        if not alts:
            return
        rows = (
            self.env["guide.history"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", [info["record"].id for info in entries]),
                    "|",
                    ("process_id", "in", list(process_ids)),
                    ("alt_step_id", "in", list(alts)),
                ],
                ["res_id", "process_id", "alt_step_id", "to_step_id", "direction"],
                order="id desc",
            )
        )
        by_record = defaultdict(list)
        for row in rows:
            by_record[row.res_id].append(row)
        for info in entries:
            alt = self._guide_detour_left(by_record[info["record"].id], info["process_id"], alts, config)
            if alt:
                info["alt_left"] = alt

    @api.model
    def _guide_detour_left(self, rows, process_id, alts, config):
        """The alternate step of process ``process_id`` (cached values) a record left the
        process from, unfinished, since it was last in a step of the process; ``rows``: its
        history, newest first. None when its latest detour there ended otherwise."""
        for row in rows:
            in_process = (config["steps"].get(row.to_step_id.id) or {}).get("process_id") == process_id
            alt = alts.get(row.alt_step_id.id)
            if alt and alt["process_id"] == process_id:
                # its latest detour there: ended by leaving the process, or done with
                return alt if row.direction == "return" and not in_process else None
            if in_process:
                return None
        return None

    # ------------------------------------------------------------
    # BUSINESS: branches
    # ------------------------------------------------------------
    def _guide_branch_targets(self, steps):
        """The branch each record of ``self`` follows from its step ``steps[record id]``
        (cached step values): {record id: branch values}. Branches to an alternate step
        the record already went through in this stay are passed. One query for all the
        conditions (and one for the history when a branch leads to an alternate step)."""
        if not steps:
            return {}
        config = self.env["guide.process"]._get_guide_config(self._name)
        records = self.browse(list(steps))
        domains = {branch["domain"] for step in steps.values() for branch in step["branches"]}
        matches = self.env["guide.condition.mixin"]._guide_filter_many(records.sudo(), domains)
        alt_ids = {
            branch["to_step_id"]
            for step in steps.values()
            for branch in step["branches"]
            if branch["to_step_id"] in config["alt_steps"]
        }
        detoured = set()
        if alt_ids:
            detoured = records._guide_detours_of_this_stay(
                [("direction", "in", ("detour", "return")), ("alt_step_id", "in", list(alt_ids))]
            )
        result = {}
        for res_id, step in steps.items():
            for branch in step["branches"]:
                if res_id not in matches[branch["domain"]]:
                    continue
                if branch["to_step_id"] in alt_ids and (res_id, branch["to_step_id"]) in detoured:
                    continue
                result[res_id] = branch
                break
        return result

    # ------------------------------------------------------------
    # BUSINESS: the gate
    # ------------------------------------------------------------
    def _guide_judge_transitions(self, transitions, change=None):
        config = self.env["guide.process"]._get_guide_config(self._name)
        if not config["alt_steps"] and not any(step.get("branches") for step in config["steps"].values()):
            return super()._guide_judge_transitions(transitions, change)
        forward = [
            info
            for info in transitions
            if info["gate_step"] and info["direction"] == "forward" and not info.get("detour_gate")
        ]
        self._guide_narrow_by_branches(
            [info for info in forward if info["gate_step"].get("branches")], config
        )
        # a record in an alternate step: its forward moves pass the alternate step's gate too,
        # judged with the stage steps' (one refusal, one dialog naming both checklists); the
        # step it returns to is its one way on (a move there, its checklist done, is the
        # completion: an approval asked for that move is asked for the completion)
        # (a record coming back to its process after leaving it from an alternate step passes
        # that step's gate as a move out of it does)
        detours = [
            info
            for info in forward
            if info.get("alt_left") or info["record"].guide_alt_step_id.id in config["alt_steps"]
        ]
        copies = []
        for info in detours:
            alt, return_step_id = self._guide_detour_of_move(info, config)
            way_on = frozenset({return_step_id}) - {False} or NOWHERE
            copies.append(
                dict(
                    info,
                    gate_step=dict(alt, allowed_step_ids=way_on),
                    detour_step=alt,
                    gate="free",
                    missing=[],
                    disallowed=False,
                )
            )
        res = super()._guide_judge_transitions(transitions + copies, change)
        for info, copy in zip(detours, copies, strict=True):
            info["detour_gate"] = copy["gate"]
            if copy["gate"] == "overridden":
                # each gate overridden has its deviation: the alternate step's beside the
                # stage step's (the move's row keeps its own step's result)
                info.setdefault("extra_deviations", []).append(copy)
            elif copy["gate"] != "passed" and info["gate"] in ("passed", "free"):
                # the warning (or the import past the gate) is the alternate step's
                info.update(
                    gate=copy["gate"],
                    gate_step=copy["gate_step"],
                    missing=copy["missing"],
                    disallowed=copy["disallowed"],
                    detour_step=copy["detour_step"],
                )
        return res

    @api.model
    def _guide_detour_of_move(self, info, config):
        """(alternate step's cached values, id of the step it returns to) of the forward
        move ``info`` of a record in an alternate step, or coming back to its process after
        leaving it from one (``alt_left``: back where it would have returned)."""
        alt = info.get("alt_left")
        if alt:
            return alt, alt["alt_return_step_id"] or info["gate_step"]["id"]
        record = info["record"]
        return config["alt_steps"][record.guide_alt_step_id.id], record.guide_alt_return_step_id.id

    def _guide_narrow_by_branches(self, infos, config):
        """The allowed next steps of the transitions' gate steps narrowed to their branch."""
        if not infos:
            return
        targets = self.browse([info["record"].id for info in infos])._guide_branch_targets(
            {info["record"].id: info["gate_step"] for info in infos}
        )
        for info in infos:
            branch = targets.get(info["record"].id)
            if not branch:
                continue
            step = branch["to_step_id"]
            allowed = NOWHERE if step in config["alt_steps"] else frozenset({step})
            if info["gate_step"]["allowed_step_ids"]:
                allowed &= info["gate_step"]["allowed_step_ids"] | NOWHERE
            info["gate_step"] = dict(info["gate_step"], allowed_step_ids=allowed or NOWHERE)
            info["branch"] = branch

    def _guide_problem_text(self, info):
        detour = info.get("detour_step")
        if detour:
            name = self._guide_alt_name(detour)
            if info["missing"]:
                return self.env._(
                    "in the alternate step %(step)s, which requires %(items)s",
                    step=name,
                    items=format_list(self.env, self._guide_item_titles(detour, info["missing"])),
                )
            return self.env._("in the alternate step %(step)s, which must be completed first", step=name)
        text = super()._guide_problem_text(info)
        branch = info.get("branch")
        if branch and info["disallowed"]:
            target = self.env["guide.step"].sudo().browse(branch["to_step_id"])
            why = self._guide_branch_why(branch)
            text = self.env._("%(text)s (next step: %(step)s, %(why)s)", text=text, step=target.name, why=why)
        return text
