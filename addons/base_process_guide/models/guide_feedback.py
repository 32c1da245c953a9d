from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import (
    quoted,
    refuse_missing,
    refuse_not_one,
    refuse_related_written,
    shortened,
    works_for_every_company,
)
from ..tools.bounds import refuse, refused_character, refused_choice
from .guide_mixin import ENGINE_MANAGER_GROUP, GUIDE_TEXT_MAX


class GuideFeedback(models.Model):
    """An agent's suggestion about a step or item, reviewed by the process owner."""

    _name = "guide.feedback"
    _inherit = ["mail.thread", "guide.record.link.mixin"]
    _description = "Process Feedback"
    _order = "create_date desc, id desc"
    # feedback given on no record is read by the users of its process's model
    # (``_guide_record_access_extra_domains``), not by everyone
    _guide_link_optional = False

    name = fields.Char(string="Summary", required=True)
    description = fields.Text(string="Details")
    process_id = fields.Many2one("guide.process", required=True, index=True, ondelete="cascade")
    step_id = fields.Many2one("guide.step", domain="[('process_id', '=', process_id)]", ondelete="set null")
    item_id = fields.Many2one("guide.item", domain="[('step_id', '=', step_id)]", ondelete="set null")
    res_model = fields.Char("Model", readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", readonly=True)
    # the record's name as the reader may read it (the form names what the feedback is about)
    record_name = fields.Char(compute="_compute_record_name")
    user_id = fields.Many2one("res.users", string="From", default=lambda self: self.env.user, readonly=True)
    company_id = fields.Many2one(related="process_id.company_id", store=True)
    # the company of the record it was given on, when it was given (the step-effectiveness
    # figures count it on that company's rows only)
    record_company_id = fields.Many2one(
        "res.company", string="Record's Company", compute="_compute_record_company_id", store=True
    )
    state = fields.Selection(
        [("new", "New"), ("accepted", "Accepted"), ("rejected", "Rejected")],
        default="new",
        required=True,
        tracking=True,
    )
    response = fields.Text(tracking=True)

    @api.depends("res_model", "res_id")
    def _compute_record_company_id(self):
        self.record_company_id = False
        for model_name, feedback in self.filtered("res_id").grouped("res_model").items():
            if model_name not in self.env or "company_id" not in self.env[model_name]._fields:
                continue
            records = self.env[model_name].sudo().browse(set(feedback.mapped("res_id"))).exists()
            if not all(feedback._ids):
                # a form's values (feedback not saved yet, its ids new): the company of a
                # record its reader may read only, none of another (as of one that does not
                # exist); saved feedback was given on a record its author could read
                records = records.with_env(self.env(su=False))._filtered_access("read").sudo()
            companies = {record.id: record.company_id for record in records}
            for fb in feedback:
                fb.record_company_id = companies.get(fb.res_id, False)

    @api.depends("res_model", "res_id")
    @api.depends_context("uid")
    def _compute_record_name(self):
        """The name of the record the feedback was given on, where the reader may read it
        (its number otherwise; nothing once it is deleted, nor in a form's values naming a
        record the reader may not read): one read per model."""
        self.record_name = False
        for model_name, feedback in self.filtered("res_id").grouped("res_model").items():
            if model_name not in self.env:
                continue
            records = self.env[model_name].browse(set(feedback.mapped("res_id"))).exists()
            names = {record.id: record.display_name for record in records._filtered_access("read")}
            for fb in feedback:
                if fb.res_id in records._ids and (fb.id or fb.res_id in names):
                    fb.record_name = names.get(fb.res_id) or f"#{fb.res_id}"

    @api.constrains("name", "description", "response")
    def _check_text_size(self):
        for feedback in self:
            for fname in ("name", "description", "response"):
                if feedback[fname] and len(feedback[fname]) > GUIDE_TEXT_MAX:
                    raise ValidationError(
                        self.env._(
                            "Feedback %(feedback)s: %(field)s is too long (%(size)s characters, "
                            "at most %(max)s).",
                            feedback=(feedback.name or "")[:60],
                            field=feedback._fields[fname].get_description(self.env)["string"],
                            size=len(feedback[fname]),
                            max=GUIDE_TEXT_MAX,
                        )
                    )

    @api.constrains("process_id", "step_id", "item_id", "res_model")
    def _check_process_scope(self):
        """The step is the process's, the item the step's (or the process's), the record
        one of the model the process guides."""
        for feedback in self:
            process = feedback.sudo().process_id
            step, item = feedback.sudo().step_id, feedback.sudo().item_id
            wrong = None
            if step and step.process_id != process:
                wrong = step._description, self._guide_readable_name(step)
            elif item and (item.step_id.process_id != process or (step and item.step_id != step)):
                wrong = item._description, self._guide_readable_name(item)
            elif (feedback.res_model or feedback.res_id) and feedback.res_model != process.model_name:
                # a record named without its model is none of the process's either
                wrong = self.env._("Record"), shortened(feedback.res_model or f"#{feedback.res_id}")
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Feedback %(feedback)s on process %(process)s: %(kind)s %(name)s is not "
                        "of this process.",
                        feedback=(feedback.name or "")[:60],
                        process=process.display_name,
                        kind=wrong[0],
                        name=wrong[1],
                    )
                )

    def _guide_readable_name(self, record):
        """The name of ``record`` (a step, an item) if the current user may read it, its id
        otherwise (another company's configuration is not named to them)."""
        if self.env.su or record.with_env(self.env)._filtered_access("read"):
            return record.display_name
        return f"#{record.id}"

    @api.model
    def _guide_check_references(self, vals, creating=False):
        """The process, step, item and record a client names (in ``vals`` or, on a
        creation, as ``default_`` keys) are ids of existing rows, refused before the
        database's foreign keys are."""
        context = self.env.context
        for fname in ("process_id", "step_id", "item_id", "res_id"):
            if fname in vals:
                value = vals[fname]
            elif creating and f"default_{fname}" in context:
                value = context[f"default_{fname}"]
            else:
                continue
            if value in (False, None, 0) and fname != "process_id":
                continue
            field = self._fields[fname]
            valid = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31
            if valid and field.type == "many2one":
                valid = bool(self.env[field.comodel_name].sudo().browse(value).exists())
            if not valid:
                raise UserError(
                    self.env._(
                        "Feedback: %(value)s is not an id of %(field)s.",
                        value=repr(value)[:50],
                        field=field.get_description(self.env)["string"],
                    )
                )

    def _guide_check_texts(self, vals, creating=False):
        """Refuse a text of ``vals`` that no column stores (a NUL character), before the
        database refuses the query, and a state that is none of its choices."""
        for fname in ("name", "description", "response"):
            reason = refused_character(self._fields[fname], vals.get(fname), self)
            if reason:
                refuse(self, reason)
        # a summary or process left empty (the database's NOT NULL was logged as an ERROR)
        context = self.env.context
        for fname in ("name", "process_id"):
            if creating:
                value = vals.get(fname, context.get(f"default_{fname}"))
            elif fname in vals:
                value = vals[fname]
            else:
                continue
            if value in (None, False, "") or (isinstance(value, str) and not value.strip()):
                refuse(
                    self,
                    self.env._(
                        "%(field)s is required.", field=self._fields[fname]._description_string(self.env)
                    ),
                )
        # and a state that is none of the choices (the ORM's ValueError was logged as an ERROR)
        state = vals.get("state", self.env.context.get("default_state") if creating else None)
        reason = refused_choice(self._fields["state"], state, self)
        if reason:
            refuse(self, reason)

    def _validate_fields(self, field_names, excluded_names=()):
        # its company is its process's (a stored related field a client could write apart);
        # the names may come as a generator, read once
        field_names = set(field_names)
        refuse_related_written(self, field_names)
        return super()._validate_fields(field_names, excluded_names)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                self._guide_check_texts(vals, creating=True)
                self._guide_check_references(vals, creating=True)
            # the author is whoever sends it
            vals_list = [dict(vals, user_id=self.env.uid) for vals in vals_list]
        feedback = super().create(vals_list)
        if not self.env.su:
            # values and context defaults alike: new, about a record the author can read
            feedback._guide_check_reviewer(
                [
                    {"process_id": fb.process_id.id, "state": fb.state, "response": fb.response}
                    for fb in feedback
                ]
            )
            feedback._guide_check_records()
            feedback._guide_check_processes()
            if any(fb.state != "new" or fb.response for fb in feedback):
                feedback._guide_check_companies()
        # the process's owner follows it: an employee who may read it (an owner set before owners
        # were checked, since made a portal user or moved to another company, does not)
        for fb in feedback.sudo():
            owner = fb.process_id.owner_id
            if owner and not owner.share and (fb.company_id | fb.record_company_id) <= owner.company_ids:
                feedback.browse(fb.id).message_subscribe(partner_ids=owner.partner_id.ids)
        return feedback

    def write(self, vals):
        if not self.env.su:
            self._guide_check_texts(vals)
            self._guide_check_references(vals)
            if {"user_id", "res_model", "res_id", "record_company_id"} & set(vals):
                raise AccessError(self.env._("The author and the record of a feedback cannot be changed."))
            if {"state", "response"} & set(vals):
                self._guide_check_reviewer([{**vals, "process_id": pid} for pid in self.process_id.ids])
                self._guide_check_companies()
            # an agent edits their own feedback; someone else's is the administrators' of its process
            self.filtered(lambda fb: fb.user_id != self.env.user)._guide_check_administrator()
            # so is a decided one: what was accepted or rejected, on which process, stays so
            decided = self.filtered(lambda fb: fb.state != "new")
            if decided and not all(
                self.env[model_name]._guide_is_manager()
                for model_name in set(decided.process_id.sudo().mapped("model_name"))
            ):
                raise AccessError(
                    self.env._(
                        "Feedback %(ids)s was decided: only the administrators of %(processes)s change it.",
                        ids=", ".join(str(id_) for id_ in decided.ids[:10]),
                        processes=", ".join(decided.process_id.sudo().mapped("display_name")),
                    )
                )
            decided._guide_check_companies()
            res = super().write(vals)
            if "process_id" in vals:
                self._guide_check_processes()
            return res
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            self._guide_check_administrator(deleting=True)
        return super().unlink()

    def action_send(self):
        """Close the feedback dialog with a confirmation (the record is saved by the client):
        for a feedback that exists and the user may read."""
        refuse_not_one(self)
        self.check_access("read")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Thank you: the process owner will review your feedback."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_accept(self):
        refuse_missing(self, "write")
        self.write({"state": "accepted"})
        return True

    def action_reject(self):
        refuse_missing(self, "write")
        self.write({"state": "rejected"})
        return True

    def _guide_check_records(self):
        """The records of ``self`` are guided records the current user can read."""
        ids_by_model = {}
        for fb in self.filtered("res_model"):
            ids_by_model.setdefault(fb.res_model, set()).add(fb.res_id)
        for model_name, ids in ids_by_model.items():
            if model_name not in self._guide_linked_models():
                raise UserError(self.env._("%(model)s is not a guided model.", model=shortened(model_name)))
            self.env[model_name].browse(ids).check_access("read")

    @api.model
    def _guide_feedback_models(self):
        """The guided models whose processes the current user gives and reads feedback on:
        those whose records they work on (write access: an internal user may read some
        tickets, their own, without working on any) and those whose processes they
        administer."""
        return [
            model_name
            for model_name in self._guide_linked_models()
            if self.env[model_name].browse().has_access("write") or self.env[model_name]._guide_is_manager()
        ]

    @api.model
    def _guide_record_access_extra_domains(self):
        """Feedback given on no record: read on the processes the current user may read of
        the models of ``_guide_feedback_models`` (rows given on a record are read where the
        record is)."""
        models = self._guide_feedback_models()
        if not models:
            return super()._guide_record_access_extra_domains()
        Process = self.env["guide.process"].with_context(active_test=False)
        processes = Process._search([("model_name", "in", models)])
        return [
            *super()._guide_record_access_extra_domains(),
            [("res_model", "=", False), ("process_id", "in", processes)],
        ]

    def _guide_check_processes(self):
        """The processes of ``self`` are ones the current user may read, of a model of
        ``_guide_feedback_models``: no feedback on another app's process."""
        processes = self.process_id
        processes.check_access("read")
        models = self._guide_feedback_models()
        for model_name in set(processes.sudo().mapped("model_name")):
            if model_name not in self._guide_linked_models():
                raise UserError(self.env._("%(model)s is not a guided model.", model=shortened(model_name)))
            if model_name not in models:
                raise AccessError(
                    self.env._(
                        "Feedback on %(processes)s: you do not work on the records of this process.",
                        processes=", ".join(
                            processes.sudo()
                            .filtered(lambda p, m=model_name: p.model_name == m)
                            .mapped("display_name")
                        ),
                    )
                )

    def _guide_check_companies(self):
        """Feedback is decided, answered and deleted by the administrators who may change
        its process: of a process of no company, a user of every company (as the process
        itself); and by users of the company of the record it was given on."""
        if not self or self.env.su:
            return
        rows = self.sudo()
        shared = rows.filtered(lambda fb: not fb.process_id.company_id)
        if shared and not works_for_every_company(self.env):
            raise AccessError(
                self.env._(
                    "Feedback %(ids)s is about %(process)s, which applies to every company: only an "
                    "administrator of every company decides, answers or deletes it.",
                    ids=", ".join(str(id_) for id_ in shared.ids[:10]),
                    process=quoted(self.env, shared[0].process_id.display_name, 80),
                )
            )
        companies = self.env.user.company_ids
        foreign = rows.filtered(lambda fb: (fb.process_id.company_id | fb.record_company_id) - companies)
        if foreign:
            outside = (foreign.process_id.company_id | foreign.record_company_id) - companies
            raise AccessError(
                self.env._(
                    "Feedback %(ids)s is about %(company)s, a company you do not work for: its "
                    "administrators decide, answer or delete it.",
                    ids=", ".join(str(id_) for id_ in foreign.ids[:10]),
                    company=", ".join(outside.mapped("name")),
                )
            )

    def _guide_check_administrator(self, deleting=False):
        """The current user administers the processes of ``self`` (the app's managers
        for their app's model, the engine administrators for all), in their companies."""
        model_names = set(self.process_id.sudo().mapped("model_name"))
        if not self or all(self.env[model_name]._guide_is_manager() for model_name in model_names):
            self._guide_check_companies()
            return
        processes = ", ".join(self.process_id.sudo().mapped("display_name"))
        ids = ", ".join(str(id_) for id_ in self.ids[:10])
        if deleting:
            message = self.env._(
                "Feedback %(ids)s: only the administrators of %(processes)s delete feedback, which "
                "they review; change yours instead while it is new.",
                ids=ids,
                processes=processes,
            )
        else:
            message = self.env._(
                "Feedback %(ids)s: only the administrators of %(processes)s change other people's feedback.",
                ids=ids,
                processes=processes,
            )
        raise AccessError(message)

    @api.model
    def _guide_check_reviewer(self, vals_list):
        """Only the administrators of a process's model decide on its feedback."""
        deciding = [vals for vals in vals_list if vals.get("state", "new") != "new" or vals.get("response")]
        if not deciding or self.env.su:
            return
        processes = self.env["guide.process"].browse(
            {vals.get("process_id") for vals in deciding} - {None, False}
        )
        model_names = set(processes.sudo().mapped("model_name"))
        if not all(self.env[model_name]._guide_is_manager() for model_name in model_names) or (
            not model_names and not self.env.user.has_group(ENGINE_MANAGER_GROUP)
        ):
            raise AccessError(self.env._("Only process administrators accept or reject feedback."))
