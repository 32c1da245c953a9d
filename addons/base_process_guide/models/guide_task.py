from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from ..tools import MAX_NAME, MAX_TEXT, refuse_archived_alone, refuse_not_one

TASK_KINDS = [
    ("checklist", "Checklist item"),
    ("activity", "Activity"),
]
MAX_DEADLINE_DAYS = 3650


class GuideTask(models.Model):
    """An optional task of a step: what an agent *may* add to a record in that step (a
    checklist item on the record, or an activity of a type with a deadline), with who may
    add it, whether it then gates leaving the step, whether it can be added again, and a
    condition under which the guidance panel suggests it. Each addition is a
    ``guide.task.log`` row (who, when, why)."""

    _name = "guide.task"
    _inherit = [
        "guide.condition.mixin",
        "guide.config.mixin",
        "guide.shared.scope.mixin",
        "guide.step.row.mixin",
    ]
    _description = "Optional Task"
    _order = "step_id, sequence, id"
    _check_company_auto = True
    _guide_domain_fields = ("suggest_domain",)
    _guide_bounded_fields = {"name": MAX_NAME, "description": MAX_TEXT}

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    description = fields.Text(string="Help", translate=True)
    sequence = fields.Integer(default=10)
    step_id = fields.Many2one("guide.step", required=True, ondelete="cascade", index=True)
    process_id = fields.Many2one(related="step_id.process_id", store=True, index=True)
    active = fields.Boolean(related="step_id.active", store=True)
    model_name = fields.Selection(related="step_id.model_name", store=True)
    company_id = fields.Many2one(related="step_id.company_id", store=True)
    kind = fields.Selection(TASK_KINDS, required=True, default="checklist")
    activity_type_id = fields.Many2one("mail.activity.type", ondelete="restrict")
    deadline_days = fields.Integer(string="Deadline (days)", help="The activity is due this many days after.")
    group_ids = fields.Many2many(
        "res.groups",
        "guide_task_group_rel",
        "task_id",
        "group_id",
        string="Who May Add It",
        help="Only members of these groups may add the task (empty: anyone who may edit the record).",
    )
    mandatory = fields.Boolean(
        string="Gates the Step Once Added",
        help="Once added, the task must be done before the record leaves the step forward "
        "(like a mandatory checklist item; an activity task is done when its activity is).",
    )
    repeatable = fields.Boolean(string="Can Be Added Again", help="May be added more than once in the step.")
    suggest_domain = fields.Char(
        string="Suggest When",
        help="The guidance panel suggests the task on records matching this condition (empty: never).",
    )
    suggest_domain_text = fields.Char(compute="_compute_suggest_domain_text", string="Suggest When, in Words")

    @api.depends("suggest_domain", "condition_model")
    @api.depends_context("lang")
    def _compute_suggest_domain_text(self):
        for task in self:
            task.suggest_domain_text = task._guide_condition_words("suggest_domain", task.condition_model)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("step_id")
    def _check_step(self):
        for task in self.filtered(lambda task: task.step_id.kind == "alternate"):
            raise ValidationError(
                self.env._(
                    "Optional task %(task)s: %(step)s is an alternate step; optional tasks belong to "
                    "stage steps (a record in an alternate step is offered those of its stage step).",
                    task=task.name,
                    step=task.step_id.display_name,
                )
            )

    @api.constrains("kind", "activity_type_id", "deadline_days", "model_name")
    def _check_activity(self):
        for task in self:
            if task.deadline_days < 0 or task.deadline_days > MAX_DEADLINE_DAYS:
                raise ValidationError(
                    self.env._(
                        "Optional task %(task)s: the deadline is between 0 and %(max)s days.",
                        task=task.name,
                        max=MAX_DEADLINE_DAYS,
                    )
                )
            if task.kind != "activity":
                continue
            if not task.activity_type_id:
                raise ValidationError(
                    self.env._("Optional task %(task)s: choose the activity type.", task=task.name)
                )
            if task.activity_type_id.res_model and task.activity_type_id.res_model != task.model_name:
                raise ValidationError(
                    self.env._(
                        "Optional task %(task)s: activity type %(type)s is for another model.",
                        task=task.name,
                        type=task.activity_type_id.name,
                    )
                )

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    def write(self, vals):
        # a row of one model does not move to a parent of another
        before = self._guide_models_before(vals, "step_id")
        # archived and restored with its step, never alone
        refuse_archived_alone(self, vals, "step_id")
        self._guide_refuse_moving_added(vals)
        res = super().write(vals)
        self._guide_refuse_other_model(before, "step_id")
        return res

    def _guide_refuse_moving_added(self, vals):
        """An optional task added to records stays in its process: moved to a step of
        another (of another company, maybe), who added it, when and why would count for
        that process's step, in neither process's Step Effectiveness."""
        self._guide_moved_to_other_process(vals, "step_id")._guide_refuse_added_moving()

    def _guide_added_lines(self, uses):
        """The lines of a refusal naming the tasks ``uses`` ({task: count}) and how often
        records added them (each message apart: the exporter skips one nested in another's
        arguments)."""
        return self._guide_named_uses(
            uses,
            lambda task, count: self.env._(
                "%(step)s / %(task)s: added %(count)s time(s)",
                step=task.step_id.display_name,
                task=task.name,
                count=count,
            ),
        )

    def _guide_refuse_added_moving(self):
        """Refuse moving the tasks of ``self`` records added to another process (with their
        step, or to a step of another process), naming them and their uses."""
        uses = self._guide_recorded_uses("guide.task.log", "task_id")
        if uses:
            named = self._guide_added_lines(uses)
            raise UserError(
                self.env._(
                    "An optional task added to records cannot move to a step of another process: "
                    "its uses would count for neither process.\n%(tasks)s\nCreate the task in the "
                    "other process's step instead.",
                    tasks=named,
                )
            )

    @api.ondelete(at_uninstall=True)
    def _unlink_except_added(self):
        """An optional task added to records is not deleted: its ``guide.task.log`` rows
        (who added it, when, why, what it made) would go with it, and the Optional Tasks
        Added figures."""
        uses = self._guide_recorded_uses("guide.task.log", "task_id")
        if uses:
            named = self._guide_added_lines(uses)
            raise UserError(
                self.env._(
                    "An optional task added to records cannot be deleted: the records would lose "
                    "who added it, when and why, and the Optional Tasks Added figures with it."
                    "\n%(tasks)s\nArchive the process instead (duplicate it first, without the "
                    "task, to go on without it).",
                    tasks=named,
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_guide_open_add(self):
        """The dialog adding this task to the record of the guidance panel (context
        ``guide_res_model``/``guide_res_id``, as the hints' buttons)."""
        refuse_not_one(self)
        context = self.env.context
        record = self.env["guide.task.wizard"]._guide_record(
            context.get("guide_res_model"), context.get("guide_res_id")
        )
        return record.action_guide_open_add_task(task_id=self.id)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    @tools.ormcache("model_name")
    def _get_task_config(self, model_name):
        """The optional tasks of the active processes of a model, as plain data (cleared
        when tasks change): ``{"steps": frozenset of the step ids having tasks,
        "suggest": {step id: ((task id, condition), ...)}}``."""
        tasks = self.sudo().with_context(active_test=True).search([("model_name", "=", model_name)])
        suggest = {}
        for task in tasks.filtered("suggest_domain"):
            suggest.setdefault(task.step_id.id, []).append((task.id, task.suggest_domain))
        return {
            "steps": frozenset(tasks.step_id.ids),
            "suggest": {key: tuple(value) for key, value in suggest.items()},
        }


class GuideTaskLog(models.Model):
    """An optional task added to a record: who added it, when, why (the note), and what it
    made (a checklist line, an activity). Written by the engine only."""

    _name = "guide.task.log"
    _inherit = ["guide.bulk.mixin", "guide.record.link.mixin"]
    _description = "Optional Task Added"
    _order = "date desc, id desc"
    _rec_name = "task_id"
    _guide_engine_owned = True

    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", required=True, readonly=True)
    record_name = fields.Char(readonly=True)
    task_id = fields.Many2one("guide.task", required=True, readonly=True, index=True, ondelete="cascade")
    kind = fields.Selection(TASK_KINDS, required=True, readonly=True)
    mandatory = fields.Boolean(readonly=True)
    step_id = fields.Many2one("guide.step", readonly=True, index=True, ondelete="set null")
    process_id = fields.Many2one("guide.process", readonly=True, index=True, ondelete="set null")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Added By", readonly=True)
    note = fields.Text(string="Why", readonly=True)
    line_id = fields.Many2one("guide.line", string="Checklist Line", readonly=True, ondelete="set null")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null", index="btree_not_null")
    added_count = fields.Integer("Count", readonly=True, default=1, aggregator="sum")

    def _guide_lines_of_their_activities(self):
        """The unticked checklist lines of these rows whose activity is on the line's own
        record: an activity done elsewhere (merged from a record a merge deleted) ticks none."""
        return self.filtered(
            lambda log: log.line_id
            and not log.line_id.checked
            and (log.line_id.res_model, log.line_id.res_id)
            == (log.activity_id.res_model, log.activity_id.res_id)
        ).line_id
