from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_list

from ..tools import module_uninstalling
from .guide_step import REFUSAL_MAX_NAMED

# the records a refusal names, per step
RECORDS_NAMED = 3

STEP_KINDS = [
    ("stage", "Stage Step"),
    ("alternate", "Alternate Step"),
]


class GuideStep(models.Model):
    """Alternate steps (off the stage line) and conditional branches of a step."""

    _name = "guide.step"
    _inherit = ["guide.step", "guide.condition.mixin"]
    _guide_domain_fields = ("alt_auto_domain",)

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    kind = fields.Selection(
        STEP_KINDS,
        default="stage",
        required=True,
        help="- Stage Step: guides a stage of the pipeline.\n"
        "- Alternate Step: off the stage line (e.g. Legal review); a record enters it by hand or "
        "automatically, keeps its stage meanwhile, and returns when it is completed.",
    )
    alt_group_ids = fields.Many2many(
        "res.groups",
        "guide_step_alt_group_rel",
        "step_id",
        "group_id",
        string="Who Can Enter",
        help="Only members of these groups may enter this alternate step by hand (empty: any guided user).",
    )
    alt_reason_required = fields.Boolean(
        string="Reason Required", default=True, help="A reason is asked when an agent enters the step."
    )
    alt_auto_domain = fields.Char(
        string="Enter Automatically When",
        help="Records of the process matching this condition enter the alternate step on their own "
        "(evaluated when a record changes step or a field the condition reads is written), "
        "once per stay in a stage step.",
    )
    # the records of the process (its scope and its condition): the condition editor counts
    # within them, as the process's own condition does within its scope
    process_scope_domain = fields.Char(related="process_id.scope_domain", string="Process Scope")
    process_domain = fields.Char(related="process_id.domain", string="Process Condition")
    alt_from_step_ids = fields.Many2many(
        "guide.step",
        "guide_step_alt_from_rel",
        "step_id",
        "from_step_id",
        string="Entered From",
        copy=False,
        domain="[('process_id', '=', process_id), ('kind', '=', 'stage')]",
        help="Stage steps the alternate step can be entered from (empty: any).",
    )
    alt_return_step_id = fields.Many2one(
        "guide.step",
        string="Returns To",
        copy=False,
        ondelete="set null",
        domain="[('process_id', '=', process_id), ('kind', '=', 'stage')]",
        help="Stage step a record moves to when the alternate step is completed "
        "(empty: back to the step it came from, its stage unchanged).",
    )
    branch_ids = fields.One2many(
        "guide.step.branch",
        "step_id",
        string="Branches",
        copy=False,
        help="Conditional next steps, first matching branch first; a branch without condition is "
        "the otherwise case.",
    )

    # one step per stage: alternate steps have none
    _sql_constraints = [
        (
            "process_stage_uniq",
            "EXCLUDE USING btree (process_id WITH =, stage_res_id WITH =) WHERE (kind = 'stage')",
            "A process has one step per stage.",
        ),
    ]

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("kind", "alt_return_step_id", "alt_from_step_ids", "process_id", "branch_ids", "task_ids")
    def _check_alternate(self):
        for step in self:
            if step.kind == "alternate" and step.stage_res_id:
                raise ValidationError(
                    self.env._(
                        "Alternate step %(step)s: an alternate step guides no stage; remove its stage.",
                        step=step.display_name,
                    )
                )
            # archived tasks too: they come back with their process
            tasks = step.with_context(active_test=False).task_ids
            if step.kind == "alternate" and (step.branch_ids or tasks):
                raise ValidationError(
                    self.env._(
                        "Alternate step %(step)s: an alternate step has no branches nor optional tasks "
                        "(its records leave it by its return step and are offered the optional tasks "
                        "of their stage step); remove them first.",
                        step=step.display_name,
                    )
                )
            target = step.alt_return_step_id
            if target and target.process_id != step.process_id:
                raise ValidationError(
                    self.env._(
                        "Alternate step %(step)s returns to %(target)s, a step of another process.",
                        step=step.display_name,
                        target=target.display_name,
                    )
                )
            if target and target.kind != "stage":
                raise ValidationError(
                    self.env._(
                        "Alternate step %(step)s returns to the alternate step %(target)s: a cycle of "
                        "alternate steps with no exit. It must return to a stage step.",
                        step=step.display_name,
                        target=target.display_name,
                    )
                )
            foreign = step.alt_from_step_ids.filtered(
                lambda s, step=step: s.process_id != step.process_id or s.kind != "stage"
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Alternate step %(step)s: it is entered from stage steps of its own process "
                        "(%(steps)s are not).",
                        step=step.display_name,
                        steps=", ".join(foreign.mapped("display_name")),
                    )
                )
        # a stage step that became alternate may still be targeted as a return
        returning = self.search(
            [("alt_return_step_id", "in", self.filtered(lambda s: s.kind != "stage").ids)]
        )
        if returning:
            returning._check_alternate()

    def _check_links_of_a_moved_step(self):
        """A step moved into another process leaves no link across processes: the step,
        the steps naming it (an allowed next step, an alternate step's return or entry)
        and the branches to or from it are checked as when they are saved, archived
        processes included."""
        Step = self.sudo().with_context(active_test=False)
        naming = Step.browse(self.ids) | Step.search(
            [
                "|",
                "|",
                ("allowed_step_ids", "in", self.ids),
                ("alt_from_step_ids", "in", self.ids),
                ("alt_return_step_id", "in", self.ids),
            ]
        )
        naming._check_allowed_steps()
        naming._check_alternate()
        self.env["guide.step.branch"].sudo().with_context(active_test=False).search(
            ["|", ("step_id", "in", self.ids), ("to_step_id", "in", self.ids)]
        )._check_to_step()

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    def write(self, vals):
        if "kind" in vals:
            # who may not change the steps at all is refused first, as any change of them is
            # (``guide.shared.scope.mixin``), not told what records are in them
            self.check_access("write")
            self._guide_check_shared_scope()
            self.filtered(lambda step: step.kind != vals["kind"])._guide_refuse_kind_change_in_use()
        res = super().write(vals)
        if "process_id" in vals:
            self._check_links_of_a_moved_step()
        return res

    def _guide_refuse_kind_change_in_use(self):
        """Refuse, naming them and some of their records, to change the kind of the steps
        of ``self`` that records are in: a stage step's records would lose their step, an
        alternate step's would stay in a detour no gate judges any more (as deleting them,
        ``_guide_refuse_in_use``)."""
        records, _history = self._guide_usage()
        used = self.filtered(lambda step: records[step.id])
        if not used:
            return
        lines = "\n".join(step._guide_records_in_text(records[step.id]) for step in used[:REFUSAL_MAX_NAMED])
        raise UserError(
            self.env._(
                "The kind of a step that records are in cannot be changed: the records of a stage "
                "step would lose their step, those of an alternate step would stay in it with no "
                "gate to pass.\n%(steps)s\nMove the records out of the step first (complete their "
                "alternate step), or duplicate the process and change the step in the copy.",
                steps=lines,
            )
        )

    def _guide_records_in_text(self, count):
        """The step ``self`` and its ``count`` records, the first of those the user reads
        named."""
        self.ensure_one()
        names = []
        Model = self.env[self.model_name].with_context(active_test=False)
        if Model.has_access("read"):
            fname = "guide_alt_step_id" if self.kind == "alternate" else "guide_step_id"
            names = Model.search([(fname, "=", self.id)], limit=RECORDS_NAMED, order="id").mapped(
                "display_name"
            )
        if not names:
            return self.env._("%(step)s: %(count)s record(s) in it", step=self.display_name, count=count)
        return self.env._(
            "%(step)s: %(count)s record(s) in it, among them %(records)s",
            step=self.display_name,
            count=count,
            records=format_list(self.env, names),
        )

    def unlink(self):
        # a step records are in is deleted by a module's uninstallation only (refused
        # otherwise, see guide_step.py): the records in a deleted alternate step leave it
        # first, their history records the detour (time spent, checklist), then the step
        # and its checklist lines go
        if not module_uninstalling(self.env):
            return super().unlink()
        alternates = self.filtered(lambda step: step.kind == "alternate")
        for model_name in set(alternates.mapped("model_name")):
            if model_name not in self.env:
                continue
            records = (
                self.env[model_name]
                .sudo()
                .with_context(active_test=False)
                .search([("guide_alt_step_id", "in", alternates.ids)])
            )
            records._guide_leave_detour("free", self.env._("The alternate step was deleted."))
        return super().unlink()

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    def _guide_copy_links(self, step_map):
        """The copy of an alternate step is entered from and returns to the copies of its
        steps; branches are copied towards the copies of their target steps."""
        res = super()._guide_copy_links(step_map)
        for step in self:
            copy = step_map[step]
            if step.alt_from_step_ids:
                copy.alt_from_step_ids = [Command.set([step_map[s].id for s in step.alt_from_step_ids])]
            if step.alt_return_step_id:
                copy.alt_return_step_id = step_map[step.alt_return_step_id]
            for branch in step.branch_ids:
                branch.copy({"step_id": copy.id, "to_step_id": step_map[branch.to_step_id].id})
        return res

    def _guide_on_stage_line(self):
        self.ensure_one()
        return self.kind != "alternate"

    @api.model
    def _guide_vals_on_stage_line(self, vals):
        return vals.get("kind", self.env.context.get("default_kind", "stage")) != "alternate"

    def _guide_alt_field_names(self):
        """Fields of the record the automatic entry condition reads."""
        self.ensure_one()
        if not self.alt_auto_domain:
            return set()
        return self._guide_domain_field_names(self.alt_auto_domain, self.model_name)

    def _guide_step_values(self):
        values = super()._guide_step_values()
        values.update(
            kind=self.kind,
            alt_group_ids=frozenset(self.alt_group_ids.ids),
            alt_reason_required=self.alt_reason_required,
            alt_auto_domain=self.alt_auto_domain or "",
            alt_from_step_ids=frozenset(self.alt_from_step_ids.ids),
            alt_return_step_id=self.alt_return_step_id.id,
            branches=tuple(branch._guide_branch_values() for branch in self.branch_ids),
        )
        return values
