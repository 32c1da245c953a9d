from odoo import api, models

from odoo.addons.base_process_guide.tools import module_uninstalling, refuse_emptied_scope


class CrmTeam(models.Model):
    _inherit = "crm.team"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_sole_team_of_a_process(self):
        if module_uninstalling(self.env):
            return
        refuse_emptied_scope(self.env["guide.process"], "crm_team_ids", self)
