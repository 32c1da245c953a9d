import logging

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import datetime, dateutil, safe_eval, time

_logger = logging.getLogger(__name__)


class GuideConditionMixin(models.AbstractModel):
    """One rule language for the whole product.

    Every configurable rule (checklist item, hint, escalation rule, policy...)
    targets one guided model and may hold Odoo domains on the guided record.
    This mixin validates those domains when they are saved and evaluates them
    on whole recordsets with one SQL query per distinct domain.

    Inheriting models declare which Char fields hold domains in
    ``_guide_domain_fields`` and provide a ``model_name`` (Char) field.
    """

    _name = "guide.condition.mixin"
    _description = "Guided Record Condition"
    _guide_domain_fields = ()

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains(
        lambda self: ("model_name", *self._guide_domain_fields) if self._guide_domain_fields else ()
    )
    def _check_guide_domains(self):
        for rule in self:
            if not rule.model_name:
                continue
            for fname in self._guide_domain_fields:
                if not rule[fname]:
                    continue
                try:
                    rule._guide_parse_domain(rule[fname], rule.model_name)
                except Exception as exc:  # noqa: BLE001 - reported to the user
                    raise ValidationError(
                        _(
                            'Invalid condition "%(field)s" on %(rule)s: %(error)s',
                            field=rule._fields[fname].string,
                            rule=rule.display_name,
                            error=exc,
                        )
                    ) from exc

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _guide_eval_context(self):
        return {
            "datetime": datetime,
            "dateutil": dateutil,
            "time": time,
            "uid": self.env.uid,
            "user": self.env.user,
            "context_today": lambda: fields.Date.context_today(self),
        }

    @api.model
    def _guide_parse_domain(self, domain_str, model_name):
        """Evaluate a domain string and check it against ``model_name``.

        Raises on syntax errors, unknown fields and invalid operators, so that a
        rule with a bad domain is refused when it is saved.
        """
        if not domain_str:
            return []
        domain = safe_eval(domain_str, self._guide_eval_context())
        if not isinstance(domain, list | tuple):
            raise ValueError(_("a condition must be a list of criteria, got %s", domain_str))
        # Build (but do not run) the SQL query: validates fields and operators.
        self.env[model_name].with_context(active_test=False)._search(list(domain))
        return list(domain)

    @api.model
    def _guide_filter(self, records, domain_str):
        """Return the part of ``records`` matching ``domain_str``: one query."""
        if not domain_str or not records:
            return records
        domain = self._guide_parse_domain(domain_str, records._name)
        matching = records.with_context(active_test=False).search(
            [("id", "in", records.ids), *domain], order="id"
        )
        return records.browse(matching.ids)

    @api.model
    def _guide_filter_many(self, records, domain_strs):
        """Evaluate several domains on ``records``.

        :return: dict {domain_str: set of matching ids}; one query per distinct
            non-empty domain, none for empty ones.
        """
        result = {}
        for domain_str in set(domain_strs):
            if not domain_str:
                result[domain_str] = set(records.ids)
                continue
            try:
                result[domain_str] = set(self._guide_filter(records, domain_str).ids)
            except Exception:  # a domain broken by a later schema change
                _logger.exception(
                    "Process guide: cannot evaluate condition %s on %s", domain_str, records._name
                )
                result[domain_str] = set()
        return result

    @api.model
    def _guide_domain_field_names(self, domain_str, model_name):
        """First-level field names a domain reads (to know when to re-evaluate)."""
        names = set()
        try:
            domain = self._guide_parse_domain(domain_str, model_name)
        except Exception:  # noqa: BLE001 - an invalid domain reads nothing
            return names
        for leaf in domain:
            if isinstance(leaf, list | tuple) and leaf and isinstance(leaf[0], str):
                names.add(leaf[0].split(".")[0])
        return names
