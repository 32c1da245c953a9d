from collections import Counter

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import (
    MAX_NAME,
    MAX_TEXT,
    module_uninstalling,
    quoted,
    refuse_emptied_scope,
    refuse_missing,
    refuse_not_one,
    shortened,
)
from .guide_step import REFUSAL_MAX_NAMED


class GuideProcess(models.Model):
    _name = "guide.process"
    _inherit = [
        "guide.condition.mixin",
        "guide.apply.mixin",
        "guide.shared.scope.mixin",
        "guide.bounded.mixin",
        "mail.thread",
    ]
    _description = "Guided Process"
    _order = "sequence, id"
    _check_company_auto = True
    _guide_domain_fields = ("domain",)
    _guide_bounded_fields = {"name": MAX_NAME, "description": MAX_TEXT}

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    sequence = fields.Integer(
        default=10, help="When several processes match a record, the one with the lowest sequence guides it."
    )
    description = fields.Html(translate=True)
    model_name = fields.Selection(
        selection="_selection_guide_models",
        string="Applies to",
        required=True,
        default=lambda self: self._guide_default_model_name(),
        tracking=True,
    )
    company_id = fields.Many2one("res.company", index=True, tracking=True)
    owner_id = fields.Many2one(
        "res.users",
        string="Process Owner",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        check_company=True,
        tracking=True,
        help="Receives the agents' feedback on this process.",
    )
    # scope
    domain = fields.Char(
        string="Condition",
        help="Only records matching this condition follow the process (empty: all records in scope).",
    )
    # content
    step_ids = fields.One2many("guide.step", "process_id", string="Steps", copy=True)
    step_count = fields.Integer(compute="_compute_step_count")
    feedback_ids = fields.One2many("guide.feedback", "process_id")
    feedback_new_count = fields.Integer(compute="_compute_feedback_new_count")
    scope_domain = fields.Char(
        compute="_compute_scope_domain",
        help="Technical: the scope (company, teams, type...) as a domain, so that the "
        "condition editor counts the records of the scope only.",
    )

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    @api.model
    def _selection_guide_models(self):
        names = self._guide_model_names()
        return [(name, self.env["ir.model"]._get(name).name or name) for name in names]

    @api.depends("step_ids")
    def _compute_step_count(self):
        data = self.env["guide.step"]._read_group(
            [("process_id", "in", self.ids)], ["process_id"], ["__count"]
        )
        counts = {process.id: count for process, count in data}
        for process in self:
            process.step_count = counts.get(process.id, 0)

    @api.depends("feedback_ids.state")
    def _compute_feedback_new_count(self):
        data = self.env["guide.feedback"]._read_group(
            [("process_id", "in", self.ids), ("state", "=", "new")], ["process_id"], ["__count"]
        )
        counts = {process.id: count for process, count in data}
        for process in self:
            process.feedback_new_count = counts.get(process.id, 0)

    @api.depends(lambda self: self._guide_scope_fields() - {"active", "sequence", "domain"})
    def _compute_scope_domain(self):
        for process in self:
            process.scope_domain = repr(process._guide_scope_domain())

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("model_name")
    def _check_model_name_guided(self):
        # a selection value is not checked on create: a process on a model without the
        # guided record mixin would break every rematch of that model
        guided = set(self._guide_model_names())
        for process in self.filtered(lambda p: p.model_name not in guided):
            raise ValidationError(
                self.env._(
                    "Process %(process)s: %(model)s is not a guided model.",
                    process=process.display_name,
                    model=shortened(process.model_name),
                )
            )

    @api.constrains("owner_id")
    def _check_owner(self):
        """The owner reads the agents' feedback, internal: an employee (of the process's
        company: ``check_company``)."""
        for process in self.filtered(lambda p: p.owner_id.share):
            raise ValidationError(
                self.env._(
                    "Process %(process)s: %(user)s cannot own it: the owner of a process reads the "
                    "agents' feedback, and must be an internal user.",
                    process=process.display_name,
                    user=process.owner_id.name,
                )
            )

    def _guide_check_model_names_sent(self, pairs):
        """Refuse a model a client sends for a process (created, duplicated, changed) that is
        not a guided model, before its steps are created or changed: their stage is read on
        that model (the ORM does not check a selection whose choices a method gives).
        ``pairs``: (the process's name, the model sent)."""
        guided = set(self._guide_model_names())
        for name, model_name in pairs:
            if model_name and not (isinstance(model_name, str) and model_name in guided):
                raise ValidationError(
                    self.env._(
                        "Process %(process)s: %(model)s is not a guided model.",
                        process=quoted(self.env, name if isinstance(name, str) else ""),
                        model=shortened(model_name),
                    )
                )

    @api.constrains("model_name")
    def _check_model_name_steps(self):
        for process in self:
            if any(step.model_name != process.model_name for step in process.step_ids):
                raise ValidationError(
                    self.env._(
                        "Process %(process)s: its steps belong to another model; remove them first.",
                        process=process.display_name,
                    )
                )

    def _guide_check_domain_in_memory(self, fname, domain, model_name):
        """The condition of a process is tested on the records' values in memory (records
        being created or changed, ``guide.mixin._compute_guide_process_id``), where
        ``filtered_domain`` cannot read a property: a path through one is refused."""
        super()._guide_check_domain_in_memory(fname, domain, model_name)
        for leaf, index, field, _model in self._guide_domain_path_fields(domain, model_name):
            if field.type == "properties" and index < len(leaf[0].split(".")) - 1:
                raise ValueError(
                    self.env._(
                        "the condition of a process cannot read a property (%(path)s)",
                        path=shortened(leaf[0], 80),
                    )
                )
        return True

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._guide_check_model_names_sent(
            [
                (
                    self._guide_vals_name(vals),
                    vals.get("model_name", self.env.context.get("default_model_name")),
                )
                for vals in vals_list
            ]
        )
        processes = super().create(vals_list)
        processes._guide_version_create()
        self.env.registry.clear_cache()
        processes._guide_rematch()
        return processes

    def write(self, vals):
        if "model_name" in vals:
            self._guide_check_model_names_sent(
                [(process.display_name, vals["model_name"]) for process in self]
            )
        res = super().write(vals)
        self.env.registry.clear_cache()
        if set(vals) & self._guide_scope_fields():
            self._guide_rematch()
        return res

    @api.ondelete(at_uninstall=True)
    def _unlink_except_in_use(self):
        """A process that records follow, or that their stage history names, is not
        deleted (its steps would go with it, see ``guide.step._unlink_except_in_use``):
        it is archived instead. A module's uninstallation deletes it."""
        if module_uninstalling(self.env):
            return
        records, history = self._guide_usage()
        used = self.filtered(lambda process: records[process.id] or history[process.id])
        if not used:
            return
        # each message apart (the exporter skips one nested in another's arguments)
        named = "\n".join(
            self.env._(
                "%(process)s: %(records)s record(s) following it, %(history)s stage history "
                "row(s) naming it",
                process=process.display_name,
                records=records[process.id],
                history=history[process.id],
            )
            for process in used[:REFUSAL_MAX_NAMED]
        )
        raise UserError(
            self.env._(
                "A process that records follow or that their history names cannot be deleted: the "
                "records would lose their process and step, and their history, checklists and "
                "process figures would be lost.\n%(processes)s\nArchive it instead.",
                processes=named,
            )
        )

    @api.ondelete(at_uninstall=True)
    def _unlink_except_limiting_a_configuration(self):
        """A process that hints, escalation rules or policies are limited to (by the process
        or by its steps alone) is not deleted: their process or steps emptied, they would
        apply to every record of the model. A module's uninstallation deletes it."""
        if module_uninstalling(self.env):
            return
        for model_name in self._guide_scope_configurations():
            refuse_emptied_scope(self.env[model_name], "process_id", self)
        self.with_context(active_test=False).step_ids._guide_refuse_emptied_scopes()

    def _guide_scope_configurations(self):
        """The configuration models limited by a process (``process_id``) and its steps
        (``step_ids``), empty meaning every record: modules adding such configurations
        extend it."""
        return ["guide.hint"]

    def unlink(self):
        models_names = set(self.mapped("model_name"))
        if module_uninstalling(self.env):
            self.with_context(active_test=False).step_ids._guide_archive_emptied_scopes(self)
            self._guide_release_records()
        res = super().unlink()
        self.env.registry.clear_cache()
        for model_name in sorted(models_names):
            self.browse()._guide_apply("rematch", model_name)
        return res

    def _guide_release_records(self):
        """Before a module's uninstallation deletes these processes (in use: no one else
        may), their records leave them, one statement per model. Left to the cascade, the
        deletion clears a record's process and step in one statement in an order of
        PostgreSQL's, and a record updated earlier in the transaction has its keys
        checked again against a step the same statement already deleted."""
        self.env.flush_all()
        steps = self.with_context(active_test=False).step_ids
        for model_name in set(self.mapped("model_name")):
            if model_name not in self.env:
                continue
            Model = self.env[model_name]
            columns = [
                fname
                for fname in (
                    "guide_process_id",
                    "guide_step_id",
                    "guide_alt_step_id",
                    "guide_alt_return_step_id",
                )
                if fname in Model._fields and Model._fields[fname].store
            ]
            ids = {"guide_process_id": tuple(self.ids)}
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s WHERE %s",
                    SQL.identifier(Model._table),
                    SQL(", ").join(SQL("%s = NULL", SQL.identifier(fname)) for fname in columns),
                    SQL(" OR ").join(
                        SQL("%s IN %s", SQL.identifier(fname), ids.get(fname) or tuple(steps.ids or [0]))
                        for fname in columns
                    ),
                )
            )
        self.env.invalidate_all()

    def copy(self, default=None):
        """A copy of a process is a process of its own: the steps it names (allowed next
        steps, alternate steps' entries and returns, branches) are its copies."""
        refuse_missing(self, "create")
        copies = super().copy(default=default)
        if default and "step_ids" in default:
            return copies  # the steps the copy is given are no copies of the original's
        for process, copy in zip(self, copies, strict=True):
            step_map = dict(zip(process.step_ids, copy.step_ids, strict=True))
            process.step_ids._guide_copy_links(step_map)
        return copies

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if default and "name" in default:
            return vals_list  # the name the duplicate is given
        return [
            dict(vals, name=self.env._("%(name)s (copy)", name=process.name))
            for process, vals in zip(self, vals_list, strict=True)
        ]

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_apply_to_open_records(self):
        """Bring the checklists of records in flight up to the current configuration.

        For the administrators of the process (write access to it), whatever the path."""
        refuse_not_one(self)
        self.check_access("write")
        # a process of no company: its records are every company's
        self._guide_check_shared_scope()
        count = self.env[self.model_name].search_count([("guide_process_id", "=", self.id)])
        if self._guide_apply("refresh_lines", self.model_name):
            message = self.env._("Checklists of %(count)s records updated.", count=count)
        else:
            message = self.env._(
                "Checklists of %(count)s records are being updated by the scheduler.", count=count
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_records(self):
        refuse_not_one(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": self.model_name,
            "view_mode": "list,kanban,form",
            "domain": [("guide_process_id", "=", self.id)],
        }

    def action_view_feedback(self):
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("base_process_guide.guide_feedback_action")
        action["domain"] = [("process_id", "=", self.id)]
        action["context"] = {"default_process_id": self.id, "search_default_filter_new": 1}
        return action

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _guide_default_model_name(self):
        """Model a new process guides by default: the only guided model, if there is one.

        Bridges may prefer their model (the screens pass ``default_model_name``)."""
        names = self._guide_model_names()
        return names[0] if len(names) == 1 else False

    @api.model
    def _guide_model_names(self):
        """Names of the concrete models that inherit the guided record mixin."""
        children = self.env.registry["guide.mixin"]._inherit_children
        return sorted(name for name in children if name in self.env and not self.env[name]._abstract)

    @api.model
    def _guide_scope_fields(self):
        """Process fields that decide which records a process guides."""
        return {"active", "sequence", "model_name", "company_id", "domain"}

    def _guide_usage(self):
        """What uses the processes, as the engine sees it (archived records included):
        (Counter {process id: records following it}, Counter {process id: stage history
        rows naming it or one of its steps})."""
        records = Counter()
        for model_name, processes in self.grouped("model_name").items():
            if model_name not in self.env:
                continue
            Model = self.env[model_name].sudo().with_context(active_test=False)
            for process, count in Model._read_group(
                [("guide_process_id", "in", processes.ids)], ["guide_process_id"], ["__count"]
            ):
                records[process.id] += count
        history = Counter()
        if self.ids:
            self.env["guide.history"].flush_model(["process_id", "from_step_id", "to_step_id", "alt_step_id"])
            self.env["guide.step"].flush_model(["process_id"])
            # the rows of the processes, and those naming one of their steps (a record that
            # moved to another process: its row names the step it left); each row once
            self.env.cr.execute(
                SQL(
                    """SELECT process_id, COUNT(*) FROM (
                           SELECT id, process_id FROM guide_history WHERE process_id IN %(ids)s
                           UNION SELECT h.id, s.process_id FROM guide_history h
                                   JOIN guide_step s ON s.id = h.from_step_id WHERE s.process_id IN %(ids)s
                           UNION SELECT h.id, s.process_id FROM guide_history h
                                   JOIN guide_step s ON s.id = h.to_step_id WHERE s.process_id IN %(ids)s
                           UNION SELECT h.id, s.process_id FROM guide_history h
                                   JOIN guide_step s ON s.id = h.alt_step_id WHERE s.process_id IN %(ids)s
                       ) AS named
                       GROUP BY process_id""",
                    ids=tuple(self.ids),
                )
            )
            history.update(dict(self.env.cr.fetchall()))
        return records, history

    def _guide_rematch(self):
        """Re-evaluate which process and step guide the records of the processes' models."""
        for model_name in set(self.with_context(active_test=False).mapped("model_name")):
            self.browse()._guide_apply("rematch", model_name)

    def _guide_rematch_steps(self):
        """Re-evaluate the step of the records the processes guide (their steps changed)."""
        for process in self.exists():
            process._guide_apply("rematch_process", process.model_name)

    # configuration changes applied to the records (guide.apply.mixin): "rematch" is a
    # change of the whole model (self empty), "rematch_process" one of a process's steps
    def _guide_apply_concerns(self, job):
        return super()._guide_apply_concerns(job) or (
            job.res_model == self._name
            and not job.res_id
            and job.kind == "rematch"
            and job.target_model == self.model_name
        )

    def _guide_apply_domain(self, kind, target_model):
        if kind == "rematch_process":
            return [("guide_process_id", "=", self.id)]
        if kind == "refresh_lines":
            # the records in flight (archived ones aside)
            active = [("active", "=", True)] if "active" in self.env[target_model]._fields else []
            return [("guide_process_id", "=", self.id), *active]
        return super()._guide_apply_domain(kind, target_model)

    def _guide_apply_chunk(self, kind, records):
        if kind in ("rematch", "rematch_process"):
            records._guide_rematch()
            return
        if kind == "refresh_lines":
            records._guide_sync_lines(refresh=True)
            return
        return super()._guide_apply_chunk(kind, records)

    def _guide_scope_domain(self):
        """Domain of the records within the scope of ``self`` (condition aside).

        The same scope as the guided models' ``_guide_match_scope``, for the
        screens (record counts); extend both together."""
        self.ensure_one()
        domain = []
        if self.company_id:
            domain.append(("company_id", "in", [self.company_id.id, False]))
        return domain

    def _guide_scope_values(self):
        """Plain values describing the scope, kept in the configuration cache
        (bridges add the values their ``_guide_match_scope`` reads)."""
        self.ensure_one()
        return {}

    @api.model
    @tools.ormcache("model_name")
    def _get_guide_config(self, model_name):
        """Configuration of all active processes of a model, as plain data.

        Cached per registry and cleared whenever processes, steps or items
        change, so that the hot path (``write`` of the guided records) does not
        query the configuration at all.
        """
        # the cache must not depend on the caller's context (active_test, lang)
        processes = (
            self.sudo().with_context(active_test=True, lang=None).search([("model_name", "=", model_name)])
        )
        # item_fields: fields of the record the checklist conditions read (the stored
        # checklist figures are refreshed when a write names one of them)
        config = {
            "processes": [],
            "steps": {},
            "step_by_stage": {},
            "domain_fields": set(),
            "item_fields": set(),
            "item_fields_by_step": {},
            # steps off the stage line (alternate steps) and the fields their conditions read
            "alt_steps": {},
            "alt_fields": set(),
            # fields the gates read (every step's checklist conditions, its branches'): a move
            # writing one is judged on the values written, after the write
            "gate_fields": set(),
        }
        versions = processes._guide_version_current_ids()
        for process in processes:
            config["processes"].append(
                {
                    "id": process.id,
                    "version_id": versions.get(process.id, False),
                    "company_id": process.company_id.id,
                    "domain": process.domain or "",
                    **process._guide_scope_values(),
                }
            )
            if process.domain:
                config["domain_fields"] |= self._guide_domain_field_names(process.domain, model_name)
            for step in process.step_ids:
                step_data = step._guide_step_values()
                config["gate_fields"] |= self._guide_gate_field_names(step_data, model_name)
                if not step._guide_on_stage_line():
                    config["alt_steps"][step.id] = step_data
                    config["alt_fields"] |= step._guide_alt_field_names()
                    continue
                config["steps"][step.id] = step_data
                config["step_by_stage"][(process.id, step.stage_res_id)] = step_data
                step_fields = set()
                for item in step_data["items"]:
                    for domain in (item["apply_domain"], item["auto_domain"]):
                        if domain:
                            step_fields |= self._guide_domain_field_names(domain, model_name)
                config["item_fields"] |= step_fields
                config["item_fields_by_step"][step.id] = frozenset(step_fields)
        # a condition on a computed field reads what it is computed from: a write of those
        # counts as a write of the field (Odoo's trigger tree)
        triggers = self._guide_trigger_map(model_name)
        config["domain_fields"] = _with_triggers(config["domain_fields"], triggers)
        config["item_fields"] = _with_triggers(config["item_fields"], triggers)
        config["item_fields_by_step"] = {
            step_id: _with_triggers(names, triggers)
            for step_id, names in config["item_fields_by_step"].items()
        }
        config["alt_fields"] = _with_triggers(config["alt_fields"], triggers)
        config["gate_fields"] = _with_triggers(config["gate_fields"], triggers)
        return config

    @api.model
    def _guide_trigger_map(self, model_name):
        """{field name: names of the fields of the same records its write recomputes} of
        ``model_name``'s fields that recompute some (Odoo's trigger tree, transitive)."""
        if model_name not in self.env:
            return {}
        triggers = self.pool._field_triggers
        return {
            name: frozenset(target.name for target in self.pool.get_field_trigger_tree(field).root)
            for name, field in self.env[model_name]._fields.items()
            if field in triggers
        }

    @api.model
    def _guide_gate_field_names(self, step_data, model_name):
        """Fields of the record the gate of a step reads (cached step values): its
        checklist items' conditions and its branches'."""
        domains = [
            domain for item in step_data["items"] for domain in (item["apply_domain"], item["auto_domain"])
        ]
        domains += [branch["domain"] for branch in step_data.get("branches", ())]
        names = set()
        for domain in domains:
            if domain:
                names |= self._guide_domain_field_names(domain, model_name)
        return names


def _with_triggers(names, triggers):
    """``names`` and the fields whose write recomputes one of them (``triggers``:
    ``_guide_trigger_map``), frozen."""
    names = frozenset(names)
    if not names:
        return names
    return names | {name for name, recomputed in triggers.items() if not recomputed.isdisjoint(names)}
