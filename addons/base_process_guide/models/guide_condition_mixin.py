import logging

import psycopg2

from odoo import api, models
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from ..tools import quoted, shortened, works_for_every_company
from . import guide_rule_language as rule_language
from .guide_rule_words import domain_words

_logger = logging.getLogger(__name__)

# Raised while a domain is read or its query built, before any SQL runs: a
# rule broken by a later schema change. SQL errors are never caught here.
GUIDE_CONDITION_ERRORS = (ValueError, KeyError, TypeError)


class GuideConditionMixin(models.AbstractModel):
    """One rule language for the whole product.

    Every configurable rule (checklist item, hint, escalation rule, policy...)
    targets one guided model and may hold Odoo domains on the guided record.
    This mixin validates those domains when they are saved and evaluates them
    on whole recordsets with one SQL query per distinct domain. A domain is
    data, never code: see ``guide_rule_language`` (parsed without executing
    anything, size-bounded, named values computed at evaluation time).

    Inheriting models declare which Char fields hold domains in
    ``_guide_domain_fields`` and provide a ``model_name`` (Char) field.
    """

    _name = "guide.condition.mixin"
    _description = "Guided Record Condition"
    _guide_domain_fields = ()

    def _guide_condition_words(self, fname, model_name=None):
        """The condition held in ``fname`` in words of the reader's language (field labels,
        record names, "is set"...), for the lists of the configuration screens: they show
        no raw domain. The text itself when it cannot be worded (no model yet)."""
        self.ensure_one()
        text = self[fname] or ""
        model_name = model_name or self.model_name
        if not text or not model_name or model_name not in self.env:
            return text
        try:
            return domain_words(self.env, model_name, text)
        except GUIDE_CONDITION_ERRORS:
            return text

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains(
        lambda self: ("model_name", *self._guide_domain_fields) if self._guide_domain_fields else ()
    )
    def _check_guide_domains(self):
        # a model name no model has (a selection is not checked on create) is refused as such
        self.filtered(
            lambda rule: rule.model_name and not self._guide_is_guided_model(rule.model_name)
        )._guide_check_guided_model()
        for rule in self:
            if not rule.model_name:
                continue
            for fname in self._guide_domain_fields:
                if not rule[fname]:
                    continue
                try:
                    rule._guide_check_domain_paths(rule._guide_domain(rule[fname]), rule.model_name)
                    domain = rule._guide_parse_domain(rule[fname], rule.model_name)
                    rule._guide_check_domain_values(domain, rule.model_name)
                    rule._guide_check_domain_in_memory(fname, domain, rule.model_name)
                except Exception as exc:  # noqa: BLE001 - reported to the user
                    raise ValidationError(
                        self.env._(
                            'Invalid condition "%(field)s" on %(rule)s: %(error)s',
                            field=rule._fields[fname]._description_string(self.env),
                            rule=rule.display_name,
                            error=str(exc),
                        )
                    ) from None

    @api.model
    def _guide_check_domain_paths(self, domain, model_name):
        """Refuse (``ValueError``) a condition reading a field its author could not search:
        one only some groups see, one of a model they may not read, or one no search
        can use (not stored, no search method). Checked when a rule is saved, as its
        author; the engine evaluates the saved rule whoever acts. The criteria of an
        ``any`` / ``not any`` sub-domain are checked the same way, on the model their
        path leads to. A path that can lead to records of another company is for a user of
        every company (``_guide_path_leaves_company``)."""
        self._guide_check_domain_names(domain, model_name)
        every_company = None
        for _leaf, _index, field, model in self._guide_domain_path_fields(domain, model_name):
            if field.type == "properties":
                continue  # the query built below names an unknown field
            # named as the screens name them, in the author's language
            label, kind = field._description_string(self.env), self._guide_model_label(model._name)
            if not field.is_accessible(self.env) or not model.has_access("read"):
                raise ValueError(
                    self.env._(
                        "you may not read %(field)s (%(model)s)",
                        field=label,
                        model=kind,
                    )
                )
            if not field._description_searchable:
                raise ValueError(
                    self.env._(
                        "%(field)s (%(model)s) cannot be searched",
                        field=label,
                        model=kind,
                    )
                )
            if field.relational and self._guide_rules_restrict(field.comodel_name):
                raise ValueError(
                    self.env._(
                        "%(field)s (%(model)s) leads to %(records)s records of which you may read only "
                        "some: a condition may not read them",
                        field=label,
                        model=kind,
                        records=self._guide_model_label(field.comodel_name),
                    )
                )
            if self._guide_path_leaves_company(field):
                if every_company is None:
                    every_company = works_for_every_company(self.env)
                if not every_company:
                    raise ValueError(
                        self.env._(
                            "%(field)s (%(model)s) can lead to records of companies you do not work "
                            "for: only a user of every company may read it in a condition",
                            field=label,
                            model=kind,
                        )
                    )

    @api.model
    def _guide_rules_restrict(self, model_name):
        """Whether the record rules of their groups let the current user (a condition's
        author) read only some records of ``model_name`` (their devices, their own API keys):
        the engine evaluates conditions whoever acts, reading every record, so a condition
        through them would tell its author, by where it applies, values they may not read.
        The global rules are the companies' (``_guide_path_leaves_company``)."""
        Rule = self.env["ir.rule"]
        rules = Rule._get_rules(model_name, "read").sudo().filtered(lambda rule: not rule["global"])
        if not rules:
            return False
        context = Rule._eval_context()
        for rule in rules:
            domain = safe_eval(rule.domain_force, context) if rule.domain_force else []
            if not domain or expression.normalize_domain(domain) == expression.TRUE_DOMAIN:
                return False  # one of their groups reads every record
        return True

    @api.model
    def _guide_path_leaves_company(self, field):
        """Whether the relational ``field`` of a condition's path can lead to records of
        another company than the record's: its model has companies and the field does not
        keep to the record's (``check_company``). The engine evaluates conditions whoever
        acts, reading every company's records: a condition through such a field (the
        customer's other opportunities) would tell its author, by where it applies, values
        of records they may not read."""
        if not field.relational or field.check_company:
            return False
        return "company_id" in self.env[field.comodel_name]._fields

    @api.model
    def _guide_domain_path_fields(self, domain, model_name):
        """``(leaf, index, field, model)`` of each field on the path of each criterion of
        ``domain`` (``model``: the model the field is on), down to the first field that is
        unknown or not relational, and through the criteria of an ``any`` / ``not any``
        sub-domain, on the model its path leads to."""
        for leaf in domain:
            if not isinstance(leaf, list | tuple) or len(leaf) != 3 or not isinstance(leaf[0], str):
                continue
            model = self.env[model_name]
            names = leaf[0].split(".")
            for index, name in enumerate(names):
                field = model._fields.get(name)
                if field is None:
                    break
                yield leaf, index, field, model
                if not field.relational:
                    break
                model = self.env[field.comodel_name]
                if (
                    index == len(names) - 1
                    and str(leaf[1]).lower() in ("any", "not any")
                    and isinstance(leaf[2], list | tuple)
                ):
                    yield from self._guide_domain_path_fields(leaf[2], model._name)

    @api.model
    def _guide_model_label(self, model_name):
        """The name of ``model_name`` as the screens show it, in the user's language."""
        return self.env["ir.model"]._get(model_name).name or self.env[model_name]._description

    @api.model
    def _guide_check_domain_names(self, domain, model_name):
        """Refuse (``ValueError``) a criterion naming a field its model does not have (a field
        removed, mistyped, of another version of Odoo), on its path or in an ``any`` / ``not
        any`` sub-domain, naming the model as the screens do (the ORM's refusal named the
        technical model and the whole criterion)."""
        for name, model in self._guide_domain_path_names(domain, model_name):
            if name not in model._fields:
                raise ValueError(
                    self.env._(
                        "%(model)s has no field %(name)s",
                        model=self._guide_model_label(model._name),
                        name=shortened(name, 80),
                    )
                )

    @api.model
    def _guide_domain_path_names(self, domain, model_name):
        """``(name, model)`` of each name on the path of each criterion of ``domain``, read by
        name down to the first that is unknown or not relational (a field being deleted may
        already be gone from the model), and through ``any`` / ``not any`` sub-domains."""
        for leaf in domain:
            if not isinstance(leaf, list | tuple) or len(leaf) != 3 or not isinstance(leaf[0], str):
                continue
            model = self.env[model_name]
            names = leaf[0].split(".")
            for index, name in enumerate(names):
                yield name, model
                field = model._fields.get(name)
                if field is None or not field.relational:
                    break
                model = self.env[field.comodel_name]
                if (
                    index == len(names) - 1
                    and str(leaf[1]).lower() in ("any", "not any")
                    and isinstance(leaf[2], list | tuple)
                ):
                    yield from self._guide_domain_path_names(leaf[2], model._name)

    @api.model
    def _guide_check_domain_values(self, domain, model_name):
        """Refuse (``ValueError``) a condition whose values do not fit their fields (a text
        where a date is expected, a number compared with a text): its query, which building
        it does not check, would be refused by PostgreSQL each time the condition is
        evaluated, aborting the change being judged. The query is planned (``EXPLAIN``, in a
        savepoint), never run; the refusal names the first criterion PostgreSQL refuses."""
        if not domain:
            return
        self._guide_check_domain_choices(domain, model_name)
        Model = self.env[model_name].with_context(active_test=False)
        error = self._guide_query_error(Model, domain)
        if not error:
            return
        for leaf in domain:
            leaf_error = isinstance(leaf, list | tuple) and self._guide_query_error(Model, [leaf])
            if leaf_error:
                raise ValueError(
                    self.env._(
                        "the value of %(criterion)s does not fit its field: %(error)s",
                        criterion=shortened(tuple(leaf), 80),
                        error=leaf_error,
                    )
                )
        raise ValueError(self.env._("a value does not fit its field: %(error)s", error=error))

    def _guide_check_domain_choices(self, domain, model_name):
        """Refuse (``ValueError``) a criterion comparing a choice field with a value that is
        none of its choices (its label, "High", where the field stores "2"): PostgreSQL
        compares the texts, so the condition would never hold (an automatic item never done,
        its gate closed for good), or always hold when negated."""
        for leaf in domain:
            if not (isinstance(leaf, list | tuple) and len(leaf) == 3 and isinstance(leaf[0], str)):
                continue
            path, operator, value = leaf
            field = self._guide_path_last_field(path, model_name)
            if str(operator).lower() in ("any", "not any") and field is not None and field.relational:
                if isinstance(value, list | tuple):
                    self._guide_check_domain_choices(value, field.comodel_name)
                continue
            # ``<>`` is ``!=``, ``=?`` with a value is ``=``
            if operator not in ("=", "!=", "<>", "=?", "in", "not in"):
                continue
            if field is None or field.type != "selection":
                continue
            choices = dict(field._description_selection(self.env))
            values = value if isinstance(value, list | tuple) else [value]
            wrong = [item for item in values if item not in (False, None) and item not in choices]
            if wrong:
                raise ValueError(
                    self.env._(
                        "%(criterion)s: %(value)s is none of the choices of %(field)s (%(choices)s)",
                        criterion=shortened(tuple(leaf), 80),
                        value=shortened(wrong[0], 40),
                        field=field._description_string(self.env),
                        choices=", ".join(f"'{key}' ({label})" for key, label in list(choices.items())[:12]),
                    )
                )

    @api.model
    def _guide_path_last_field(self, path, model_name):
        """The field a dotted ``path`` of ``model_name`` ends on, or ``None``."""
        Model = self.env[model_name]
        field = None
        for name in path.split("."):
            field = Model._fields.get(name)
            if field is None:
                return None
            if field.relational:
                Model = self.env[field.comodel_name]
        return field

    def _guide_check_domain_in_memory(self, fname, domain, model_name):
        """Hook: refuse (``ValueError``) a condition of ``fname`` that the engine tests on the
        records' values in memory (``filtered_domain``) when it cannot be tested there."""
        return True

    @api.model
    def _guide_query_error(self, Model, domain):
        """PostgreSQL's reason (shortened) for refusing the query of ``domain``, or ``None``."""
        query = Model._search(domain)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(SQL("EXPLAIN %s", query.select()), log_exceptions=False)
        except (psycopg2.DataError, psycopg2.ProgrammingError, ValueError) as exc:
            # ValueError: a text psycopg2 cannot send (a NUL character)
            diag = getattr(exc, "diag", None)
            reason = (diag.message_primary if diag else None) or str(exc).strip()
            return reason if len(reason) <= 200 else reason[:199] + "…"
        return None

    def _guide_check_condition_set(self, mode_field, condition_field, mode="auto"):
        """Constraint helper: a rule whose ``mode_field`` is ``mode`` (e.g. reached or
        completed automatically) needs its condition ``condition_field``. Models call it
        from their ``@api.constrains(mode_field, condition_field)`` method; the refusal
        names the rule, its mode and the condition to set."""
        for rule in self:
            if rule[mode_field] != mode or rule[condition_field]:
                continue
            raise ValidationError(
                self.env._(
                    '%(kind)s "%(rule)s" is set to "%(mode)s": set its condition "%(condition)s".',
                    kind=self.env["ir.model"]._get(self._name).name,
                    rule=rule.display_name,
                    mode=dict(self._fields[mode_field]._description_selection(self.env))[mode],
                    condition=self._fields[condition_field]._description_string(self.env),
                )
            )

    @api.model
    def _guide_is_guided_model(self, model_name):
        """Whether ``model_name`` (a form's or a client's value) names a guided model, one
        that inherits ``guide.mixin``: only those have the engines' hooks."""
        return isinstance(model_name, str) and model_name in self.env["guide.process"]._guide_model_names()

    def _guide_check_model_names_sent(self, pairs):
        """Refuse a model a client sends for a rule (created or changed) that is not a guided
        model, before the engines read it (the ORM does not check a selection whose choices
        a method gives). ``pairs``: (the rule's name, the model sent)."""
        label = self.env["ir.model"]._get(self._name).name
        for name, model_name in pairs:
            if model_name and not self._guide_is_guided_model(model_name):
                raise ValidationError(
                    self.env._(
                        "%(label)s %(name)s: %(model)s is not a guided model.",
                        label=label,
                        name=quoted(self.env, name if isinstance(name, str) else ""),
                        model=shortened(model_name),
                    )
                )

    def _guide_check_guided_model(self):
        """Constraint helper: a rule's ``model_name`` is a guided model (a selection value
        is not checked on create; only the guided models have the engine's hooks)."""
        guided = set(self.env["guide.process"]._guide_model_names())
        for rule in self.filtered(lambda r: r.model_name not in guided):
            raise ValidationError(
                self.env._(
                    "%(label)s %(name)s: %(model)s is not a guided model.",
                    label=self.env["ir.model"]._get(self._name).name,
                    name=rule.display_name,
                    model=shortened(rule.model_name),
                )
            )

    def _guide_check_scope(self, *fnames):
        """Constraint helper for rules with a ``process_id``: the process guides the rule's
        model, and the steps or milestones the rule names in ``fnames`` belong to that model
        and, when the rule has a process, to that process. The refusal names the rule, the
        field and the records out of scope."""
        kind = self.env["ir.model"]._get(self._name).name
        for rule in self:
            if rule.process_id and rule.process_id.model_name != rule.model_name:
                raise ValidationError(
                    self.env._(
                        '%(kind)s "%(rule)s": process %(process)s guides another model than %(model)s.',
                        kind=kind,
                        rule=rule.display_name,
                        process=rule.process_id.display_name,
                        model=shortened(rule.model_name),
                    )
                )
            for fname in fnames:
                foreign = rule[fname].filtered(
                    lambda target, rule=rule: target.model_name != rule.model_name
                    or (rule.process_id and target.process_id != rule.process_id)
                )
                if foreign:
                    raise ValidationError(
                        self.env._(
                            '%(kind)s "%(rule)s": %(field)s %(names)s are outside its model or process.',
                            kind=kind,
                            rule=rule.display_name,
                            field=self._fields[fname]._description_string(self.env),
                            names=", ".join(foreign.mapped("display_name")),
                        )
                    )

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _guide_domain(self, domain_str):
        """The plain domain of a condition, with today's named values.

        Parsing is cached on the text; named values (``uid``, ``today``...)
        are computed now, for the current user. Raises ``GuideConditionError``
        (a ``ValueError``) if the rule language refuses the text.
        """
        return rule_language.resolve(rule_language.parse(domain_str), rule_language.Values(self.env))

    @api.model
    def _guide_parse_domain(self, domain_str, model_name):
        """Parse a domain string and check it against ``model_name``.

        Raises on syntax errors, code, oversized text, unknown fields and
        invalid operators, so that a rule with a bad domain is refused when it
        is saved. Nothing in the text is executed.
        """
        if not domain_str:
            return []
        domain = self._guide_domain(domain_str)
        # Build (but do not run) the SQL query: validates fields and operators.
        self.env[model_name].with_context(active_test=False)._search(domain)
        return domain

    @api.model
    def _guide_filter(self, records, domain_str):
        """Return the part of ``records`` matching ``domain_str``: one query."""
        if not domain_str or not records:
            return records
        domain = self.with_env(records.env)._guide_domain(domain_str)
        matching = records.with_context(active_test=False).search(
            [("id", "in", records.ids), *domain], order="id"
        )
        return records.browse(matching.ids)

    @api.model
    def _guide_filter_many(self, records, domain_strs):
        """Evaluate several domains on ``records``.

        :return: dict {domain_str: set of matching ids}; one query for all the
            non-empty domains (one sub-select each), none for empty ones. A domain
            that no longer parses or names a field that no longer exists matches
            nothing and is logged as a warning naming its rules; the query itself
            is never caught, so the transaction is never left aborted.
        """
        result = {}
        subselects = {}
        Model = records.with_context(active_test=False)
        for domain_str in set(domain_strs):
            if not domain_str:
                result[domain_str] = set(records.ids)
                continue
            try:
                domain = self.with_env(records.env)._guide_domain(domain_str)
                subselects[domain_str] = Model._search([("id", "in", records.ids), *domain]).subselect()
            except GUIDE_CONDITION_ERRORS as exc:
                _logger.warning(
                    "Process guide: condition of %s skipped on %s, it no longer holds: %s",
                    self._guide_rules_using(domain_str) or repr(domain_str[:200]),
                    records._name,
                    exc,
                )
                result[domain_str] = set()
        if not subselects or not records:
            result.update({domain_str: set() for domain_str in subselects})
            return result
        keys = list(subselects)
        rows = self.env.execute_query(
            SQL(
                "SELECT t.id, %s FROM %s t WHERE t.id = ANY(%s)",
                SQL(", ").join(SQL("t.id IN %s", subselects[key]) for key in keys),
                SQL.identifier(records._table),
                records.ids,
            )
        )
        for index, key in enumerate(keys, start=1):
            result[key] = {row[0] for row in rows if row[index]}
        return result

    @api.model
    def _guide_rules_using(self, domain_str):
        """Label of the rules of this model holding ``domain_str`` (for logs)."""
        if self._abstract or not self._guide_domain_fields:
            return ""
        domain = ["|"] * (len(self._guide_domain_fields) - 1)
        domain += [(fname, "=", domain_str) for fname in self._guide_domain_fields]
        rules = self.sudo().with_context(active_test=False).search(domain, limit=10)
        return ", ".join(f"{rule._name}({rule.id}) {rule.display_name!r}" for rule in rules)

    @api.model
    def _guide_domain_field_names(self, domain_str, model_name):
        """First-level field names a domain reads (to know when to re-evaluate).

        The configuration caches keep them for every user: a field the condition's author
        may read but the user whose change fills the cache may not (field groups) neither
        refuses that change nor is left out of the cache (read as the engine then)."""
        names = set()
        try:
            try:
                domain = self._guide_parse_domain(domain_str, model_name)
            except AccessError:
                domain = self.sudo()._guide_parse_domain(domain_str, model_name)
        except GUIDE_CONDITION_ERRORS:  # an invalid domain reads nothing
            return names
        for leaf in domain:
            if isinstance(leaf, list | tuple) and leaf and isinstance(leaf[0], str):
                names.add(leaf[0].split(".")[0])
        return names
