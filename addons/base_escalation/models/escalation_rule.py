import logging
from types import MappingProxyType

from odoo import api, fields, models, tools
from odoo.exceptions import MissingError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.addons.base_process_guide.models import guide_rule_language as rule_language
from odoo.addons.base_process_guide.models.guide_condition_mixin import GUIDE_CONDITION_ERRORS
from odoo.addons.base_process_guide.tools import (
    MAX_NAME,
    MAX_TEXT,
    engine_flag,
    engine_flag_get,
    quoted,
    refuse_missing,
    refuse_not_one,
)

from .escalation_clock import DUE_STATES, OPEN_STATES
from .escalation_level import FLAG_PURGE, FLAG_RULE_SAVE

_logger = logging.getLogger(__name__)


def _plain_value(value):
    if isinstance(value, rule_language.ListValue):
        return all(_plain_value(item) for item in value.items)
    return value is None or isinstance(value, str | int | float | bool)


def _plain_leaf(item):
    """An operator, or a leaf comparing a field with constants (no named value, no sub-domain)."""
    return not isinstance(item, rule_language.Leaf) or _plain_value(item.right)


ORDERING_OPERATORS = ("<", ">", "<=", ">=")
LIKE_OPERATORS = ("like", "not like", "ilike", "not ilike", "=like", "=ilike")
TEXT_TYPES = ("char", "text", "html", "selection")
NUMBER_TYPES = ("integer", "float", "monetary")


def _decided_in_memory(field, operator, value):
    """Whether ``filtered_domain`` compares ``field`` with ``value`` as the query does: a
    number field with numbers, a text field with texts (``False`` and ``None`` for an
    equality), a ``like`` with a text; anything else is left to the query (``None`` or a
    number ordered against a text raise a ``TypeError`` in Python, not in SQL, and
    ``'5'`` equals ``5.0`` in SQL only)."""
    operator = str(operator).lower()
    values = value if isinstance(value, list | tuple) else [value]
    if field.type in NUMBER_TYPES:
        kind = int | float
    elif field.type in TEXT_TYPES:
        kind = str
    else:
        return operator not in ORDERING_OPERATORS + LIKE_OPERATORS
    if operator in LIKE_OPERATORS:
        return kind is str and all(isinstance(item, str) for item in values)
    empty_allowed = operator not in ORDERING_OPERATORS
    return all(
        (isinstance(item, kind) and not isinstance(item, bool))
        or (empty_allowed and (item is None or item is False))
        for item in values
    )


TRIGGER_TYPES = [
    ("step_time", "Time in Current Step"),
    ("creation", "Time Since Creation"),
    ("no_activity", "No Activity From the Team"),
    ("date_field", "Date Field Passed"),
]


