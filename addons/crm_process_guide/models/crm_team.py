from odoo import api, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sole_team_of_a_process(self):
        self.env["guide.process"]._guide_refuse_emptied_scope("crm_team_ids", self)
