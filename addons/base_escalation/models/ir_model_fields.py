from odoo import models
from odoo.exceptions import UserError

from odoo.addons.base_process_guide.tools import module_uninstalling


class IrModelFields(models.Model):
    _inherit = "ir.model.fields"

    def unlink(self):
        # before Odoo drops the column: a rule starting from the field went with it (cascade)
        if not module_uninstalling(self.env):
            self._escalation_check_date_fields()
        return super().unlink()

    def _escalation_check_date_fields(self):
        """A field an escalation rule starts its clock from is not deleted: the rule, its
        levels and its clocks went with it, silently. Deleted with the module that adds it."""
        rules = (
            self.env["escalation.rule"]
            .sudo()
            .with_context(active_test=False)
            .search([("date_field_id", "in", self.ids)])
        )
        # a rule that starts otherwise keeps a field it no longer uses: forgotten, not deleted
        rules.filtered(lambda rule: rule.trigger_type != "date_field").write({"date_field_id": False})
        rules = rules.filtered(lambda rule: rule.trigger_type == "date_field")
        for field in self:
            used = rules.filtered(lambda rule, field=field: rule.date_field_id == field)
            if used:
                raise UserError(
                    self.env._(
                        "Field %(field)s cannot be deleted: escalation rules start their clocks from "
                        "it (%(rules)s). Choose another start point for those rules, or delete them, "
                        "first.",
                        field=field.field_description,
                        rules=", ".join(used.mapped("display_name")),
                    )
                )
