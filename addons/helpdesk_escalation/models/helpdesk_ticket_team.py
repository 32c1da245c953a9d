from odoo import api, fields, models

from odoo.addons.base_process_guide.tools import module_uninstalling, refuse_emptied_scope


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        help="Working hours of the team, used by escalation rules counting the team's working time "
        "(empty: the company's).",
    )

    @api.ondelete(at_uninstall=True)
    def _unlink_except_sole_team_of_an_escalation_rule(self):
        if module_uninstalling(self.env):
            return
        refuse_emptied_scope(self.env["escalation.rule"], "helpdesk_team_ids", self)
