from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, Query, format_datetime, format_list, get_lang
from odoo.tools.misc import babel_locale_parse, posix_to_ldml

from ..tools import client_id, group_names, lock_rows, refuse_missing, refuse_not_one, shortened

# the event fields of a guided record: maintained by the engine when the event happens
# (a message, an activity done, a milestone reached), usable in every rule condition
EVENT_FIELDS = ("guide_last_customer_message_date", "guide_last_reply_date")


class GuideMixin(models.AbstractModel):
    """The adaptive layer of a guided record (issue 15): optional tasks an agent adds from
    the guidance panel, milestones reached by condition or by hand, and the event fields
    the rule language reads (a customer message received, a reply sent, an activity type
    done, the milestones reached)."""

    _inherit = "guide.mixin"

    # ------------------------------------------------------------
    # FIELDS: events (usable in every condition)
    # ------------------------------------------------------------
    guide_last_customer_message_date = fields.Datetime(
        string="Last Customer Message",
        readonly=True,
        copy=False,
        help="Helper for conditions: when the last message from outside the company (a customer, "
        "a portal user, an incoming email) was received.",
    )
    guide_last_reply_date = fields.Datetime(
        string="Last Reply to the Customer",
        readonly=True,
        copy=False,
        help="Helper for conditions: when an employee last sent a message to the followers "
        "(not an internal note).",
    )
    guide_done_activity_type_ids = fields.Many2many(
        "mail.activity.type",
        string="Activity Types Done",
        compute="_compute_guide_done_activity_type_ids",
        search="_search_guide_done_activity_type_ids",
        help="Helper for conditions: the types of the activities marked done on the record.",
    )
    guide_milestone_ids = fields.Many2many(
        "guide.milestone",
        string="Milestones Reached",
        compute="_compute_guide_summary",
        search="_search_guide_milestone_ids",
        help="Helper for conditions: the milestones the record reached.",
    )
    guide_milestone_timeline = fields.Html(
        string="Process Milestones", compute="_compute_guide_summary", sanitize=False
    )
    guide_task_log_count = fields.Integer(string="Tasks Added", compute="_compute_guide_summary")
    # what the guidance panel offers, from the cached configuration (no query)
    guide_task_available = fields.Boolean(compute="_compute_guide_adaptive_offers")
    guide_milestone_manual = fields.Boolean(compute="_compute_guide_adaptive_offers")
    # the record's process has milestones (reached automatically or by hand): the panel lists them
    guide_milestone_available = fields.Boolean(compute="_compute_guide_adaptive_offers")
    guide_task_suggested_ids = fields.Many2many(
        "guide.task", string="Suggested Tasks", compute="_compute_guide_task_suggested_ids"
    )

    # ------------------------------------------------------------
    # HOOKS
    # ------------------------------------------------------------
    @api.model
    def _guide_engine_fields(self):
        return super()._guide_engine_fields() | {
            *EVENT_FIELDS,
            "guide_milestone_ids",
            "guide_done_activity_type_ids",
        }

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    def _guide_summary_models(self):
        return [
            *super()._guide_summary_models(),
            "guide.milestone.reached",
            "guide.milestone",
            "guide.task.log",
        ]

    def _guide_summary_columns(self):
        lang = self.env.lang or "en_US"
        return {
            **super()._guide_summary_columns(),
            "milestones": SQL(
                """(SELECT json_agg(json_build_array(
                               m.milestone_id, to_char(m.date, 'YYYY-MM-DD HH24:MI:SS'),
                               COALESCE(g.name->>%s, g.name->>'en_US'), p.name, m.mode)
                           ORDER BY m.date, m.id)
                      FROM guide_milestone_reached m
                      JOIN guide_milestone g ON g.id = m.milestone_id
                      LEFT JOIN res_users u ON u.id = m.user_id
                      LEFT JOIN res_partner p ON p.id = u.partner_id
                     WHERE m.res_model = %s AND m.res_id = r.id)""",
                lang,
                self._name,
            ),
            "task_log_count": SQL(
                "(SELECT COUNT(*) FROM guide_task_log t WHERE t.res_model = %s AND t.res_id = r.id)",
                self._name,
            ),
        }

    def _guide_summary_values(self, values):
        milestones = values.get("milestones") or []
        return {
            **super()._guide_summary_values(values),
            "guide_milestone_ids": tuple(sorted({row[0] for row in milestones})),
            "guide_milestone_timeline": self._guide_timeline_html(milestones),
            "guide_task_log_count": values.get("task_log_count") or 0,
        }

    def _guide_timeline_html(self, milestones):
        """The milestones reached, oldest first: name, date (the user's time zone), who."""
        if not milestones:
            return False
        items = Markup()
        # as the web client writes dates and times: the language's formats, without seconds
        lang = get_lang(self.env)
        pattern = posix_to_ldml(
            f"{lang.date_format} {lang.time_format.replace(':%S', '')}", babel_locale_parse(lang.code)
        )
        for _id, date, name, user_name, _mode in milestones:
            when = format_datetime(self.env, fields.Datetime.from_string(date), dt_format=pattern)
            who = user_name or ""
            items += Markup(
                '<li class="o_guide_milestone"><i class="fa fa-flag text-success" title="%s"></i> '
                "<strong>%s</strong> <span class='text-muted'>%s%s</span></li>"
            ) % (
                self.env._("Milestone reached"),
                name,
                when,
                Markup(" · %s") % who if who else "",
            )
        return Markup('<ul class="list-unstyled mb-0 o_guide_milestones">%s</ul>') % items

    def _compute_guide_adaptive_offers(self):
        tasks = self.env["guide.task"]._get_task_config(self._name)
        milestones = self.env["guide.milestone"]._get_milestone_config(self._name)
        for record in self:
            record.guide_task_available = record.guide_step_id.id in tasks["steps"]
            process_id = record.guide_process_id.id
            record.guide_milestone_manual = process_id in milestones["manual"]
            record.guide_milestone_available = (
                record.guide_milestone_manual or process_id in milestones["auto"]
            )

    @api.depends("guide_step_id")
    def _compute_guide_task_suggested_ids(self):
        """The optional tasks of the current step whose condition holds and that the record
        does not have yet (or that can be added again): one query for the conditions and
        one for the tasks added, only for records in steps with suggestions."""
        Task = self.env["guide.task"]
        suggest = Task._get_task_config(self._name)["suggest"]
        records = self._origin.filtered(lambda rec: rec.guide_step_id.id in suggest)
        self.guide_task_suggested_ids = Task
        if not records:
            return
        domains = {cond for step_id in set(records.guide_step_id.ids) for _tid, cond in suggest[step_id]}
        matches = Task._guide_filter_many(records.sudo(), domains)
        task_ids = {tid for step_id in set(records.guide_step_id.ids) for tid, _cond in suggest[step_id]}
        added = {
            (log.res_id, log.task_id.id)
            for log in self.env["guide.task.log"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", records.ids),
                    ("task_id", "in", list(task_ids)),
                ],
                ["res_id", "task_id"],
            )
        }
        repeatable = set(Task.sudo().browse(task_ids).filtered("repeatable").ids)
        for record in self:
            res_id = record._origin.id
            ids = [
                tid
                for tid, cond in suggest.get(record.guide_step_id.id, ())
                if res_id in matches[cond] and (tid in repeatable or (res_id, tid) not in added)
            ]
            record.guide_task_suggested_ids = Task.browse(ids)

    def _compute_guide_done_activity_type_ids(self):
        data = (
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", self._name),
                    ("res_id", "in", self._origin.ids),
                    ("mail_activity_type_id", "!=", False),
                ],
                ["res_id", "mail_activity_type_id"],
            )
        )
        done = defaultdict(list)
        for res_id, activity_type in data:
            done[res_id].append(activity_type.id)
        ActivityType = self.env["mail.activity.type"]
        for record in self:
            record.guide_done_activity_type_ids = ActivityType.browse(done.get(record._origin.id, []))

    # ------------------------------------------------------------
    # SEARCHES (what conditions read)
    # ------------------------------------------------------------
    @api.model
    def _guide_search_rows(self, operator, value, rows_query, fname):
        """The domain of a search on a helper many2many read from rows about the records:
        ``rows_query(value or None)`` gives the ``res_id`` of the rows matching ``value``
        (None: any row). Set or not set (``True``/``False``), an id, a name or a list of
        them; anything else is refused naming the field and the value, before the
        database would choke on it."""
        if operator in ("=", "!=") and isinstance(value, bool):
            positive, query = (operator == "=") == value, rows_query(None)
        elif operator in ("in", "=", "not in", "!=") and self._guide_search_names_rows(value):
            positive, query = operator in ("in", "="), rows_query(value)
        elif operator in ("in", "=", "not in", "!="):
            raise UserError(
                self.env._(
                    "Unsupported search on %(field)s: %(value)s is not an id, a name or a list of them.",
                    field=self._fields[fname].string,
                    value=shortened(value),
                )
            )
        else:
            raise UserError(self.env._("Unsupported search on %(field)s.", field=self._fields[fname].string))
        return [("id", "in" if positive else "not in", query)]

    @api.model
    def _guide_search_names_rows(self, value):
        """Whether ``value`` names rows as a search on a relation takes it: an id, a name,
        a list of ids and names, or the subquery the ORM makes of a path or ``any``."""

        def one(item):
            return isinstance(item, str) or (isinstance(item, int) and not isinstance(item, bool))

        return (
            one(value)
            or isinstance(value, Query)
            or (isinstance(value, list | tuple) and all(one(item) for item in value))
        )

    def _search_guide_milestone_ids(self, operator, value):
        def rows(value):
            domain = [("res_model", "=", self._name)]
            if value is not None:
                domain.append(("milestone_id", "in", value if not isinstance(value, int) else [value]))
            return self.env["guide.milestone.reached"].sudo()._search(domain).subselect("res_id")

        return self._guide_search_rows(operator, value, rows, "guide_milestone_ids")

    def _search_guide_done_activity_type_ids(self, operator, value):
        def rows(value):
            domain = [("model", "=", self._name), ("mail_activity_type_id", "!=", False)]
            if value is not None:
                domain.append(
                    ("mail_activity_type_id", "in", value if not isinstance(value, int) else [value])
                )
            return self.env["mail.message"].sudo()._search(domain).subselect("res_id")

        return self._guide_search_rows(operator, value, rows, "guide_done_activity_type_ids")

    # ------------------------------------------------------------
    # PIPELINE (guide.mixin._guide_pipeline)
    # ------------------------------------------------------------
    # milestones are reached after the history and checklists, before the escalation
    # clocks (a clock met by a milestone stops in the same change)
    @api.model
    def _guide_pipeline(self):
        return [*super()._guide_pipeline(), ("after", 15, "_guide_milestones_after")]

    def _guide_milestones_after(self, change):
        """After-effects: the automatic milestones the change reaches. Nothing (no query) for
        records whose process has none, or for a write of fields no milestone reads."""
        config = self.env["guide.milestone"]._get_milestone_config(self._name)
        if not config["auto"]:
            return
        if not change["creating"]:
            guide = change.get("guide") or {}
            if not guide.get("transitions") and not config["fields"].intersection(change["vals"]):
                return
        self._guide_milestones_evaluate(config)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_guide_open_add_task(self, task_id=None):
        """The dialog adding an optional task of the current step (with a note)."""
        refuse_not_one(self, "write")  # before reading its step or process
        # the task a client names is a task (the dialog would open on an error otherwise)
        task = self._guide_client_record("guide.task", task_id)
        if task_id and not task:
            raise UserError(self.env._("This optional task no longer exists."))
        return self._guide_dialog_action(
            self.env._("Add a Task"),
            "guide.task.wizard",
            {"default_step_id": self.guide_step_id.id, "default_task_id": task.id or False},
        )

    def action_guide_open_reach_milestone(self):
        """The dialog marking a milestone reached by hand (with a note)."""
        refuse_not_one(self, "write")  # before reading its step or process
        return self._guide_dialog_action(
            self.env._("Mark a Milestone Reached"),
            "guide.milestone.wizard",
            {"default_process_id": self.guide_process_id.id},
        )

    def action_guide_open_milestones(self):
        return self._guide_rows_action(self.env._("Milestones"), "guide.milestone.reached")

    def action_guide_open_task_logs(self):
        return self._guide_rows_action(self.env._("Tasks Added"), "guide.task.log")

    def _guide_dialog_action(self, name, res_model, defaults):
        """A dialog acting on this record (``res_model``/``res_id`` as defaults), for users
        who may edit it."""
        refuse_not_one(self, "write")
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": res_model,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_res_model": self._name, "default_res_id": self.id, **defaults},
        }

    def _guide_rows_action(self, name, res_model):
        """The list of the rows of ``res_model`` about this record."""
        refuse_not_one(self)
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": res_model,
            "view_mode": "list",
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_guide_add_task(self, task_id=False, note=False):
        """Add the optional task ``task_id`` of the records' current step: a checklist line
        (mandatory if the task says so) or an activity, and the row saying who added it,
        when and why. For users who may edit the records and belong to the task's groups.

        :return: True
        """
        refuse_missing(self, "write")
        # the records first, as Odoo refuses them: who may not edit them learns nothing else
        self.check_access("write")
        task = self._guide_client_record("guide.task", task_id)
        if not task:
            raise UserError(self.env._("This optional task no longer exists."))
        note = self._guide_client_note(note)
        lock_rows(self)
        self._guide_check_task(task)
        activities = self._guide_task_activities(task, note)
        lines = self._guide_task_lines(task, note)
        self._guide_task_log(task, note, lines, activities)
        self.invalidate_recordset(["guide_task_log_count", "guide_task_suggested_ids"])
        if lines:
            self._guide_refresh_checklist_state()
        self._guide_task_message(task, note)
        return True

    def _guide_task_activities(self, task, note):
        """The activities an optional task of kind *activity* schedules on the records,
        for their owner (or the user), created as the user: the activity's own access
        rules apply."""
        if task.kind != "activity":
            return self.env["mail.activity"]
        deadline = fields.Date.context_today(self) + timedelta(days=task.deadline_days)
        model_id = self.env["ir.model"]._get_id(self._name)
        owner = self._guide_owner_field if self._guide_owner_field in self._fields else None
        return self.env["mail.activity"].create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": task.activity_type_id.id,
                    "summary": task.with_context(lang=self.env.lang).name,
                    "note": note and Markup("<p>%s</p>") % note,
                    "date_deadline": deadline,
                    "user_id": (owner and record[owner].id) or self.env.uid,
                }
                for record in self
            ]
        )

    def _guide_task_lines(self, task, note):
        """The checklist lines an optional task adds to the records' current step: for a
        task of kind *checklist*, or a mandatory one (its activity is then also a line
        the gate judges)."""
        Line = self.env["guide.line"].sudo()
        if task.kind != "checklist" and not task.mandatory:
            return Line
        return Line.create(
            [
                {
                    "res_model": self._name,
                    "res_id": record.id,
                    "step_id": record.guide_step_id.id,
                    "company_id": record.company_id.id if "company_id" in record._fields else False,
                    # the source text, as an item's line keeps it (its title is read in
                    # the reader's language)
                    "name": task.with_context(lang="en_US").name,
                    "description": note,
                    "sequence": 1000 + task.sequence,
                    "mandatory": task.mandatory,
                    "completion": "activity" if task.kind == "activity" else "manual",
                    "checked": False,
                }
                for record in self
            ]
        )

    def _guide_task_log(self, task, note, lines, activities):
        """The rows saying who added ``task`` to each record, when and why, with the line
        or activity it made (one statement)."""
        now = fields.Datetime.now()
        common = self._guide_history_common(now)
        return (
            self.env["guide.task.log"]
            .sudo()
            ._guide_bulk_create(
                [
                    {
                        "res_model": self._name,
                        "res_id": record.id,
                        "record_name": common[record.id]["record_name"],
                        "task_id": task.id,
                        "kind": task.kind,
                        "mandatory": task.mandatory,
                        "step_id": record.guide_step_id.id,
                        "process_id": record.guide_process_id.id,
                        "company_id": common[record.id]["company_id"],
                        "date": now,
                        "user_id": self.env.uid,
                        "note": note,
                        "line_id": lines[index].id if lines else False,
                        "activity_id": activities[index].id if activities else False,
                    }
                    for index, record in enumerate(self)
                ]
            )
        )

    def _guide_task_message(self, task, note):
        """The note in the records' chatter saying which task was added, and why."""
        if not hasattr(self, "_message_log_batch"):
            return
        body = Markup("<p>%s</p>") % self.env._("Optional task added: %(task)s", task=task.name)
        if note:
            body += Markup("<p>%s</p>") % note
        self._message_log_batch(dict.fromkeys(self.ids, body))

    @api.model
    def _guide_client_record(self, model_name, value):
        """The record of ``model_name`` (as superuser: configuration) a client names by its
        id (or its digits); empty if it does not exist or the user may not read it.
        Anything else is refused."""
        if not value:
            return self.env[model_name].sudo()
        value = client_id(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise UserError(
                self.env._(
                    "%(value)s is not an id of %(model)s.",
                    value=shortened(value),
                    model=self.env[model_name]._description,
                )
            )
        record = self.env[model_name].sudo().browse(value).exists()
        # one the user may not read (another company's) is none to them: the refusals that
        # follow name nothing of it
        if record and not self.env.su and not record.with_env(self.env)._filtered_access("read"):
            return self.env[model_name].sudo()
        return record

    @api.model
    def _guide_client_note(self, note):
        """A note a client sends with an action: text, stripped (empty: False)."""
        if not note:
            return False
        if not isinstance(note, str):
            raise UserError(self.env._("The note must be text, not %(value)s.", value=repr(note)[:50]))
        return self._guide_bounded_text(note, self.env._("The note")) or False

    def _guide_check_task(self, task):
        """Refuse the addition of ``task`` to ``self`` (another step or process, a group the
        user is not in, a task already added that cannot be added again)."""
        for record in self:
            if task.step_id != record.guide_step_id:
                current = record.guide_step_id.display_name or self.env._("no step")
                raise UserError(
                    self.env._(
                        "%(record)s: optional task %(task)s belongs to step %(step)s of process "
                        "%(process)s; the record is in %(current)s.",
                        record=record.display_name,
                        task=task.name,
                        step=task.step_id.name,
                        process=task.process_id.name,
                        current=current,
                    )
                )
        if task.group_ids and not self.env.su and not (task.group_ids & self.env.user.groups_id):
            raise AccessError(
                self.env._(
                    "Only members of %(groups)s may add optional task %(task)s.",
                    groups=group_names(task.group_ids),
                    task=task.name,
                )
            )
        if task.repeatable:
            return
        added = (
            self.env["guide.task.log"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("task_id", "=", task.id),
                    ("step_id", "=", task.step_id.id),
                ],
                ["res_id"],
            )
        )
        if added:
            names = self.browse(sorted(set(added.mapped("res_id")))).mapped("display_name")
            raise UserError(
                self.env._(
                    "Optional task %(task)s was already added to %(records)s; it cannot be added twice.",
                    task=task.name,
                    records=format_list(self.env, names),
                )
            )

    def action_guide_reach_milestone(self, milestone_id=False, note=False):
        """Mark the milestone ``milestone_id`` (reached by hand) reached on the records: for
        users who may edit them and belong to the milestone's groups; the row records the
        user and the time, never values a client sends.

        :return: True
        """
        refuse_missing(self, "write")
        # the records first, as Odoo refuses them: who may not edit them learns nothing else
        self.check_access("write")
        milestone = self._guide_client_record("guide.milestone", milestone_id)
        note = self._guide_client_note(note)
        if not milestone:
            raise UserError(self.env._("This milestone no longer exists."))
        for record in self:
            if milestone.process_id != record.guide_process_id:
                raise UserError(
                    self.env._(
                        "%(record)s: milestone %(milestone)s belongs to process %(process)s, "
                        "not to the record's.",
                        record=record.display_name,
                        milestone=milestone.name,
                        process=milestone.process_id.name,
                    )
                )
        if milestone.reach_mode != "manual":
            raise UserError(
                self.env._(
                    "Milestone %(milestone)s is reached automatically when its condition holds; "
                    "it cannot be marked by hand.",
                    milestone=milestone.name,
                )
            )
        if milestone.group_ids and not self.env.su and not (milestone.group_ids & self.env.user.groups_id):
            raise AccessError(
                self.env._(
                    "Only members of %(groups)s may mark milestone %(milestone)s reached.",
                    groups=group_names(milestone.group_ids),
                    milestone=milestone.name,
                )
            )
        reached = self._guide_milestones_reached_pairs(milestone.ids)
        if reached:
            raise UserError(
                self.env._(
                    "%(records)s already reached milestone %(milestone)s.",
                    records=format_list(
                        self.env,
                        self.browse(sorted({res_id for res_id, _m in reached})).mapped("display_name"),
                    ),
                    milestone=milestone.name,
                )
            )
        self._guide_reach({record.id: [milestone.id] for record in self}, "manual", note)
        return True

    # ------------------------------------------------------------
    # BUSINESS: checklists
    # ------------------------------------------------------------
    def _guide_sync_step_lines(self, config, refresh, existing):
        # the lines of optional tasks are the agents', not the configuration's: an
        # administrator's refresh keeps them
        if refresh:
            Line = self.env["guide.line"].sudo()
            if existing is None:
                existing = Line.search_fetch(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", self.ids),
                        ("step_id", "in", self.guide_step_id.ids),
                    ],
                    ["res_id", "step_id", "item_id", "checked"],
                )
            untracked = existing.filtered(lambda line: not line.item_id)
            if untracked:
                logs = (
                    self.env["guide.task.log"]
                    .sudo()
                    .search_fetch([("line_id", "in", untracked.ids)], ["line_id"])
                )
                existing -= logs.line_id
        return super()._guide_sync_step_lines(config, refresh, existing)

    # ------------------------------------------------------------
    # BUSINESS: milestones
    # ------------------------------------------------------------
    def _guide_milestones_reached_pairs(self, milestone_ids):
        """{(record id, milestone id)} of ``self`` already reached among ``milestone_ids``."""
        rows = (
            self.env["guide.milestone.reached"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("milestone_id", "in", list(milestone_ids)),
                ],
                ["res_id", "milestone_id"],
            )
        )
        return {(row.res_id, row.milestone_id.id) for row in rows}

    def _guide_milestones_evaluate(self, config=None):
        """Reach the automatic milestones whose condition now holds on ``self``: one query for
        every condition of the records' processes, one for the milestones already reached
        among the matches; nothing for records whose process has none."""
        config = config or self.env["guide.milestone"]._get_milestone_config(self._name)
        auto = config["auto"]
        records = self._origin
        if not auto or not set(records.guide_process_id.ids) & set(auto):
            return
        records = records.filtered(lambda rec: rec.guide_process_id.id in auto)
        domains = {cond for pid in set(records.guide_process_id.ids) for _mid, cond in auto[pid]}
        Milestone = self.env["guide.milestone"]
        matches = Milestone.with_env(self.env)._guide_filter_many(records.sudo(), domains)
        candidates = {
            record.id: [mid for mid, cond in auto[record.guide_process_id.id] if record.id in matches[cond]]
            for record in records
        }
        candidates = {res_id: mids for res_id, mids in candidates.items() if mids}
        if not candidates:
            return
        reached = self.browse(list(candidates))._guide_milestones_reached_pairs(
            {mid for mids in candidates.values() for mid in mids}
        )
        todo = {
            res_id: [mid for mid in mids if (res_id, mid) not in reached]
            for res_id, mids in candidates.items()
        }
        todo = {res_id: mids for res_id, mids in todo.items() if mids}
        if todo:
            self.browse(list(todo))._guide_reach(todo, "auto")

    def _guide_reach(self, milestone_ids, mode, note=None):
        """Record the milestones ``milestone_ids`` ({record id: milestone ids}) reached by
        ``self`` now, by the current user: one INSERT, then ``_guide_milestones_reached``."""
        now = fields.Datetime.now()
        common = self._guide_history_common(now)
        Reached = self.env["guide.milestone.reached"].sudo()
        vals_list = []
        for record in self:
            created = record.create_date or now
            hours = max((now - created).total_seconds() / 3600.0, 0.0)
            for milestone_id in milestone_ids.get(record.id, ()):
                vals_list.append(
                    {
                        "res_model": self._name,
                        "res_id": record.id,
                        "record_name": common[record.id]["record_name"],
                        "milestone_id": milestone_id,
                        "process_id": record.guide_process_id.id,
                        "step_id": record.guide_step_id.id,
                        "company_id": common[record.id]["company_id"],
                        "date": now,
                        "user_id": self.env.uid,
                        "mode": mode,
                        "note": note or False,
                        "hours_to_reach": hours,
                        "days_to_reach": hours / 24.0,
                        "reached_count": 1,
                    }
                )
        # reached meanwhile by another transaction (a second click, another agent, a write
        # at the same time): retried by Odoo, which then sees it reached
        rows = Reached._guide_bulk_create(vals_list, skip_conflicts=True)
        self._guide_milestones_reached(rows)
        return rows

    def _guide_milestones_reached(self, rows, merged=False):
        """After-effects of milestones reached by ``self`` (``rows``): the record's figures,
        a chatter note, the checklist figures and the milestones reading the milestones.
        ``merged``: the rows were carried over from records merged into ``self`` (the note
        says so). Engines extend it (escalation: clocks met by a milestone)."""
        self.invalidate_recordset(["guide_milestone_ids", "guide_milestone_timeline"])
        if hasattr(self, "_message_log_batch"):
            names = defaultdict(list)
            for row in rows:
                names[row.res_id].append(row.milestone_id.with_context(lang=self.env.lang).name)
            self.browse(list(names))._message_log_batch(
                {
                    res_id: Markup("<p>%s</p>")
                    % (
                        self.env._(
                            "Milestones reached on the merged records: %(milestones)s",
                            milestones=format_list(self.env, titles),
                        )
                        if merged
                        else self.env._(
                            "Milestone reached: %(milestones)s", milestones=format_list(self.env, titles)
                        )
                    )
                    for res_id, titles in names.items()
                }
            )
        self._guide_after_event({"guide_milestone_ids"})

    def _guide_merge_milestones(self, others):
        """``others`` are merged into ``self`` (one record) and about to be deleted: the
        milestones they reached and ``self`` did not are reached by ``self`` too, as they
        were (when, by whom, how, in which process and step), with a note naming the merged
        record; the first reached of each. Their own rows stay, about the deleted records."""
        self.ensure_one()
        Reached = self.env["guide.milestone.reached"].sudo()
        rows = Reached.search(
            [("res_model", "=", self._name), ("res_id", "in", others.ids)], order="date, id"
        )
        if not rows:
            return
        reached = {mid for _res_id, mid in self._guide_milestones_reached_pairs(set(rows.milestone_id.ids))}
        firsts = {}
        for row in rows:
            if row.milestone_id.id not in reached:
                firsts.setdefault(row.milestone_id.id, row)
        if not firsts:
            return
        common = self._guide_history_common(fields.Datetime.now())[self.id]
        names = dict(zip(others.ids, others.sudo().mapped("display_name"), strict=True))
        vals_list = []
        for row in firsts.values():
            note = self.env._(
                "Reached on %(record)s, merged into this record.",
                record=names.get(row.res_id) or row.record_name,
            )
            vals_list.append(
                {
                    "res_model": self._name,
                    "res_id": self.id,
                    "record_name": common["record_name"],
                    "milestone_id": row.milestone_id.id,
                    "process_id": row.process_id.id,
                    "step_id": row.step_id.id,
                    "company_id": common["company_id"],
                    "date": row.date,
                    "user_id": row.user_id.id,
                    "mode": row.mode,
                    "note": f"{note}\n{row.note}" if row.note else note,
                    "hours_to_reach": row.hours_to_reach,
                    "days_to_reach": row.days_to_reach,
                    "reached_count": 1,
                }
            )
        rows = Reached._guide_bulk_create(vals_list, skip_conflicts=True)
        self._guide_milestones_reached(rows, merged=True)

    def _guide_after_event(self, fnames):
        """An event changed the helper fields ``fnames`` of ``self`` without a write: refresh
        what reads them (checklist figures, milestones; engines add theirs), decided on the
        cached configuration."""
        if not self:
            return
        self._guide_write_refresh_checklist(fnames)
        config = self.env["guide.milestone"]._get_milestone_config(self._name)
        if config["fields"] & set(fnames):
            # bounded: every milestone is reached once
            self._guide_milestones_evaluate(config)

    def _guide_merge_message_events(self, others):
        """``others`` are merged into ``self`` (one record) and their messages moved to it (crm's
        merge): its event fields become the latest event of them all, as if the messages had
        been posted on it (``_guide_record_message_events``)."""
        self.ensure_one()
        dates = {}
        for fname in EVENT_FIELDS:
            latest = max(filter(None, (self | others).sudo().mapped(fname)), default=False)
            if latest and latest != self.sudo()[fname]:
                dates[fname] = {self.id: latest}
        if dates:
            self.sudo()._guide_record_message_events(dates)

    @api.model
    def _guide_record_message_events(self, dates):
        """Store the event fields of messages: ``dates`` {field: {record id: date}}, the later
        of the stored date and the new one (two transactions posting at once); one UPDATE per
        field, then ``_guide_after_event``."""
        touched = self.browse()
        fnames = set()
        for fname, by_id in dates.items():
            if not by_id:
                continue
            ids = list(by_id)
            self.flush_model([fname])
            self.env.cr.execute(
                SQL(
                    """UPDATE %s AS r SET %s = GREATEST(r.%s, v.date)
                         FROM unnest(%s::int[], %s::timestamp[]) AS v(id, date)
                        WHERE r.id = v.id""",
                    SQL.identifier(self._table),
                    SQL.identifier(fname),
                    SQL.identifier(fname),
                    ids,
                    [by_id[id_] for id_ in ids],
                )
            )
            records = self.browse(ids)
            records.invalidate_recordset([fname])
            touched |= records
            fnames.add(fname)
        touched._guide_after_event(fnames)
