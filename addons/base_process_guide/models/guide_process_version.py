import difflib
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools import module_uninstalling, refuse_not_one
from .guide_rule_words import RuleWords, domain_words

# precommit data: {process id: user id} of the processes whose design changed in the
# transaction, and {process id: version id} of the versions made in it (the engine
# completes them at once)
PRECOMMIT_PENDING = "guide.process.version.pending"
PRECOMMIT_FRESH = "guide.process.version.fresh"
# the diff against the previous version is kept short
CHANGES_MAX = 4000


class GuideProcessVersion(models.Model):
    """The design of a process as it was, frozen: v1 when the process is made, then one
    row per transaction that changes its design (steps, items, hints, branches,
    alternate steps, tasks, milestones, scope). Stage history rows name the version
    that guided them. Engine state: nobody creates, edits or deletes a version (even a
    process administrator with write access to the process); it is read wherever its
    process is."""

    _name = "guide.process.version"
    _description = "Process Version"
    _order = "process_id, version desc, id desc"
    _rec_names_search = ["process_id"]
    _check_company_auto = True

    process_id = fields.Many2one(
        "guide.process", required=True, readonly=True, index=True, ondelete="cascade"
    )
    model_name = fields.Selection(related="process_id.model_name")
    company_id = fields.Many2one(related="process_id.company_id", store=True, index=True)
    version = fields.Integer(required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True)
    author_id = fields.Many2one("res.users", readonly=True, ondelete="set null")
    # as written, in the source terms (the lines the versions are compared by)
    summary = fields.Text(string="Design (source terms)", readonly=True)
    changes = fields.Text(string="Changes (source terms)", readonly=True)
    snapshot = fields.Text(required=True, readonly=True)
    # what the screens show: the same lines worded from the snapshots in the reader's language
    summary_text = fields.Text(string="Design", compute="_compute_texts")
    changes_text = fields.Text(
        string="Changes", compute="_compute_texts", help="What changed since the previous version."
    )

    _sql_constraints = [
        ("version_unique", "UNIQUE(process_id, version)", "A process has one version of each number."),
    ]

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    @api.depends("process_id.name", "version")
    def _compute_display_name(self):
        for version in self:
            version.display_name = self.env._(
                "%(process)s (v%(version)s)", process=version.process_id.name or "", version=version.version
            )

    @api.depends_context("lang")
    @api.depends("snapshot", "summary", "changes")
    def _compute_texts(self):
        """The design and the changes since the previous version, worded from the
        snapshots in the reader's language (the names of steps, items... stay as they
        were when the version was made)."""
        previous = self._guide_version_previous_of()
        names_of = {}
        for version in self:
            process = version.process_id
            if process.id not in names_of:
                names_of[process.id] = self._guide_version_names(process)
            names = names_of[process.id]
            summary = self._guide_version_previous_summary(process, version, names)
            before = previous.get(version.id)
            if before:
                diff = difflib.ndiff(
                    self._guide_version_previous_summary(process, before, names).splitlines(),
                    summary.splitlines(),
                )
                changes = "\n".join(line for line in diff if line[:2] in ("+ ", "- "))[:CHANGES_MAX]
            else:
                changes = version.changes or ""
            version.summary_text = summary
            version.changes_text = changes

    def _guide_version_previous_of(self):
        """{version id: the version before it of the same process} (versions are numbered
        one after the other and never deleted alone), in one query."""
        versions = self.filtered("id")
        if not versions:
            return {}
        earlier = self.search(
            [
                ("process_id", "in", versions.process_id.ids),
                ("version", "in", list({version.version - 1 for version in versions})),
            ]
        )
        by_number = {(version.process_id.id, version.version): version for version in earlier}
        return {
            version.id: by_number[key]
            for version in versions
            if (key := (version.process_id.id, version.version - 1)) in by_number
        }

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Process versions are written by the engine only."))
        return super().create(vals_list)

    def write(self, vals):  # pylint: disable=method-required-super
        self.check_access("write")
        raise UserError(
            self.env._(
                "%(version)s: a process version cannot be modified; "
                "change the process, which makes a new one.",
                version=", ".join(self.mapped("display_name"))[:200],
            )
        )

    @api.ondelete(at_uninstall=True)
    def _unlink_except_engine_state(self):
        if module_uninstalling(self.env):
            return
        # nobody has the unlink access right; deleting the process deletes its versions
        raise UserError(
            self.env._(
                "%(version)s: a process version cannot be deleted.",
                version=", ".join(self.mapped("display_name"))[:200],
            )
        )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _guide_version_touch(self, processes):
        """Note that the design of ``processes`` changed: at the end of the transaction
        (precommit) each gets a new version if its design differs from its last one. A
        version made in this transaction (a new process being filled) is completed at
        once, so that nothing is left for the end of the transaction that made it."""
        if not processes:
            return
        cr = self.env.cr
        fresh = cr.precommit.data.get(PRECOMMIT_FRESH) or {}
        filling = processes.filtered(lambda p: p.id in fresh)
        if filling:
            self.sudo()._guide_version_make(filling, authors=dict.fromkeys(filling.ids, self.env.uid))
            processes -= filling
        if not processes:
            return
        pending = cr.precommit.data.get(PRECOMMIT_PENDING)
        if pending is None:
            pending = cr.precommit.data[PRECOMMIT_PENDING] = {}
            cr.precommit.add(self.sudo()._guide_version_flush)
        for process_id in processes.ids:
            pending[process_id] = self.env.uid

    def _guide_version_flush(self):
        """Precommit: one version per process whose design changed in the transaction."""
        pending = self.env.cr.precommit.data.pop(PRECOMMIT_PENDING, {})
        processes = self.env["guide.process"].browse(list(pending)).exists()
        if processes:
            processes.invalidate_recordset()
            self._guide_version_make(processes, authors=pending)
            self.flush_model()

    @api.model
    def _guide_version_make(self, processes, authors=None):
        """Make (or, for a version made in this transaction, complete) the version of
        each of ``processes`` whose design differs from its last version. Engine
        (sudo) only. Returns the versions made or completed."""
        authors = authors or {}
        latest = self._guide_version_latest(processes)
        fresh = self.env.cr.precommit.data.setdefault(PRECOMMIT_FRESH, {})
        vals_list = []
        changed = self.browse()
        for process in processes:
            design = process.with_context(lang=None, active_test=False)._guide_version_design()
            snapshot = json.dumps(design, sort_keys=True, ensure_ascii=False)
            last = latest.get(process.id)
            if last and last.snapshot == snapshot:
                continue
            author = authors.get(process.id) or self.env.uid
            if last and fresh.get(process.id) == last.id:
                # made in this transaction (the process, then its steps, were created)
                previous = self.search(
                    [("process_id", "=", process.id), ("version", "<", last.version)], limit=1
                )
                super(GuideProcessVersion, last).write(
                    self._guide_version_vals(process, design, snapshot, previous, author, last.version)
                )
                changed |= last
                continue
            vals_list.append(
                self._guide_version_vals(
                    process, design, snapshot, last, author, (last.version if last else 0) + 1
                )
            )
        versions = self.create(vals_list) if vals_list else self.browse()
        fresh.update({version.process_id.id: version.id for version in versions})
        if versions:
            # the configuration cache names the current version of each process
            self.env.registry.clear_cache()
        return versions | changed

    @api.model
    def _guide_version_latest(self, processes):
        """{process id: its last version}, in one query."""
        if not processes:
            return {}
        self.flush_model(["process_id", "version"])
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT ON (process_id) process_id, id FROM guide_process_version "
                "WHERE process_id IN %s ORDER BY process_id, version DESC",
                tuple(processes.ids),
            )
        )
        rows = self.env.cr.fetchall()
        return {process_id: self.browse(version_id) for process_id, version_id in rows}

    @api.model
    def _guide_version_vals(self, process, design, snapshot, previous, author, number):
        # the summaries compare line by line: one language (the source terms)
        summary = self.with_context(lang=None)._guide_version_summary(process, design)
        changes = ""
        if previous:
            before = self.with_context(lang=None)._guide_version_previous_summary(process, previous)
            diff = difflib.ndiff(before.splitlines(), summary.splitlines())
            changes = "\n".join(line for line in diff if line[:2] in ("+ ", "- "))[:CHANGES_MAX]
        return {
            "process_id": process.id,
            "version": number,
            "date": fields.Datetime.now(),
            "author_id": author,
            "summary": summary,
            "changes": changes,
            "snapshot": snapshot,
        }

    @api.model
    def _guide_version_names(self, process):
        """{name as written: name in the reader's language} of the parts of ``process`` as
        they are now (steps, their stages, items, tasks, hints, milestones, the records of
        its scope): a snapshot keeps the names in the language they were written in (the
        source, English), and a part still of that name reads in the reader's language; a
        part renamed since keeps its old name. Empty in English."""
        lang = self.env.lang
        if not lang or lang == "en_US" or not process:
            return {}
        process = process.sudo().with_context(active_test=False)
        steps = process.step_ids
        parts = [steps, steps.item_ids, steps.task_ids, process.milestone_ids]
        # the hints of the design (those shared by every process of the model too), and
        # those of the process or its steps archived since
        hints = (
            self.env["guide.hint"]
            .sudo()
            .with_context(active_test=False)
            .search(["|", ("process_id", "=", process.id), ("step_ids", "in", steps.ids)])
        )
        parts.append(hints | process._guide_version_hints())
        for step in steps.filtered(lambda s: s.stage_model in self.env and s.stage_res_id):
            parts.append(self.env[step.stage_model].sudo().browse(step.stage_res_id).exists())
        for key in process._guide_scope_values():
            field = process._fields.get(key)
            if field is not None and field.relational:
                parts.append(process[key])
        names = {}
        for records in parts:
            written = records.with_context(lang="en_US").mapped("display_name")
            read = records.with_context(lang=lang).mapped("display_name")
            for source, translated in zip(written, read, strict=True):
                names.setdefault(source, translated)
        return names

    @api.model
    def _guide_version_previous_summary(self, process, previous, names=None):
        """The summary of ``previous`` as this code writes it (from its snapshot), so
        that a change of wording between releases is not shown as a change of design;
        ``names``: the parts' names in the reader's language (``_guide_version_names``)."""
        try:
            design = json.loads(previous.snapshot or "")
            return self._guide_version_summary(process, design, names)
        except (ValueError, KeyError, TypeError, AttributeError):
            return previous.summary or ""

    @api.model
    def _guide_version_label(self, model_name, field_name, value):
        """The label of a selection value, as the configuration screens show it."""
        field = self.env[model_name]._fields[field_name]
        return dict(field._description_selection(self.env)).get(value, value or "-")

    @api.model
    def _guide_version_model_label(self, model_name):
        """The name of a model as the screens show it (its technical name if it is gone)."""
        return self.env["ir.model"]._get(model_name).name or model_name

    @api.model
    def _guide_version_scope_label(self, key):
        field = self.env["guide.process"]._fields.get(key)
        return field.get_description(self.env)["string"] if field is not None else key

    @api.model
    def _guide_version_summary(self, process, design, names=None):
        """The design as readable lines (steps with their items, tasks and branches, the
        alternate steps, hints, milestones), the conditions in words, the names of its parts
        in the reader's language where ``names`` has them."""
        model_name = design["scope"]["model"]
        rule_words = RuleWords(self.env, model_name)
        design = self._guide_version_named(design, names or {})

        def words(condition):
            return domain_words(self.env, model_name, condition)

        lines = self._guide_version_scope_lines(design["scope"], words)
        for step in design["steps"]:
            lines += self._guide_version_step_lines(step, words, rule_words)
        for hint in design["hints"]:
            if hint["steps"]:
                steps = ", ".join(hint["steps"])
                line = self.env._("Hint %(hint)s (steps %(steps)s)", hint=hint["name"], steps=steps)
            else:
                line = self.env._("Hint %(hint)s (every step)", hint=hint["name"])
            if condition := self._guide_version_when(words, hint.get("condition")):
                line += self.env._(", shown when %(condition)s", condition=condition)
            lines.append(line)
        for milestone in design["milestones"]:
            mode = self._guide_version_label("guide.milestone", "reach_mode", milestone["mode"])
            condition = words(milestone["condition"])
            if condition:
                line = self.env._(
                    "Milestone %(milestone)s (%(mode)s: %(condition)s)",
                    milestone=milestone["name"],
                    mode=mode,
                    condition=condition,
                )
            else:
                line = self.env._(
                    "Milestone %(milestone)s (%(mode)s)", milestone=milestone["name"], mode=mode
                )
            lines.append(line)
        return "\n".join(lines)

    @api.model
    def _guide_version_named(self, design, names):
        """``design`` with the names of its parts read through ``names`` (a copy)."""
        if not names:
            return design

        def name(value):
            return names.get(value, value)

        def listed(values):
            return [name(value) for value in values]

        scope = dict(design["scope"])
        scope["filters"] = {
            key: listed(value) if isinstance(value, list) else value
            for key, value in scope.get("filters", {}).items()
        }
        steps = [
            dict(
                step,
                name=name(step["name"]),
                stage=name(step["stage"]),
                allowed=listed(step["allowed"]),
                **{"from": listed(step["from"])},
                items=[dict(item, name=name(item["name"])) for item in step["items"]],
                tasks=[dict(task, name=name(task["name"])) for task in step["tasks"]],
                branches=[dict(branch, to=name(branch["to"])) for branch in step["branches"]],
            )
            | {"return": name(step["return"])}
            for step in design["steps"]
        ]
        hints = [dict(hint, name=name(hint["name"]), steps=listed(hint["steps"])) for hint in design["hints"]]
        milestones = [dict(milestone, name=name(milestone["name"])) for milestone in design["milestones"]]
        return dict(design, scope=scope, steps=steps, hints=hints, milestones=milestones)

    @api.model
    def _guide_version_scope_lines(self, scope, words):
        """The lines of the process's scope: model, company, condition, the bridges' filters."""
        condition = words(scope["condition"])
        if scope["company"]:
            companies = self.env._("company %(company)s", company=scope["company"])
        else:
            companies = self.env._("every company")
        if condition:
            records = self.env._("records where %(condition)s", condition=condition)
        else:
            records = self.env._("every record")
        lines = [
            self.env._(
                "Scope: %(model)s, %(company)s, %(records)s",
                model=self._guide_version_model_label(scope["model"]),
                company=companies,
                records=records,
            )
        ]
        for key, value in scope.get("filters", {}).items():
            field = self.env["guide.process"]._fields.get(key)
            if field is not None and field.type == "selection" and not isinstance(value, list):
                value = self._guide_version_label("guide.process", key, value)
            shown = ", ".join(str(v) for v in value) if isinstance(value, list) else value
            lines.append(
                self.env._(
                    "Scope, %(field)s: %(values)s",
                    field=self._guide_version_scope_label(key),
                    values=shown if shown not in (None, False, "") else "-",
                )
            )
        return lines

    @api.model
    def _guide_version_step_lines(self, step, words, rule_words):
        """The lines of a step: the step, then (indented) its next steps, items, tasks, branches."""
        if step["kind"] == "alternate":
            places = {
                "step": step["name"],
                "from": ", ".join(step["from"]) or self.env._("any step"),
                "back": step["return"] or self.env._("the step it came from"),
            }
            condition = words(step["condition"])
            if condition:
                line = self.env._(
                    "Alternate step %(step)s (from %(from)s, back to %(back)s, when %(condition)s)",
                    condition=condition,
                    **places,
                )
            else:
                line = self.env._("Alternate step %(step)s (from %(from)s, back to %(back)s)", **places)
        else:
            line = self.env._(
                "Step %(step)s (stage %(stage)s, gate %(gate)s, %(hours)s h expected)",
                step=step["name"],
                stage=step["stage"],
                gate=self._guide_version_label("guide.step", "gate_mode", step["gate"]),
                hours=rule_words.number(step["hours"] or 0.0),
            )
        lines = [line]
        if step["allowed"]:
            lines.append("  " + self.env._("Allowed next: %(steps)s", steps=", ".join(step["allowed"])))
        for item in step["items"]:
            mandatory = self.env._(", mandatory") if item["mandatory"] else ""
            mode = self._guide_version_label("guide.item", "completion", item["completion"])
            line = self.env._(
                "Item %(item)s (%(mode)s%(mandatory)s)", item=item["name"], mode=mode, mandatory=mandatory
            )
            lines.append("  " + line + self._guide_version_item_conditions(item, words))
        for task in step["tasks"]:
            kind = self._guide_version_label("guide.task", "kind", task["kind"])
            line = self.env._("Task %(task)s (%(kind)s)", task=task["name"], kind=kind)
            lines.append("  " + line + self._guide_version_task_details(task, words))
        for branch in step["branches"]:
            if branch["condition"].replace(" ", "") in ("", "[]"):
                line = self.env._("Branch to %(step)s by default", step=branch["to"])
            else:
                line = self.env._(
                    "Branch to %(step)s when %(condition)s",
                    step=branch["to"],
                    condition=words(branch["condition"]),
                )
            lines.append("  " + line)
        return lines

    @api.model
    def _guide_version_when(self, words, condition):
        """A condition of the design in words, empty when it is not set."""
        condition = condition or ""
        return words(condition) if condition.replace(" ", "") not in ("", "[]") else ""

    @api.model
    def _guide_version_item_conditions(self, item, words):
        """The conditions of a checklist item in words: when it applies, when it is done
        (an automatic item's)."""
        text = ""
        if applies := self._guide_version_when(words, item.get("apply")):
            text += self.env._(", applies when %(condition)s", condition=applies)
        if item["completion"] == "auto" and (done := self._guide_version_when(words, item.get("auto"))):
            text += self.env._(", done when %(condition)s", condition=done)
        return text

    @api.model
    def _guide_version_task_details(self, task, words):
        """Whether an optional task gates the step once added and when it is suggested."""
        text = self.env._(", gates the step once added") if task.get("mandatory") else ""
        if suggested := self._guide_version_when(words, task.get("suggest")):
            text += self.env._(", suggested when %(condition)s", condition=suggested)
        return text

    @api.model
    def _guide_version_install(self):
        """Migration: every process gets its v1 (its current design), and the stage
        history rows of a process without a version name that v1. Idempotent. Only
        the processes of the models the registry guides now: the bridges call it
        again once they are loaded (their ``end-`` migration scripts)."""
        self.env.cr.execute(
            SQL(
                "SELECT p.id FROM guide_process p WHERE p.model_name IN %s AND NOT EXISTS "
                "(SELECT 1 FROM guide_process_version v WHERE v.process_id = p.id)",
                tuple(self.env["guide.process"]._guide_model_names()) or ("",),
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        processes = self.env["guide.process"].sudo().with_context(active_test=False).browse(ids)
        self.sudo()._guide_version_make(processes)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE guide_history h SET process_version_id = v.id
                     FROM guide_process_version v
                    WHERE h.process_version_id IS NULL AND v.process_id = h.process_id AND v.version = 1"""
            )
        )
        self.env["guide.history"].invalidate_model(["process_version_id"])


class GuideVersionMixin(models.AbstractModel):
    """The models of a process's design: a change of one of them makes a new version
    of the processes it belongs to (``_guide_version_processes``)."""

    _name = "guide.version.mixin"
    _description = "Part of a Process Design"

    def _guide_version_processes(self):
        return self.sudo().process_id

    def _guide_version_created_processes(self):
        """The processes a creation of ``self`` changes."""
        return self._guide_version_processes()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["guide.process.version"]._guide_version_touch(records._guide_version_created_processes())
        return records

    def write(self, vals):
        processes = self._guide_version_processes()
        res = super().write(vals)
        self.env["guide.process.version"]._guide_version_touch(processes | self._guide_version_processes())
        return res

    def unlink(self):
        processes = self._guide_version_processes()
        res = super().unlink()
        self.env["guide.process.version"]._guide_version_touch(processes.exists())
        return res


class GuideProcess(models.Model):
    _name = "guide.process"
    _inherit = ["guide.process", "guide.version.mixin"]

    version_ids = fields.One2many("guide.process.version", "process_id", string="Versions")
    version_count = fields.Integer(compute="_compute_version_count")

    def _compute_version_count(self):
        data = self.env["guide.process.version"]._read_group(
            [("process_id", "in", self.ids)], ["process_id"], ["__count"]
        )
        counts = {process.id: count for process, count in data}
        for process in self:
            process.version_count = counts.get(process.id, 0)

    def _guide_version_processes(self):
        return self

    def _guide_version_created_processes(self):
        # a new process gets its v1 at once (create of guide_process.py)
        return self.browse()

    def unlink(self):
        """The versions go first, in a statement of their own: the stage history rows,
        visits and variants lose their version before they lose their process. In one
        statement PostgreSQL may check a history row (updated earlier in the same
        transaction, by the deletion of its step) against a version its cascade has
        already deleted, which failed the uninstallation of an upgraded database."""
        if self.ids:
            self.check_access("unlink")
            self.env.flush_all()
            self.env.cr.execute(
                SQL("DELETE FROM guide_process_version WHERE process_id IN %s", tuple(self.ids))
            )
            # history rows, visits and variants no longer name these versions
            self.env.invalidate_all()
        return super().unlink()

    def action_view_versions(self):
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "base_process_guide.guide_process_version_action"
        )
        action["domain"] = [("process_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _guide_version_create(self):
        """v1 of new processes, at once (records may move in the same transaction)."""
        self.env["guide.process.version"].sudo()._guide_version_make(self)

    def _guide_version_current_ids(self):
        """{process id: id of its current version}, in one query (the configuration
        cache keeps it for the history rows)."""
        return {
            process_id: version.id
            for process_id, version in self.env["guide.process.version"]._guide_version_latest(self).items()
        }

    def _guide_version_hints(self):
        """The hints of the design of the process: its own, those of its steps and those
        of every process of its model (of its company or of none)."""
        self.ensure_one()
        return (
            self.env["guide.hint"]
            .with_context(active_test=True)
            .search(
                [
                    ("model_name", "=", self.model_name),
                    # a company's hints are in its processes' designs only (a shared
                    # process's design is every company's: no company's hint)
                    ("company_id", "in", [False, *self.company_id.ids]),
                    "|",
                    ("process_id", "=", self.id),
                    "&",
                    ("process_id", "=", False),
                    "|",
                    ("step_ids", "=", False),
                    ("step_ids", "in", self.step_ids.ids),
                ],
                order="sequence, id",
            )
        )

    def _guide_version_design(self):
        """The design of the process as plain data (names, kinds, conditions), the
        snapshot of its versions."""
        self.ensure_one()
        steps = self.step_ids.sorted(lambda s: (s.sequence, s.id))
        hints = self._guide_version_hints()
        # the bridges' scope (teams, types...): the values of the configuration cache
        # that are set (each bridge gives its keys for every process: a bridge installed
        # later does not change the design of the other models' processes)
        values = self._guide_scope_values()
        defaults = self.default_get(sorted(key for key in values if key in self._fields))
        scope = {}
        for key, value in sorted(values.items()):
            if not value or value == defaults.get(key):
                continue
            field = self._fields.get(key)
            if field is not None and field.relational:
                scope[key] = sorted(self[key].mapped("display_name"))
            else:
                scope[key] = sorted(value) if isinstance(value, set | frozenset) else value
        return {
            "scope": {
                "model": self.model_name,
                "company": self.company_id.name or "",
                "condition": self.domain or "",
                "active": self.active,
                "filters": scope,
            },
            "steps": [step._guide_version_design() for step in steps],
            "hints": [
                {
                    "name": hint.name,
                    "steps": [s.name for s in hint.step_ids.sorted(lambda s: (s.sequence, s.id))],
                    "condition": hint.domain or "",
                    "requires_ack": hint.requires_ack,
                    "priority": hint.priority,
                }
                for hint in hints
            ],
            "milestones": [
                {"name": m.name, "mode": m.reach_mode, "condition": m.condition or ""}
                for m in self.milestone_ids.sorted(lambda m: (m.sequence, m.id))
            ],
        }


class GuideStep(models.Model):
    _name = "guide.step"
    _inherit = ["guide.step", "guide.version.mixin"]

    def _guide_version_stage_name(self):
        self.ensure_one()
        if self.stage_model in self.env and self.stage_res_id:
            stage = self.env[self.stage_model].sudo().browse(self.stage_res_id).exists()
            if stage:
                return stage.display_name
        return f"#{self.stage_res_id or 0}"

    def _guide_version_design(self):
        self.ensure_one()
        alternate = self.kind == "alternate"
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "stage": self._guide_version_stage_name() if not alternate else "",
            "stage_id": self.stage_res_id or 0,
            "gate": self.gate_mode,
            "hours": round(self.expected_hours or 0.0, 2),
            "allowed": [s.name for s in self.allowed_step_ids.sorted(lambda s: (s.sequence, s.id))],
            "from": [s.name for s in self.alt_from_step_ids.sorted(lambda s: (s.sequence, s.id))],
            "return": self.alt_return_step_id.name or "",
            "condition": self.alt_auto_domain or "",
            "items": [
                {
                    "name": item.name,
                    "mandatory": item.mandatory,
                    "completion": item.completion,
                    "apply": item.apply_domain or "",
                    "auto": item.auto_domain or "",
                }
                for item in self.item_ids.filtered("active").sorted(lambda i: (i.sequence, i.id))
            ],
            "tasks": [
                {
                    "name": task.name,
                    "kind": task.kind,
                    "mandatory": task.mandatory,
                    "suggest": task.suggest_domain or "",
                }
                for task in self.task_ids.sorted(lambda t: (t.sequence, t.id))
            ],
            "branches": [
                {"to": branch.to_step_id.name or "", "condition": branch.domain or ""}
                for branch in self.branch_ids.sorted(lambda b: (b.sequence, b.id))
            ],
        }


class GuideItem(models.Model):
    _name = "guide.item"
    _inherit = ["guide.item", "guide.version.mixin"]


class GuideStepBranch(models.Model):
    _name = "guide.step.branch"
    _inherit = ["guide.step.branch", "guide.version.mixin"]


class GuideTask(models.Model):
    _name = "guide.task"
    _inherit = ["guide.task", "guide.version.mixin"]


class GuideMilestone(models.Model):
    _name = "guide.milestone"
    _inherit = ["guide.milestone", "guide.version.mixin"]


class GuideHint(models.Model):
    _name = "guide.hint"
    _inherit = ["guide.hint", "guide.version.mixin"]

    def _guide_version_processes(self):
        # the processes whose design a hint is part of (``_guide_version_design``): those of
        # its company, or every company's for a hint of none
        processes = self.env["guide.process"].sudo()
        for hint in self.sudo():
            linked = hint.process_id | hint.step_ids.process_id
            if not linked:
                linked = processes.with_context(active_test=False).search(
                    [("model_name", "=", hint.model_name)]
                )
            processes |= linked.filtered(
                lambda p, hint=hint: not hint.company_id or p.company_id == hint.company_id
            )
        return processes


class GuideHistory(models.Model):
    _inherit = "guide.history"  # pylint: disable=consider-merging-classes-inherited

    process_version_id = fields.Many2one("guide.process.version", readonly=True, ondelete="set null")

    @api.model
    def _guide_create_rows(self, vals_list):
        """The rows name the current version of their process, read from the
        configuration cache (no query)."""
        configs = {}
        for vals in vals_list:
            if vals.get("process_version_id") or not vals.get("process_id") or not vals.get("res_model"):
                continue
            model_name = vals["res_model"]
            if model_name not in configs:
                config = self.env["guide.process"]._get_guide_config(model_name)
                configs[model_name] = {p["id"]: p.get("version_id") for p in config["processes"]}
            vals["process_version_id"] = configs[model_name].get(vals["process_id"]) or False
        return super()._guide_create_rows(vals_list)
