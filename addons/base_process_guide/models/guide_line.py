from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools import field_labels, lock_rows, refuse_missing
from ..tools.refusal import REFUSAL_NAMES


class GuideLine(models.Model):
    """A checklist item instantiated on one record, in one step.

    Lines copy the item's configuration when the record enters the step, so a
    record in flight keeps the rules it started with.
    """

    _name = "guide.line"
    _inherit = ["guide.condition.mixin", "guide.bulk.mixin", "guide.record.link.mixin"]
    # the unique index (res_model, res_id, step_id, item_id) finds the lines of a record
    _guide_record_index = False
    _description = "Checklist Line"
    _order = "sequence, id"
    _guide_engine_owned = True
    # written by thousands at every mass move: no creator/writer columns (two foreign
    # keys checked row by row, as ``ir.profile`` in Odoo); who ticked and when are
    # the line's own fields, who moved the record is its history row
    _log_access = False

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    # found by the unique index (res_model, res_id, step_id, item_id): no index of their own
    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", required=True, readonly=True)
    step_id = fields.Many2one("guide.step", required=True, readonly=True, ondelete="cascade", index=True)
    # the step's (not a column: one foreign key less checked per line written)
    process_id = fields.Many2one(related="step_id.process_id", string="Process")
    item_id = fields.Many2one("guide.item", string="Configured Item", readonly=True, ondelete="set null")
    company_id = fields.Many2one("res.company", readonly=True)
    # snapshot of the item
    name = fields.Char(string="Item", required=True, readonly=True)
    title = fields.Char(string="Item Title", compute="_compute_title")
    description = fields.Text(string="Help", readonly=True)
    sequence = fields.Integer(readonly=True)
    mandatory = fields.Boolean(readonly=True)
    completion = fields.Selection(
        [
            ("manual", "Ticked by a person"),
            ("auto", "Automatic"),
            # the line of an optional task of kind activity: ticked when its activity is done
            ("activity", "When its activity is done"),
        ],
        required=True,
        readonly=True,
    )
    apply_domain = fields.Char(readonly=True)
    auto_domain = fields.Char(readonly=True)
    # manual completion
    checked = fields.Boolean(readonly=True)
    checked_by_id = fields.Many2one("res.users", string="Done By", readonly=True)
    checked_date = fields.Datetime(string="Done On", readonly=True)
    # when the record entered the step with this line (the effectiveness figures' date)
    create_date = fields.Datetime("Created on", readonly=True, default=fields.Datetime.now)
    # live state
    is_applicable = fields.Boolean(compute="_compute_state")
    is_done = fields.Boolean(string="Done", compute="_compute_state")
    model_name = fields.Char(related="res_model", string="Model Name")

    _sql_constraints = [
        (
            "record_item_uniq",
            "unique(res_model, res_id, step_id, item_id)",
            "An item appears once per record and step.",
        ),
    ]

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    @api.depends_context("lang")
    @api.depends("name", "item_id.name")
    def _compute_title(self):
        """The title of the line's item, or of the optional task that added it, in the
        user's language while the snapshot is still that title (snapshots keep the source
        text, English); otherwise, and in English, the snapshot. One query for the items
        and one for the tasks, in another language only."""
        lang = self.env.lang or "en_US"
        titles = {}
        if lang != "en_US":
            titles = self._guide_item_titles() | self._guide_task_titles()
        for line in self:
            title = titles.get(line.id) or {}
            line.title = title[lang] if title.get(lang) and title.get("en_US") == line.name else line.name

    def _guide_item_titles(self):
        """{line id: its item's name in every language} of the lines of an item."""
        lines = self.filtered("item_id")
        if not lines:
            return {}
        self.env["guide.item"].flush_model(["name"])
        rows = self.env.execute_query(
            SQL("SELECT id, name FROM guide_item WHERE id IN %s", tuple(lines.item_id.ids))
        )
        names = dict(rows)
        return {line.id: names.get(line.item_id.id) for line in lines}

    def _guide_task_titles(self):
        """{line id: its task's name in every language} of the lines an optional task added."""
        ids = [line.id for line in self if not line.item_id and line.id]
        if not ids:
            return {}
        self.env["guide.task"].flush_model(["name"])
        self.env["guide.task.log"].flush_model(["line_id", "task_id"])
        rows = self.env.execute_query(
            SQL(
                """SELECT log.line_id, task.name
                     FROM guide_task_log log JOIN guide_task task ON task.id = log.task_id
                    WHERE log.line_id IN %s""",
                tuple(ids),
            )
        )
        return dict(rows)

    @api.depends_context("uid")
    @api.depends("checked", "completion", "apply_domain", "auto_domain", "res_id")
    def _compute_state(self):
        """Evaluate applicability and automatic completion in batch.

        One query per model for all the distinct conditions, whatever the number of lines.
        """
        self._guide_compute_state()

    def _guide_compute_state(self, extra_records=None, extra_domains=()):
        """``_compute_state``, evaluating in the same query further conditions
        ``extra_domains`` on ``extra_records`` (records of one guided model):
        returns {condition: matching ids} of those."""
        ids_by_model = defaultdict(list)
        for line in self:
            ids_by_model[line.res_model].append(line.id)
        if extra_records is not None:
            ids_by_model.setdefault(extra_records._name, [])
        extra_matches = {}
        for model_name, line_ids in ids_by_model.items():
            lines = self.browse(line_ids)
            if model_name not in self.env:
                lines.is_applicable = lines.is_done = False
                continue
            # evaluated as the engine, as the gate and the stored figures evaluate them
            # (``guide.mixin._guide_condition_subselect``): the checklist a user reads is the
            # one the gate judges, whatever their access to the records a condition reads
            records = self.env[model_name].sudo().browse(set(lines.mapped("res_id")))
            domains = set(lines.mapped("apply_domain")) | set(
                lines.filtered(lambda line: line.completion == "auto").mapped("auto_domain")
            )
            extra = extra_records is not None and model_name == extra_records._name
            if extra:
                records |= extra_records.with_env(records.env)
                domains |= set(extra_domains)
            matches = self._guide_filter_many(records, domains)
            if extra:
                extra_matches = {domain: matches[domain] for domain in extra_domains}
            for line in lines:
                line.is_applicable = line.res_id in matches[line.apply_domain]
                if line.completion == "auto":
                    line.is_done = line.res_id in matches[line.auto_domain]
                else:
                    line.is_done = line.checked
        return extra_matches

    def _guide_evaluate(self):
        """(Re)compute the live state of all these lines at once.

        Reading the computed fields would evaluate them by chunks of the
        prefetch size (1,000 lines); the engine wants one query per condition
        for the whole batch, and fresh values (conditions read fields that
        cannot be declared as dependencies).
        """
        self._guide_evaluate_with(None, ())
        return self

    def _guide_evaluate_with(self, records, domains):
        """``_guide_evaluate``, and the evaluation of further conditions ``domains`` on
        ``records`` in the same query: {condition: matching ids}."""
        state_fields = [self._fields["is_applicable"], self._fields["is_done"]]
        self.invalidate_recordset([field.name for field in state_fields])
        with self.env.protecting(state_fields, self):
            return self._guide_compute_state(records, domains)

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    def write(self, vals):
        """Users only tick or untick (``{'checked': bool}``), whatever the path (RPC, a
        one2many command through the record): the tick goes through
        ``_guide_set_checked`` (write access to the record, manual items only,
        who/when set here, chatter note). Everything else is the engine's."""
        if self.env.su:
            return super().write(vals)
        names = set(vals)
        if vals.get("id") and [vals["id"]] == list(self._ids):
            names.discard("id")  # an import naming the line it ticks (its ".id" column)
        if names != {"checked"}:
            raise AccessError(
                self.env._(
                    "Checklist lines can only be ticked or unticked; "
                    "%(fields)s can only be set by the process engine.",
                    fields=field_labels(self, names - {"checked"}),
                )
            )
        return self._guide_set_checked(bool(vals["checked"]))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_check(self):
        return self._guide_set_checked(True)

    def action_uncheck(self):
        return self._guide_set_checked(False)

    def action_toggle(self):
        refuse_missing(self, "write")  # before reading which lines are ticked
        checked = self.filtered("checked")
        (self - checked)._guide_set_checked(True)
        checked._guide_set_checked(False)
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _guide_rules_using(self, domain_str):
        # the lines hold their items' conditions; the hints' are evaluated with them
        # (``_guide_compute_state``)
        labels = (
            model._guide_rules_using(domain_str) for model in (self.env["guide.item"], self.env["guide.hint"])
        )
        return ", ".join(label for label in labels if label)

    def _guide_refuse_activity_lines(self):
        """Refuse to tick by hand the lines that optional tasks of kind *activity* made:
        they are done when their activity is marked done."""
        lines = self.filtered(lambda line: line.completion == "activity")
        if lines:
            raise UserError(
                self.env._(
                    "%(items)s is done when its activity is marked done; it cannot be ticked by hand.",
                    items=", ".join(lines.mapped("title")[:REFUSAL_NAMES]),
                )
            )

    def _guide_records(self):
        """The guided records of these lines, grouped by model."""
        res_ids = defaultdict(set)
        for line in self:
            res_ids[line.res_model].add(line.res_id)
        return {model: self.env[model].browse(ids) for model, ids in res_ids.items()}

    def _guide_lines_of_steps_left(self):
        """The lines of a step their record is no longer in (neither its step nor the
        alternate step it takes): the checklist the record left the step with, which the
        history, the deviations and the step effectiveness report on, stays so."""
        past = self.browse()
        for records in self._guide_records().values():
            current = {
                record.id: {record.guide_step_id.id, record.guide_alt_step_id.id} - {False}
                for record in records.exists()
            }
            past |= self.filtered(
                lambda line, records=records, current=current: line.res_model == records._name
                and line.step_id
                and line.step_id.id not in current.get(line.res_id, ())
            )
        return past

    def _guide_set_checked(self, checked, by_activity=False):
        """Tick (or untick) the lines as the current user. ``by_activity``: the activities
        the lines' optional tasks made are done (only then are those lines ticked)."""
        refuse_missing(self, "write")
        auto = self.filtered(lambda line: line.completion == "auto")
        if auto:
            raise UserError(
                self.env._(
                    "%(items)s is completed automatically when its condition holds; "
                    "it cannot be ticked by hand.",
                    items=", ".join(auto.mapped("name")),
                )
            )
        if not by_activity:
            self._guide_refuse_activity_lines()
        records_by_model = self._guide_records()
        for records in records_by_model.values():
            # ticking is editing the record: the agent needs write access to it
            records.check_access("write")
        past = self._guide_lines_of_steps_left()
        if past:
            raise UserError(
                self.env._(
                    "%(record)s left step %(step)s: its checklist (%(items)s) stays as it was then.",
                    record=self.env[past[0].res_model].browse(past[0].res_id).display_name,
                    step=past[0].step_id.name,
                    items=", ".join(past.mapped("name")[:REFUSAL_NAMES]),
                )
            )
        # a second tick at once (a double click) is judged as if it came after; the records
        # first, as a move locks them: a tick meeting a move waits for it (then is retried
        # by Odoo and judged after it) instead of failing on the records' checklist figures
        for records in records_by_model.values():
            lock_rows(records)
        lock_rows(self)
        lines = self.filtered(lambda line: line.checked != checked)
        if not lines:
            return True
        now = fields.Datetime.now()
        lines.sudo().write(
            {
                "checked": checked,
                "checked_by_id": self.env.uid if checked else False,
                "checked_date": now if checked else False,
            }
        )
        for records in records_by_model.values():
            records._guide_refresh_checklist_state()
        # record who ticked and unticked what, in the record's chatter
        template = (
            self.env._("Checklist: %(item)s done")
            if checked
            else self.env._("Checklist: %(item)s no longer done")
        )
        for model_name, records in records_by_model.items():
            bodies = {}
            for line in lines.filtered(lambda line, model_name=model_name: line.res_model == model_name):
                body = Markup("<p>%s</p>") % (template % {"item": line.title})
                bodies[line.res_id] = bodies.get(line.res_id, Markup()) + body
            if bodies and hasattr(records, "_message_log_batch"):
                records.browse(list(bodies))._message_log_batch(bodies)
        return True
