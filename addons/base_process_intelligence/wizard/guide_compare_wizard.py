from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import formatLang
from odoo.tools.translate import LazyTranslate

from odoo.addons.base_process_guide.tools import labelled, refuse_not_one

_lt = LazyTranslate(__name__)

# (label, field, aggregate) of the scorecard compared; the count behind an average is
# the number of rows where it is set
SCORECARD_FIGURES = [
    (_lt("Records handled"), "record_key", "count_distinct"),
    (_lt("Stage changes"), "move_count", "sum"),
    (_lt("Hours in step"), "duration_hours", "avg"),
    (_lt("Target hours in step"), "expected_hours", "avg"),
    (_lt("Left late"), "overdue_count", "sum"),
    (_lt("Checklist completion (%)"), "checklist_rate", "avg"),
    (_lt("Overrides"), "override_count", "sum"),
    (_lt("Escalations received"), "escalation_count", "sum"),
    (_lt("Hours to acknowledge"), "ack_hours", "avg"),
    (_lt("Policy checks"), "check_count", "sum"),
    (_lt("Violations"), "violation_count", "sum"),
    (_lt("Compliance rate (%)"), "compliance_rate", "avg"),
    (_lt("Feedback given"), "feedback_count", "sum"),
    (_lt("Feedback accepted"), "feedback_accepted", "sum"),
]
EFFECTIVENESS_FIGURES = [
    (_lt("done (%)"), "done_rate"),
    (_lt("closed when done (%)"), "closed_rate_done"),
    (_lt("closed when not done (%)"), "closed_rate_not_done"),
    (_lt("success when done (%)"), "success_rate_done"),
    (_lt("success when not done (%)"), "success_rate_not_done"),
    (_lt("hours to close when done"), "hours_done"),
    (_lt("hours to close when not done"), "hours_not_done"),
]


