from odoo import api, models

from odoo.addons.base_process_guide.tools import module_uninstalling, refuse_emptied_scope


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_sole_team_of_a_process(self):
        if module_uninstalling(self.env):
            return
        refuse_emptied_scope(self.env["guide.process"], "helpdesk_team_ids", self)


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_sole_category_of_a_process(self):
        if module_uninstalling(self.env):
            return
        # their sub-categories go with them (the database's cascade, no unlink of theirs)
        deleted = self.with_context(active_test=False).search([("id", "child_of", self.ids)])
        refuse_emptied_scope(self.env["guide.process"], "helpdesk_category_ids", deleted)


class HelpdeskTicketChannel(models.Model):
    _inherit = "helpdesk.ticket.channel"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_sole_channel_of_a_process(self):
        if module_uninstalling(self.env):
            return
        refuse_emptied_scope(self.env["guide.process"], "helpdesk_channel_ids", self)
