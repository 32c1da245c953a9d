from collections import Counter

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_list

from ..tools import (
    MAX_HOURS,
    MAX_NAME,
    MAX_TEXT,
    MAX_YEARS,
    emptied_scope,
    emptied_scope_lines,
    hours_of,
    module_uninstalling,
    refuse_archived_alone,
    refuse_emptied_scope,
)
from ..tools.bounds import refuse

# the steps (or processes) a refusal to delete names at most
REFUSAL_MAX_NAMED = 10

GATE_MODES = [
    ("block", "Block"),
    ("override", "Override with reason"),
    ("advisory", "Advisory"),
]


class GuideStep(models.Model):
    _name = "guide.step"
    _inherit = ["guide.shared.scope.mixin", "guide.bounded.mixin"]
    _description = "Process Step"
    _guide_company_path = "process_id.company_id"
    _order = "process_id, sequence, id"
    _check_company_auto = True
    _guide_bounded_fields = {"name": MAX_NAME, "instructions": MAX_TEXT, "goal": MAX_TEXT}

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(
        compute="_compute_name", store=True, readonly=False, precompute=True, required=True, translate=True
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(related="process_id.active", store=True)
    process_id = fields.Many2one("guide.process", required=True, ondelete="cascade", index=True)
    model_name = fields.Selection(related="process_id.model_name", store=True)
    company_id = fields.Many2one(related="process_id.company_id", store=True)
    # the pipeline stage this step guides: one field per guided model's stage
    # model, declared in _guide_stage_fields (bridges add theirs)
    stage_res_id = fields.Many2oneReference(
        string="Stage ID",
        model_field="stage_model",
        compute="_compute_stage_res_id",
        store=True,
        precompute=True,
        index=True,
    )
    stage_model = fields.Char(compute="_compute_stage_model")
    # guidance
    instructions = fields.Html(translate=True, help="What the agent does in this step.")
    goal = fields.Text(string="Goal / Exit Criteria", translate=True)
    expected_duration = fields.Float(
        help="Time a record is expected to stay in this step; 0: no expectation."
    )
    expected_duration_unit = fields.Selection(
        [("hours", "Hours"), ("days", "Days")], default="days", required=True, string="Unit"
    )
    expected_hours = fields.Float(compute="_compute_expected_hours", store=True)
    # gate
    gate_mode = fields.Selection(
        GATE_MODES,
        default="block",
        required=True,
        help="What happens when a record leaves this step forward while mandatory items are missing "
        "or towards a step that is not allowed:\n"
        "- Block: refused until the items are done.\n"
        "- Override with reason: allowed with a reason, recorded as a deviation.\n"
        "- Advisory: allowed; the agent is warned and the history records it.",
    )
    override_group_id = fields.Many2one(
        "res.groups",
        string="Who Can Override",
        help="Only members of this group may override (empty: everybody).",
    )
    allowed_step_ids = fields.Many2many(
        "guide.step",
        "guide_step_allowed_rel",
        "step_id",
        "allowed_step_id",
        string="Allowed Next Steps",
        copy=False,
        domain="[('process_id', '=', process_id), ('id', '!=', id)]",
        help="Forward moves allowed from this step (empty: any). Moving backward is always allowed.",
    )
    item_ids = fields.One2many("guide.item", "step_id", string="Checklist", copy=True)
    item_count = fields.Integer(compute="_compute_item_count")
    task_ids = fields.One2many("guide.task", "step_id", string="Optional Tasks", copy=True)

    _sql_constraints = [
        (
            "process_stage_uniq",
            "unique(process_id, stage_res_id)",
            "A process has one step per stage.",
        ),
    ]

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    @api.depends(lambda self: tuple(self._guide_stage_fields().values()))
    def _compute_name(self):
        for step in self:
            stage = step._guide_stage()
            if not step.name and stage:
                step.name = stage.name

    @api.depends(lambda self: tuple(self._guide_stage_fields().values()))
    def _compute_stage_res_id(self):
        for step in self:
            step.stage_res_id = step._guide_stage().id

    @api.depends("model_name")
    def _compute_stage_model(self):
        for step in self:
            guided = self.env["guide.process"]._guide_is_guided_model(step.model_name)
            model = self.env[step.model_name] if guided else None
            step.stage_model = (
                model._fields[model._guide_stage_field].comodel_name if model is not None else False
            )

    @api.depends("expected_duration", "expected_duration_unit")
    def _compute_expected_hours(self):
        for step in self:
            factor = 24.0 if step.expected_duration_unit == "days" else 1.0
            step.expected_hours = step.expected_duration * factor

    @api.depends("item_ids")
    def _compute_item_count(self):
        # a step being edited (a process's form, unsaved) counts the items of the form
        saved = self.filtered(lambda step: isinstance(step.id, int))
        data = self.env["guide.item"]._read_group([("step_id", "in", saved.ids)], ["step_id"], ["__count"])
        counts = {step.id: count for step, count in data}
        for step in self:
            step.item_count = counts.get(step.id, 0) if step in saved else len(step.item_ids)

    @api.depends("process_id.name")
    @api.depends_context("guide_step_short_name")
    def _compute_display_name(self):
        # the record's guidance panel shows the process next to the step
        short = self.env.context.get("guide_step_short_name")
        for step in self:
            step.display_name = (
                f"{step.process_id.name} / {step.name}" if step.process_id and not short else step.name
            )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains(lambda self: ("stage_res_id", "model_name", *self._guide_stage_fields().values()))
    def _check_stage(self):
        stage_fields = self._guide_stage_fields()
        for step in self:
            for model_name, fname in stage_fields.items():
                if step[fname] and step.model_name != model_name:
                    raise ValidationError(
                        self.env._(
                            "Step %(step)s: a %(stage_field)s can only be used by a process on %(model)s.",
                            step=step.display_name,
                            stage_field=step._fields[fname].string,
                            model=self.env["ir.model"]._get(model_name).name,
                        )
                    )
            if not step.stage_res_id and step._guide_on_stage_line():
                raise ValidationError(
                    self.env._("Step %(step)s: choose the stage it guides.", step=step.display_name)
                )

    @api.constrains("allowed_step_ids", "process_id")
    def _check_allowed_steps(self):
        for step in self:
            foreign = step.allowed_step_ids.filtered(lambda s, step=step: s.process_id != step.process_id)
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: allowed next steps must belong to the same process "
                        "(%(steps)s do not).",
                        step=step.display_name,
                        steps=", ".join(foreign.mapped("display_name")),
                    )
                )

    @api.constrains("expected_duration", "expected_duration_unit")
    def _check_expected_duration(self):
        for step in self:
            if step.expected_duration < 0:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: the expected duration cannot be negative.", step=step.display_name
                    )
                )
            if hours_of(step.expected_duration, step.expected_duration_unit) > MAX_HOURS:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s: the expected duration is at most %(years)s years.",
                        step=step.display_name,
                        years=MAX_YEARS,
                    )
                )

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        stage_fields = tuple(self._guide_stage_fields().values())
        context = self.env.context
        vals_list = [self._guide_without_stage_id(vals) for vals in vals_list]
        for vals in vals_list:
            # the ids sent are ids before the stages are compared
            self._guide_check_references(vals, creating=True)
            # on the stage line without a stage: refused before the database's index is
            stage = any(vals.get(f, context.get(f"default_{f}")) for f in stage_fields)
            if not stage and vals.get("name") and self._guide_vals_on_stage_line(vals):
                raise ValidationError(
                    self.env._("Step %(step)s: choose the stage it guides.", step=vals["name"])
                )
            # a step is named after its stage: without one, its name is required
            if not any(vals.get(f, context.get(f"default_{f}")) for f in ("name", *stage_fields)):
                refuse(
                    self,
                    self.env._(
                        "%(field)s is required.", field=self._fields["name"]._description_string(self.env)
                    ),
                )
        self._guide_check_stage_free(
            [
                (
                    vals.get("process_id") or self.env.context.get("default_process_id"),
                    next((vals[f] for f in stage_fields if vals.get(f)), False),
                    False,
                )
                for vals in vals_list
            ]
        )
        steps = super().create(vals_list)
        self.env.registry.clear_cache()
        steps.process_id._guide_rematch_steps()
        return steps

    def write(self, vals):
        vals = self._guide_without_stage_id(vals)
        # the ids sent are ids before the stages are compared
        self._guide_check_references(vals)
        # archived and restored with its process, never alone (its gate would go unversioned)
        refuse_archived_alone(self, vals, "process_id")
        if vals.get("process_id") and isinstance(vals["process_id"], int):
            self._guide_check_same_model(self.env["guide.process"].browse(vals["process_id"]))
            self._guide_refuse_moving_in_use(vals["process_id"])
        stage_fields = [fname for fname in self._guide_stage_fields().values() if fname in vals]
        if stage_fields or "process_id" in vals:
            self._guide_check_stage_free(
                [
                    (
                        vals.get("process_id", step.process_id.id),
                        next((vals[f] for f in stage_fields if vals[f]), False)
                        if stage_fields
                        else step.stage_res_id,
                        step.id,
                    )
                    for step in self
                ]
            )
        processes = self.process_id
        res = super().write(vals)
        self.env.registry.clear_cache()
        if {"process_id", *self._guide_stage_fields().values()} & set(vals):
            (processes | self.process_id)._guide_rematch_steps()
        return res

    @api.model
    def _guide_without_stage_id(self, vals):
        """``vals`` without the stage id (``stage_res_id``), which the step's stage gives
        (its CRM or helpdesk stage): sent by a client, it would guide a stage the step does
        not show, a stage of no model, or the same stage twice in a process past the
        checks (refused by the database's index only, logged as an error)."""
        if "stage_res_id" not in vals or self.env.su:
            return vals
        return {fname: value for fname, value in vals.items() if fname != "stage_res_id"}

    def _guide_check_same_model(self, process):
        """A step moves only into a process of its own model: its stage, checklist and
        conditions are of that model (refused before the stages are compared, a stage of
        one model with the stages of another). A process the user may not read is refused
        as such, unnamed."""
        process.check_access("read")
        process = process.sudo()
        for step in self.sudo():
            if step.model_name != process.model_name:
                raise ValidationError(
                    self.env._(
                        "Step %(step)s guides %(model)s: it cannot move into process %(process)s, "
                        "which guides %(other)s.",
                        step=step.display_name,
                        model=self.env["ir.model"]._get(step.model_name).name,
                        process=process.display_name,
                        other=self.env["ir.model"]._get(process.model_name).name,
                    )
                )

    @api.model
    def _guide_check_stage_free(self, pairs):
        """A process has one step per stage: ``pairs`` ((process id, stage id, the step's own
        id or False) of steps being created or changed) naming a stage another step of the
        process guides, or the same twice, are refused naming them (before the database's
        unique index, whose violation is logged as an error)."""
        pairs = [
            (process_id, stage_id, own) for process_id, stage_id, own in pairs if process_id and stage_id
        ]
        if not pairs:
            return
        taken = {}
        # every step of the processes, whatever the user's record rules (the index is unique)
        others = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch(
                [
                    ("process_id", "in", list({process_id for process_id, _stage, _own in pairs})),
                    ("stage_res_id", "in", list({stage_id for _process, stage_id, _own in pairs})),
                    ("id", "not in", [own for _process, _stage, own in pairs if own]),
                ],
                ["process_id", "stage_res_id", "name"],
            )
        )
        for step in others:
            taken[step.process_id.id, step.stage_res_id] = step.name
        for process_id, stage_id, own in pairs:
            other = taken.get((process_id, stage_id))
            if other is not None:
                process = self.env["guide.process"].browse(process_id)
                raise ValidationError(
                    self.env._(
                        "Process %(process)s already has a step for this stage (%(step)s): a "
                        "process has one step per stage.",
                        process=process.display_name,
                        step=other,
                    )
                )
            taken[process_id, stage_id] = self.browse(own).name if own else self.env._("another new step")

    @api.ondelete(at_uninstall=True)
    def _unlink_except_in_use(self):
        """A step that records are in, or that their stage history names, is not deleted:
        the records would lose their step (and be judged as if in another), the history
        rows theirs, and the checklist lines ticked there and the process figures would go
        with it. Its process is archived instead. A module's uninstallation deletes it
        (Odoo's flag, as the superuser: ``module_uninstalling``), a client's flag does not."""
        if module_uninstalling(self.env):
            return
        self._guide_refuse_in_use()

    @api.ondelete(at_uninstall=True)
    def _unlink_except_sole_step_of_a_configuration(self):
        """A step that hints, escalation rules or policies are limited to alone is not
        deleted: their steps emptied, they would apply in every step."""
        if module_uninstalling(self.env):
            return
        self._guide_refuse_emptied_scopes()

    def _guide_refuse_emptied_scopes(self, stages=None):
        """Refuse deleting these steps when a configuration's steps are these alone (they
        would apply in every step), naming it, its field and what to do; ``stages`` when the
        user deletes these (whose deletion would delete the steps)."""
        for model_name in self.env["guide.process"]._guide_scope_configurations():
            Config = self.env[model_name]
            if not stages:
                refuse_emptied_scope(
                    Config, "step_ids", self, archivable=False, scope=self.env._("in every step")
                )
                continue
            emptied = emptied_scope(Config, "step_ids", self)
            if emptied:
                raise UserError(
                    self.env._(
                        "Stage %(stages)s cannot be deleted: its step would be deleted with it, and "
                        "the following name no other step in their field “%(field)s”: with that "
                        "field empty they would apply in every step.\n%(configs)s\nFirst change "
                        "“%(field)s” of these, or delete them.",
                        stages=format_list(self.env, stages.mapped("display_name")[:REFUSAL_MAX_NAMED]),
                        field=Config._fields["step_ids"]._description_string(self.env),
                        configs=emptied_scope_lines(self.env, emptied),
                    )
                )

    def _guide_archive_emptied_scopes(self, processes=None):
        """A module's uninstallation deletes these steps (with ``processes``, whose steps
        they are; a stage's deletion takes its steps in the database's cascade): the
        configurations limited to them alone, or to ``processes``, archived ones included,
        are archived and marked (``guide.scope.mixin``). Left as they are, their steps or
        process emptied, they would apply in every step of every record of their model, and
        so would they once restored."""
        for model_name in self.env["guide.process"]._guide_scope_configurations():
            Config = self.env[model_name].sudo().with_context(active_test=False)
            emptied = emptied_scope(Config, "step_ids", self)
            if processes:
                emptied |= Config.search([("process_id", "in", processes.ids)])
            emptied.filtered(lambda config: not config.scope_emptied)._guide_archive_scope_emptied()

    def _guide_refuse_moving_in_use(self, process_id):
        """A step that records are in or that their history names stays in its process, as
        it is not deleted: moved to another, the records would lose their step and their
        history would name another process's step; so does a step whose optional tasks
        records added (``guide.task``)."""
        moving = self.sudo().filtered(lambda step: step.process_id.id != process_id)
        if not moving:
            return
        _used, lines = moving._guide_usage_lines()
        if lines:
            raise UserError(
                self.env._(
                    "A step that records are in or that their history names cannot move to another "
                    "process: the records would lose their step, and their history would name a step "
                    "of another process.\n%(steps)s\nDuplicate the step into the other process instead.",
                    steps=lines,
                )
            )
        moving.with_context(active_test=False).task_ids._guide_refuse_added_moving()

    def _guide_usage_lines(self):
        """(the steps of ``self`` records are in or their history names, the lines of a
        refusal naming them with their counts: empty when none is)."""
        records, history = self._guide_usage()
        used = self.filtered(lambda step: records[step.id] or history[step.id])
        return used, "\n".join(
            self.env._(
                "%(step)s: %(records)s record(s) in it, %(history)s stage history row(s) naming it",
                step=step.display_name,
                records=records[step.id],
                history=history[step.id],
            )
            for step in used[:REFUSAL_MAX_NAMED]
        )

    def _guide_refuse_in_use(self, stages=None):
        """Raise naming the steps of ``self`` records are in or their history names, and
        ``stages`` when the user deletes these (whose deletion would delete the steps)."""
        used, lines = self._guide_usage_lines()
        if not lines:
            return
        if stages:
            raise UserError(
                self.env._(
                    "Stage %(stages)s cannot be deleted: it is a step of a process that records are in "
                    "or that their history names, and the step would be deleted with it: the records "
                    "would lose their step, and their history, checklists and process figures would "
                    "be lost.\n%(steps)s\nArchive the process instead (duplicate it first, without "
                    "this step, to go on without the stage).",
                    stages=format_list(
                        self.env,
                        stages.filtered(lambda stage: stage.id in used.mapped("stage_res_id")).mapped(
                            "display_name"
                        ),
                    ),
                    steps=lines,
                )
            )
        raise UserError(
            self.env._(
                "A step that records are in or that their history names cannot be deleted: the "
                "records would lose their step, and their history, checklists and process figures "
                "would be lost.\n%(steps)s\nArchive the process instead (duplicate it first to go "
                "on without the step).",
                steps=lines,
            )
        )

    def unlink(self):
        processes = self.process_id
        if module_uninstalling(self.env):
            self._guide_archive_emptied_scopes()
        res = super().unlink()
        self.env.registry.clear_cache()
        processes._guide_rematch_steps()
        return res

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _guide_copy_links(self, step_map):
        """After a process is copied: point the copy of each step (``step_map``: original
        step → its copy) at the copies of the steps it names, never at the original
        process's (hook: a module linking steps to steps extends it)."""
        for step in self:
            if step.allowed_step_ids:
                step_map[step].allowed_step_ids = [
                    Command.set([step_map[allowed].id for allowed in step.allowed_step_ids])
                ]
        return True

    def _guide_usage(self):
        """What uses the steps, as the engine sees it (archived records included):
        (Counter {step id: records in it}, Counter {step id: stage history rows naming it})."""
        records = Counter()
        for model_name, steps in self.grouped("model_name").items():
            if model_name not in self.env:
                continue
            Model = self.env[model_name].sudo().with_context(active_test=False)
            for fname in ("guide_step_id", "guide_alt_step_id"):
                if fname in Model._fields:
                    for step, count in Model._read_group([(fname, "in", steps.ids)], [fname], ["__count"]):
                        records[step.id] += count
        history = Counter()
        if self.ids:
            self.env["guide.history"].flush_model(["from_step_id", "to_step_id", "alt_step_id"])
            # a row naming the step twice (left and entered) counts once
            self.env.cr.execute(
                SQL(
                    """SELECT step_id, COUNT(*) FROM (
                           SELECT id, from_step_id AS step_id FROM guide_history WHERE from_step_id IN %(ids)s
                           UNION SELECT id, to_step_id FROM guide_history WHERE to_step_id IN %(ids)s
                           UNION SELECT id, alt_step_id FROM guide_history WHERE alt_step_id IN %(ids)s
                       ) AS named
                       GROUP BY step_id""",
                    ids=tuple(self.ids),
                )
            )
            history.update(dict(self.env.cr.fetchall()))
        return records, history

    @api.model
    def _guide_check_stage_unlink(self, stages):
        """Deleting ``stages`` deletes their steps (the stage fields cascade): refused, as the
        user deleting them, while records are in one of those steps or their history names
        one (``_unlink_except_in_use``), or while a configuration is limited to them alone
        (``_unlink_except_sole_step_of_a_configuration``: the database's cascade runs no
        ondelete of the steps). Bridges call it from the stage model's ondelete."""
        names = [
            fname
            for fname in self._guide_stage_fields().values()
            if self._fields[fname].comodel_name == stages._name
        ]
        if not names or not stages:
            return
        domain = expression.OR([[(fname, "in", stages.ids)] for fname in names])
        steps = self.sudo().with_context(active_test=False).search(domain)
        if steps and module_uninstalling(self.env):
            steps.with_env(self.env)._guide_archive_emptied_scopes()
        elif steps:
            steps.with_env(self.env)._guide_refuse_in_use(stages)
            steps.with_env(self.env)._guide_refuse_emptied_scopes(stages)

    @api.model
    def _guide_stage_fields(self):
        """{guided model: field of guide.step holding the stage of that model}.

        A bridge that guides another model adds a Many2one to its stage model
        on guide.step and extends this mapping (the computes, constraint and
        rematching follow it).
        """
        return {}

    def _guide_on_stage_line(self):
        """Whether the step guides a stage (alternate steps do not, see guide_step_detour)."""
        self.ensure_one()
        return True

    @api.model
    def _guide_vals_on_stage_line(self, vals):
        """``_guide_on_stage_line`` of a step about to be created with ``vals``."""
        return True

    def _guide_stage(self):
        """The stage record this step guides (empty recordset if none)."""
        self.ensure_one()
        stage_fields = self._guide_stage_fields()
        fname = stage_fields.get(self.model_name)
        if fname and self[fname]:
            return self[fname]
        # otherwise whichever stage field is set (refused by _check_stage if it
        # does not belong to the process model)
        for fname in stage_fields.values():
            if self[fname]:
                return self[fname]
        return self.env[self.stage_model] if self.stage_model else self.browse()

    def _guide_step_values(self):
        """Plain values of a step, kept in the configuration cache."""
        self.ensure_one()
        return {
            "id": self.id,
            "process_id": self.process_id.id,
            "stage_id": self.stage_res_id,
            "sequence": self.sequence,
            "name": self.name,
            "gate_mode": self.gate_mode,
            "override_group_id": self.override_group_id.id,
            "expected_hours": self.expected_hours,
            "allowed_step_ids": frozenset(self.allowed_step_ids.ids),
            "items": tuple(item._guide_item_values() for item in self.item_ids),
        }
