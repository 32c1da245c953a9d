from odoo import api, models
from odoo.exceptions import UserError

from ..tools import module_uninstalling
from ..tools.refusal import REFUSAL_NAMES, labelled


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_company_of_a_configuration(self):
        """A company configurations are limited to (processes, hints; the other engines add
        their rules and policies, archived ones included) is not deleted: their company
        emptied, they would apply to the records of every company (a process or a blocking
        policy of one company on every company's records)."""
        if module_uninstalling(self.env):
            return
        named = []
        for model_name in self._guide_company_configurations():
            Model = self.env[model_name].sudo().with_context(active_test=False)
            label = self.env["ir.model"]._get(model_name).name
            for config in Model.search([("company_id", "in", self.ids)], limit=REFUSAL_NAMES):
                named.append(labelled(self.env, label, config.display_name))
        if named:
            raise UserError(
                self.env._(
                    "%(companies)s cannot be deleted: the following are limited to it, and without "
                    "their company would apply to the records of every company:\n%(configs)s\n"
                    "Delete them or give them another company first.",
                    companies=", ".join(self.mapped("display_name")[:REFUSAL_NAMES]),
                    configs="\n".join(named[:REFUSAL_NAMES]),
                )
            )

    def _guide_company_configurations(self):
        """The configuration models whose ``company_id`` limits them to a company (empty:
        every company). Modules adding such configurations extend it."""
        return ["guide.process", "guide.hint"]