class EscalationRule(models.Model):
    """When and how records of a guided model are escalated.

    A rule runs one clock per record in its scope (``escalation.clock``). The
    clock starts at the trigger's start point, can be paused by steps, is met
    (stopped for good) by target steps, and fires the rule's levels in order
    when their delays have elapsed, in calendar or working time.
    """

    _name = "escalation.rule"
    _inherit = [
        "guide.condition.mixin",
        "guide.apply.mixin",
        "guide.shared.scope.mixin",
        "guide.scope.mixin",
        "guide.bounded.mixin",
        "mail.thread",
    ]
    _description = "Escalation Rule"
    _order = "sequence, id"
    _check_company_auto = True
    _guide_domain_fields = ("domain",)
    _guide_bounded_fields = {"name": MAX_NAME, "description": MAX_TEXT}

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(default=10)
    description = fields.Html(translate=True)
    company_id = fields.Many2one("res.company", index=True, tracking=True)
    # scope
    model_name = fields.Selection(selection="_selection_guide_models", string="Applies to", required=True)
    process_id = fields.Many2one(
        "guide.process",
        check_company=True,
        domain="[('model_name', '=', model_name)]",
        help="Only records guided by this process (empty: any record of the model).",
    )
    step_ids = fields.Many2many(
        "guide.step",
        "escalation_rule_step_rel",
        "rule_id",
        "step_id",
        string="Steps",
        domain="[('model_name', '=', model_name), ('process_id', '=?', process_id)]",
        help="The clock runs only while the record is in one of these steps (empty: any step). "
        "Pause and target steps are always part of the scope.",
    )
    scope_domain = fields.Char(
        compute="_compute_scope_domain",
        help="Technical: the scope as a domain, so that the condition editor counts the records of "
        "the scope only.",
    )
    domain = fields.Char(
        string="Condition",
        help="Only the records matching these conditions (for instance: priority high or above); "
        "empty: every record.",
    )
    # trigger
    trigger_type = fields.Selection(TRIGGER_TYPES, string="Start Point", required=True, default="step_time")
    step_delay_base = fields.Selection(
        [("fixed", "Fixed delay"), ("expected", "After the step's expected duration")],
        string="Delays Start",
        default="fixed",
        required=True,
        help="Fixed delay: level delays count from the step entry. After the expected duration: "
        "level delays are added to the expected duration of the current step.",
    )
    date_field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="cascade",
        domain="[('model', '=', model_name), ('ttype', 'in', ('date', 'datetime')), ('store', '=', True)]",
        help="The clock starts when this date has passed (a date: at the end of that day, UTC).",
    )
    restart_on_step_change = fields.Boolean(
        help="A record that moves to another step is de-escalated and its clock starts afresh.",
    )
    delay_unit = fields.Selection(
        [("hours", "Hours"), ("days", "Days")], string="Delays In", default="hours", required=True
    )
    time_mode = fields.Selection(
        [("calendar", "Calendar time (24/7)"), ("working", "Working time")],
        string="Time Counted",
        default="calendar",
        required=True,
    )
    calendar_source = fields.Selection(
        [
            ("rule", "This rule's calendar"),
            ("team", "The team's working hours"),
            ("company", "The company's working hours"),
        ],
        string="Working Hours From",
        default="rule",
        required=True,
        help="Team: the working hours set on the record's team, else its company's. "
        "Public holidays are the calendar's leaves without a resource.",
    )
    resource_calendar_id = fields.Many2one("resource.calendar", string="Working Hours", check_company=True)
    pause_step_ids = fields.Many2many(
        "guide.step",
        "escalation_rule_pause_step_rel",
        "rule_id",
        "step_id",
        string="Pause in Steps",
        domain="[('model_name', '=', model_name), ('process_id', '=?', process_id)]",
        help="Stop the clock while the record is in these steps (e.g. waiting for the customer).",
    )
    met_step_ids = fields.Many2many(
        "guide.step",
        "escalation_rule_met_step_rel",
        "rule_id",
        "step_id",
        string="Target Steps",
        domain="[('model_name', '=', model_name), ('process_id', '=?', process_id)]",
        help="The rule is met (its clock stops for good) when the record reaches one of these steps.",
    )
    # levels
    level_ids = fields.One2many("escalation.level", "rule_id", string="Levels", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    clock_count = fields.Integer(compute="_compute_clock_stats")
    breached_count = fields.Integer(compute="_compute_clock_stats")

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
            if field.store and field.type in ("selection", "many2one", "many2many") and name != "level_ids"
        ]
    )
    def _compute_scope_domain(self):
        for rule in self:
            # a model the form offers not (a client's): no scope, refused at save
            guided = self._guide_is_guided_model(rule.model_name)
            rule.scope_domain = repr(rule._escalation_scope_domain()) if guided else "[]"

    @api.depends("level_ids")
    def _compute_level_count(self):
        for rule in self:
            rule.level_count = len(rule.level_ids)

    def _compute_clock_stats(self):
        data = self.env["escalation.clock"]._read_group(
            [("rule_id", "in", self.ids)], ["rule_id", "breached"], ["__count"]
        )
        total, breached = {}, {}
        for rule, is_breached, count in data:
            total[rule.id] = total.get(rule.id, 0) + count
            if is_breached:
                breached[rule.id] = count
        for rule in self:
            rule.clock_count = total.get(rule.id, 0)
            rule.breached_count = breached.get(rule.id, 0)

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("model_name")
    def _check_model_name_guided(self):
        self._guide_check_guided_model()

    @api.constrains("time_mode", "calendar_source", "resource_calendar_id")
    def _check_calendar(self):
        for rule in self:
            if (
                rule.time_mode == "working"
                and rule.calendar_source == "rule"
                and not rule.resource_calendar_id
            ):
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s counts working time: choose its working hours.",
                        rule=quoted(self.env, rule.display_name),
                    )
                )
            if (
                rule.time_mode == "working"
                and rule.calendar_source == "rule"
                and not rule.resource_calendar_id._escalation_has_working_time()
            ):
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s counts working time, but working hours %(calendar)s "
                        "have no working time: its levels would never fire.",
                        rule=quoted(self.env, rule.display_name),
                        calendar=quoted(self.env, rule.resource_calendar_id.display_name),
                    )
                )

    @api.constrains("trigger_type", "date_field_id", "model_name")
    def _check_trigger(self):
        for rule in self:
            if rule.trigger_type == "date_field":
                if not rule.date_field_id:
                    raise ValidationError(
                        self.env._(
                            "Escalation rule %(rule)s: choose the date field.",
                            rule=quoted(self.env, rule.display_name),
                        )
                    )
                if rule.date_field_id.model != rule.model_name:
                    raise ValidationError(
                        self.env._(
                            "Escalation rule %(rule)s: field %(field)s does not belong to the rule's model.",
                            rule=quoted(self.env, rule.display_name),
                            field=rule.date_field_id.field_description,
                        )
                    )
                field = rule.date_field_id.sudo()
                if field.ttype not in ("date", "datetime") or not field.store:
                    raise ValidationError(
                        self.env._(
                            "Escalation rule %(rule)s: field %(field)s is not a stored date: the clock "
                            "starts when a date passes.",
                            rule=quoted(self.env, rule.display_name),
                            field=field.field_description,
                        )
                    )

    @api.constrains("model_name", "process_id", "step_ids", "pause_step_ids", "met_step_ids")
    def _check_steps(self):
        self._guide_check_scope("step_ids", "pause_step_ids", "met_step_ids")
        self.level_ids._check_move_step()
        for rule in self:
            if rule.pause_step_ids & rule.met_step_ids:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s: a step cannot both pause and meet the rule.",
                        rule=quoted(self.env, rule.display_name),
                    )
                )

    @api.constrains("level_ids", "active", "delay_unit", "model_name")
    def _check_levels(self):
        for rule in self:
            if rule.active and not rule.level_ids:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s needs at least one level.",
                        rule=quoted(self.env, rule.display_name),
                    )
                )
            rule.level_ids._check_delays()
            rule.level_ids._check_bounds()
            rule.level_ids._check_activity_model()

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._guide_check_model_names_sent(
            (self._guide_vals_name(vals), vals.get("model_name", self.env.context.get("default_model_name")))
            for vals in vals_list
        )
        rules = super().create(vals_list)
        self.env.registry.clear_cache()
        rules._escalation_resync()
        return rules

    def write(self, vals):
        if "model_name" in vals:
            self._guide_check_model_names_sent((rule.display_name, vals["model_name"]) for rule in self)
            self._escalation_check_model_change(vals["model_name"])
        # its levels' changes are applied to the clocks once, below
        with engine_flag(self.env, FLAG_RULE_SAVE):
            res = super().write(vals)
        self.env.registry.clear_cache()
        changed = set(vals) - {"name", "description", "sequence", "message_follower_ids"}
        if changed:
            # a corrected rule gives its failed clocks a new chance
            failed = (
                self.env["escalation.clock"]
                .sudo()
                .search([("rule_id", "in", self.ids), ("failure_count", ">", 0), ("state", "in", DUE_STATES)])
            )
            failed.write({"failure_count": 0, "last_error": False})
            if changed == {"level_ids"}:
                # the scope is the same: only the due times of the open clocks move
                self._escalation_reschedule_clocks()
            else:
                self._escalation_resync()
            failed._escalation_reschedule()
        return res

    def _escalation_check_model_change(self, model_name):
        """Refuse to move a rule that already timed records to another model: its clocks (and
        their history) are on the records of the first one and would keep running there."""
        moved = self.filtered(lambda rule: rule.model_name != model_name)
        if not moved:
            return
        used = (
            self.env["escalation.clock"]
            .sudo()
            .with_context(active_test=False)
            .search([("rule_id", "in", moved.ids)], limit=1)
            .rule_id
        )
        if used:
            raise ValidationError(
                self.env._(
                    "Escalation rule %(rule)s has already timed %(model)s records: what it applies "
                    "to cannot be changed any more. Duplicate the rule and change the copy instead.",
                    rule=quoted(self.env, used.display_name),
                    model=self._guide_model_label(used.model_name),
                )
            )

    def unlink(self):
        self._escalation_wait_for_scheduler()
        self._escalation_unlink_level_links()
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    def _escalation_unlink_level_links(self):
        """Unlink the log rows (which keep the names) and dialogs from the rules' levels before
        the rules go: the database deletes the levels with their rule and empties the rows'
        rule and level in an order of its own, and a row written in the same transaction was
        checked against a level already deleted (a foreign key error)."""
        if not self.ids:
            return
        self.env.flush_all()
        for table in ("escalation_log", "escalation_manual_wizard"):
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET level_id = NULL WHERE level_id IN "
                    "(SELECT id FROM escalation_level WHERE rule_id IN %s)",
                    SQL.identifier(table),
                    tuple(self.ids),
                )
            )
        self.env["escalation.log"].invalidate_model(["level_id"])
        self.env["escalation.manual.wizard"].invalidate_model(["level_id"])

    def _escalation_wait_for_scheduler(self):
        """Wait until no scheduler worker fires the rules' clocks, and keep them from it.
        A worker locks the clocks it fires, then names their rule in the log rows it writes;
        deleting a rule locks its row, then its clocks (cascade): in the other order, a
        deletion during a batch deadlocked. Locking the clocks first takes them in the
        worker's order: the deletion waits for the batch, which ends with its log rows; the
        clocks the batch changed then fail the deletion's snapshot, and Odoo runs the request
        again (a concurrency failure, retried, not an error to log)."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM escalation_clock WHERE rule_id IN %s ORDER BY id FOR UPDATE",
                    tuple(self.ids),
                ),
                log_exceptions=False,
            )

    def copy_data(self, default=None):
        """A copy is archived: it escalates nothing until an administrator has reviewed and
        activated it (which starts its clocks, as activating any rule does); active, it
        re-escalated at the next cron run every record its original had escalated."""
        default = dict(default or {})
        default.setdefault("active", False)
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=rule.name))
            for rule, vals in zip(self, vals_list, strict=True)
        ]

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_view_clocks(self):
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("base_escalation.escalation_clock_action")
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_logs(self):
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("base_escalation.escalation_log_action")
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_resync(self):
        """Re-evaluate the scope of the rule on every record (after a process or data change)."""
        refuse_missing(self, "write")  # id 0, or ids that are no ids, a client sent
        self.check_access("write")  # the resync itself runs as superuser on the clocks
        missing = self - self.exists()  # an id a client sends that names no rule (any longer)
        if missing:
            raise MissingError(
                self.env._(
                    "Escalation rule %(ids)s does not exist or has been deleted.",
                    ids=", ".join(str(rule_id) for rule_id in missing.ids[:10]),
                )
            )
        # a rule of no company: its records are every company's
        self._guide_check_shared_scope()
        self._escalation_resync()
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _escalation_uninstall_model(self, model_name):
        """An escalation bridge's uninstallation (its ``uninstall_hook``): the rules of
        ``model_name`` are deleted, their clocks with them; the log rows stay, keeping their
        names. Left behind, a rule would lose the bridge's fields with its columns (its teams:
        it would time every record of the model, and again when the bridge is installed
        again; a level's team or tags)."""
        uninstalling = self.env(
            su=True, context={**self.env.context, "active_test": False, MODULE_UNINSTALL_FLAG: True}
        )
        uninstalling["escalation.rule"].search([("model_name", "=", model_name)]).unlink()

    def _escalation_resync(self):
        """Bring the clocks of the rules' records in line with their configuration.

        Records in scope get a clock, clocks of records that left the scope are
        closed (all of them for an archived rule), and the due times of the open
        clocks are recomputed (delays, units or calendars may have changed). In the
        request for a few records, else by the cron in chunks (``guide.apply.job``;
        the rule shows it is being applied and its clocks do not fire meanwhile).
        """
        for rule in self.with_context(active_test=False):
            rule._guide_apply("resync", rule.model_name)

    def _escalation_reschedule_clocks(self):
        """Recompute the due times of the rules' open clocks (their levels changed): the
        levels they have done renumbered first, then the levels deleted meanwhile go."""
        for rule in self.with_context(active_test=False).exists():
            rule._guide_apply("reschedule", "escalation.clock")

    def _escalation_levels_changed(self):
        """Levels of the rules were added, changed or deleted: reschedule their clocks,
        unless the rules' own save does it after its levels (once)."""
        if not engine_flag_get(self.env, FLAG_RULE_SAVE):
            self._escalation_reschedule_clocks()

    def _escalation_purge_levels(self):
        """Delete the rules' deleted (archived) levels that no open clock has as its last
        fired level any more (a job still to run moves its clocks off first)."""
        Level = self.env["escalation.level"].sudo().with_context(active_test=False)
        levels = Level.search([("rule_id", "in", self.ids), ("active", "=", False)])
        if not levels:
            return
        held = (
            self.env["escalation.clock"]
            .sudo()
            .search_fetch(
                [("current_level_id", "in", levels.ids), ("state", "in", OPEN_STATES)], ["current_level_id"]
            )
            .current_level_id
        )
        with engine_flag(self.env, FLAG_PURGE):
            (levels - held).unlink()

    # configuration changes applied to the records (guide.apply.mixin)
    def _guide_apply_domain(self, kind, target_model):
        if kind == "resync":
            clocks = (
                self.env["escalation.clock"]
                .sudo()
                ._search(
                    [
                        ("rule_id", "=", self.id),
                        ("res_model", "=", target_model),
                        ("state", "in", OPEN_STATES),
                    ]
                )
            )
            clocked = ("id", "in", clocks.subselect("res_id"))
            if not self.active:
                return [clocked]
            Model = self.env[target_model].sudo().with_context(active_test=True)
            return ["|", ("id", "in", Model._search(self._escalation_search_domain())), clocked]
        if kind == "reschedule":
            return [("rule_id", "=", self.id), ("state", "in", OPEN_STATES)]
        return super()._guide_apply_domain(kind, target_model)

    def _guide_apply_count(self, kind, target_model, limit=None):
        if kind != "resync":
            return super()._guide_apply_count(kind, target_model, limit=limit)
        # the records in scope and those with an open clock, counted apart (one indexed
        # count each; the union of two sub-selects costs a pass over both): the larger
        Model = self.env[target_model].sudo().with_context(active_test=True)
        Clock = self.env["escalation.clock"].sudo()
        limit = limit + 1 if limit is not None else None
        clocks = Clock.search_count(
            [("rule_id", "=", self.id), ("res_model", "=", target_model), ("state", "in", OPEN_STATES)],
            limit=limit,
        )
        in_scope = Model.search_count(self._escalation_search_domain(), limit=limit) if self.active else 0
        return max(clocks, in_scope)

    def _guide_apply_chunk(self, kind, records):
        if kind == "resync":
            if self.active:
                records._escalation_sync(rule_ids={self.id})
            clocks = (
                self.env["escalation.clock"]
                .sudo()
                .search(
                    [
                        ("rule_id", "=", self.id),
                        ("res_model", "=", records._name),
                        ("res_id", "in", records.ids),
                        ("state", "in", OPEN_STATES),
                    ]
                )
            )
            if self.active:
                clocks._escalation_reindex(self, clocks)
                clocks.filtered(lambda clock: clock.state in DUE_STATES)._escalation_reschedule()
            else:
                clocks._escalation_close()
            return
        if kind == "reschedule":
            records._escalation_reindex(self, records)
            records.filtered(lambda clock: clock.state in DUE_STATES)._escalation_reschedule()
            return
        return super()._guide_apply_chunk(kind, records)

    def _guide_apply_finish(self, kind, target_model):
        res = super()._guide_apply_finish(kind, target_model)
        if kind in ("resync", "reschedule"):
            self._escalation_purge_levels()
            # the clocks held while the rule was being applied may be due
            cron = self.env.ref("base_escalation.escalation_cron", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
        return res

    def _escalation_search_domain(self):
        """SQL-friendly domain pre-selecting the records a rule may apply to."""
        self.ensure_one()
        domain = self._escalation_scope_domain()
        if self.domain:
            try:
                domain.extend(self._guide_parse_domain(self.domain, self.model_name))
            except GUIDE_CONDITION_ERRORS as exc:  # broken by a later schema change: matches nothing
                _logger.warning(
                    "Escalation: rule %s (%s) skipped, its condition fails: %s", self.id, self.name, exc
                )
                domain.append(expression.FALSE_LEAF)
        return domain

    def _escalation_scope_domain(self):
        """Domain of the records within the rule's scope (company, process, steps, the bridges'
        teams), its condition aside: also for the screens, while the rule is being edited
        (the ids of the values it is given, not of the form's copies)."""
        self.ensure_one()
        domain = []
        if self.company_id:
            domain.append(("company_id", "in", [self.company_id._origin.id, False]))
        if self.process_id:
            domain.append(("guide_process_id", "=", self.process_id._origin.id))
        steps = (self.step_ids | self.pause_step_ids | self.met_step_ids)._origin
        if self.step_ids:
            # the record's stage step, or the alternate step it is in
            domain += ["|", ("guide_step_id", "in", steps.ids), ("guide_alt_step_id", "in", steps.ids)]
        domain.extend(self.env[self.model_name]._escalation_rule_search_domain(self))
        return domain

    # ------------------------------------------------------------
    # BUSINESS: scope of the rules on records
    # ------------------------------------------------------------
    @api.model
    def _escalation_prefilter(self, records, rule_info):
        """Part of ``records`` in the scope of a rule as far as cached values decide it (process,
        company, the model's ``_escalation_match_scope`` hook): no query, condition left out."""
        if rule_info["process_id"]:
            records = records._guide_of_process(rule_info["process_id"])
        if records and rule_info["company_id"] and "company_id" in records._fields:
            company_id = rule_info["company_id"]
            records = records.filtered(lambda r: r.company_id.id in (company_id, False))
        return records._escalation_match_scope(rule_info) if records else records

    @api.model
    def _escalation_records_covered(self, records, rule_infos):
        """Part of ``records`` some rule of ``rule_infos`` may apply to, decided on cached values
        (no query): the other records have no open clock and need none, so that a write on
        them costs nothing. A condition is applied when the record's own values decide it
        (``plain_domain``), else assumed to match."""
        covered = records.browse()
        for rule_info in rule_infos:
            candidates = self._escalation_prefilter(records - covered, rule_info)
            if candidates and rule_info["plain_domain"]:
                candidates = candidates.filtered_domain(list(rule_info["plain_domain"]))
            covered |= candidates
            if covered == records:
                break
        return covered

    @api.model
    def _escalation_records_in_scope(self, records, rule_infos):
        """{rule id: set of the ids of ``records`` in its scope}, None for a rule whose
        condition cannot be evaluated; each distinct condition is evaluated once."""
        matching = {}  # condition: ids of records matching it, None when it fails
        result = {}
        for rule_info in rule_infos:
            candidates = self._escalation_prefilter(records, rule_info)
            condition = rule_info["domain"]
            if condition and candidates:
                if condition not in matching:
                    matching[condition] = self._escalation_condition_ids(records, rule_info)
                if matching[condition] is None:
                    result[rule_info["id"]] = None
                    continue
                candidates = candidates.filtered(lambda r, ids=matching[condition]: r.id in ids)
            result[rule_info["id"]] = set(candidates.ids)
        return result

    @api.model
    def _escalation_condition_ids(self, records, rule_info):
        """Ids of ``records`` matching the condition of a rule, None when it cannot be evaluated
        (a rule broken by a schema change is skipped with a warning, never run)."""
        try:
            return set(self._guide_filter(records, rule_info["domain"]).ids)
        except GUIDE_CONDITION_ERRORS as exc:  # refused by the parser or the ORM before the query runs
            _logger.warning(
                "Escalation: rule %s (%s) skipped, its condition fails: %s",
                rule_info["id"],
                rule_info["name"],
                exc,
            )
            return None

    def _escalation_rule_values(self):
        """Plain values of a rule, kept in the configuration cache: the ``rule_info`` the
        engine's hooks receive. Bridges extend the dict (immutable values only: frozensets,
        tuples); ``_get_escalation_config`` freezes it."""
        self.ensure_one()
        return {
            "id": self.id,
            "name": self.name,
            "company_id": self.company_id.id,
            "process_id": self.process_id.id,
            "step_ids": frozenset(self.step_ids.ids),
            "pause_step_ids": frozenset(self.pause_step_ids.ids),
            "met_step_ids": frozenset(self.met_step_ids.ids),
            "domain": self.domain or "",
            "plain_domain": self._escalation_plain_domain(),
            "trigger_type": self.trigger_type,
            "step_delay_base": self.step_delay_base,
            "date_field": self.date_field_id.name or False,
            "restart_on_step_change": self.restart_on_step_change,
            "delay_unit": self.delay_unit,
            "time_mode": self.time_mode,
            "calendar_source": self.calendar_source,
            "calendar_id": self.resource_calendar_id.id,
            # in sequence order even when a level was created after the others in this
            # transaction (the cached one2many is then in creation order)
            "levels": tuple(
                MappingProxyType(level._escalation_level_values())
                for level in self.level_ids.sorted(lambda lvl: (lvl.sequence, lvl.id))
            ),
        }

    def _escalation_plain_domain(self):
        """The condition, when the record's own stored values decide it (plain fields,
        no path, no date that moves with today): a write then tells without a query
        that a record is outside the rule. ``False`` otherwise."""
        self.ensure_one()
        if not self.domain:
            return False
        try:
            template = rule_language.parse(self.domain)
            domain = self._guide_parse_domain(self.domain, self.model_name)
        except GUIDE_CONDITION_ERRORS:  # refused when saved; broken since by a schema change: not plain
            return False
        if not all(_plain_leaf(item) for item in template.items):
            return False  # named values (the reader, today...) are evaluated on each check
        model_fields = self.env[self.model_name]._fields
        for leaf in domain:
            if leaf in ("&", "|", "!"):
                continue
            if not isinstance(leaf, list | tuple) or len(leaf) != 3 or not isinstance(leaf[0], str):
                return False
            field = model_fields.get(leaf[0])
            if not field or not field.store or field.type in ("one2many", "many2many", "date", "datetime"):
                return False
            if not _decided_in_memory(field, leaf[1], leaf[2]):
                return False  # e.g. ('priority', '>', None): valid SQL, a TypeError in Python
        return tuple(tuple(leaf) if isinstance(leaf, list) else leaf for leaf in domain)

    @api.model
    @tools.ormcache("model_name")
    def _get_escalation_config(self, model_name):
        """Active rules of a model as plain, read-only data (cleared when rules or levels
        change): ``{"rules": (rule_info, ...), "fields": frozenset}``, each ``rule_info`` a
        read-only mapping (``MappingProxyType``) of ``_escalation_rule_values``."""
        rules = (
            self.sudo().with_context(active_test=True, lang=None).search([("model_name", "=", model_name)])
        )
        rule_infos = []
        fnames = set()
        for rule in rules:
            rule_info = MappingProxyType(rule._escalation_rule_values())
            rule_infos.append(rule_info)
            if rule.domain:
                fnames |= self._guide_domain_field_names(rule.domain, model_name)
            if rule_info["date_field"]:
                fnames.add(rule_info["date_field"])
        return MappingProxyType({"rules": tuple(rule_infos), "fields": frozenset(fnames)})
