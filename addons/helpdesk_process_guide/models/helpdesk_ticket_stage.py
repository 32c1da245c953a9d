from odoo import api, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_guide_step_in_use(self):
        """A stage is deleted with its steps: not while tickets are in one of them or
        their stage history names one (the step's own refusal, as the user deleting it)."""
        steps = (
            self.env["guide.step"]
            .sudo()
            .with_context(active_test=False)
            .search([("helpdesk_stage_id", "in", self.ids)])
        )
        if steps:
            steps.with_env(self.env)._unlink_except_in_use()
