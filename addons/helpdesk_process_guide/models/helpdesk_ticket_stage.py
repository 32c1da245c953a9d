from odoo import api, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_guide_step_in_use(self):
        # the stage's steps go with it: not while they are in use
        self.env["guide.step"]._guide_check_stage_unlink(self)
