from odoo import models
from odoo.exceptions import UserError

from ..tools import module_uninstalling, quoted
from .guide_condition_mixin import GUIDE_CONDITION_ERRORS


class IrModelFields(models.Model):
    _inherit = "ir.model.fields"

    def unlink(self):
        # before Odoo drops the column: a condition reading it would match nothing from then
        # on (a checklist item never done, a policy or rule skipped), silently
        if not module_uninstalling(self.env):
            self._guide_check_conditions_using()
        return super().unlink()

    def write(self, vals):
        # renamed, the field is no longer the one a condition names: it would match nothing
        # from then on, silently, as if it were deleted
        if "name" in vals and not module_uninstalling(self.env):
            self.filtered(lambda field: field.name != vals["name"])._guide_check_conditions_using(
                renaming=True
            )
        return super().write(vals)

    def _guide_check_conditions_using(self, renaming=False):
        """Refuse to delete (or rename) a field a condition of the configuration reads (on
        its path, in a sub-domain), naming the field and the rules; deleted with the module
        that adds it."""
        if not self:
            return
        deleted = {(field.model, field.name) for field in self}
        using = []
        for rules in self._guide_condition_rules():
            kind = self.env["ir.model"]._get(rules._name).name
            for rule in rules:
                if any(
                    self._guide_condition_reads(rule, fname, deleted) for fname in rule._guide_domain_fields
                ):
                    using.append(f"{kind} {quoted(self.env, rule.display_name, 80)}")
        if not using:
            return
        names = {
            "fields": ", ".join(self.mapped("field_description")),
            "rules": ", ".join(using[:10]) + (", …" if len(using) > 10 else ""),
        }
        if renaming:
            raise UserError(
                self.env._(
                    "Field %(fields)s cannot be renamed: conditions read it by its name (%(rules)s). "
                    "Change those conditions first.",
                    **names,
                )
            )
        raise UserError(
            self.env._(
                "Field %(fields)s cannot be deleted: conditions read it (%(rules)s). Change those "
                "conditions first.",
                **names,
            )
        )

    def _guide_condition_rules(self):
        """The configuration records holding conditions (every model using
        ``guide.condition.mixin``), as superuser, archived ones included."""
        # by the mixin's attribute, not the classes: a registry rebuilt in part (a test's
        # fake models) holds classes of the mixin that the models' bases are not
        for model_name in self.env.registry:
            Model = self.env[model_name]
            if Model._abstract or not getattr(Model, "_guide_domain_fields", ()):
                continue
            yield Model.sudo().with_context(active_test=False).search([])

    def _guide_condition_reads(self, rule, fname, deleted):
        """Whether the condition ``fname`` of ``rule`` reads one of the fields ``deleted``
        ({(model, field name)})."""
        if not rule[fname] or not rule.model_name or rule.model_name not in self.env:
            return False
        try:
            domain = rule._guide_domain(rule[fname])
        except GUIDE_CONDITION_ERRORS:
            return False
        # read by name: a field being deleted or renamed may already be gone from the model
        return any(
            (model._name, name) in deleted
            for name, model in rule._guide_domain_path_names(domain, rule.model_name)
        )