class GuideCompareWizard(models.TransientModel):
    """Before and after, a page of its menu (not a dialog: opened from a link or a reload
    it had nothing behind it): the scorecard and step-effectiveness figures of two periods
    side by side, computed as the user (their record rules apply). Averages drawn from
    fewer rows than the minimum sample are left empty. Two versions of a process are
    compared over the times each was in force (from its date to the next version's),
    on that process's records only: the stage changes of that time are the ones its
    version guided."""

    _name = "guide.compare.wizard"
    _description = "Before and After"

    res_model = fields.Selection(
        selection="_selection_guide_models",
        string="Model",
        compute="_compute_res_model",
        store=True,
        readonly=False,
        precompute=True,
    )
    process_id = fields.Many2one(
        "guide.process",
        domain="[('model_name', '=', res_model)]",
        help="Step effectiveness of this process only.",
    )
    compare_mode = fields.Selection(
        [("period", "Two periods"), ("version", "Two versions of a process")],
        string="Compare",
        required=True,
        default="period",
    )
    version_a_id = fields.Many2one(
        "guide.process.version", string="Before: Version", domain="[('process_id', '=', process_id)]"
    )
    version_b_id = fields.Many2one(
        "guide.process.version", string="After: Version", domain="[('process_id', '=', process_id)]"
    )
    # by default the last 30 days (after) and the 30 days before them (before); two
    # versions: the days each was in force
    date_a_from = fields.Date(
        "Before: From", required=True, compute="_compute_dates", store=True, readonly=False, precompute=True
    )
    date_a_to = fields.Date(
        "Before: To", required=True, compute="_compute_dates", store=True, readonly=False, precompute=True
    )
    date_b_from = fields.Date(
        "After: From", required=True, compute="_compute_dates", store=True, readonly=False, precompute=True
    )
    date_b_to = fields.Date(
        "After: To", required=True, compute="_compute_dates", store=True, readonly=False, precompute=True
    )
    line_ids = fields.One2many("guide.compare.line", "wizard_id", string="Figures", readonly=True)

    _date_fields = ("date_a_from", "date_a_to", "date_b_from", "date_b_to")
    # what the figures were compared on: changing one of them clears the figures shown
    _option_fields = (
        "res_model",
        "process_id",
        "compare_mode",
        "version_a_id",
        "version_b_id",
        *_date_fields,
    )

    @api.model
    def _default_date(self, days):
        return fields.Date.add(fields.Date.context_today(self), days=days)

    @api.model
    def _selection_guide_models(self):
        # the models whose figures the user sees (a salesperson is offered no tickets)
        Process = self.env["guide.process"]
        return [
            (name, self.env["ir.model"]._get(name).name)
            for name in Process._guide_model_names()
            if Process._pi_sees_figures(name)
        ]

    @api.depends("compare_mode", "version_a_id", "version_b_id")
    def _compute_dates(self):
        defaults = {"a": (-59, -30), "b": (-29, 0)}
        for wizard in self:
            for side in ("a", "b"):
                version = wizard[f"version_{side}_id"]
                if wizard.compare_mode != "version" or not version:
                    # the dates the user chose stay (the default periods else)
                    days_from, days_to = defaults[side]
                    wizard[f"date_{side}_from"] = wizard[f"date_{side}_from"] or self._default_date(days_from)
                    wizard[f"date_{side}_to"] = wizard[f"date_{side}_to"] or self._default_date(days_to)
                    continue
                start, end = wizard._guide_version_bounds(version)
                if not start:
                    history = self.env["guide.history"]._read_group(
                        [("process_id", "=", version.process_id.id)], [], ["date:min"]
                    )
                    start = history[0][0] or version.date
                wizard[f"date_{side}_from"] = start.date()
                wizard[f"date_{side}_to"] = (end or fields.Datetime.now()).date()

    # on compare_mode, which has a default: the web client's first onchange recomputes it
    @api.depends("compare_mode")
    @api.depends_context("lang")
    def _compute_display_name(self):
        # the page's title (its breadcrumb), a new comparison's too
        for wizard in self:
            wizard.display_name = self.env._("Before and After")

    @api.onchange(*_option_fields)
    def _onchange_options_clear_figures(self):
        # the figures shown are always those of the options shown: Compare shows new ones
        self.line_ids = [Command.clear()]

    @api.onchange("process_id")
    def _onchange_process_clear_versions(self):
        # the versions chosen are the process's: another process's are chosen no more
        for fname in ("version_a_id", "version_b_id"):
            if self[fname].process_id != self.process_id:
                self[fname] = False

    @api.depends("process_id")
    def _compute_res_model(self):
        for wizard in self:
            wizard.res_model = wizard.process_id.model_name or wizard.res_model

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    def _guide_check_values(self, vals):
        """What a client sends is refused naming its field before PostgreSQL or the ORM
        would choke on it (a NOT NULL or foreign-key violation is logged at ERROR): a
        date empty or not a date, a process that does not exist, a model not guided."""
        wizard = self.env["ir.model"]._get(self._name).name
        if "compare_mode" in vals:
            field = self._fields["compare_mode"]
            choices = field._description_selection(self.env)
            if vals["compare_mode"] not in [value for value, _label in choices]:
                raise ValidationError(
                    self.env._(
                        '%(wizard)s: "%(field)s" %(value)s is not one of %(choices)s.',
                        wizard=wizard,
                        field=field._description_string(self.env),
                        value=repr(vals["compare_mode"])[:40],
                        choices=", ".join(label for _value, label in choices),
                    )
                )
        for fname in self._date_fields:
            if fname not in vals:
                continue
            try:
                valid = bool(vals[fname]) and fields.Date.to_date(vals[fname])
            except (TypeError, ValueError):
                valid = False
            if not valid:
                raise ValidationError(
                    self.env._(
                        '%(wizard)s: "%(field)s" must be a date (YYYY-MM-DD), not %(value)s.',
                        wizard=wizard,
                        field=self._fields[fname]._description_string(self.env),
                        value=repr(vals[fname])[:40],
                    )
                )
        process_id = vals.get("process_id")
        if process_id and not (
            isinstance(process_id, int) and self.env["guide.process"].browse(process_id).exists()
        ):
            raise ValidationError(
                self.env._(
                    '%(wizard)s: "%(field)s" %(value)s is not a process.',
                    wizard=wizard,
                    field=self._fields["process_id"]._description_string(self.env),
                    value=repr(process_id)[:40],
                )
            )
        for fname in ("version_a_id", "version_b_id"):
            version_id = vals.get(fname)
            if version_id and not (
                isinstance(version_id, int) and self.env["guide.process.version"].browse(version_id).exists()
            ):
                raise ValidationError(
                    self.env._(
                        '%(wizard)s: "%(field)s" %(value)s is not a process version.',
                        wizard=wizard,
                        field=self._fields[fname]._description_string(self.env),
                        value=repr(version_id)[:40],
                    )
                )
        res_model = vals.get("res_model")
        if res_model and res_model not in self.env["guide.process"]._guide_model_names():
            raise ValidationError(
                self.env._(
                    '%(wizard)s: "%(field)s" %(value)s is not a guided model.',
                    wizard=wizard,
                    field=self._fields["res_model"]._description_string(self.env),
                    value=repr(res_model)[:40],
                )
            )

    @api.constrains("date_a_from", "date_a_to", "date_b_from", "date_b_to")
    def _check_periods(self):
        for wizard in self:
            for date_from, date_to in (("date_a_from", "date_a_to"), ("date_b_from", "date_b_to")):
                if wizard[date_from] > wizard[date_to]:
                    raise ValidationError(
                        self.env._(
                            '%(wizard)s: "%(end)s" (%(end_date)s) is before "%(start)s" (%(start_date)s): '
                            "a period must start before it ends.",
                            wizard=self.env["ir.model"]._get(self._name).name,
                            end=self._fields[date_to]._description_string(self.env),
                            end_date=wizard[date_to],
                            start=self._fields[date_from]._description_string(self.env),
                            start_date=wizard[date_from],
                        )
                    )

    @api.constrains("compare_mode", "process_id", "version_a_id", "version_b_id")
    def _check_versions(self):
        # a comparison not chosen yet is saved as it is (leaving the page saves it): Compare
        # asks for what is missing (``_guide_check_complete``); in every mode, a version is
        # one the user may read (the page names it)
        for wizard in self:
            for fname in ("version_a_id", "version_b_id"):
                version = wizard[fname]
                if version and not version._filtered_access("read"):
                    raise ValidationError(
                        self.env._(
                            '%(wizard)s: "%(field)s" is a version of a process of a company you do '
                            "not work in or that you may not read (id %(id)s).",
                            wizard=self.env["ir.model"]._get(self._name).name,
                            field=self._fields[fname]._description_string(self.env),
                            id=version.id,
                        )
                    )
        for wizard in self.filtered("process_id"):
            # in either mode: a version chosen is one of the process compared
            for fname in ("version_a_id", "version_b_id"):
                version = wizard[fname]
                if version and version.process_id != wizard.process_id:
                    raise ValidationError(
                        self.env._(
                            '%(wizard)s: "%(field)s" %(version)s is a version of another process '
                            "than %(process)s.",
                            wizard=self.env["ir.model"]._get(self._name).name,
                            field=self._fields[fname]._description_string(self.env),
                            version=version.display_name,
                            process=wizard.process_id.display_name,
                        )
                    )
        for wizard in self.filtered(lambda w: w.compare_mode == "version"):
            versions = wizard.version_a_id | wizard.version_b_id
            if versions and versions.process_id != wizard.process_id:
                raise ValidationError(
                    self.env._(
                        "%(wizard)s: to compare two versions, choose a process and two of its versions.",
                        wizard=self.env["ir.model"]._get(self._name).name,
                    )
                )
            if wizard.version_a_id and wizard.version_a_id == wizard.version_b_id:
                raise ValidationError(
                    self.env._(
                        "%(wizard)s: version %(version)s is on both sides; choose two different versions.",
                        wizard=self.env["ir.model"]._get(self._name).name,
                        version=wizard.version_a_id.display_name,
                    )
                )

    @api.constrains("process_id", "res_model")
    def _check_process(self):
        for wizard in self.filtered("process_id"):
            field = self._fields["process_id"]._description_string(self.env)
            if not wizard.process_id._filtered_access("read"):
                raise ValidationError(
                    self.env._(
                        '%(wizard)s: "%(field)s" is a process of a company you do not work in '
                        "or that you may not read (id %(id)s).",
                        wizard=self.env["ir.model"]._get(self._name).name,
                        field=field,
                        id=wizard.process_id.id,
                    )
                )
            if wizard.res_model and wizard.process_id.model_name != wizard.res_model:
                raise ValidationError(
                    self.env._(
                        '%(wizard)s: "%(field)s" %(process)s guides another model than %(model)s.',
                        wizard=self.env["ir.model"]._get(self._name).name,
                        field=field,
                        process=wizard.process_id.display_name,
                        model=self.env["ir.model"]._get(wizard.res_model).name or wizard.res_model,
                    )
                )
        self._guide_check_figures()

    def _guide_check_figures(self):
        """Refuse a comparison of a model whose records the user does not work: its figures
        would be computed under record rules that show them nothing (zeros), not refused.
        The process map refuses them the same way (``guide.process._pi_process``)."""
        Process = self.env["guide.process"]
        for wizard in self:
            model_name = wizard.process_id.model_name or wizard.res_model
            if not model_name or model_name not in self.env:
                continue
            if Process._pi_sees_figures(model_name) and self.env[model_name].has_access("read"):
                continue
            model = self.env["ir.model"]._get(model_name).name or model_name
            if wizard.process_id:
                message = self.env._(
                    "%(wizard)s: you do not work on the records of %(model)s, so you may not compare "
                    'the figures of process "%(process)s".',
                    wizard=self.env["ir.model"]._get(self._name).name,
                    model=model,
                    process=wizard.process_id.display_name,
                )
            else:
                message = self.env._(
                    "%(wizard)s: you do not work on the records of %(model)s, so you may not compare "
                    "their figures.",
                    wizard=self.env["ir.model"]._get(self._name).name,
                    model=model,
                )
            raise AccessError(message)

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._guide_check_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._guide_check_values(vals)
        options = [fname for fname in self._option_fields if fname in vals]
        before = {wizard.id: [wizard[fname] for fname in options] for wizard in self} if options else {}
        result = super().write(vals)
        # the figures of other options are no longer shown (a reload included): Compare
        # shows those of the new ones
        changed = self.filtered(lambda w: w.id in before and [w[fname] for fname in options] != before[w.id])
        changed.sudo().line_ids.unlink()
        return result

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    def _guide_period_domain(self, date_from, date_to):
        # the user's days, as on the process map
        start, end = self.env["guide.process"]._pi_period_bounds(date_from, date_to)
        domain = [("date", ">=", start)]
        if end:
            domain.append(("date", "<", end))
        if self.res_model:
            domain.append(("res_model", "=", self.res_model))
        return domain

    @api.model
    def _guide_version_bounds(self, version):
        """When ``version`` was in force: from its date (v1: from the first stage change,
        None; the history recorded before versions existed is v1's) to the next
        version's date (None: still in force)."""
        following = self.env["guide.process.version"].search(
            [("process_id", "=", version.process_id.id), ("version", ">", version.version)],
            order="version",
            limit=1,
        )
        return (version.date if version.version > 1 else None), following.date or None

    def _guide_version_domain(self, version):
        start, end = self._guide_version_bounds(version)
        domain = [("res_model", "=", self.process_id.model_name), ("process_id", "=", self.process_id.id)]
        if start:
            domain.append(("date", ">=", start))
        if end:
            domain.append(("date", "<", end))
        return domain

    def _guide_compare_domains(self):
        """The domains of the two sides compared (scorecard and effectiveness rows)."""
        if self.compare_mode == "version":
            return self._guide_version_domain(self.version_a_id), self._guide_version_domain(
                self.version_b_id
            )
        return (
            self._guide_period_domain(self.date_a_from, self.date_a_to),
            self._guide_period_domain(self.date_b_from, self.date_b_to),
        )

    def _guide_scorecard_figures(self, domain):
        aggregates = []
        for _label, fname, aggregate in SCORECARD_FIGURES:
            aggregates += [f"{fname}:{aggregate}", f"{fname}:count"]
        [row] = self.env["guide.scorecard.report"]._read_group(domain, [], aggregates)
        return [
            (label, row[2 * index], row[2 * index + 1] if aggregate == "avg" else None)
            for index, (label, _fname, aggregate) in enumerate(SCORECARD_FIGURES)
        ]

    def _guide_effectiveness_figures(self, domain):
        if self.process_id:
            domain = domain + [("process_id", "=", self.process_id.id)]
        aggregates = []
        for _label, fname in EFFECTIVENESS_FIGURES:
            aggregates += [f"{fname}:avg", f"{fname}:count"]
        figures = {}
        for row in self.env["guide.effectiveness.report"]._read_group(domain, ["kind", "label"], aggregates):
            kind, label, values = row[0], row[1], row[2:]
            for index in range(len(EFFECTIVENESS_FIGURES)):
                figures[(kind, label or "", index)] = (values[2 * index], values[2 * index + 1])
        return figures

    def _guide_effectiveness_labels(self):
        """The labels of ``EFFECTIVENESS_FIGURES``, the outcome in the words of the compared
        model ("won when done" on leads, "resolved when done" on tickets)."""
        # translated in this method's frame, where the lazy terms find the environment's
        # language (a comprehension's frame has none: over XML-RPC, without a language in
        # the context, each term logged a warning with its stack)
        labels = []
        for label, _fname in EFFECTIVENESS_FIGURES:
            labels.append(str(label))
        if self.res_model:
            success = self.env["guide.process"]._pi_outcome_labels(self.env[self.res_model])["success"]
            # within the label, as its neighbours ("closed when done"): "won when done"
            success = success[:1].lower() + success[1:]
            for index, (_label, fname) in enumerate(EFFECTIVENESS_FIGURES):
                if fname == "success_rate_done":
                    labels[index] = self.env._("%(success)s when done (%%)", success=success)
                elif fname == "success_rate_not_done":
                    labels[index] = self.env._("%(success)s when not done (%%)", success=success)
        return labels

    def _guide_check_complete(self):
        """Refuse to compare two versions before a process and its two versions are chosen."""
        if self.compare_mode == "version" and not (
            self.process_id and self.version_a_id and self.version_b_id
        ):
            raise UserError(
                self.env._(
                    "%(wizard)s: to compare two versions, choose a process and two of its versions.",
                    wizard=self.env["ir.model"]._get(self._name).name,
                )
            )

    def action_compare(self):
        refuse_not_one(self)
        self._guide_check_figures()
        self._guide_check_complete()
        minimum = self.env["guide.effectiveness.summary"]._guide_min_sample()
        domain_a, domain_b = self._guide_compare_domains()
        lines = []
        sequence = 0
        for (label, value_a, count_a), (_label, value_b, count_b) in zip(
            self._guide_scorecard_figures(domain_a), self._guide_scorecard_figures(domain_b), strict=True
        ):
            sequence += 1
            lines.append(
                self._guide_compare_line(sequence, "scorecard", label, value_a, count_a, value_b, count_b)
            )
        figure_labels = self._guide_effectiveness_labels()
        figures_a = self._guide_effectiveness_figures(domain_a)
        figures_b = self._guide_effectiveness_figures(domain_b)
        for key in sorted(set(figures_a) | set(figures_b)):
            value_a, count_a = figures_a.get(key, (None, 0))
            value_b, count_b = figures_b.get(key, (None, 0))
            sequence += 1
            lines.append(
                self._guide_compare_line(
                    sequence,
                    "effectiveness",
                    labelled(self.env, key[1], figure_labels[key[2]]),
                    value_a,
                    count_a,
                    value_b,
                    count_b,
                )
            )
        for line in lines:
            for side in ("a", "b"):
                count = line[f"count_{side}"]
                if count is not None and count < minimum:
                    line[f"value_{side}"] = False
                    line[f"low_sample_{side}"] = True
                    line["low_sample"] = True
            if line["value_a"] is not False and line["value_b"] is not False:
                line["difference"] = line["value_b"] - line["value_a"]
        # the figures are the comparison's, never typed: written as superuser on the
        # author's own dialog (the record rule: only its author writes it)
        self.check_access("write")
        self.sudo().line_ids.unlink()
        self.env["guide.compare.line"].sudo().create([{**line, "wizard_id": self.id} for line in lines])
        # the page reloads with its figures (no further screen nor breadcrumb)
        return True

    @api.model
    def _guide_compare_line(self, sequence, section, label, value_a, count_a, value_b, count_b):
        return {
            "sequence": sequence,
            "section": section,
            "name": str(label),
            "value_a": float(value_a) if value_a is not None else False,
            "value_b": float(value_b) if value_b is not None else False,
            "count_a": count_a,
            "count_b": count_b,
            "low_sample": False,
            "low_sample_a": False,
            "low_sample_b": False,
            "difference": False,
        }


