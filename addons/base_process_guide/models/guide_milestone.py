from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from ..tools import MAX_NAME, MAX_TEXT, labelled, module_uninstalling, refuse_archived_alone
from .guide_config_mixin import REFUSAL_MAX_NAMED

REACH_MODES = [
    ("auto", "When its condition holds"),
    ("manual", "By hand"),
]


class GuideMilestone(models.Model):
    """An achievement of a record independent of its stage ("Demo done", "First reply
    sent"): reached once, automatically when its condition holds (evaluated in batch on
    the write path and on events) or by hand by the groups allowed. The rows saying who
    reached it and when are ``guide.milestone.reached`` (engine-owned)."""

    _name = "guide.milestone"
    _inherit = ["guide.condition.mixin", "guide.config.mixin", "guide.shared.scope.mixin"]
    _description = "Process Milestone"
    _order = "process_id, sequence, id"
    _check_company_auto = True
    _guide_domain_fields = ("condition",)
    _guide_bounded_fields = {"name": MAX_NAME, "description": MAX_TEXT}

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    process_id = fields.Many2one("guide.process", required=True, ondelete="cascade", index=True)
    active = fields.Boolean(related="process_id.active", store=True)
    model_name = fields.Selection(related="process_id.model_name", store=True)
    company_id = fields.Many2one(related="process_id.company_id", store=True)
    # the records of the process (its scope and its condition): the condition editor counts
    # within them, as the process's own condition does within its scope
    process_scope_domain = fields.Char(related="process_id.scope_domain", string="Process Scope")
    process_domain = fields.Char(related="process_id.domain", string="Process Condition")
    reach_mode = fields.Selection(REACH_MODES, string="How It Is Reached", required=True, default="auto")
    condition = fields.Char(
        help="Reached the first time the record meets this condition, e.g. “Last Reply to the Customer "
        "is set”.",
    )
    group_ids = fields.Many2many(
        "res.groups",
        "guide_milestone_group_rel",
        "milestone_id",
        "group_id",
        string="Who May Mark It",
        help="By hand: only members of these groups may mark it reached (empty: anyone who may edit "
        "the record).",
    )
    reached_count = fields.Integer(compute="_compute_reached_count", string="Times Reached")
    condition_text = fields.Char(compute="_compute_condition_text", string="Condition in Words")

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    def _compute_reached_count(self):
        data = self.env["guide.milestone.reached"]._read_group(
            [("milestone_id", "in", self.ids)], ["milestone_id"], ["__count"]
        )
        counts = {milestone.id: count for milestone, count in data}
        for milestone in self:
            milestone.reached_count = counts.get(milestone.id, 0)

    @api.depends("condition", "model_name")
    @api.depends_context("lang")
    def _compute_condition_text(self):
        for milestone in self:
            milestone.condition_text = milestone._guide_condition_words("condition")

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("reach_mode", "condition")
    def _check_condition(self):
        self._guide_check_condition_set("reach_mode", "condition")

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    def write(self, vals):
        # a row of one model does not move to a parent of another
        before = self._guide_models_before(vals, "process_id")
        # archived and restored with its process, never alone
        refuse_archived_alone(self, vals, "process_id")
        self._guide_refuse_moving_reached(vals)
        res = super().write(vals)
        self._guide_refuse_other_model(before, "process_id")
        return res

    def _guide_reached_lines(self, uses):
        """The lines of a refusal naming the milestones ``uses`` ({milestone: count}) and how
        many records reached them (each message apart: the exporter skips one nested in
        another's arguments)."""
        return self._guide_named_uses(
            uses,
            lambda milestone, count: self.env._(
                "%(process)s / %(milestone)s: reached by %(count)s record(s)",
                process=milestone.process_id.display_name,
                milestone=milestone.name,
                count=count,
            ),
        )

    def _guide_refuse_moving_reached(self, vals):
        """A milestone records have reached stays in its process: moved to another (of
        another company, maybe), their Time to Milestone would count in neither process's
        map, and their reached rows would name the other process's milestone."""
        uses = self._guide_moved_to_other_process(vals, "process_id")._guide_recorded_uses(
            "guide.milestone.reached", "milestone_id"
        )
        if uses:
            named = self._guide_reached_lines(uses)
            raise UserError(
                self.env._(
                    "A milestone records have reached cannot move to another process: their Time "
                    "to Milestone figures would count in neither process.\n%(milestones)s\nCreate "
                    "the milestone in the other process instead.",
                    milestones=named,
                )
            )

    @api.ondelete(at_uninstall=True)
    def _unlink_except_reached(self):
        """A milestone records have reached is not deleted: its ``guide.milestone.reached``
        rows (who reached it, when, how) would go with it, and the Time to Milestone
        figures."""
        uses = self._guide_recorded_uses("guide.milestone.reached", "milestone_id")
        if uses:
            named = self._guide_reached_lines(uses)
            raise UserError(
                self.env._(
                    "A milestone records have reached cannot be deleted: the records would lose "
                    "when and by whom it was reached, and the Time to Milestone figures with it."
                    "\n%(milestones)s\nArchive the process instead (duplicate it first, without "
                    "the milestone, to go on without it).",
                    milestones=named,
                )
            )

    @api.ondelete(at_uninstall=True)
    def _unlink_except_named_by_rules(self):
        """A milestone a rule names (a policy requiring it, an escalation rule met by it) is
        not deleted: the rule would change without a word (the link rows cascade), a policy
        without a new version (its audit trail would cite a version requiring it)."""
        if not self or module_uninstalling(self.env):
            return
        named = []
        for model_name, field_name in self._guide_milestone_rule_fields():
            Model = self.env[model_name].sudo().with_context(active_test=False)
            label = self.env["ir.model"]._get(model_name).name
            for rule in Model.search([(field_name, "in", self.ids)], limit=REFUSAL_MAX_NAMED):
                named.append(labelled(self.env, label, rule.display_name))
        if named:
            raise UserError(
                self.env._(
                    "Milestone “%(milestones)s” cannot be deleted: these rules name it and would "
                    "change without it:\n%(rules)s\nRemove it from them first.",
                    milestones=", ".join(self.mapped("name")[:REFUSAL_MAX_NAMED]),
                    rules="\n".join(named[:REFUSAL_MAX_NAMED]),
                )
            )

    def _guide_milestone_rule_fields(self):
        """(model, many2many field) of the rules naming milestones: modules adding such rules
        extend it."""
        return []

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    @tools.ormcache("model_name")
    def _get_milestone_config(self, model_name):
        """The milestones of the active processes of a model, as plain data (cleared when
        milestones or processes change): ``{"auto": {process id: ((milestone id, condition),
        ...)}, "manual": {process id: (milestone ids)}, "fields": frozenset of the fields the
        conditions read}``. A process without milestones has no key: its records pay nothing."""
        milestones = (
            self.sudo().with_context(active_test=True, lang=None).search([("model_name", "=", model_name)])
        )
        auto, manual, fnames = {}, {}, set()
        for milestone in milestones:
            if milestone.reach_mode == "auto":
                auto.setdefault(milestone.process_id.id, []).append((milestone.id, milestone.condition))
                fnames |= self._guide_domain_field_names(milestone.condition, model_name)
            else:
                manual.setdefault(milestone.process_id.id, []).append(milestone.id)
        return {
            "auto": {key: tuple(value) for key, value in auto.items()},
            "manual": {key: tuple(value) for key, value in manual.items()},
            "fields": frozenset(fnames),
        }


