from odoo import api, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sole_team_of_a_process(self):
        self.env["guide.process"]._guide_refuse_emptied_scope("helpdesk_team_ids", self)


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sole_category_of_a_process(self):
        self.env["guide.process"]._guide_refuse_emptied_scope("helpdesk_category_ids", self)


class HelpdeskTicketChannel(models.Model):
    _inherit = "helpdesk.ticket.channel"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sole_channel_of_a_process(self):
        self.env["guide.process"]._guide_refuse_emptied_scope("helpdesk_channel_ids", self)