class GuideCompareLine(models.TransientModel):
    _name = "guide.compare.line"
    _description = "Compared Figure"
    _order = "sequence, id"

    wizard_id = fields.Many2one("guide.compare.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    section = fields.Selection([("scorecard", "Scorecard"), ("effectiveness", "Step Effectiveness")])
    name = fields.Char("Figure")
    value_a = fields.Float("Before")
    # the rows an average is taken over (none for a total)
    count_a = fields.Integer("Sample Before")
    value_b = fields.Float("After")
    count_b = fields.Integer("Sample After")
    difference = fields.Float()
    low_sample = fields.Boolean("Small Sample")
    # the side drawn from fewer rows than the minimum sample, left empty (the other side,
    # drawn from enough rows, is shown)
    low_sample_a = fields.Boolean("Small Sample Before")
    low_sample_b = fields.Boolean("Small Sample After")
    # the figures as the page shows them: a total (taken over no sample: records, stage
    # changes) is a whole number, an average or a rate has two decimals
    value_a_shown = fields.Char("Before (Shown)", compute="_compute_shown")
    value_b_shown = fields.Char("After (Shown)", compute="_compute_shown")
    difference_shown = fields.Char("Difference (Shown)", compute="_compute_shown")

    @api.depends("value_a", "value_b", "difference", "count_a", "count_b", "low_sample_a", "low_sample_b")
    def _compute_shown(self):
        for line in self:
            values = (line.value_a, line.value_b, line.difference)
            total = not line.count_a and not line.count_b and all(value == int(value) for value in values)
            digits = 0 if total else 2
            # a side drawn from too few rows is empty, and so is the difference
            blank = (line.low_sample_a, line.low_sample_b, line.low_sample_a or line.low_sample_b)
            line.value_a_shown, line.value_b_shown, line.difference_shown = (
                "" if empty else formatLang(self.env, value, digits=digits)
                for value, empty in zip(values, blank, strict=True)
            )
