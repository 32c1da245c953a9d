import re

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from ..tools import MAX_NAME, MAX_TEXT, MAX_URL, refuse_missing, refuse_not_one

# what a browser ignores in a link before reading its scheme (controls and spaces before,
# tabs and line breaks anywhere), then the scheme; a link without one is a path or a host
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_SCHEME = re.compile(r"^[\x00-\x20]*([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
URL_SCHEMES = ("http", "https", "mailto", "tel")


class GuideHint(models.Model):
    """A knowledge card shown on a record while a condition holds."""

    _name = "guide.hint"
    _inherit = [
        "guide.condition.mixin",
        "guide.config.mixin",
        "guide.shared.scope.mixin",
        "guide.scope.mixin",
    ]
    _description = "Knowledge Hint"
    _order = "priority desc, sequence, id"
    _check_company_auto = True
    _guide_domain_fields = ("domain",)
    _guide_bounded_fields = {"name": MAX_NAME, "body": MAX_TEXT, "url": MAX_URL}

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(string="Title", required=True, translate=True)
    body = fields.Html(translate=True)
    url = fields.Char(string="Link", help="Optional link to a document, template or knowledge article.")
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Important"), ("2", "Critical")], default="0", required=True
    )
    model_name = fields.Selection(selection="_selection_guide_models", string="Applies to", required=True)
    process_id = fields.Many2one(
        "guide.process",
        domain="[('model_name', '=', model_name)]",
        help="Only on records following this process (empty: any record of the model).",
        check_company=True,
    )
    step_ids = fields.Many2many(
        "guide.step",
        string="Steps",
        domain="[('model_name', '=', model_name), ('process_id', '=?', process_id)]",
        help="Only while the record is in one of these steps (empty: any step).",
    )
    # the records of the process the hint names (its scope and its condition): the
    # condition editor counts within them, as the process's own condition does
    process_scope_domain = fields.Char(related="process_id.scope_domain", string="Process Scope")
    process_domain = fields.Char(related="process_id.domain", string="Process Condition")
    domain = fields.Char(string="Condition", help="Shown while the record matches this condition.")
    company_id = fields.Many2one("res.company", index=True)
    requires_ack = fields.Boolean(
        string="Requires Acknowledgement", help="Agents confirm they have read the hint, per record."
    )
    feedback_ids = fields.One2many("guide.hint.feedback", "hint_id", string="Acknowledgements and Feedback")
    ack_count = fields.Integer(compute="_compute_feedback_counts")
    unhelpful_count = fields.Integer(compute="_compute_feedback_counts")
    # state of the hint on the record given in context (guide_res_model/guide_res_id)
    context_acknowledged = fields.Boolean(compute="_compute_context_state")
    context_unhelpful = fields.Boolean(compute="_compute_context_state")

    @api.model
    def _selection_guide_models(self):
        return self.env["guide.process"]._selection_guide_models()

    @api.depends("feedback_ids.kind")
    def _compute_feedback_counts(self):
        data = self.env["guide.hint.feedback"]._read_group(
            [("hint_id", "in", self.ids)], ["hint_id", "kind"], ["__count"]
        )
        counts = {(hint.id, kind): count for hint, kind, count in data}
        for hint in self:
            hint.ack_count = counts.get((hint.id, "ack"), 0)
            hint.unhelpful_count = counts.get((hint.id, "unhelpful"), 0)

    @api.depends_context("uid", "guide_res_model", "guide_res_id")
    def _compute_context_state(self):
        # a client's context names the record: anything but a guided record's model and
        # id names none (no state, rather than a query PostgreSQL refuses)
        res_model, res_id = self._guide_context_record_ref()
        kinds = set()
        if res_model and res_id:
            feedback = self.env["guide.hint.feedback"].search_fetch(
                [
                    ("hint_id", "in", self.ids),
                    ("res_model", "=", res_model),
                    ("res_id", "=", res_id),
                    ("user_id", "=", self.env.uid),
                ],
                ["hint_id", "kind"],
            )
            kinds = {(fb.hint_id.id, fb.kind) for fb in feedback}
        for hint in self:
            hint.context_acknowledged = (hint.id, "ack") in kinds
            hint.context_unhelpful = (hint.id, "unhelpful") in kinds

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("model_name", "process_id", "step_ids")
    def _check_scope(self):
        """A hint of one model is not limited to a process or steps of another."""
        self._guide_check_scope("step_ids")

    @api.constrains("url")
    def _check_url(self):
        """The link is opened by every agent the hint is shown to: a web page, an email
        address or a phone number, never a script (``javascript:``, ``data:``...) that would
        run in their session."""
        for hint in self.filtered("url"):
            scheme = _URL_SCHEME.match(_URL_IGNORED.sub("", hint.url))
            if scheme and scheme.group(1).lower() not in URL_SCHEMES:
                raise ValidationError(
                    self.env._(
                        "Hint %(hint)s: the link must be a web address (http:// or https://), an "
                        "email address (mailto:) or a phone number (tel:).",
                        hint=hint.name,
                    )
                )

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.ondelete(at_uninstall=True)
    def _unlink_except_acknowledged(self):
        """A hint agents acknowledged or marked not helpful is not deleted: its
        ``guide.hint.feedback`` rows (who, when, on which record) would go with it, and the
        hints' figures of the scorecards. It is archived instead."""
        uses = self._guide_recorded_uses("guide.hint.feedback", "hint_id")
        if uses:
            # each message apart (the exporter skips one nested in another's arguments)
            named = self._guide_named_uses(
                uses,
                lambda hint, count: self.env._(
                    "%(hint)s (acknowledged or marked not helpful %(count)s time(s))",
                    hint=hint.name,
                    count=count,
                ),
            )
            raise UserError(
                self.env._(
                    "A hint agents acknowledged or marked not helpful cannot be deleted: the "
                    "records would lose who read it and when, and the scorecards would lose its "
                    "figures."
                    "\n%(hints)s\nArchive the hint instead.",
                    hints=named,
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_acknowledge(self):
        return self._guide_give_feedback("ack")

    def action_mark_unhelpful(self):
        return self._guide_give_feedback("unhelpful")

    def action_view_acknowledgements(self):
        return self._guide_feedback_action(
            "ack",
            self.env._("Acknowledgements"),
            self.env._("Nobody has acknowledged this hint yet"),
            self.env._(
                "Each time a user confirms on a record that they have read this hint, it is recorded "
                "here: who, on which record and when. Only hints that require an acknowledgement ask "
                "for it."
            ),
        )

    def action_view_unhelpful(self):
        return self._guide_feedback_action(
            "unhelpful",
            self.env._("Marked Not Helpful"),
            self.env._("Nobody has marked this hint as not helpful"),
            self.env._(
                "Each time a user marks this hint as not helpful on a record, it is recorded here: "
                "who, on which record and when. A mark the user takes back leaves the list."
            ),
        )

    def _guide_feedback_action(self, kind, name, empty_title, empty_text):
        """The list of the hint's acknowledgements or 'not helpful' marks; empty, it says
        what fills it (the rows are the engine's: nobody creates one there)."""
        refuse_not_one(self)
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "guide.hint.feedback",
            "view_mode": "list",
            "domain": [("hint_id", "=", self.id), ("kind", "=", kind)],
            "context": {"create": False},
            "help": Markup('<p class="o_view_nocontent_empty_folder">%s</p><p>%s</p>')
            % (empty_title, empty_text),
        }

    def action_undo_unhelpful(self):
        """Take back the current user's *Not helpful* on the record in context."""
        refuse_missing(self, "read")
        record = self._guide_feedback_record()
        # the user's own rows on a record they can read: nobody else's
        self.env["guide.hint.feedback"].sudo().search(
            [
                ("hint_id", "in", self.ids),
                ("res_model", "=", record._name),
                ("res_id", "=", record.id),
                ("user_id", "=", self.env.uid),
                ("kind", "=", "unhelpful"),
            ]
        ).unlink()
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _guide_context_record_ref(self):
        """``(model name, id)`` of the record the context names (``guide_res_model``,
        ``guide_res_id``, sent by the client): a guided model and an id a record may have;
        ``(None, None)`` for anything else."""
        res_model = self.env.context.get("guide_res_model")
        res_id = self.env.context.get("guide_res_id")
        if (
            not isinstance(res_model, str)
            or res_model not in self.env["guide.process"]._guide_model_names()
            or isinstance(res_id, bool)
            or not isinstance(res_id, int)
            or not 0 < res_id < 2**31
        ):
            return None, None
        return res_model, res_id

    def _guide_feedback_record(self):
        """The record in context the hints of ``self`` are shown on, readable by the user:
        a record of a guided model (a client's context names it)."""
        res_model, res_id = self._guide_context_record_ref()
        if not res_model:
            raise UserError(self.env._("Acknowledge a hint from the record it is shown on."))
        record = self.env[res_model].browse(res_id)
        record.check_access("read")
        return record

    def _guide_check_hints_of(self, record):
        """The hints of ``self`` exist, the user may read them and they concern ``record``:
        a hint of its model, of its process (or of none) and of its company (or of none),
        as step effectiveness counts them; acknowledging anything else would count it."""
        missing = self - self.exists()
        if missing:
            raise UserError(
                self.env._(
                    "Hints %(ids)s do not exist (any more).",
                    ids=", ".join(str(id_) for id_ in missing.ids[:10]),
                )
            )
        self.check_access("read")
        company = record.company_id if "company_id" in record._fields else record.env["res.company"]
        for hint in self.sudo():
            if (
                hint.model_name != record._name
                or (hint.process_id and hint.process_id != record.guide_process_id)
                or (hint.company_id and company and hint.company_id != company)
            ):
                raise UserError(
                    self.env._(
                        "Hint %(hint)s does not concern %(record)s: it is shown on the records of "
                        "%(scope)s.",
                        hint=hint.name,
                        record=record.display_name,
                        scope=hint.process_id.display_name
                        or dict(hint._fields["model_name"]._description_selection(self.env)).get(
                            hint.model_name, hint.model_name
                        ),
                    )
                )

    def _guide_give_feedback(self, kind):
        refuse_missing(self, "read")
        record = self._guide_feedback_record()
        self._guide_check_hints_of(record)
        res_model, res_id = record._name, record.id
        existing = self.env["guide.hint.feedback"].search(
            [
                ("hint_id", "in", self.ids),
                ("res_model", "=", res_model),
                ("res_id", "=", res_id),
                ("user_id", "=", self.env.uid),
                ("kind", "=", kind),
            ]
        )
        todo = self - existing.hint_id
        self.env["guide.hint.feedback"].sudo().create(
            [
                {
                    "hint_id": hint.id,
                    "res_model": res_model,
                    "res_id": res_id,
                    "user_id": self.env.uid,
                    "kind": kind,
                    "company_id": record.company_id.id if "company_id" in record._fields else False,
                }
                for hint in todo
            ]
        )
        return True

    @api.model
    @tools.ormcache("model_name")
    def _guide_hint_config(self, model_name):
        """The active hints of ``model_name`` in display order, as plain values (cached
        until a hint or a step changes): ``(id, condition, process id, step ids,
        company id)`` tuples."""
        hints = self.sudo().with_context(active_test=True).search([("model_name", "=", model_name)])
        return tuple(
            (
                hint.id,
                hint.domain or False,
                hint.process_id.id,
                frozenset(hint.step_ids.ids),
                hint.company_id.id,
            )
            for hint in hints
        )

    @api.model
    def _guide_hints_for(self, records, matches=None):
        """Active hints per record: {record id: hint recordset}, in display order.

        The candidate hints come from the cache (the user's companies applied as their
        record rule does); their conditions are evaluated in one query for the whole
        batch, unless the caller evaluated them already with its own (``matches``:
        {condition: matching ids}, see ``_guide_hint_domains``).
        """
        result = {record.id: self.browse() for record in records}
        hints = self._guide_hint_candidates(records._name) if records else ()
        if not hints:
            return result
        if matches is None or not all(hint[1] in matches for hint in hints):
            # as the engine, like the checklist they are evaluated with
            matches = self._guide_filter_many(records.sudo(), {hint[1] for hint in hints})
        for hint_id, domain, process_id, step_ids, company_id in hints:
            hint = self.browse(hint_id)
            for record in records:
                if record.id not in matches[domain]:
                    continue
                if process_id and record.guide_process_id.id != process_id:
                    continue
                if step_ids and record.guide_step_id.id not in step_ids:
                    continue
                if company_id and record.company_id and record.company_id.id != company_id:
                    continue
                result[record.id] |= hint
        return result

    @api.model
    def _guide_hint_candidates(self, model_name):
        """The cached hints of ``model_name`` the current user may read (company rule)."""
        companies = {False, *self.env.companies.ids}
        return [hint for hint in self._guide_hint_config(model_name) if hint[4] in companies]

    @api.model
    def _guide_hint_domains(self, model_name):
        """The conditions of the hints of ``model_name``, for a caller that evaluates them
        together with its own (``matches`` of ``_guide_hints_for``)."""
        return {hint[1] for hint in self._guide_hint_candidates(model_name)}


class GuideHintFeedback(models.Model):
    """An agent's acknowledgement of a hint on a record, or a 'not helpful' mark."""

    _name = "guide.hint.feedback"
    _inherit = ["guide.record.link.mixin"]
    _description = "Hint Acknowledgement"
    _order = "date desc, id desc"
    _guide_engine_owned = True

    hint_id = fields.Many2one("guide.hint", required=True, ondelete="cascade", index=True, readonly=True)
    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        "Record", model_field="res_model", required=True, readonly=True, index=True
    )
    user_id = fields.Many2one("res.users", required=True, readonly=True, default=lambda self: self.env.user)
    kind = fields.Selection(
        [("ack", "Acknowledged"), ("unhelpful", "Not Helpful")], required=True, readonly=True
    )
    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
