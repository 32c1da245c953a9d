import json

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_list

from ..tools import MAX_NAME, MAX_TEXT, audit_trail_uses, labelled, module_uninstalling, quoted, shortened
from .guide_config_mixin import REFUSAL_MAX_NAMED


class GuideDeviationReason(models.Model):
    """A reason agents pick when they deviate from a process. Of no company, it is offered
    to every company and changed by a user of every company only; the deviations keep its
    wording of the time (``guide.deviation.reason_name``)."""

    _name = "guide.deviation.reason"
    _inherit = ["guide.bounded.mixin", "guide.shared.scope.mixin"]
    _description = "Deviation Reason"
    _order = "sequence, id"
    _guide_bounded_fields = {"name": MAX_NAME, "description": MAX_TEXT}

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Offered on the records of this company only; empty: every company."
    )
    model_name = fields.Selection(
        selection="_selection_guide_models",
        string="Applies to",
        help="Offered on the records of this model only (e.g. opportunities); empty: on every guided model.",
    )

    def _selection_guide_models(self):
        return self.env["guide.process"]._selection_guide_models()

    @api.model
    def _guide_offered(self, reason_id, model_name=None):
        """The reason ``reason_id`` a client chose, if it is one offered to the user (an
        existing, active reason of their companies: another company's is none to them,
        unnamed) on records of ``model_name`` (a reason of another model is none there);
        refused otherwise, naming what was sent (shortened)."""
        reason = self.browse()
        if isinstance(reason_id, int) and not isinstance(reason_id, bool) and 0 < reason_id < 2**31:
            reason = self.browse(reason_id)._guide_filter_offered(model_name)
        if not reason:
            raise UserError(
                self.env._(
                    "The override reason %(value)s does not exist: choose one of the Deviation Reasons.",
                    value=shortened(reason_id),
                )
            )
        return reason

    @api.constrains("model_name")
    def _check_model_name_guided(self):
        """*Applies to* names a guided model or none (the ORM does not check a selection
        whose choices a method gives): a reason of another model is offered nowhere."""
        choices = self._fields["model_name"]._description_selection(self.env)
        for reason in self.filtered(lambda r: r.model_name and r.model_name not in dict(choices)):
            raise ValidationError(
                self.env._(
                    "Deviation Reason %(reason)s: %(model)s is not a guided model. Applies to: "
                    "%(models)s, or empty for every guided model.",
                    reason=quoted(self.env, reason.name, 80),
                    model=shortened(reason.model_name),
                    models=", ".join(label for _value, label in choices),
                )
            )

    def _guide_filter_offered(self, model_name=None):
        """The reasons of ``self`` still offered to the user on records of ``model_name``:
        existing, active, of their companies, and of that model or of every model."""
        return (
            self.exists()
            ._filtered_access("read")
            .filtered(lambda r: r.active and r.model_name in (False, model_name or r.model_name))
        )

    @api.ondelete(at_uninstall=True)
    def _unlink_except_in_use(self):
        """A reason the audit trail names (``_guide_reason_users``: deviations; the other
        engines add theirs) is not deleted: those rows would lose it. It is archived
        instead. A module's uninstallation deletes it (its deviations keep its wording)."""
        if not self or module_uninstalling(self.env):
            return
        uses = audit_trail_uses(self, self._guide_reason_users())
        used = self.filtered(lambda reason: reason.id in uses)
        if not used:
            return
        # a line per reason: its name, then what gives it and how often
        named = "\n".join(
            labelled(self.env, reason.display_name[:80], format_list(self.env, uses[reason.id]))
            for reason in used[:REFUSAL_MAX_NAMED]
        )
        raise UserError(
            self.env._(
                "A reason the audit trail gives cannot be deleted: the trail would lose why the "
                "process was bypassed. Archive it instead.\n%(reasons)s",
                reasons=named,
            )
        )

    def _guide_reason_users(self):
        """(model, reason field, count in words) of the audit rows that give a reason, which
        keep it from being deleted. Modules adding such rows extend it."""
        return [
            (
                "guide.deviation",
                "reason_id",
                lambda count: self.env._("deviations: %(count)s", count=count),
            ),
        ]