class GuideMilestoneReached(models.Model):
    """A milestone reached by a record: when, by whom (the user whose change or action
    reached it), how. Written by the engine only; never changed afterwards."""

    _name = "guide.milestone.reached"
    _inherit = ["guide.bulk.mixin", "guide.record.link.mixin"]
    _description = "Milestone Reached"
    _order = "date desc, id desc"
    _rec_name = "milestone_id"
    _guide_engine_owned = True
    # the unique index (res_model, res_id, milestone_id) does not start with res_id
    _guide_record_index = True

    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", required=True, readonly=True)
    record_name = fields.Char(readonly=True)
    milestone_id = fields.Many2one(
        "guide.milestone", required=True, readonly=True, index=True, ondelete="cascade"
    )
    process_id = fields.Many2one("guide.process", readonly=True, index=True, ondelete="set null")
    step_id = fields.Many2one("guide.step", string="In Step", readonly=True, ondelete="set null")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Reached By", readonly=True)
    mode = fields.Selection(
        [("auto", "Automatically"), ("manual", "By hand")], required=True, readonly=True, default="auto"
    )
    note = fields.Text(readonly=True)
    hours_to_reach = fields.Float(
        "Hours from Creation", readonly=True, aggregator="avg", help="Time from the record's creation."
    )
    days_to_reach = fields.Float("Days from Creation", readonly=True, aggregator="avg")
    reached_count = fields.Integer("Count", readonly=True, default=1, aggregator="sum")

    _sql_constraints = [
        (
            "record_milestone_uniq",
            "unique(res_model, res_id, milestone_id)",
            "A record reaches a milestone once.",
        ),
    ]


class GuideProcess(models.Model):
    _inherit = "guide.process"

    milestone_ids = fields.One2many("guide.milestone", "process_id", string="Milestones", copy=True)
