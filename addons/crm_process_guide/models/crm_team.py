from odoo import api, models

from odoo.addons.base_process_guide.tools import refuse_emptied_scope


class CrmTeam(models.Model):
    _inherit = "crm.team"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sole_team_of_a_process(self):
        refuse_emptied_scope(self.env["guide.process"], "crm_team_ids", self)