class GuideDeviation(models.Model):
    """A justified departure from the configured process: who, what, when, why.

    Gate and allowed-move overrides are created by the process engine; other
    modules (policies) add their own kinds.
    """

    _name = "guide.deviation"
    _inherit = ["guide.record.link.mixin"]
    _description = "Process Deviation"
    _order = "date desc, id desc"
    _rec_name = "rule_name"
    _guide_engine_owned = True

    kind = fields.Selection(
        [("gate", "Checklist Gate"), ("move", "Disallowed Move")],
        required=True,
        readonly=True,
    )
    # the title in every language of the database, each reader reading it in theirs: given
    # as {lang: text} by the engines (``_guide_step_titles``), a text in the current language
    # otherwise
    rule_name = fields.Char("Rule Bypassed", required=True, readonly=True, translate=True)
    rule_snapshot = fields.Text(
        "Rule at the Time", readonly=True, help="The configuration of the bypassed rule when it was bypassed."
    )
    rule_details = fields.Text(
        "What Was Bypassed", compute="_compute_rule_details", help="The bypassed rule at the time, in words."
    )
    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        "Record", model_field="res_model", required=True, index=True, readonly=True
    )
    record_name = fields.Char(readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True, index=True, ondelete="set null")
    step_id = fields.Many2one("guide.step", readonly=True, index=True, ondelete="set null")
    user_id = fields.Many2one(
        "res.users", string="By", required=True, readonly=True, default=lambda s: s.env.user
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    reason_id = fields.Many2one("guide.deviation.reason", string="Current Reason", readonly=True)
    # the reason's wording (every language) when the deviation was recorded: a reason
    # renamed later does not rewrite the audit trail
    reason_name = fields.Char("Reason", translate=True, readonly=True)
    reason = fields.Text("Justification", required=True, readonly=True)
    history_id = fields.Many2one("guide.history", string="Stage Change", readonly=True, ondelete="set null")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    count = fields.Integer(compute="_compute_count", store=True, aggregator="sum")

    @api.depends("kind")
    def _compute_count(self):
        self.count = 1

    @api.constrains("reason_id", "company_id")
    def _check_reason_company(self):
        """A reason of a company is given on the records of that company only."""
        for deviation in self:
            company = deviation.sudo().reason_id.company_id
            if company and company != deviation.company_id:
                raise ValidationError(
                    self.env._(
                        "Reason %(reason)s is offered on the records of %(company)s only: choose "
                        "another reason.",
                        reason=quoted(self.env, deviation.sudo().reason_id.display_name, 80),
                        company=company.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        # titles given in every language: created in the current one, the others added after
        lang = self.env.lang or "en_US"
        titles = {}
        vals_list = [dict(vals) for vals in vals_list]
        for index, vals in enumerate(vals_list):
            texts = vals.get("rule_name")
            if isinstance(texts, dict):
                vals["rule_name"] = texts.get(lang) or texts.get("en_US") or next(iter(texts.values()), False)
                if any(text != vals["rule_name"] for text in texts.values()) or set(texts) - {lang, "en_US"}:
                    titles[index] = texts
        deviations = super().create(vals_list)
        if titles:
            deviations._guide_store_titles({deviations[index].id: texts for index, texts in titles.items()})
        with_reason = deviations.filtered("reason_id")
        if with_reason:
            with_reason._guide_keep_reason_names()
        return deviations

    def _guide_store_titles(self, titles):
        """Write the titles of deviations in the languages given (``titles``: {deviation id:
        {lang: text}}), the others kept: one UPDATE."""
        self.flush_model(["rule_name"])
        self.env.cr.execute(
            SQL(
                """UPDATE guide_deviation d
                      SET rule_name = COALESCE(d.rule_name, '{}'::jsonb) || v.texts
                     FROM unnest(%s::int[], %s::jsonb[]) AS v(id, texts)
                    WHERE d.id = v.id""",
                list(titles),
                [json.dumps(texts) for texts in titles.values()],
            )
        )
        self.browse(titles).invalidate_recordset(["rule_name"])

    @api.model
    def _guide_step_titles(self, source_names):
        """{step id: {lang: title}}: the titles of the deviations of gates of the steps
        ``source_names`` ({step id: its name in English, as the configuration cache keeps
        it}) in every language of the database, each reader reading them in theirs. English
        costs no query; each other language one read of the steps."""
        langs = {"en_US", *(code for code, _label in self.env["res.lang"].get_installed())}
        steps = self.env["guide.step"].sudo().with_context(active_test=False).browse(source_names)
        titles = {step_id: {} for step_id in source_names}
        for lang in sorted(langs):
            names = source_names
            if lang != "en_US":
                names = {step.id: step.name for step in steps.with_context(lang=lang).exists()}
            env = self.with_context(lang=lang).env
            for step_id, source in source_names.items():
                titles[step_id][lang] = env._("Step %(step)s", step=names.get(step_id) or source)
        return titles

    @api.model
    def _guide_fill_langs(self, langs):
        """Languages ``langs`` installed since deviations were written: the titles of the
        gates' deviations in those languages, where the title is the step's as it is named
        now (a step renamed since keeps its title of the time). One UPDATE per language."""
        for lang in langs:
            # the title's wording in the language, its step's name left to the database
            template = self.with_context(lang=lang).env._("Step %(step)s", step="%(name)s")
            self._guide_fill_titles(lang, "Step %(name)s", template, "step_id", "guide_step")

    @api.model
    def _guide_fill_titles(self, lang, source, template, column, table):
        """Give the titles ``source`` (English, ``%(name)s`` for the name of the row of
        ``table`` that ``column`` names) of the deviations the language ``lang`` lacks, as
        ``template`` words them there, where the title is that row's as it is named now:
        one UPDATE."""
        self.flush_model(["rule_name", column])
        self.env.cr.execute(
            SQL(
                """UPDATE guide_deviation d
                      SET rule_name = d.rule_name || jsonb_build_object(
                            %(lang)s,
                            replace(%(template)s, %(mark)s, COALESCE(t.name->>%(lang)s, t.name->>'en_US'))
                          )
                     FROM %(table)s t
                    WHERE t.id = d.%(column)s
                      AND d.rule_name->>'en_US' = replace(%(source)s, %(mark)s, t.name->>'en_US')
                      AND NOT d.rule_name ? %(lang)s""",
                lang=lang,
                template=template,
                source=source,
                mark="%(name)s",
                table=SQL.identifier(table),
                column=SQL.identifier(column),
            )
        )
        self.invalidate_model(["rule_name"])

    def _guide_keep_reason_names(self):
        """Copy the wording of the reasons of ``self`` (every language) onto them: one
        UPDATE."""
        self.flush_recordset(["reason_id"])
        self.env.cr.execute(
            SQL(
                """UPDATE guide_deviation d
                      SET reason_name = r.name
                     FROM guide_deviation_reason r
                    WHERE r.id = d.reason_id
                      AND d.id = ANY(%s)""",
                list(self.ids),
            )
        )
        self.invalidate_recordset(["reason_name"])

    @api.depends_context("lang")
    @api.depends("rule_snapshot")
    def _compute_rule_details(self):
        labels = self._guide_snapshot_labels()
        for deviation in self:
            try:
                snapshot = json.loads(deviation.rule_snapshot or "{}")
            except ValueError:
                snapshot = {}
            lines = []
            for key, label in labels.items():
                value = snapshot.get(key) if isinstance(snapshot, dict) else None
                if value in (None, "", [], False):
                    continue
                lines.append(labelled(self.env, label, self._guide_snapshot_value(key, value)))
            deviation.rule_details = "\n".join(lines)

    @api.model
    def _guide_snapshot_value(self, key, value):
        """A value of a snapshot in words: lists joined, codes by their label."""
        if key == "gate_mode":
            return dict(self.env["guide.step"]._fields["gate_mode"]._description_selection(self.env)).get(
                value, value
            )
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return self.env._("Yes") if value is True else value

    @api.model
    def _guide_snapshot_labels(self):
        """The keys of a bypassed rule's snapshot shown in words, in order: {key: label}
        (modules add theirs)."""
        return {
            "step": self.env._("Step"),
            "gate_mode": self.env._("Gate"),
            "missing_items": self.env._("Items not done"),
            "disallowed_move": self.env._("Move not allowed"),
            "to_stage": self.env._("To stage"),
        }
