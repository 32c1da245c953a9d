import itertools
import json
import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL, format_list, split_every

from ..exceptions import GuideDecisionRequired, guide_change_refused
from ..tools import (
    MAX_TEXT,
    domain_field_names,
    engine_flag,
    engine_flag_get,
    group_names,
    labelled,
    refuse_not_one,
    refuse_unsearchable,
    refuse_unsortable,
    sorted_or_grouped_fields,
)
from .guide_condition_mixin import GUIDE_CONDITION_ERRORS
from .guide_step import GATE_MODES

_logger = logging.getLogger(__name__)

# How an agent (or an integration) passes the justification of an override:
#   record.with_context(guide_override_reason="...", guide_override_reason_id=<id>).write(...)
# the engine's administrators configure every process and administer every guided model
ENGINE_MANAGER_GROUP = "base_process_guide.group_guide_manager"
CTX_REASON = "guide_override_reason"
CTX_REASON_ID = "guide_override_reason_id"
# the longest reason, justification or note a user may type, in characters
GUIDE_TEXT_MAX = MAX_TEXT
# what the engine reads of checklist lines to judge and display them
LINE_FIELDS = [
    "res_model",
    "res_id",
    "step_id",
    "item_id",
    "name",
    "sequence",
    "mandatory",
    "completion",
    "apply_domain",
    "auto_domain",
    "checked",
]
# How a process manager imports records beyond a gate (recorded as "imported"):
#   records.with_context(guide_import_in_step=True).load(fields, rows)  (or create/write)
CTX_IMPORT = "guide_import_in_step"
# Records created within ``guide.mixin._guide_receiving()`` are received from outside the
# company (an incoming email, a customer's portal request): an engine flag, no context key
FLAG_RECEIVED = "guide_received"
# the phases of a guided change, in running order (``guide.mixin._guide_pipeline``)
GUIDE_PHASES = ("collect", "judge_before", "judge", "after")


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
    _guide_manager_group = ENGINE_MANAGER_GROUP
    # group whose members read every record of the model (and so the rows of deleted ones)
    _guide_every_record_group = None
    # the product's fields on the model (``_setup_complete``)
    _guide_internal_fields = frozenset()

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
    # the gate as the reader meets it (the panel's badge): a step only a group may override
    # blocks the others
    guide_gate_user_mode = fields.Selection(
        [*GATE_MODES, ("restricted", "Blocking for you")],
        string="Gate for You",
        compute="_compute_guide_gate_user_mode",
    )
    guide_gate_note = fields.Char(string="Gate Note", compute="_compute_guide_gate_user_mode")
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
    # what lists and kanbans show: stored, maintained by the engine on events (a line
    # ticked, a step entered, a field an item's condition reads written, checklists
    # refreshed by an administrator), see ``_guide_refresh_checklist_state``
    guide_item_done = fields.Integer(string="Items Done", readonly=True, copy=False)
    guide_item_total = fields.Integer(string="Items", readonly=True, copy=False)
    guide_progress = fields.Float(string="Checklist Progress", readonly=True, copy=False)
    guide_blocked = fields.Boolean(
        string="Blocked",
        readonly=True,
        copy=False,
        help="Mandatory checklist items of the current step are not done.",
    )
    guide_missing_items = fields.Text(string="Missing Items", compute="_compute_guide_checklist")
    guide_deadline = fields.Datetime(string="Step Due", compute="_compute_guide_deadline")
    guide_overdue = fields.Boolean(
        string="Overdue in Step", compute="_compute_guide_deadline", search="_search_guide_overdue"
    )
    guide_hint_ids = fields.Many2many("guide.hint", string="Hints", compute="_compute_guide_checklist")
    # what the form, kanban and list show of the rows about the record (counts, the
    # current user's hint feedback; escalation and compliance add theirs): one query
    # for a page, see ``_compute_guide_summary``
    guide_hint_ack_ids = fields.Many2many(
        "guide.hint", string="Hints I Acknowledged", compute="_compute_guide_summary"
    )
    guide_hint_unhelpful_ids = fields.Many2many(
        "guide.hint", string="Hints I Marked Not Helpful", compute="_compute_guide_summary"
    )
    guide_deviation_count = fields.Integer(string="Deviations", compute="_compute_guide_summary")
    # every row of its history: stage changes, alternate steps entered and left
    guide_history_count = fields.Integer(string="History Entries", compute="_compute_guide_summary")
    guide_overridden = fields.Boolean(
        string="Overridden", compute="_compute_guide_summary", search="_search_guide_overridden"
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
        """Extra columns of the history rows of the records of ``self``: {record id: {column:
        value}}, for the whole batch at once (a mass move writes one row per record; read
        the values with ``_guide_cached_values``, not through a record per value)."""
        return {res_id: {} for res_id in self._ids}

    def _guide_may_match(self, vals, config):
        """Whether a write of ``vals`` (changing a scope field) may bring records of
        ``self`` that no process guides into one.

        Cached values, no query; ``True`` when in doubt. Guided models narrow it
        with their own scope (CRM: sales teams).
        """
        return bool(config["processes"])

    @api.model
    def _guide_engine_fields(self):
        """Fields of the record that only the engine writes (bridges add theirs).

        A user's ``create``/``write`` naming one of them is refused, whatever the
        path (RPC, import, mass edit); ``default_<field>`` context keys for them
        are ignored. The engine writes them as superuser or through
        ``super().write`` below the check.
        """
        # the checklist is ticked line by line (guide.line), never through this computed view of it
        return {
            "guide_process_id",
            "guide_step_id",
            "guide_step_entered_at",
            "guide_current_line_ids",
            "guide_item_done",
            "guide_item_total",
            "guide_progress",
            "guide_blocked",
        }

    @api.model
    @tools.ormcache()
    def _guide_engine_field_set(self):
        """``_guide_engine_fields`` as a frozenset, computed once per registry (it is
        checked on every create and write)."""
        return frozenset(self._guide_engine_fields())

    # ------------------------------------------------------------
    # ACCESS: the product's fields are the internal users'
    # ------------------------------------------------------------
    def _setup_complete(self):
        res = super()._setup_complete()
        # the fields guide.mixin and its engines add, and the engine fields of bridges:
        # the product's fields of the guided model, a set the access checks look in (on
        # the registry's class, as account's chart templates keep theirs)
        base = self.env["base"]._fields
        self.env.registry[self._name]._guide_internal_fields = frozenset(
            name for name in self.env["guide.mixin"]._fields if name not in base
        ) | frozenset(self._guide_engine_fields())
        return res

    @api.model
    def _guide_user_is_internal(self):
        """Whether the current user is an internal user (not ``share``), decided once per
        user and transaction (the cursor's cache, as Odoo's export keeps its own there):
        the access checks of the product's fields ask it at every fetch of the model."""
        internal = self.env.cr.cache.setdefault("guide_internal_users", {})
        uid = self.env.uid
        if uid not in internal:
            internal[uid] = not self.env.user.share
        return internal[uid]

    @api.model
    def check_field_access_rights(self, operation, field_names):
        """The product's fields are for internal users: a customer who may read a record
        of a guided model (their helpdesk ticket on the portal) reads, searches and groups
        by none of them — the step's instructions, the milestones and who reached them,
        the escalation and approval state summarise rows they may not read.

        What ``groups="base.group_user"`` on each field would do, without its cost: the
        ORM checks a field's groups for every user at every fetch of the model, field by
        field; here the names are looked at first (nothing more for the calls naming
        other fields), the user once for those naming the product's."""
        allowed = super().check_field_access_rights(operation, field_names)
        internal = self._guide_internal_fields
        if self.env.su or internal.isdisjoint(allowed) or self._guide_user_is_internal():
            return allowed
        if not field_names:
            return [name for name in allowed if name not in internal]
        refused = sorted(internal.intersection(field_names))
        _logger.info(
            "Access Denied for operation: %s, uid: %s, model: %s, fields of the process guide: %s",
            operation,
            self.env.uid,
            self._name,
            ", ".join(refused[:10]),
        )
        # Odoo's refusal of a field of a group the user is not in
        raise AccessError(
            self.env._(
                'You do not have enough rights to access the fields "%(fields)s"'
                " on %(document_kind)s (%(document_model)s). "
                "Please contact your system administrator."
                "\n\nOperation: %(operation)s",
                fields=",".join(refused[:10]),
                document_kind=self.env["ir.model"]._get(self._name).name,
                document_model=self._name,
                operation=operation,
            )
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """A customer searches by none of the product's fields either: the ORM checks the
        access of the stored fields a search names, not of the computed ones it searches
        through their method (the escalation and approval states), and a customer found out
        by searching which of their tickets were escalated or awaited approval. Nobody
        searches by those of them worked out when shown (``refuse_unsearchable``), nor sorts
        by them (``refuse_unsortable``)."""
        if domain:
            names = domain_field_names(domain)
            ours = self._guide_internal_fields.intersection(names)
            if ours:
                if not self.env.su and not self._guide_user_is_internal():
                    self.check_field_access_rights("read", sorted(names))
                # of the guided model's fields, the product's only: Odoo's own are Odoo's
                refuse_unsearchable(self, ours)
        if order:
            self._guide_refuse_unsortable(sorted_or_grouped_fields(order))
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """Nobody groups by, nor aggregates, the product's fields worked out when shown
        (``refuse_unsortable``): the ORM failed on them with an error logged."""
        self._guide_refuse_unsortable(sorted_or_grouped_fields(order, groupby, aggregates))
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def _guide_refuse_unsortable(self, names):
        """Refuse sorting or grouping by those of the product's fields of ``names`` no column
        holds; a customer is refused them as their read is."""
        ours = self._guide_internal_fields.intersection(names)
        if not ours:
            return
        if not self.env.su and not self._guide_user_is_internal():
            self.check_field_access_rights("read", sorted(ours))
        refuse_unsortable(self, ours)

    def _fetch_field(self, field):
        """A customer reading one of the other fields prefetches the model's fields but
        the product's (as the ORM leaves out the fields of groups they are not in)."""
        if (
            self.env.su
            or field.name in self._guide_internal_fields
            or not (field.prefetch and self.env.context.get("prefetch_fields", True))
            or self._guide_user_is_internal()
        ):
            return super()._fetch_field(field)
        self.check_field_access_rights("read", [field.name])
        internal = self._guide_internal_fields
        self.fetch(
            [
                name
                for name, other in self._fields.items()
                if other.prefetch == field.prefetch and name not in internal and other.is_accessible(self.env)
            ]
        )

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """Without the product's fields for a customer (``check_field_access_rights``)."""
        res = super().fields_get(allfields, attributes)
        if not self.env.su and not self._guide_user_is_internal():
            for name in self._guide_internal_fields:
                res.pop(name, None)
        return res

    def _guide_check_engine_fields(self, vals_list):
        if self.env.su:
            return
        engine_fields = self._guide_engine_field_set()
        written = {fname for vals in vals_list for fname in vals if fname in engine_fields}
        if written:
            raise AccessError(
                self.env._(
                    "%(model)s: %(fields)s can only be set by the process engine.",
                    fields=format_list(self.env, sorted(self._fields[fname].string for fname in written)),
                    model=self._description,
                )
            )

    def _guide_without_engine_defaults(self):
        """``self`` without the ``default_<field>`` context keys of engine fields."""
        context = self.env.context
        keys = {f"default_{fname}" for fname in self._guide_engine_field_set()} & set(context)
        if not keys or self.env.su:
            return self
        return self.with_env(
            self.env(context={key: value for key, value in context.items() if key not in keys})
        )

    @api.model
    def _guide_is_manager(self):
        """Whether the current user administers the processes of this model."""
        user = self.env.user
        return (
            self.env.su or user.has_group(ENGINE_MANAGER_GROUP) or user.has_group(self._guide_manager_group)
        )

    @api.model
    def _guide_reads_deleted_records(self):
        """Whether the current user reads the rows about records of this model that were
        deleted (history, deviations, checks, logs, requests: the audit trail outlives its
        record, merged or deleted): the administrators of its processes and the members of
        the group that reads every record (``_guide_every_record_group``)."""
        group = self._guide_every_record_group
        return self._guide_is_manager() or bool(group and self.env.user.has_group(group))

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
                except (*GUIDE_CONDITION_ERRORS, AttributeError) as exc:
                    # broken by a later schema change, or saved before properties were refused
                    _logger.warning(
                        "Process guide: process %s skipped, its condition fails: %s", process["id"], exc
                    )
                    matched = matched.browse()
            matched.guide_process_id = process["id"]
            remaining -= matched
        remaining.guide_process_id = False

    @api.depends(lambda self: ("guide_process_id", self._guide_stage_field))
    def _compute_guide_step_id(self):
        process_ids = self._guide_cached_values("guide_process_id")
        if not any(process_ids):
            # records outside every process (the usual case of unguided records)
            self.guide_step_id = False
            return
        config = self.env["guide.process"]._get_guide_config(self._name)
        stage_field = self._guide_stage_field
        # assigned by value: one cache update per step, not one per record
        by_step = defaultdict(list)
        values = zip(self._ids, process_ids, self._guide_cached_values(stage_field), strict=True)
        for res_id, process_id, stage_id in values:
            step = config["step_by_stage"].get((process_id or False, stage_id or False))
            by_step[step["id"] if step else False].append(res_id)
        for step_id, ids in by_step.items():
            self.browse(ids).guide_step_id = step_id

    @api.depends_context("lang", "uid")
    @api.depends("guide_step_id", "guide_line_ids.checked")
    def _compute_guide_checklist(self):
        """The checklist as it stands now and the hints that apply (evaluated live: what
        the form and the gate show): one query for the lines, one for all the conditions
        of the lines and the hints."""
        Hint = self.env["guide.hint"]
        records = self._origin
        lines_by_record, matches = records._guide_current_lines_with(Hint._guide_hint_domains(self._name))
        hints = Hint._guide_hints_for(records, matches)
        for record in self:
            res_id = record._origin.id
            lines = lines_by_record.get(res_id, self.env["guide.line"]).filtered("is_applicable")
            missing = lines.filtered(lambda line: line.mandatory and not line.is_done)
            record.guide_current_line_ids = lines
            record.guide_missing_items = "\n".join(missing.mapped("title")) or False
            record.guide_hint_ids = hints.get(res_id, Hint)

    @api.depends_context("lang", "uid")
    @api.depends("guide_step_id.gate_mode", "guide_step_id.override_group_id")
    def _compute_guide_gate_user_mode(self):
        """The gate of the record's step as the current user meets it: an override a group
        is kept for (``_guide_check_override``) blocks whoever is not in it, who is told who
        may override. The user's groups are cached: no query per record."""
        user_groups = self.env.user.groups_id
        notes = {}
        for record in self:
            step = record.guide_step_id
            group = step.override_group_id
            if step.gate_mode == "override" and group and not self.env.su and group not in user_groups:
                if group not in notes:
                    notes[group] = self.env._(
                        "Only members of %(group)s may override this step.", group=group_names(group.sudo())
                    )
                record.guide_gate_user_mode = "restricted"
                record.guide_gate_note = notes[group]
            else:
                record.guide_gate_user_mode = step.gate_mode
                record.guide_gate_note = False

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

    @api.depends_context("uid", "lang")
    def _compute_guide_summary(self):
        """What the form shows of the rows about the records (counts, the current user's
        hint feedback, and what the other modules add through ``_guide_summary_columns``):
        one query for the page, one sub-select per value.

        Read as the engine: a user reading the record reads every row about it (the rows'
        access follows the record's), and the values are counts and flags of them."""
        # one record (a form, which shows both kinds): its status in the same query
        self._guide_read_row_values(summary=True, status=len(self) == 1)

    @api.depends_context("uid", "lang")
    def _compute_guide_status(self):
        """What lists and kanbans show of the rows about the records (the badges and
        states other modules add through ``_guide_status_columns``): one query for the
        page, with only the sub-selects these fields need (a kanban does not pay for
        the form's counts). Read as the engine, as ``_compute_guide_summary``."""
        self._guide_read_row_values(summary=len(self) == 1, status=True)

    def _guide_read_row_values(self, summary, status):
        """Evaluate the summary and/or the status of ``self`` in one query."""
        models, columns, values_of = [], {}, []
        if summary:
            models += self._guide_summary_models()
            columns.update(self._guide_summary_columns())
            values_of.append(self._guide_summary_values)
        if status:
            models += self._guide_status_models()
            columns.update(self._guide_status_columns())
            values_of.append(self._guide_status_values)
        self._guide_assign_row_values(
            models, columns, lambda values: {k: v for of in values_of for k, v in of(values).items()}
        )

    def _guide_assign_row_values(self, models, columns, values_of):
        """Evaluate ``columns`` ({key: SQL expression of ``r.id``}) for the records of
        ``self`` in one query (the rows of ``models`` flushed first) and put the fields'
        values that ``values_of(values)`` gives for each record in the cache."""
        values = {}
        ids = [id_ for id_ in self._origin.ids if id_]
        if ids and columns:
            for model_name in models:
                self.env[model_name].flush_model()
            keys = list(columns)
            rows = self.env.execute_query(
                SQL(
                    "SELECT r.id, %s FROM unnest(%s::integer[]) AS r(id)",
                    SQL(", ").join(columns[key] for key in keys),
                    ids,
                )
            )
            values = {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}
        # assigned by value (most records of a page share theirs: no clock, no request...)
        records_by_value = defaultdict(lambda: defaultdict(list))
        for record in self:
            for fname, value in values_of(values.get(record._origin.id, {})).items():
                records_by_value[fname][value].append(record.id)
        # straight to the cache (the fields are not stored: nothing to write or to
        # recompute): assigning goes through the fields' write machinery, record by record
        cache = self.env.cache
        for fname, groups in records_by_value.items():
            field = self._fields[fname]
            for value, ids in groups.items():
                records = self.browse(ids)
                if field.type == "many2many":
                    cache_value = tuple(value)
                else:
                    cache_value = field.convert_to_cache(value, records)
                cache.update(records, field, itertools.repeat(cache_value))

    def _guide_status_models(self):
        """Models whose rows ``_guide_status_columns`` reads (flushed before)."""
        return []

    def _guide_status_columns(self):
        """{key: SQL expression of ``r.id``}: the values of the status fields
        (``_compute_guide_status``, what lists and kanbans show); modules add theirs and
        turn them into their fields' values in ``_guide_status_values``."""
        return {}

    def _guide_status_values(self, values):
        """{field name: value} of the status fields of ``self`` (one record), from its
        ``values`` (empty for a record not saved yet), as ``_guide_summary_values``."""
        return {}

    def _guide_summary_models(self):
        """Models whose rows ``_guide_summary_columns`` reads (flushed before)."""
        return ["guide.history", "guide.deviation", "guide.hint.feedback"]

    def _guide_summary_columns(self):
        """{key: SQL expression of ``r.id``, the record's id}: the values of the summary
        (``_compute_guide_summary``); modules add theirs and turn them into their fields'
        values in ``_guide_summary_values``."""
        model = self._name
        return {
            "history_count": SQL(
                "(SELECT COUNT(*) FROM guide_history h WHERE h.res_model = %s AND h.res_id = r.id)", model
            ),
            "deviation_count": SQL(
                "(SELECT COUNT(*) FROM guide_deviation d WHERE d.res_model = %s AND d.res_id = r.id)", model
            ),
            "hint_feedback": SQL(
                """(SELECT json_agg(json_build_array(f.kind, f.hint_id))
                      FROM guide_hint_feedback f
                     WHERE f.res_model = %s AND f.res_id = r.id AND f.user_id = %s)""",
                model,
                self.env.uid,
            ),
        }

    def _guide_summary_values(self, values):
        """{field name: value} of the summary fields of ``self`` (one record), from its
        ``values`` (empty for a record not saved yet): plain values, ids for relational
        fields (a tuple of ids for a many2many)."""
        hints = defaultdict(set)
        for kind, hint in values.get("hint_feedback") or []:
            hints[kind].add(hint)
        deviations = values.get("deviation_count") or 0
        return {
            "guide_history_count": values.get("history_count") or 0,
            "guide_deviation_count": deviations,
            "guide_overridden": bool(deviations),
            "guide_hint_ack_ids": tuple(sorted(hints["ack"])),
            "guide_hint_unhelpful_ids": tuple(sorted(hints["unhelpful"])),
        }

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
    def _search_guide_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(
                self.env._("Unsupported search on %(field)s.", field=self._fields["guide_overdue"].string)
            )
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
                self.env._("Unsupported search on %(field)s.", field=self._fields["guide_overridden"].string)
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
    def onchange(self, values, field_names, fields_spec):
        """The engine's fields are not taken from the client: a form sends its values back
        at every change, and a step (or alternate step) sent there would be read as the
        record's, its instructions, goal and gate with it (related fields read as
        superuser), a step of another company's process too. The record's own values
        apply; a new record's are computed."""
        if self.env.su:
            return super().onchange(values, field_names, fields_spec)
        engine_fields = self._guide_engine_field_set()
        if engine_fields & set(values) or engine_fields & set(field_names):
            changed = [fname for fname in field_names if fname not in engine_fields]
            if field_names and not changed:
                return {}
            values = {fname: value for fname, value in values.items() if fname not in engine_fields}
            field_names = changed
        if not self._guide_internal_fields & set(fields_spec):
            return super().onchange(values, field_names, fields_spec)
        # the configuration the panel's values come from, asked for too
        config = self._guide_onchange_config_fields()
        added = [fname for fname in config if fname not in fields_spec]
        result = super().onchange(values, field_names, {**fields_spec, **dict.fromkeys(added, {})})
        value = result.get("value") or {}
        if self._guide_onchange_names_unreadable({fname: value[fname] for fname in config if fname in value}):
            for fname in self._guide_internal_fields:
                value.pop(fname, None)
        for fname in added:
            value.pop(fname, None)
        return result

    @api.model
    def _guide_onchange_config_fields(self):
        """The product's many2one fields of the record (its process, step, rule...): what an
        onchange computes from the values a client sends (a team, a company) names records
        the user must be able to read."""
        return [
            fname for fname in sorted(self._guide_internal_fields) if self._fields[fname].type == "many2one"
        ]

    @api.model
    def _guide_onchange_names_unreadable(self, values):
        """Whether the many2one ``values`` of an onchange's answer name a record the user may
        not read (another company's process computed from a team of that company, which
        the client sent): the panel's values would read it as superuser."""
        for fname, value in values.items():
            record_id = value.get("id") if isinstance(value, dict) else value
            comodel = self.env[self._fields[fname].comodel_name]
            if record_id and not comodel.browse(record_id).has_access("read"):
                return True
        return False

    @api.model_create_multi
    def create(self, vals_list):
        self._guide_check_engine_fields(vals_list)
        model = self._guide_without_engine_defaults()
        records = super(GuideMixin, model).create(vals_list).with_env(self.env)
        if records._guide_created_outside_processes():
            # nothing the engines configure can apply: the creation costs what Odoo's does
            return records
        change = {"creating": True, "vals": {}, "now": fields.Datetime.now()}
        for phase in ("collect", "judge", "after"):
            records._guide_run_phase(phase, change)
        return records

    def write(self, vals):
        self._guide_check_engine_fields([vals])
        if not self.env.su and not self._guide_user_is_internal():
            # a customer may not read the engine's state its judgement reads: Odoo's own
            # refusal first, where they may not write (no query for internal users)
            self.check_access("write")
        if self._guide_write_outside_processes(vals):
            # nothing the engines configure can apply: the write costs what Odoo's does
            return super().write(vals)
        change = {"creating": False, "vals": dict(vals), "now": fields.Datetime.now()}
        self._guide_run_phase("collect", change)
        self._guide_run_phase("judge_before", change)
        if (change.get("guide") or {}).get("all_moving"):
            # every record moves: the entry time goes with the write itself
            vals = dict(vals, guide_step_entered_at=change["now"])
        res = super().write(vals)
        self._guide_run_phase("judge", change)
        self._guide_run_phase("after", change)
        return res

    def unlink(self):
        """The checklist lines of deleted records go with them (engine rows, one statement
        whatever the number of records); their audit rows (history, deviations) stay."""
        ids = list(self._ids)
        res = super().unlink()
        if ids:
            self.env.cr.execute(
                SQL("DELETE FROM guide_line WHERE res_model = %s AND res_id = ANY(%s)", self._name, ids)
            )
            self.env["guide.line"].invalidate_model()
        return res

    def _guide_merge_note(self, others):
        """A note on this record naming the checklist items done on ``others`` (who ticked
        them, when), which a merge is about to delete: their lines go with them, the
        evidence of the work done on them stays on the record they were merged into."""
        self.ensure_one()
        lines = (
            self.env["guide.line"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "in", others.ids), ("checked", "=", True)],
                order="res_id, checked_date, id",
            )
        )
        if not lines:
            return
        names = dict(others.sudo().mapped(lambda rec: (rec.id, rec.display_name)))
        items = Markup("").join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(record)s: %(item)s, by %(user)s on %(date)s",
                record=names.get(line.res_id, line.res_id),
                item=line.title or line.name,
                user=line.checked_by_id.name or "?",
                date=tools.format_datetime(self.env, line.checked_date, dt_format="short"),
            )
            for line in lines
        )
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (self.env._("Checklist items done on the merged records:"), items),
            subtype_xmlid="mail.mt_note",
        )

    # ------------------------------------------------------------
    # PIPELINE of a guided change (create and write)
    # ------------------------------------------------------------
    # Phases, in this order (GUIDE_PHASES):
    #   collect       what changes (records, old/new steps, events), before the write
    #   judge_before  refuse what is known before the write (the gate of a plain move)
    #   (the ORM write)
    #   judge         refuse on the new state: gates of the other changes of step,
    #                 then policies and approvals
    #   after         after-effects: history and checklists, then escalation
    #                 clocks, then the audit trail
    # A creation runs collect, judge and after once the records are created.
    # Engines plug in by extending ``_guide_pipeline`` with
    # ``(phase, sequence, method name)`` entries; the hooks run by phase, then
    # sequence, never in the order the modules were loaded. Each hook is called
    # on the records changed as ``hook(change)``: ``change`` is a dict shared by
    # the hooks of one change ("creating", "vals", "now", "hooks", then one key per engine).
    @api.model
    def _guide_pipeline(self):
        """The hooks of a guided change: ``(phase, sequence, method name)`` entries."""
        return [
            ("collect", 10, "_guide_collect_steps"),
            ("judge_before", 10, "_guide_judge_move"),
            ("judge", 10, "_guide_judge_steps"),
            ("after", 10, "_guide_record_steps"),
        ]

    @api.model
    @tools.ormcache()
    def _guide_pipeline_hooks(self):
        """``{phase: (method names in running order)}``, computed once per registry."""
        entries = sorted(self._guide_pipeline(), key=lambda e: (GUIDE_PHASES.index(e[0]), e[1], e[2]))
        return {phase: tuple(name for p, _seq, name in entries if p == phase) for phase in GUIDE_PHASES}

    def _guide_run_phase(self, phase, change):
        # the hooks are looked up once per change, not once per phase
        if "hooks" not in change:
            change["hooks"] = self._guide_pipeline_hooks()
        for name in change["hooks"][phase]:
            getattr(self, name)(change)

    def _guide_write_outside_processes(self, vals):
        """Whether a write of ``vals`` leaves ``self`` outside every process and no engine
        acts on records outside processes: then no hook of the pipeline can do anything, and
        the write goes straight to the ORM. Decided on the cached configuration and the
        records' process (fetched with their other columns for a stage write, which reads
        them anyway; taken from the cache only for other writes); ``False`` when in doubt."""
        scope = self._guide_outside_processes_scope()
        if scope is None:
            return False
        scope_fields, context_keys = scope
        # a malformed context key is refused whatever the records (``collect`` checks it)
        if not scope_fields.isdisjoint(vals) or not context_keys.isdisjoint(self.env.context):
            return False
        if self._guide_stage_field not in vals:
            # the records are not read for a write of other fields (the hooks decide on
            # ``vals`` first): decide on their process only if it is in the cache already
            process_ids = self.env.cache.get_until_miss(self, self._fields["guide_process_id"])
            return len(process_ids) == len(self) and not any(process_ids)
        return not any(self._guide_cached_values("guide_process_id"))

    def _guide_created_outside_processes(self):
        """Whether the records just created are outside every process and no engine acts on
        records outside processes (``_guide_write_outside_processes`` for a creation)."""
        scope = self._guide_outside_processes_scope()
        if scope is None or not scope[1].isdisjoint(self.env.context):
            return False
        return not any(self._guide_cached_values("guide_process_id"))

    @api.model
    @tools.ormcache()
    def _guide_outside_processes_scope(self):
        """``(fields, context keys)``: the fields whose write may bring a record into a
        process (scope fields, the fields computing them, the fields process conditions
        read) and the context keys the pipeline checks on every change; ``None`` when some
        engine acts on records outside every process (``_guide_acts_outside_processes``).
        Cached with the engines' configurations (cleared with them)."""
        if self._guide_acts_outside_processes():
            return None
        config = self.env["guide.process"]._get_guide_config(self._name)
        scope_fields = frozenset(self._guide_scope_trigger_fields() | config["domain_fields"])
        return scope_fields, frozenset({CTX_REASON_ID, *self._guide_context_keys_checked()})

    @api.model
    def _guide_acts_outside_processes(self):
        """Whether an engine's configuration may act on records no process guides (engines
        add theirs: rules or policies of no process). Processes, their steps, checklists,
        alternate steps and milestones act inside their process only."""
        return False

    @api.model
    def _guide_context_keys_checked(self):
        """Context keys whose value the pipeline checks on every change (engines add theirs):
        a change carrying one is never short-cut."""
        return frozenset()

    def _guide_collect_steps(self, change):
        """Collect: the changes of step a creation or a write makes (``change["guide"]``)."""
        if CTX_REASON_ID in self.env.context:
            # a malformed override reason is refused before anything is judged
            self._guide_context_reason_id()
        if change["creating"]:
            # read from the cache for the batch, not through a record per value
            guided = self._guide_having("guide_process_id")
            # a record created (or imported) in a step enters the process there
            change["guide"] = guided and {"records": guided, "transitions": guided._guide_entry_transitions()}
        else:
            change["guide"] = self._guide_write_prepare(change["vals"])
            self._guide_collect_company(change)

    def _guide_collect_company(self, change):
        """Collect: the companies of the records before a write that may change them without
        naming ``company_id`` (Odoo computes a lead's company from its salesperson and team);
        ``_guide_company_moved`` compares them after the write. Read from the cache, which
        the records' other columns filled."""
        if "company_id" in change["vals"] or "company_id" not in self._fields:
            return
        if self._guide_company_trigger_fields().isdisjoint(change["vals"]):
            return
        change["companies_before"] = dict(
            zip(self._ids, self._guide_cached_values("company_id"), strict=True)
        )

    def _guide_company_moved(self, change):
        """The records of ``self`` the change moved to another company, written or computed
        (their live rows, checklist lines, clocks and pending requests, follow them)."""
        if change["creating"] or "company_id" not in self._fields:
            return self.browse()
        if "company_id" in change["vals"]:
            return self
        before = change.get("companies_before")
        if before is None:
            return self.browse()
        if "company_moved" not in change:
            after = self._guide_cached_values("company_id")
            change["company_moved"] = self.browse(
                [
                    res_id
                    for res_id, company_id in zip(self._ids, after, strict=True)
                    if (company_id or None) != (before.get(res_id) or None)
                ]
            )
        return change["company_moved"]

    @api.model
    @tools.ormcache()
    def _guide_company_trigger_fields(self):
        """Fields whose write may change a record's company without naming it (the fields
        computing ``company_id``, e.g. a lead's salesperson and team)."""
        if "company_id" not in self._fields:
            return frozenset()
        company = self._fields["company_id"]
        return frozenset(
            name
            for name, field in self._fields.items()
            if name != "company_id"
            and field in self.pool._field_triggers
            and company in self.pool.get_field_trigger_tree(field).root
        )

    def _guide_judge_move(self, change):
        """Judge before the write: a plain move, whose new step is known."""
        guide = change.get("guide")
        if guide and guide.get("pending") is not None:
            transitions = guide.pop("pending")
            self._guide_judge_transitions(transitions, guide)
            guide["judged"] = {info["record"].id: info for info in transitions}

    def _guide_judge_steps(self, change):
        """Judge after the write: the changes of step not judged yet (raise to refuse)."""
        guide = change.get("guide")
        if not guide:
            return
        if change["creating"]:
            guide["records"]._guide_judge_transitions(guide["transitions"])
        else:
            guide["transitions"] = self._guide_write_finish(guide)

    def _guide_record_steps(self, change):
        """After-effects: history, entry times and checklists."""
        guide = change.get("guide")
        if change["creating"]:
            if guide:
                guide["records"]._guide_sync_lines()
                guide["records"]._guide_log_transitions(guide["transitions"], change["now"])
            return
        moved_company = self._guide_company_moved(change)
        if moved_company:
            moved_company._guide_lines_follow_company()
        transitions = guide["transitions"] if guide else []
        entered = self.browse()
        if transitions:
            moved = self.browse([info["record"].id for info in transitions])
            if not guide["all_moving"]:
                super(GuideMixin, moved).write({"guide_step_entered_at": change["now"]})
            self._guide_log_transitions(transitions, change["now"])
            old = guide["old"]
            steps = moved._guide_cached_values("guide_step_id")
            entered = moved.browse(
                [
                    res_id
                    for res_id, step_id in zip(moved._ids, steps, strict=True)
                    if (step_id or False) != old[res_id][1]
                ]
            )
            entered._guide_sync_lines()
            # records that entered a step were refreshed with their lines
        (self - entered)._guide_write_refresh_checklist(change["vals"])

    def _guide_lines_follow_company(self):
        """The rows linked to ``self`` (checklist lines, history, deviations, milestones,
        tasks, logs of every engine) take the company their records were moved to: they are
        read exactly where their records are (multi-company record rules), the new
        company's users see the whole history of what they now handle. One statement for
        every table (an UPDATE per table in a ``WITH``), on a change of company only."""
        models = [self.env[name] for name in self._guide_company_following_models()]
        if not models:
            return
        self.flush_recordset(["company_id"])
        updates = [
            rows._guide_follow_company_sql(self, f"moved_{index}") for index, rows in enumerate(models)
        ]
        [counts] = self.env.execute_query(
            SQL(
                "WITH %s SELECT %s",
                SQL(", ").join(updates),
                SQL(", ").join(
                    SQL("(SELECT count(*) FROM %s)", SQL.identifier(f"moved_{index}"))
                    for index in range(len(models))
                ),
            )
        )
        for rows, count in zip(models, counts, strict=True):
            if count:
                rows.invalidate_model(["company_id"])
                if rows._name == "guide.line":
                    # the lines the user may read changed: the checklist shown is computed again
                    self.invalidate_recordset(
                        ["guide_current_line_ids", "guide_missing_items", "guide_hint_ids"]
                    )

    @api.model
    @tools.ormcache()
    def _guide_company_following_models(self):
        """The models of rows linked to guided records that follow their record's company
        (``guide.record.link.mixin._guide_follows_record_company``), tables with a company."""
        names = self.env.registry.descendants(["guide.record.link.mixin"], "_inherit")
        return tuple(
            sorted(
                name
                for name in names
                if not self.env[name]._abstract
                and self.env[name]._auto
                and self.env[name]._guide_follows_record_company
                and self.env[name]._guide_company_column_of_its_own()
            )
        )

    def _guide_write_refresh_checklist(self, vals):
        """Refresh the stored checklist figures of the guided records of ``self`` when
        ``vals`` names a field a checklist condition reads (decided on the cached
        configuration: no query otherwise)."""
        if not self:
            return
        config = self.env["guide.process"]._get_guide_config(self._name)
        if not config["item_fields"].intersection(vals):
            return
        by_step = config["item_fields_by_step"]
        self.filtered(
            lambda rec: rec.guide_step_id
            and by_step.get(rec.guide_step_id.id, frozenset()).intersection(vals)
        )._guide_refresh_checklist_state()

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_guide_open_history(self):
        """The record's history: its stage changes and the alternate steps it entered and
        left (the form's *History* button), without the columns naming the record."""
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("base_process_guide.guide_history_action")
        action["name"] = self.env._("History")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {"guide_history_of_record": True}
        return action

    def action_guide_open_deviations(self):
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("base_process_guide.guide_deviation_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_guide_open_checklist_history(self):
        """The checklists of every step the record went through, step by step."""
        refuse_not_one(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Checklist History"),
            "res_model": "guide.line",
            "view_mode": "list",
            "views": [(self.env.ref("base_process_guide.guide_line_view_list").id, "list")],
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_guide_feedback(self):
        refuse_not_one(self)
        # the process and step it names are the product's fields (a customer reads none)
        self.check_field_access_rights("read", ["guide_process_id", "guide_step_id"])
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Feedback on the Process"),
            "res_model": "guide.feedback",
            "view_mode": "form",
            "views": [(self.env.ref("base_process_guide.guide_feedback_view_form_quick").id, "form")],
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
        """Checklist lines of each record's current step: {record id: lines}. One query,
        and one for their conditions."""
        return self._guide_current_lines_with(())[0]

    def _guide_current_lines_with(self, domains):
        """``_guide_current_lines`` and the evaluation of further conditions ``domains``
        on ``self`` ({condition: matching ids}), in the query of the lines' conditions."""
        records = self._origin.filtered("guide_step_id")
        Line = self.env["guide.line"]
        if not records:
            return {}, Line._guide_filter_many(self._origin.sudo(), domains) if domains else {}
        # found as the engine, then kept where the user may read them, decided on the
        # records in cache (``_guide_rows_of_readable_records``): the same lines as a
        # search as the user, without the access sub-queries of every guided model
        lines = (
            Line.sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", records.ids),
                    ("step_id", "in", records.guide_step_id.ids),
                ],
                # and what the form shows of them, and their company (record rule)
                [*LINE_FIELDS, "checked_by_id", "checked_date", "company_id"],
            )
            .with_env(Line.env)
            ._filtered_access("read")
        )
        # line states are live (non-stored): drop values computed earlier in the
        # transaction, then evaluate them for all lines at once
        matches = lines._guide_evaluate_with(self._origin, domains)
        steps = {record.id: record.guide_step_id.id for record in records}
        line_ids = defaultdict(list)
        for line in lines:
            if steps.get(line.res_id) == line.step_id.id:
                line_ids[line.res_id].append(line.id)
        lines_by_record = {
            res_id: lines.browse(ids).with_prefetch(lines._prefetch_ids) for res_id, ids in line_ids.items()
        }
        return lines_by_record, matches

    def _guide_after_moves_in_sql(self):
        """Hook: ``self`` were moved (stage, step, closed or archived) in SQL by data tooling
        (the process map's demo past), not by a write: the engines bring what they keep
        about them in line, as after a write (escalation clocks)."""
        return True

    def _guide_sync_lines(self, refresh=False, existing=None):
        """Instantiate the checklist of each record's current step.

        A record entering a step gets lines copied from the step's items as
        configured at that moment; lines already there are kept (a record in
        flight keeps the rules it started with). With ``refresh``, an
        administrator brings lines up to the current configuration: missing
        items are added, unchecked lines of removed items dropped, snapshots
        of unchanged lines updated. ``existing``: the lines of the records'
        current steps, when the caller fetched them already.
        """
        config = self.env["guide.process"]._get_guide_config(self._name)
        records = self._guide_having("guide_step_id")
        if records:
            records._guide_sync_step_lines(config, refresh, existing)
        # the records that left every step too: their figures go back to zero
        self._guide_refresh_checklist_state()

    def _guide_sync_step_lines(self, config, refresh, existing):
        records = self
        if not refresh:
            records._guide_insert_lines(config)
            return
        Line = self.env["guide.line"].sudo()
        if existing is None:
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
                        "company_id": company_id,
                    }
                )
        if refresh:
            (existing - kept).filtered(lambda line: not line.checked).unlink()
        if vals_list:
            Line._guide_bulk_create([{"checked": False, **vals} for vals in vals_list])

    def _guide_insert_lines(self, config):
        """Copy the checklist of each record's current step onto it, in one
        ``INSERT ... SELECT`` whatever the number of records (lines already there
        are kept): the items come from the cached configuration, as configured now.

        :return: the new lines
        """
        Line = self.env["guide.line"].sudo()
        res_ids, step_ids, company_ids, steps = [], [], [], {}
        # the steps and companies of the batch, read from the cache at once
        record_step_ids = self._guide_cached_values("guide_step_id")
        if "company_id" in self._fields:
            record_company_ids = self._guide_cached_values("company_id")
        else:
            record_company_ids = [None] * len(self)
        for res_id, step_id, company_id in zip(self._ids, record_step_ids, record_company_ids, strict=True):
            step = config["steps"].get(step_id)
            if not step or not step["items"]:
                continue
            steps[step["id"]] = step
            res_ids.append(res_id)
            step_ids.append(step["id"])
            company_ids.append(company_id or None)
        if not res_ids:
            return Line
        items = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s::text, %s, %s, %s, %s::text, %s::text)",
                step["id"],
                item["item_id"],
                item["name"],
                item["description"] or None,
                item["sequence"],
                item["mandatory"],
                item["completion"],
                item["apply_domain"] or None,
                item["auto_domain"] or None,
            )
            for step in steps.values()
            for item in step["items"]
        )
        Line.flush_model(["res_model", "res_id", "step_id", "item_id"])
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO guide_line (res_model, res_id, step_id, company_id, item_id,
                                        name, description, sequence, mandatory, completion,
                                        apply_domain, auto_domain, checked, create_date)
                SELECT %(model)s, r.res_id, r.step_id, r.company_id, i.item_id,
                       i.name, i.description, i.sequence, i.mandatory, i.completion,
                       i.apply_domain, i.auto_domain, FALSE, %(now)s
                  FROM unnest(%(res_ids)s::int[], %(step_ids)s::int[], %(company_ids)s::int[])
                       AS r(res_id, step_id, company_id)
                  JOIN (VALUES %(items)s) AS i(step_id, item_id, name, description, sequence,
                                               mandatory, completion, apply_domain, auto_domain)
                       ON i.step_id = r.step_id
                    ON CONFLICT ON CONSTRAINT guide_line_record_item_uniq DO NOTHING
                RETURNING id
                """,
                model=self._name,
                now=now,
                res_ids=res_ids,
                step_ids=step_ids,
                company_ids=company_ids,
                items=items,
            )
        )
        lines = Line.browse([row[0] for row in self.env.cr.fetchall()])
        # what create() would do: the records' cached checklists are stale now
        self.invalidate_recordset(["guide_line_ids"])
        lines.modified(["res_model", "res_id", "step_id", "checked"], create=True)
        return lines

    def _guide_refresh_checklist_state(self):
        """Store the checklist figures lists and kanbans show (items done, total,
        progress, blocked) for ``self``, evaluated as the gate would evaluate them now.

        One query per 5,000 records whatever the number of conditions: every
        line is evaluated with one sub-select per distinct condition, taken from
        the cached configuration of the records' current steps; lines holding an
        older wording of a condition (copied before the item changed) are evaluated
        in a second statement. The figures that changed are set in the cache as
        pending updates: the ORM writes them with the records' other pending
        values (the stage write, a creation's computed fields) in the same
        ``UPDATE``, not in one of their own (nor do they touch ``write_date``).
        Conditions are evaluated on the record whatever the user's record rules
        (the figure is the record's), with the named values (``uid``, ``today``)
        of the user whose change triggers the refresh. Records outside every step
        get zeros.
        """
        ids = sorted(set(self._origin.ids))
        if not ids:
            return
        config = self.env["guide.process"]._get_guide_config(self._name)
        self.env["guide.line"].flush_model(
            [
                "res_model",
                "res_id",
                "step_id",
                "checked",
                "mandatory",
                "completion",
                "apply_domain",
                "auto_domain",
            ]
        )
        # the records' steps are passed from the cache: no flush of the records (which
        # would split the ORM's own pending updates of them in two rounds)
        for chunk in split_every(5000, ids, self.browse):
            domains = set()
            for step_id in set(chunk._guide_cached_values("guide_step_id")) - {None}:
                for item in (config["steps"].get(step_id) or {}).get("items", ()):
                    domains.update(
                        domain
                        for domain in (
                            item["apply_domain"],
                            item["completion"] == "auto" and item["auto_domain"],
                        )
                        if domain
                    )
            unknown = chunk._guide_update_checklist_state(domains)
            if unknown:
                # lines of an older configuration: their own conditions
                self.env.cr.execute(
                    SQL(
                        """
                        SELECT DISTINCT l.apply_domain, CASE WHEN l.completion = 'auto' THEN l.auto_domain END
                          FROM guide_line l
                         WHERE l.res_model = %s AND l.res_id = ANY(%s)
                        """,
                        self._name,
                        unknown,
                    )
                )
                domains = {domain for row in self.env.cr.fetchall() for domain in row if domain}
                self.browse(unknown)._guide_update_checklist_state(domains)

    def _guide_condition_case(self, domains, ids):
        """A function of a line's condition column (``l.apply_domain``, ``l.auto_domain``)
        giving the SQL ``CASE`` that says whether the line's record ``l.res_id`` meets it:
        an empty condition holds, each of ``domains`` is one sub-select over ``ids``."""
        matches = {domain: self._guide_condition_subselect(domain, ids) for domain in sorted(domains)}

        def case(column):
            whens = [SQL("WHEN COALESCE(%s, '') = '' THEN TRUE", column)]
            whens += [
                SQL("WHEN %s = %s THEN l.res_id IN %s", column, domain, subselect)
                for domain, subselect in matches.items()
            ]
            return SQL("CASE %s ELSE FALSE END", SQL(" ").join(whens))

        return case

    def _guide_update_checklist_state(self, domains):
        """Evaluate the checklist figures of ``self`` (one query, evaluating the
        conditions ``domains``) and set the ones that changed as pending updates.

        :return: ids of the records having lines with other conditions (not updated)
        """
        ids = self.ids
        step_ids = [step_id or None for step_id in self._guide_cached_values("guide_step_id")]
        case = self._guide_condition_case(domains, ids)

        known = sorted(domains)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT r2.id,
                       COUNT(x.res_id) FILTER (WHERE x.applicable) AS total,
                       COUNT(x.res_id) FILTER (WHERE x.applicable AND x.done) AS done,
                       COALESCE(BOOL_OR(x.applicable AND x.mandatory AND NOT x.done), FALSE) AS blocked,
                       COALESCE(BOOL_OR(x.unknown), FALSE) AS unknown,
                       r.guide_item_total, r.guide_item_done, r.guide_progress, r.guide_blocked
                  FROM unnest(%(ids)s::int[], %(step_ids)s::int[]) AS r2(id, step_id)
                  JOIN %(table)s r ON r.id = r2.id
                  LEFT JOIN (
                        SELECT l.res_id, l.step_id, COALESCE(l.mandatory, FALSE) AS mandatory,
                               %(applicable)s AS applicable,
                               CASE WHEN l.completion = 'auto' THEN %(auto_done)s
                                    ELSE COALESCE(l.checked, FALSE) END AS done,
                               (COALESCE(l.apply_domain, '') != ''
                                AND l.apply_domain != ALL(%(known)s::varchar[]))
                               OR (l.completion = 'auto' AND COALESCE(l.auto_domain, '') != ''
                                   AND l.auto_domain != ALL(%(known)s::varchar[])) AS unknown
                          FROM guide_line l
                         WHERE l.res_model = %(model)s AND l.res_id = ANY(%(ids)s)
                       ) x ON x.res_id = r2.id AND x.step_id = r2.step_id
                 GROUP BY r2.id, r.id
                """,
                table=SQL.identifier(self._table),
                model=self._name,
                ids=ids,
                step_ids=step_ids,
                known=known,
                applicable=case(SQL("l.apply_domain")),
                auto_done=case(SQL("l.auto_domain")),
            )
        )
        self._guide_set_checklist_state({row[0]: row[1:] for row in rows if not row[4]})
        return [row[0] for row in rows if row[4]]

    def _guide_set_checklist_state(self, rows):
        """Put the checklist figures ``rows`` ({id: (total, done, blocked, unknown, and the
        stored total, done, progress, blocked)}) in the cache: the changed ones as pending
        updates (flushed with the records' other pending values), the others as stored."""
        fnames = ("guide_item_total", "guide_item_done", "guide_progress", "guide_blocked")
        fields_ = [self._fields[fname] for fname in fnames]
        cache = self.env.cache
        dirty_ids = set().union(*(cache.get_dirty_records(self, field)._ids for field in fields_))
        changed, stored = defaultdict(list), defaultdict(list)
        for res_id, (total, done, blocked, _unknown, *current) in rows.items():
            new = (total, done, 100.0 * done / total if total else 0.0, blocked)
            if res_id in dirty_ids:
                # a figure set earlier in the transaction, not written yet: compare with it
                record = self.browse(res_id)
                current = tuple(cache.get(record, field, None) for field in fields_)
            current = tuple(current)
            if (current[0], current[1], current[3]) != (total, done, blocked):
                changed[new].append(res_id)
            elif res_id not in dirty_ids:
                stored[(current[0] or 0, current[1] or 0, current[2] or 0.0, bool(current[3]))].append(res_id)
        for values_by_ids, dirty in ((stored, False), (changed, True)):
            for values, res_ids in values_by_ids.items():
                records = self.browse(res_ids)
                for field, value in zip(fields_, values, strict=True):
                    cache.update(records, field, itertools.repeat(value, len(res_ids)), dirty=dirty)

    def _guide_condition_subselect(self, domain_str, ids):
        """SQL selecting the ids among ``ids`` matching a condition (``FALSE`` when
        the condition no longer holds, as ``_guide_filter_many`` treats it)."""
        Line = self.env["guide.line"]
        try:
            domain = Line._guide_domain(domain_str)
            query = self.sudo().with_context(active_test=False)._search([("id", "in", ids), *domain])
        except GUIDE_CONDITION_ERRORS as exc:
            _logger.warning(
                "Process guide: condition of %s skipped on %s, it no longer holds: %s",
                Line._guide_rules_using(domain_str) or repr(domain_str[:200]),
                self._name,
                exc,
            )
            return SQL("(SELECT NULL::int WHERE FALSE)")
        return query.subselect()

    def _guide_by_owner_language(self):
        """{language: records}: the records of ``self`` by the language of their owner, else
        of their company, else the current one: what the scheduler writes about a record
        (which has no language of its own: English) is in the language of whom it is for."""
        owner_field = self._guide_owner_field
        has_owner = owner_field in self._fields
        has_company = "company_id" in self._fields
        ids = defaultdict(list)
        for record in self:
            lang = (
                (has_owner and record[owner_field].lang)
                or (has_company and record.company_id.partner_id.lang)
                or self.env.lang
            )
            ids[lang].append(record.id)
        return {lang: self.browse(lang_ids) for lang, lang_ids in ids.items()}

    def _guide_cached_values(self, fname):
        """The values of field ``fname`` of ``self``, in the order of ``self``, as the
        cache holds them (ids or None for a many2one): pending computations processed
        and missing values fetched for the batch, as ``mapped()`` does, without making
        a record per value. The write path reads a few fields of every record moved."""
        field = self._fields[fname]
        if field.compute and field.store:
            field.recompute(self)
        cache = self.env.cache
        values = cache.get_until_miss(self, field)
        while len(values) < len(self):
            remaining = self.__class__(self.env, self._ids[len(values) :], self._prefetch_ids)
            # iterating keeps the prefetch ids (indexing would browse one record alone)
            field.__get__(next(iter(remaining)))
            values += cache.get_until_miss(remaining, field)
        return values

    def _guide_having(self, fname):
        """Part of ``self`` whose field ``fname`` is set: ``filtered(fname)`` with the values
        read from the cache for the batch (``_guide_cached_values``), not through a record
        per value."""
        values = self._guide_cached_values(fname)
        return self.browse(
            [res_id for res_id, value in zip(self._ids, values, strict=True) if value]
        ).with_prefetch(self._prefetch_ids)

    def _guide_stages_of(self, stage_ids):
        """The stage records of ``stage_ids`` (ids or None, see ``_guide_cached_values``),
        one record per distinct stage."""
        Stage = self.env[self._fields[self._guide_stage_field].comodel_name]
        prefetch = tuple({stage_id for stage_id in stage_ids if stage_id})
        stages = {
            stage_id: Stage.browse(stage_id or ()).with_prefetch(prefetch) for stage_id in set(stage_ids)
        }
        return [stages[stage_id] for stage_id in stage_ids]

    def _guide_of_process(self, process_id):
        """Part of ``self`` guided by process ``process_id``, from the cache (no query). The
        engines' cheap "may anything apply" decisions run it on every write: the usual
        answer on records it does not guide (none of them) costs one pass over the cache,
        not a record-by-record filter."""
        if process_id not in self.guide_process_id.ids:
            return self.browse()
        return self.filtered(lambda record: record.guide_process_id.id == process_id)

    # ------------------------------------------------------------
    # BUSINESS: transitions
    # ------------------------------------------------------------
    # Every change of a record's step is a transition judged by the gates,
    # whatever made it: a stage write, a change of team, type, company or of a
    # field a process condition reads (the record re-matches another process
    # or leaves one), a wizard, a creation or an import. The step a record has
    # after a write is the one the ORM computes: ``_guide_write_prepare`` keeps
    # what it was (collect; a plain move, whose step is known, is judged before
    # the write by ``_guide_judge_move``), ``_guide_write_finish`` compares and
    # judges the other changes of step (refused after the write, rolled back with
    # the transaction); ``_guide_record_steps`` records them (see the PIPELINE).
    def _guide_write_prepare(self, vals):
        """Before a write: the state the records' steps derive from.

        :return: a dict (``change["guide"]`` of the pipeline) consumed by
            ``_guide_judge_move``, ``_guide_write_finish`` and ``_guide_record_steps``,
            or None when the write cannot change any record's step (no query then).
        """
        config = self.env["guide.process"]._get_guide_config(self._name)
        stage_field = self._guide_stage_field
        scope_changed = bool(set(vals) & (self._guide_scope_trigger_fields() | config["domain_fields"]))
        if not scope_changed and stage_field not in vals:
            return None
        moving = stage_field in vals
        target = vals.get(stage_field) or False
        if scope_changed and config["processes"]:
            records = self._guide_write_concerned(vals, config)
        else:
            # only the stage changes: records outside every process stay outside
            process_ids = self._guide_cached_values("guide_process_id")
            stage_ids = self._guide_cached_values(stage_field) if moving else process_ids
            records = self.browse(
                [
                    res_id
                    for res_id, process_id, stage_id in zip(self._ids, process_ids, stage_ids, strict=True)
                    if process_id and (not moving or (stage_id or False) != target)
                ]
            ).with_prefetch(self._prefetch_ids)
        if not records:
            return None
        stages = self._guide_stages_of(records._guide_cached_values(stage_field))
        old = dict(
            zip(
                records._ids,
                zip(
                    [pid or False for pid in records._guide_cached_values("guide_process_id")],
                    [sid or False for sid in records._guide_cached_values("guide_step_id")],
                    stages,
                    records._guide_cached_values("guide_step_entered_at"),
                    strict=True,
                ),
                strict=True,
            )
        )
        change = {
            "vals": dict(vals),
            "now": fields.Datetime.now(),
            "records": records,
            "scope_changed": scope_changed,
            "old": old,
            # every record moves: the entry time goes with the write itself
            "all_moving": moving
            and all((stage_id or False) != target for stage_id in self._guide_cached_values(stage_field)),
            "judged": {},
        }
        if not scope_changed and config["gate_fields"].isdisjoint(vals):
            # a plain move: the new step is known, judge it before writing (a move that also
            # writes a field a gate reads is judged after the write, on the values written)
            new_stage = self.env[self._fields[stage_field].comodel_name].browse(vals[stage_field])
            new = {}
            for res_id, (process_id, *_rest) in old.items():
                step = config["step_by_stage"].get((process_id, new_stage.id))
                new[res_id] = (process_id, step and step["id"], new_stage)
            # judged before the write (``_guide_judge_move``)
            change["pending"] = records._guide_collect_transitions(old, new)
        return change

    def _guide_write_concerned(self, vals, config):
        """Records a write changing scope fields concerns: the guided ones, and the
        others only if ``vals`` may bring them into a process (decided on cached
        values, so that e.g. lead assignment to an unguided team costs nothing)."""
        if self._guide_may_match(vals, config):
            return self
        return self.filtered("guide_process_id")

    @api.model
    @tools.ormcache()
    def _guide_scope_trigger_fields(self):
        """Fields whose write may change a record's process or stage without naming
        them: the process scope fields and the fields computing them (e.g. a lead's
        salesperson sets its sales team, a ticket's team its stage)."""
        stage_field = self._guide_stage_field
        targets = {self._fields["guide_process_id"], self._fields[stage_field]}
        names = set(self._guide_process_depends())
        for name, field in self._fields.items():
            if name != stage_field and field in self.pool._field_triggers:
                if targets.intersection(self.pool.get_field_trigger_tree(field).root):
                    names.add(name)
        return frozenset(names)

    def _guide_write_finish(self, change):
        """After a write: judge the changes of step not judged yet (raise to refuse);
        ``_guide_record_steps`` records them.

        :return: the transitions (dicts, see ``_guide_transition_info``)
        """
        records = change["records"]
        config = self.env["guide.process"]._get_guide_config(self._name)
        if change["scope_changed"] and config["domain_fields"]:
            # the process conditions read fields the ORM cannot name in @depends
            self.env.add_to_compute(self._fields["guide_process_id"], records)
            self.env.add_to_compute(self._fields["guide_step_id"], records)
        transitions, to_judge = records._guide_write_transitions(change)
        if not transitions:
            return transitions
        if to_judge:
            self._guide_judge_transitions(to_judge, change)
        return transitions

    def _guide_write_transitions(self, change):
        """The changes of step of ``self`` made by the write ``change``: the ones judged
        before the write when the ORM computed the step judged (a plain move), the
        others collected now.

        :return: (transitions in the order of ``self``, the ones still to judge)
        """
        old, judged = change["old"], change.get("judged") or {}
        new, reused, others = {}, {}, []
        # the values the ORM computed for the write, read from the cache at once
        values = zip(
            self._ids,
            self._guide_cached_values("guide_process_id"),
            self._guide_cached_values("guide_step_id"),
            self._guide_stages_of(self._guide_cached_values(self._guide_stage_field)),
            strict=True,
        )
        for res_id, process_to, step_to, stage_to in values:
            process_to, step_to = process_to or False, step_to or False
            new[res_id] = (process_to, step_to, stage_to)
            info = judged.get(res_id)
            if (
                info
                and info["process_id"] == (process_to or old[res_id][0])
                and (info["to_step"] and info["to_step"]["id"]) == (step_to or None)
                and info["to_stage_id"] == stage_to.id
            ):
                reused[res_id] = info
            else:
                others.append(res_id)
        collected = {
            info["record"].id: info for info in self.browse(others)._guide_collect_transitions(old, new)
        }
        transitions = [reused.get(rec_id) or collected.get(rec_id) for rec_id in self.ids]
        return [info for info in transitions if info], list(collected.values())

    def _guide_transition_info(
        self, process_id, from_step, to_step, old_stage, new_stage, entered_at, stage_names=None
    ):
        """A transition of ``self`` (one record). ``stage_names``: a dict the caller keeps
        for a batch, so that each stage's name is read once."""
        self.ensure_one()
        names = {} if stage_names is None else stage_names
        for stage in (old_stage, new_stage):
            if stage and stage.id not in names:
                names[stage.id] = stage.display_name
        return {
            "record": self,
            "process_id": process_id,
            "from_step": from_step,
            "to_step": to_step,
            "from_stage_name": names[old_stage.id] if old_stage else False,
            "to_stage_name": names[new_stage.id] if new_stage else False,
            "from_stage": old_stage,
            "to_stage": new_stage,
            "to_stage_id": new_stage.id,
            "direction": "initial",
            "entering": not old_stage,
            "entered_at": entered_at,
            # the step whose gate judges the move (None: not gated)
            "gate_step": None,
            "gate": "free",
            "missing": [],
            "disallowed": False,
            "done": 0,
            "total": 0,
        }

    @api.model
    def _guide_is_exit_stage(self, stage):
        """Hook: whether ``stage``, which is no step of the record's process, ends the
        record without success (a ticket cancelled or rejected): moving there passes no
        gate, as losing a lead does not — closing what should not go on is not skipping
        the process — and the move is recorded. Any other stage without a step is judged
        as a move forward."""
        return False

    @api.model
    def _guide_rank_direction(self, old_stage, new_stage):
        """Forward/backward by stage rank; an empty new stage ranks first."""
        if not old_stage:
            return "initial"
        if old_stage == new_stage:
            return "same"
        old_key = (old_stage.sequence, old_stage.id)
        new_key = (new_stage.sequence, new_stage.id) if new_stage else (-1, -1)
        return "forward" if new_key > old_key else "backward"

    def _guide_collect_transitions(self, old, new):
        """Changes of step of ``self`` from ``old`` ({id: (process, step, stage, entered at)})
        to ``new`` ({id: (process, step, stage)})."""
        config = self.env["guide.process"]._get_guide_config(self._name)
        transitions, entries, stage_names = [], [], {}
        for record in self:
            process_from, step_from, stage_from, entered_at = old[record.id]
            process_to, step_to, stage_to = new[record.id]
            if not (process_from or process_to):
                continue
            if (process_from, step_from, stage_from) == (process_to, step_to, stage_to):
                continue
            info = record._guide_transition_info(
                process_to or process_from,
                config["steps"].get(step_from),
                config["steps"].get(step_to),
                stage_from,
                stage_to,
                entered_at,
                stage_names,
            )
            if self._guide_enters_process(process_from, step_from, process_to, step_to, stage_to):
                # entering the steps of a process (another process, no stage, a stage
                # without a step), or a process at a stage without a step of it: judged
                # from where the record was in that process
                info["entering"] = True
                entries.append(info)
            else:
                info["direction"] = self._guide_rank_direction(stage_from, stage_to)
                if (
                    process_to == process_from
                    and info["direction"] == "forward"
                    and (step_to or not self._guide_is_exit_stage(stage_to))
                ):
                    info["gate_step"] = info["from_step"]
            transitions.append(info)
        if entries:
            self._guide_set_entry_origins(entries)
        return transitions

    @api.model
    def _guide_enters_process(self, process_from, step_from, process_to, step_to, stage_to):
        """Whether a change of step enters the steps of ``process_to`` and is judged from the
        record's origin in it: a step entered from another process, from no step, or a stage
        without a step of a process the record was not in — a record coming back to a
        process it left passes the gate of the step it left (a lead taken out of its process,
        moved on, then brought back), closing stages apart; one that never was in the process
        has nothing to pass there (``_guide_set_entry_origins``)."""
        if step_to:
            return process_to != process_from or not step_from
        return bool(
            process_to and process_to != process_from and stage_to and not self._guide_is_exit_stage(stage_to)
        )

    def _guide_entry_transitions(self):
        """Transitions of records created (or imported) in their current step."""
        config = self.env["guide.process"]._get_guide_config(self._name)
        stage_names = {}
        # the values of the batch read from the cache at once, one stage record per stage
        values = zip(
            self,
            self._guide_cached_values("guide_process_id"),
            self._guide_cached_values("guide_step_id"),
            self._guide_stages_of(self._guide_cached_values(self._guide_stage_field)),
            strict=True,
        )
        transitions = [
            record._guide_transition_info(
                process_id or False, None, config["steps"].get(step_id), None, stage, None, stage_names
            )
            for record, process_id, step_id, stage in values
        ]
        entries = [info for info in transitions if info["to_step"]]
        if entries:
            self._guide_set_entry_origins(entries, creating=True)
        return transitions

    def _guide_set_entry_origins(self, entries, creating=False):
        """Judge records entering a process's steps as moving from their origin: the
        last step they had in that process (history), else the process's first step.
        Entering at a later step must pass the gate of the step skipped; coming back at a
        stage without a step, the gate of the step left. One query."""
        config = self.env["guide.process"]._get_guide_config(self._name)
        first_steps = {}
        for step in config["steps"].values():  # in process step order
            first_steps.setdefault(step["process_id"], step)
        last_steps = {}
        if not creating:
            rows = (
                self.env["guide.history"]
                .sudo()
                .search_fetch(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", [info["record"].id for info in entries]),
                        ("process_id", "in", list({info["process_id"] for info in entries})),
                    ],
                    ["res_id", "process_id", "from_step_id", "to_step_id"],
                    order="id desc",
                )
            )
            for row in rows:
                key = (row.res_id, row.process_id.id)
                if key in last_steps:
                    continue
                for step_id in (row.to_step_id.id, row.from_step_id.id):
                    step = config["steps"].get(step_id)
                    if step and step["process_id"] == row.process_id.id:
                        last_steps[key] = step
                        break
        stage_model = self.env[self._fields[self._guide_stage_field].comodel_name]
        for info in entries:
            record, to_step = info["record"], info["to_step"]
            origin = last_steps.get((record.id, info["process_id"]))
            if to_step:
                origin = origin or first_steps[info["process_id"]]
            if not origin or (to_step and origin["id"] == to_step["id"]):
                # a stage without a step of a process the record never was in: nothing to judge
                info["direction"] = "initial"
                continue
            direction = self._guide_rank_direction(
                stage_model.browse(origin["stage_id"]), stage_model.browse(info["to_stage_id"])
            )
            info["direction"] = "initial" if creating else direction
            if direction == "forward":
                info["gate_step"] = origin

    def _guide_judge_transitions(self, transitions, change=None):
        """Check the gates of the transitions; raise if refused.

        ``change`` is the write being judged (None for a creation).
        """
        stats_steps = {}
        for info in transitions:
            step = info["gate_step"]
            if not step and info["from_step"] and info["from_step"]["process_id"] == info["process_id"]:
                step = info["from_step"]
            if step:
                stats_steps[info["record"].id, step["id"]] = step
        checklists = self._guide_checklists(stats_steps)
        blocked, to_override = [], []
        for info in transitions:
            step = info["gate_step"]
            if not step and info["from_step"]:
                step = info["from_step"]
            checklist = checklists.get((info["record"].id, step and step["id"]))
            if checklist:
                info["done"], info["total"], info["missing"] = checklist
            if not step or not info["gate_step"]:
                continue
            to_step = info["to_step"]
            allowed = step["allowed_step_ids"]
            info["disallowed"] = bool(allowed) and (not to_step or to_step["id"] not in allowed)
            if not (info["missing"] or info["disallowed"]):
                info["gate"] = "passed"
            elif step["gate_mode"] == "block":
                blocked.append(info)
            elif step["gate_mode"] == "override":
                to_override.append(info)
            else:
                info["gate"] = "advisory"
        self._guide_check_write_before_refusal(blocked + to_override, change)
        if (blocked or to_override) and self.env.context.get(CTX_IMPORT):
            self._guide_check_import(blocked + to_override)
            return
        if (blocked or to_override) and change is None and self._guide_received():
            # received from outside (an incoming email): nobody to refuse it to
            for info in blocked + to_override:
                info["gate"] = "received"
            return
        if blocked:
            raise guide_change_refused(self._guide_refusal_message(blocked))
        if to_override:
            self._guide_check_override(to_override, change)

    def _guide_check_write_before_refusal(self, transitions, change):
        """A move is judged before the ORM checks the write (``judge_before``): who may not
        edit the records of ``transitions`` gets the refusal the write would give them, not
        their checklist (a customer reading their ticket over RPC, say)."""
        if transitions and change is not None and not self.env.su:
            self.browse([info["record"].id for info in transitions]).check_access("write")

    def _guide_checklists(self, steps):
        """Checklist state of records in steps: {(record id, step id): (done, total, missing names)}.

        From the record's lines of the step; for a step the record never was in
        (it entered the process further on), from the step's configured items.
        Evaluated as the engine (the record's state, not the user's view of it).
        One query for the lines and the conditions of the steps' configuration
        (``_guide_checklist_rows``), whatever the number of records; lines holding
        an older wording of a condition and records without lines add one query
        per batch.
        """
        if not steps:
            return {}
        domains = {
            domain
            for step in steps.values()
            for item in step["items"]
            for domain in (item["apply_domain"], item["completion"] == "auto" and item["auto_domain"])
            if domain
        }
        result, unknown = self._guide_checklist_rows(steps, domains)
        if unknown:
            # lines of an older configuration: evaluated line by line
            result.update(self._guide_checklists_from_lines({pair: steps[pair] for pair in unknown}))
        unlined = {pair: step for pair, step in steps.items() if pair not in result and step["items"]}
        if unlined:
            result.update(self._guide_checklists_from_items(unlined))
        return result

    def _guide_checklist_rows(self, steps, domains):
        """One query: (done, total, missing names) of the lines of the pairs ``steps``,
        evaluating the conditions ``domains`` (one sub-select each).

        :return: the states of the pairs having lines, and the pairs whose lines
            hold other conditions (not evaluated)
        """
        ids = sorted({res_id for res_id, _step in steps})
        step_ids = sorted({step_id for _res, step_id in steps})
        case = self._guide_condition_case(domains, ids)

        self.env["guide.line"].flush_model(LINE_FIELDS)
        rows = self.env.execute_query(
            SQL(
                """
                SELECT x.res_id, x.step_id,
                       COUNT(*) FILTER (WHERE x.applicable AND x.done),
                       COUNT(*) FILTER (WHERE x.applicable),
                       ARRAY_AGG(x.name ORDER BY x.sequence, x.id)
                           FILTER (WHERE x.applicable AND x.mandatory AND NOT x.done),
                       BOOL_OR(x.unknown)
                  FROM (
                        SELECT l.id, l.res_id, l.step_id, l.name, l.sequence,
                               COALESCE(l.mandatory, FALSE) AS mandatory,
                               %(applicable)s AS applicable,
                               CASE WHEN l.completion = 'auto' THEN %(auto_done)s
                                    ELSE COALESCE(l.checked, FALSE) END AS done,
                               (COALESCE(l.apply_domain, '') != ''
                                AND l.apply_domain != ALL(%(known)s::varchar[]))
                               OR (l.completion = 'auto' AND COALESCE(l.auto_domain, '') != ''
                                   AND l.auto_domain != ALL(%(known)s::varchar[])) AS unknown
                          FROM guide_line l
                         WHERE l.res_model = %(model)s AND l.res_id = ANY(%(ids)s)
                           AND l.step_id = ANY(%(step_ids)s)
                       ) x
                 GROUP BY x.res_id, x.step_id
                """,
                model=self._name,
                ids=ids,
                step_ids=step_ids,
                known=sorted(domains),
                applicable=case(SQL("l.apply_domain")),
                auto_done=case(SQL("l.auto_domain")),
            )
        )
        result, unknown = {}, []
        for res_id, step_id, done, total, missing, has_unknown in rows:
            pair = (res_id, step_id)
            if pair not in steps:
                continue
            if has_unknown:
                unknown.append(pair)
            else:
                result[pair] = (done, total, missing or [])
        return result, unknown

    def _guide_checklists_from_lines(self, steps):
        """Checklist state of the pairs ``steps`` from their lines, evaluated with the
        lines' own conditions (one query for the lines, one for the conditions)."""
        Line = self.env["guide.line"].sudo()
        fetched = Line.search_fetch(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", list({res_id for res_id, _step in steps})),
                ("step_id", "in", list({step_id for _res, step_id in steps})),
            ],
            LINE_FIELDS,
        )
        lines = fetched.filtered(lambda line: (line.res_id, line.step_id.id) in steps)._guide_evaluate()
        by_pair = defaultdict(list)
        for line in lines:
            by_pair[line.res_id, line.step_id.id].append(line)
        result = {}
        for pair, pair_lines in by_pair.items():
            applicable = [line for line in pair_lines if line.is_applicable]
            result[pair] = (
                sum(1 for line in applicable if line.is_done),
                len(applicable),
                [line.name for line in applicable if line.mandatory and not line.is_done],
            )
        return result

    def _guide_checklists_from_items(self, steps):
        """Checklist state of records in steps they have no lines of (they entered the
        process further on), from the steps' configured items (one query)."""
        result = {}
        records = self.browse({res_id for res_id, _step in steps}).sudo()
        domains = {
            domain
            for step in steps.values()
            for item in step["items"]
            for domain in (item["apply_domain"], item["completion"] == "auto" and item["auto_domain"])
        }
        matches = self.env["guide.condition.mixin"]._guide_filter_many(records, domains)
        for (res_id, step_id), step in steps.items():
            items = [item for item in step["items"] if res_id in matches[item["apply_domain"]]]
            done = [
                item
                for item in items
                if item["completion"] == "auto" and res_id in matches[item["auto_domain"]]
            ]
            missing = [item["name"] for item in items if item["mandatory"] and item not in done]
            result[res_id, step_id] = (len(done), len(items), missing)
        return result

    def _guide_check_import(self, infos):
        """An import by a process manager may place records beyond a gate (logged)."""
        if not self._guide_is_manager():
            group = self.env.ref(self._guide_manager_group)
            raise AccessError(
                self.env._(
                    "%(message)s\n\nOnly members of %(group)s may import records into a later step "
                    "(context key '%(key)s').",
                    message=self._guide_refusal_message(infos),
                    group=group_names(group),
                    key=CTX_IMPORT,
                )
            )
        for info in infos:
            info["gate"] = "imported"

    def _guide_problem_text(self, info):
        # named by the stages the agent sees, whatever the designer named the
        # steps; a record entering a process later is held by the step it skipped
        step = info["gate_step"] or info["from_step"]
        from_stage = self._guide_gate_stage_name(info)
        items = format_list(self.env, self._guide_item_titles(step, info["missing"]))
        parts = []
        if info["missing"] and step is not info["from_step"]:
            # created, brought back or re-matched further on than a step it has not passed
            parts.append(
                self.env._("skipping %(stage)s, which requires %(items)s", stage=from_stage, items=items)
            )
        elif info["missing"]:
            parts.append(self.env._("leaving %(stage)s requires %(items)s", stage=from_stage, items=items))
        if info["disallowed"]:
            parts.append(
                self.env._(
                    "%(from_stage)s does not lead to %(stage)s",
                    from_stage=from_stage,
                    stage=info["to_stage_name"],
                )
            )
        return "; ".join(parts)

    def _guide_gate_stage_name(self, info):
        """The name, in the user's language, of the stage whose gate judges the move:
        the stage the record leaves, or the step a record entering a process skips
        (the configuration cache keeps the steps' source names)."""
        step = info["gate_step"] or info["from_step"]
        if step is info["from_step"]:
            return info["from_stage_name"]
        return self.env["guide.step"].sudo().browse(step["id"]).name

    def _guide_item_titles(self, step, names):
        """The titles of a step's items in the user's language (checklist lines and the
        configuration cache keep the source texts); a title the step no longer has stays."""
        item_ids = {item["name"]: item["item_id"] for item in step["items"]} if step else {}
        items = self.env["guide.item"].sudo().browse([item_ids[name] for name in names if name in item_ids])
        titles = {item.id: item.name for item in items}
        return [titles.get(item_ids.get(name), name) for name in names]

    def _guide_bounded_text(self, text, label):
        """``text`` a user typed (a reason, a justification, a note), stripped; refused
        when it is not text or longer than ``GUIDE_TEXT_MAX`` characters, naming
        ``label`` (what it is)."""
        if not text:
            return ""
        if not isinstance(text, str):
            raise UserError(self.env._("%(what)s must be text.", what=label))
        text = text.strip()
        if "\x00" in text:
            raise UserError(
                self.env._("%(what)s contains a NUL character (0x00), which cannot be stored.", what=label)
            )
        if len(text) > GUIDE_TEXT_MAX:
            raise UserError(
                self.env._(
                    "%(what)s is too long: %(size)s characters, at most %(max)s.",
                    what=label,
                    size=len(text),
                    max=GUIDE_TEXT_MAX,
                )
            )
        return text

    @api.model
    def _guide_context_reason(self):
        """The justification of an override a client sent (``guide_override_reason``)."""
        return self._guide_bounded_text(self.env.context.get(CTX_REASON), self.env._("The justification"))

    @api.model
    def _guide_receiving(self, received=True):
        """A ``with`` block whose creations are received from outside the company — an
        incoming email by the mail gateway, a customer's request sent from the portal — with
        nobody to tell of a refusal or to ask for a reason: a record created in a later step
        passes the gate it skips, recorded as *Received Past the Gate*, and the policies record
        what such a creation does not meet rather than refuse it
        (``compliance.policy._policy_receive``).
        An engine flag on the cursor: nothing a client sends sets it.

        :param received: False leaves the block's creations judged as usual (a call the
            caller decided is no reception)
        """
        return engine_flag(self.env, FLAG_RECEIVED, bool(received))

    @api.model
    def _guide_received(self):
        """Whether the records being created are received from outside (``_guide_receiving``)."""
        return bool(engine_flag_get(self.env, FLAG_RECEIVED))

    @api.model
    def _guide_context_reason_id(self):
        """The override reason a client chose (``guide_override_reason_id``): the id of a
        reason offered to the user on this model (``guide.deviation.reason._guide_offered``)."""
        reason_id = self.env.context.get(CTX_REASON_ID)
        if not reason_id:
            return False
        return self.env["guide.deviation.reason"]._guide_offered(reason_id, self._name).id

    def _guide_refusal_message(self, infos):
        lines = [
            "- " + labelled(self.env, info["record"].display_name, self._guide_problem_text(info))
            for info in infos[:20]
        ]
        if len(infos) > 20:
            lines.append(self.env._("- ... and %(count)s more records", count=len(infos) - 20))
        stages = {info["to_stage_name"] for info in infos}
        if len(stages) == 1:
            return self.env._(
                "Cannot move to %(stage)s:\n%(details)s", stage=stages.pop(), details="\n".join(lines)
            )
        return self.env._("Cannot change the process step:\n%(details)s", details="\n".join(lines))

    def _guide_check_override(self, infos, change=None):
        groups = self.env["res.groups"].browse(
            {info["gate_step"]["override_group_id"] for info in infos} - {False}
        )
        for group in groups:
            if not self.env.su and group not in self.env.user.groups_id:
                steps = {
                    self._guide_gate_stage_name(info)
                    for info in infos
                    if info["gate_step"]["override_group_id"] == group.id
                }
                raise guide_change_refused(
                    self.env._(
                        "%(message)s\n\nOnly members of %(group)s may override step %(steps)s.",
                        message=self._guide_refusal_message(infos),
                        group=group_names(group),
                        steps=", ".join(sorted(steps)),
                    )
                )
        reason = self._guide_context_reason()
        if reason:
            for info in infos:
                info["gate"] = "overridden"
            return
        stage_ids = {info["to_stage_id"] for info in infos}
        sent = change and change["vals"].get(self._guide_stage_field)
        if not change or len(stage_ids) != 1 or not isinstance(sent, int) or sent not in stage_ids:
            # not a move of existing records to the stage the write names (a creation, a stage
            # computed from another field): the wizard, which replays the write, cannot
            raise guide_change_refused(
                self.env._(
                    "%(message)s\n\nComplete what the step requires first: a reason to override it can "
                    "be given only when records are moved to a stage.",
                    message=self._guide_refusal_message(infos),
                )
            )
        # the dialog makes the whole write (``self``): the records whose gate passed are
        # changed with the others once the reason is given
        held = self.browse(sorted(set(self.ids)))
        raise GuideDecisionRequired(
            self.env._(
                "%(message)s\n\nThis step may be overridden with a reason, which is recorded.",
                message=self._guide_refusal_message(infos),
            ),
            held._guide_override_action(infos, self._guide_held_vals(change["vals"])),
            # the wizard holds the whole refused write: the form drops its unsaved copy
            discard={"res_model": self._name, "res_ids": held.ids},
        )

    @api.model
    def _guide_held_vals(self, vals):
        """The part of a refused write the override dialog makes once the reason is given:
        the whole write, less what the model's own ``write`` added to it (its dates of a
        move...), which it adds again."""
        return dict(vals)

    def _guide_override_action(self, infos, vals=None):
        """The wizard that takes the reason of a gate override (opened by the web client):
        it writes ``vals`` on ``self`` with the reason (without ``vals``, it moves the records
        of ``infos`` alone)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override a Process Gate"),
            "res_model": "guide.override.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_res_model": self._name,
                "default_res_ids": json.dumps(
                    self.ids if vals else list(dict.fromkeys(info["record"].id for info in infos))
                ),
                "default_stage_res_id": infos[0]["to_stage_id"],
                "default_stage_name": infos[0]["to_stage_name"],
                "default_vals": json.dumps(vals, default=str) if vals else False,
                "default_problems": "\n".join(
                    labelled(self.env, info["record"].display_name, self._guide_problem_text(info))
                    for info in infos
                ),
            },
        }

    def _guide_history_common(self, now):
        """The columns of the history rows of ``self`` every guided model has:
        {record id: values}. Names are read for the batch at once."""
        owner_field = self._guide_owner_field if self._guide_owner_field in self._fields else None
        has_company = "company_id" in self._fields
        names = self.mapped("display_name")
        none = [None] * len(self)
        owners = self._guide_cached_values(owner_field) if owner_field else none
        companies = self._guide_cached_values("company_id") if has_company else none
        extra = self._guide_history_values()
        values = zip(self._ids, names, owners, companies, strict=True)
        return {
            res_id: {
                "res_model": self._name,
                "res_id": res_id,
                "record_name": name,
                "date": now,
                "user_id": self.env.uid,
                "owner_id": owner_id or False,
                "company_id": company_id or False,
                **extra[res_id],
            }
            for res_id, name, owner_id, company_id in values
        }

    def _guide_stage_texts(self, stages):
        """{stage id: {lang: name}}: the names of ``stages`` in every language of the
        database, for the history rows (each reader reads them in theirs); read for the
        batch at once, from the cache in the current language."""
        langs = [code for code, _label in self.env["res.lang"].get_installed()]
        stages = self.env[self._fields[self._guide_stage_field].comodel_name].union(
            *(stage for stage in stages if stage)
        )
        texts = {stage.id: {} for stage in stages}
        for lang in langs:
            for stage in stages.with_context(lang=lang):
                texts[stage.id][lang] = stage.display_name
        return texts

    def _guide_log_transitions(self, transitions, now):
        """Write the history rows (and deviations) of a batch of stage changes."""
        vals_list = []
        common = self.browse([info["record"].id for info in transitions])._guide_history_common(now)
        texts = self._guide_stage_texts(
            info[key] for info in transitions for key in ("from_stage", "to_stage")
        )
        for info in transitions:
            record, from_step = info["record"], info["from_step"]
            duration = (now - info["entered_at"]).total_seconds() / 3600.0 if info["entered_at"] else 0.0
            expected = from_step["expected_hours"] if from_step else 0.0
            missing = "\n".join(info["missing"]) or False
            vals_list.append(
                {
                    **common[record.id],
                    "process_id": info["process_id"] or False,
                    "from_step_id": from_step and from_step["id"],
                    "to_step_id": info["to_step"] and info["to_step"]["id"],
                    "from_stage_name": texts[info["from_stage"].id] if info["from_stage"] else False,
                    "to_stage_name": texts[info["to_stage"].id] if info["to_stage"] else False,
                    "from_stage_res_id": info["from_stage"].id if info["from_stage"] else False,
                    "to_stage_res_id": info["to_stage"].id if info["to_stage"] else False,
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
        reason = self._guide_context_reason()
        reason_id = self._guide_context_reason_id()
        overridden = []
        for info, history, vals in zip(transitions, histories, vals_list, strict=True):
            judged = [info] if info["gate"] == "overridden" else []
            # the gates of other steps overridden by the same move (an alternate step's)
            judged += info.get("extra_deviations", [])
            overridden += [(gate, history, vals) for gate in judged]
        if not overridden:
            return
        Deviation = self.env["guide.deviation"].sudo()
        titles = Deviation._guide_step_titles(
            {judged["gate_step"]["id"]: judged["gate_step"]["name"] for judged, _history, _vals in overridden}
        )
        Deviation.create(
            [
                self._guide_deviation_vals(judged, history, vals, now, reason, reason_id, titles)
                for judged, history, vals in overridden
            ]
        )

    def _guide_deviation_vals(self, info, history, vals, now, reason, reason_id, titles):
        """The deviation of the gate of ``info["gate_step"]`` overridden by a move, whose
        history row is ``history`` (written with ``vals``); ``titles``: the steps' titles in
        every language (``guide.deviation._guide_step_titles``)."""
        step = info["gate_step"]
        kind = "move" if info["disallowed"] and not info["missing"] else "gate"
        return {
            "kind": kind,
            # named by the step whose gate was overridden, in each reader's language
            "rule_name": titles[step["id"]],
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

    # ------------------------------------------------------------
    # BUSINESS: configuration changes
    # ------------------------------------------------------------
    @api.model
    def _guide_rematch_all(self):
        """Re-evaluate which process and step guides every record of the model."""
        self.with_context(active_test=False).search([])._guide_rematch()

    def _guide_rematch(self):
        """Re-evaluate which process and step guide ``self`` (a configuration changed);
        records entering another step get its checklist. Run by chunks of records
        (``guide.apply.job``)."""
        records = self.with_context(active_test=False)
        if not records:
            return
        old = {record.id: (record.guide_process_id.id, record.guide_step_id.id) for record in records}
        self.env.add_to_compute(self._fields["guide_process_id"], records)
        self.env.add_to_compute(self._fields["guide_step_id"], records)
        records.flush_recordset(["guide_process_id", "guide_step_id"])
        records.filtered(lambda rec: rec.guide_step_id.id != old[rec.id][1])._guide_sync_lines()
        moved = records.filtered(lambda rec: (rec.guide_process_id.id, rec.guide_step_id.id) != old[rec.id])
        if moved:
            moved._guide_after_rematch()

    def _guide_after_rematch(self):
        """Hook: ``self`` changed process or step by a re-match (a configuration change,
        not a write of theirs). The engines that follow the records' process or step
        resynchronise them here, in batch (escalation: their clocks)."""
        return True
