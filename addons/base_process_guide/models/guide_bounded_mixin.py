from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError

from ..tools import (
    domain_field_names,
    quoted,
    refuse_related_written,
    refuse_unsearchable,
    refuse_unsortable,
    shortened,
    sorted_or_grouped_fields,
)
from ..tools.bounds import (
    referenced_ids,
    refuse,
    refused_character,
    refused_choice,
    refused_number,
    refused_size,
)

NUMBER_TYPES = ("float", "integer")
TEXT_TYPES = ("char", "text", "html")


class GuideBoundedMixin(models.AbstractModel):
    """Configuration an administrator types: its texts and numbers are bounded at save.

    - ``_guide_bounded_fields``: ``{field name: at most so many characters}`` (names
      ``MAX_NAME``, long texts ``MAX_TEXT``, links ``MAX_URL``: ``tools/bounds.py``); a
      translated field is bounded in the language written, translations included.
    - Every number field: NaN and the infinities are refused (no bound catches them by
      comparison), and so is a value the field does not convert or, for an Integer, a
      whole number its column does not hold, before the ORM or the database sees it.
    - Every required field (stored, typed, not computed): a value left empty is refused
      naming the field, before the database's NOT NULL constraint (whose violation is
      logged as an error).
    - Every Selection field: a value that is none of its choices is refused naming the
      field and its choices (the ORM's conversion raised a ``ValueError``, logged as an
      error).
    - Every stored Many2one and Many2many: the ids a client sends (values, ``default_``
      keys of a creation, link and replace commands) are ids of existing rows, refused
      naming the field before the database's foreign keys are (whose violation is logged
      as an error); the superuser's (installations, the engine) are not checked.
    - ``_guide_typed_text_fields``: the texts a user types in a dialog (a justification, a
      reason, a note), refused when sent (created, written, or a ``default_`` key of a
      creation) longer than ``MAX_TEXT`` characters, or not text, naming the field as the
      dialog shows it: not only once the dialog is confirmed, under another name.
    - ``_guide_insert_checked_fields``: fields a database ``CHECK`` constraint also
      guards; their constraints run on the values before the INSERT, so that a value a
      user types is a ``ValidationError`` naming the record, not a database error.

    These checks run before the model's own constraints, which thus never compute with
    a value out of bounds nor quote a text of a megabyte. The refusals name the kind of
    record, the record (shortened) and the field.
    """

    _name = "guide.bounded.mixin"
    _description = "Bounded Configuration"
    _guide_bounded_fields = {}
    _guide_typed_text_fields = ()
    _guide_insert_checked_fields = ()

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if domain:
            refuse_unsearchable(self, domain_field_names(domain))
        if order:
            refuse_unsortable(self, sorted_or_grouped_fields(order))
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        refuse_unsortable(self, sorted_or_grouped_fields(order, groupby, aggregates))
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._guide_check_texts(vals, creating=True)
            self._guide_check_typed_texts(vals, creating=True)
            self._guide_check_numbers(vals, creating=True)
            self._guide_check_choices(vals, creating=True)
            self._guide_check_references(vals, creating=True)
            if self._guide_insert_checked_fields:
                self._guide_check_before_insert(vals)
        self._guide_check_required(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._guide_check_texts(vals)
        self._guide_check_typed_texts(vals)
        self._guide_check_numbers(vals)
        self._guide_check_choices(vals)
        self._guide_check_references(vals)
        self._guide_check_required([vals], creating=False)
        return super().write(vals)

    def _validate_fields(self, field_names, excluded_names=()):
        field_names = set(field_names)
        self._guide_check_bounds(field_names - set(excluded_names))
        refuse_related_written(self, field_names)
        return super()._validate_fields(field_names, excluded_names)

    def _check_company(self, fnames=None):
        # Odoo's refusal names the fields' technical names and "company False": said in the
        # screens' words instead, naming the record, the field and what to choose
        try:
            return super()._check_company(fnames=fnames)
        except UserError:
            self._guide_refuse_other_company(fnames)
            raise

    def _guide_refuse_other_company(self, fnames):
        """Refuse, in words, the first link of ``fnames`` (``check_company``) to records of
        another company than the record's (or to a company's records, for a record of every
        company); nothing if none is found (Odoo's refusal then stands)."""
        if "company_id" not in self._fields:
            return
        names = self._fields if fnames is None or "company_id" in fnames else fnames
        for record in self:
            company = record.company_id
            for name in names:
                field = self._fields[name]
                if not (field.relational and field.check_company and not field.company_dependent):
                    continue
                corecords = record.sudo()[name]
                domain = corecords._check_company_domain(company) if corecords else None
                if not domain:
                    continue
                foreign = corecords - corecords.with_context(active_test=False).filtered_domain(domain)
                if not foreign:
                    continue
                values = ", ".join(quoted(self.env, name) for name in foreign[:5].mapped("display_name"))
                label = field._description_string(self.env)
                if company:
                    reason = self.env._(
                        "%(field)s must be of %(company)s or of no company, not of another company "
                        "(%(values)s).",
                        field=label,
                        values=values,
                        company=company.name,
                    )
                elif "company_id" in foreign._fields and not self.env.user.has_group(
                    "base.group_multi_company"
                ):
                    # the screens show no company: say what to pick instead
                    reason = self.env._(
                        "%(field)s %(values)s belong to %(company)s only, while this applies to "
                        "every company: choose others in the field's list, or create new ones "
                        "from the field (Create and edit...).",
                        field=label,
                        values=values,
                        company=", ".join(foreign.mapped("company_id.name")),
                    )
                else:
                    reason = self.env._(
                        "%(field)s must be of no company, not of a company (%(values)s), since this "
                        "applies to every company; or give it a company.",
                        field=label,
                        values=values,
                    )
                refuse(record, reason)

    def _guide_check_company_of(self, fnames):
        """Refuse, in the words of ``_guide_refuse_other_company``, a link of ``fnames`` to
        records of another company than the record's. For links Odoo's ``check_company``
        cannot guard: records an app gives a company by default (helpdesk_mgmt's teams,
        categories, channels, stages), which a record of every company may still link to."""
        for record in self.filtered("company_id"):
            company = record.company_id
            for name in fnames:
                corecords = record.sudo()[name]
                foreign = corecords.filtered(
                    lambda r, company=company: r.company_id and r.company_id != company
                )
                if not foreign:
                    continue
                values = ", ".join(quoted(self.env, name) for name in foreign[:5].mapped("display_name"))
                refuse(
                    record,
                    self.env._(
                        "%(field)s must be of %(company)s or of no company, not of another company "
                        "(%(values)s).",
                        field=self._fields[name]._description_string(self.env),
                        values=values,
                        company=company.name,
                    ),
                )

    def _update_field_translations(self, field_name, translations, digest=None, source_lang=None):
        # the translation dialogs write the field's languages without a write(): what they
        # send is checked as a write's texts are, before the database is asked
        field = self._fields.get(field_name)
        if field is not None and field.translate:
            size = self._guide_bounded_fields.get(field_name)
            for text in self._guide_translation_texts(field, translations):
                reason = refused_character(field, text, self) or (
                    size and refused_size(field, text, size, self)
                )
                if reason:
                    refuse(self, reason)
        return super()._update_field_translations(
            field_name, translations, digest=digest, source_lang=source_lang
        )

    def _guide_translation_texts(self, field, translations):
        """The texts of ``translations`` for ``field``, as Odoo's translation dialog sends
        them: {language: text or False}, or {language: {term: translated term}} for a field
        translated term by term (HTML); anything else is refused naming the field (Odoo
        failed on it with an error logged)."""
        by_term = callable(field.translate)
        if isinstance(translations, dict):
            texts = []
            for lang, value in translations.items():
                if not isinstance(lang, str):
                    break
                if by_term and isinstance(value, dict):
                    pairs = list(value.items())
                    if all(isinstance(term, str) and isinstance(new, str | bool) for term, new in pairs):
                        texts += [text for pair in pairs for text in pair if isinstance(text, str)]
                        continue
                    break
                if not by_term and isinstance(value, str | bool):
                    texts += [value] if isinstance(value, str) else []
                    continue
                break
            else:
                return texts
        label, value = field._description_string(self.env), shortened(repr(translations))
        refuse(
            self,
            self.env._(
                "the translations of %(field)s must give each language its terms and their "
                "translations, not %(value)s.",
                field=label,
                value=value,
            )
            if by_term
            else self.env._(
                "the translations of %(field)s must give each language its text, not %(value)s.",
                field=label,
                value=value,
            ),
        )

    # ------------------------------------------------------------
    # CHECKS
    # ------------------------------------------------------------
    def _guide_check_bounds(self, field_names):
        """Refuse a text of ``field_names`` longer than its bound, or a Float that is not
        a finite number (one set by a default or a computation: the values a client sends
        are checked before the write), naming the record and the field."""
        sizes = {name: size for name, size in self._guide_bounded_fields.items() if name in field_names}
        floats = [
            name
            for name in field_names
            if name in self._fields and self._fields[name].type == "float" and self._fields[name].store
        ]
        if not sizes and not floats:
            return
        for record in self:
            for name, size in sizes.items():
                reason = refused_size(self._fields[name], record[name], size, record)
                if reason:
                    refuse(record, reason)
            for name in floats:
                reason = refused_number(self._fields[name], record[name], record)
                if reason:
                    refuse(record, reason)

    def _guide_required_columns(self):
        """The stored fields a value is required of that the database would refuse as
        empty (NULL): typed ones (a number or a box is never NULL), not computed or computed
        but also typed (``readonly=False``: checked when a value is sent, the computation
        fills it otherwise)."""
        return [
            name
            for name, field in self._fields.items()
            if field.required
            and field.store
            and field.column_type
            and (not field.compute or not field.readonly)
            and field.type not in ("boolean", "integer", "float", "monetary")
        ]

    def _guide_check_required(self, vals_list, creating=True):
        """Refuse a required field left empty (not given on a creation, without default, or
        emptied by a write), naming the record and the field, before the database's NOT NULL
        constraint does (whose violation is logged as an error). The superuser's
        (installations, the engine) are not checked."""
        if self.env.su:
            return
        required = self._guide_required_columns()
        if creating:
            unsent = {name for vals in vals_list for name in required if vals.get(name) in (None, False, "")}
            defaults = self.default_get(sorted(unsent)) if unsent else {}
        context = self.env.context
        for vals in vals_list:
            for name in required:
                if creating and name not in vals and self._fields[name].compute:
                    if f"default_{name}" not in context:
                        continue  # computed
                    value = context[f"default_{name}"]
                elif creating:
                    value = vals[name] if name in vals else defaults.get(name)
                elif name in vals:
                    value = vals[name]
                else:
                    continue
                if value in (None, False, ""):
                    reason = self.env._(
                        "%(field)s is required.", field=self._fields[name]._description_string(self.env)
                    )
                    refuse(self, reason, name=self._guide_vals_name(vals) if creating else None)

    def _guide_sent_values(self, vals, creating, types):
        """``(field, value)`` of the fields of ``types`` a client sends: in ``vals`` or, on a
        creation, as a ``default_`` key of the context."""
        context = self.env.context
        for name, field in self._fields.items():
            if field.type not in types:
                continue
            if name in vals:
                yield field, vals[name]
            elif creating and f"default_{name}" in context:
                yield field, context[f"default_{name}"]

    def _guide_check_texts(self, vals, creating=False):
        """Refuse a text of ``vals`` (and, on a creation, of the ``default_`` keys of the
        context) that no column stores, before the database refuses the query."""
        for field, value in self._guide_sent_values(vals, creating, TEXT_TYPES):
            reason = refused_character(field, value, self)
            if reason:
                refuse(self, reason, name=self._guide_vals_name(vals) if creating else None)

    def _guide_check_typed_texts(self, vals, creating=False):
        """Refuse a text a user types in the dialog (``_guide_typed_text_fields``) that is
        too long or no text, as its confirmation would, naming the field."""
        if not self._guide_typed_text_fields:
            return
        for field, value in self._guide_sent_values(vals, creating, TEXT_TYPES):
            if field.name in self._guide_typed_text_fields:
                label = quoted(self.env, field._description_string(self.env))
                self.env["guide.mixin"]._guide_bounded_text(value, label)

    def _guide_check_numbers(self, vals, creating=False):
        """Refuse a number of ``vals`` (and, on a creation, of the ``default_`` keys of the
        context) its field cannot hold, before the ORM converts it."""
        for field, value in self._guide_sent_values(vals, creating, NUMBER_TYPES):
            reason = refused_number(field, value, self)
            if reason:
                refuse(self, reason, name=self._guide_vals_name(vals) if creating else None)

    def _guide_check_choices(self, vals, creating=False):
        """Refuse a value of a Selection field in ``vals`` (and, on a creation, of the
        ``default_`` keys of the context) that is none of its choices, before the ORM
        converts it."""
        for field, value in self._guide_sent_values(vals, creating, ("selection",)):
            reason = refused_choice(field, value, self)
            if reason:
                refuse(self, reason, name=self._guide_vals_name(vals) if creating else None)

    def _guide_check_references(self, vals, creating=False):
        """Refuse an id of ``vals`` (and, on a creation, of the ``default_`` keys of the
        context) that names no existing row of its field's model: one query per model
        named, whatever the number of ids."""
        if self.env.su:
            return
        wanted = defaultdict(dict)  # model: {id: field}
        for field, value in self._guide_sent_values(vals, creating, ("many2one", "one2many", "many2many")):
            if not field.store:
                continue
            ids = referenced_ids(field, value)
            if ids is None:
                self._guide_refuse_reference(vals, creating, field, value)
            for id_ in ids:
                wanted[field.comodel_name][id_] = field
        for model_name, fields_by_id in wanted.items():
            existing = set(self.env[model_name].sudo().browse(list(fields_by_id)).exists().ids)
            for id_, field in fields_by_id.items():
                if id_ not in existing:
                    self._guide_refuse_reference(vals, creating, field, id_)

    def _guide_refuse_reference(self, vals, creating, field, value):
        reason = self.env._(
            "%(field)s: %(value)s is not the id of an existing %(model)s.",
            field=field._description_string(self.env),
            value=shortened(value),
            model=self.env["ir.model"]._get(field.comodel_name).name or field.comodel_name,
        )
        refuse(self, reason, name=self._guide_vals_name(vals) if creating else None)

    def _guide_check_before_insert(self, vals):
        """Run the constraints of ``_guide_insert_checked_fields`` on the values of a
        creation (sent or default) before the INSERT their database constraint guards."""
        fnames = list(self._guide_insert_checked_fields)
        values = self.default_get([name for name in fnames if name not in vals])
        values.update({name: vals[name] for name in fnames if name in vals})
        name = self._guide_vals_name(vals)
        if self._rec_name and name:
            values[self._rec_name] = name
        record = self.new(values)
        if self._rec_name:
            # the name labels the refusal: bounded first
            record._guide_check_bounds({self._rec_name})
        record._validate_fields(fnames)

    def _guide_vals_name(self, vals):
        """The name of a record being created, as ``vals`` gives it (or ``None``)."""
        name = vals.get(self._rec_name) if self._rec_name else None
        return name if isinstance(name, str) else None
