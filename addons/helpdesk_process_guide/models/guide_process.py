from odoo import api, fields, models
from odoo.exceptions import ValidationError

HELPDESK_MODEL = "helpdesk.ticket"


class GuideProcess(models.Model):
    _inherit = "guide.process"

    helpdesk_team_ids = fields.Many2many(
        "helpdesk.ticket.team",
        string="Helpdesk Teams",
        domain="company_id and ['|', ('company_id', '=', False), ('company_id', '=', company_id)] or []",
        help="Leave empty to apply to every helpdesk team.",
    )
    helpdesk_category_ids = fields.Many2many(
        "helpdesk.ticket.category",
        string="Ticket Categories",
        domain="company_id and ['|', ('company_id', '=', False), ('company_id', '=', company_id)] or []",
        help="Leave empty to apply to every category.",
    )
    helpdesk_channel_ids = fields.Many2many(
        "helpdesk.ticket.channel",
        string="Ticket Channels",
        domain="company_id and ['|', ('company_id', '=', False), ('company_id', '=', company_id)] or []",
        help="Leave empty to apply whatever the channel the ticket came from.",
    )
    helpdesk_min_priority = fields.Selection(
        [("0", "Low"), ("1", "Medium"), ("2", "High"), ("3", "Very High")],
        string="Priority at Least",
        help="Only tickets of this priority or higher (empty: any priority).",
    )

    @api.constrains("company_id", "helpdesk_team_ids", "helpdesk_category_ids", "helpdesk_channel_ids")
    def _check_helpdesk_company(self):
        """A company's process is limited to the helpdesk teams, categories and channels of its
        company (or of none), and its steps to the ticket stages of its company (or of none)."""
        self._guide_check_company_of(("helpdesk_team_ids", "helpdesk_category_ids", "helpdesk_channel_ids"))
        self.step_ids._guide_check_company_of(("helpdesk_stage_id",))

    @api.constrains(
        "model_name",
        "helpdesk_team_ids",
        "helpdesk_category_ids",
        "helpdesk_channel_ids",
        "helpdesk_min_priority",
    )
    def _check_helpdesk_scope(self):
        for process in self:
            if process.model_name != HELPDESK_MODEL and (
                process.helpdesk_team_ids
                or process.helpdesk_category_ids
                or process.helpdesk_channel_ids
                or process.helpdesk_min_priority
            ):
                raise ValidationError(
                    self.env._(
                        "Process %(process)s: helpdesk teams, categories, channels and priority "
                        "only apply to tickets.",
                        process=process.display_name,
                    )
                )

    @api.model
    def _guide_scope_fields(self):
        return super()._guide_scope_fields() | {
            "helpdesk_team_ids",
            "helpdesk_category_ids",
            "helpdesk_channel_ids",
            "helpdesk_min_priority",
        }

    def _guide_scope_domain(self):
        domain = super()._guide_scope_domain()
        if self.model_name != HELPDESK_MODEL:
            return domain
        if self._guide_helpdesk_scope("helpdesk_team_ids"):
            domain.append(("team_id", "in", self._guide_helpdesk_scope("helpdesk_team_ids").ids))
        if self._guide_helpdesk_scope("helpdesk_category_ids"):
            domain.append(("category_id", "in", self._guide_helpdesk_scope("helpdesk_category_ids").ids))
        if self._guide_helpdesk_scope("helpdesk_channel_ids"):
            domain.append(("channel_id", "in", self._guide_helpdesk_scope("helpdesk_channel_ids").ids))
        if self.helpdesk_min_priority and self.helpdesk_min_priority != "0":
            # an empty priority counts as low
            domain.append(("priority", ">=", self.helpdesk_min_priority))
        return domain

    def _guide_scope_values(self):
        return {
            **super()._guide_scope_values(),
            "helpdesk_team_ids": frozenset(self._guide_helpdesk_scope("helpdesk_team_ids").ids),
            "helpdesk_category_ids": frozenset(self._guide_helpdesk_scope("helpdesk_category_ids").ids),
            "helpdesk_channel_ids": frozenset(self._guide_helpdesk_scope("helpdesk_channel_ids").ids),
            "helpdesk_min_priority": self.helpdesk_min_priority or False,
        }

    def _guide_helpdesk_scope(self, field_name):
        """The teams, categories or channels the process is limited to, archived ones
        included: archiving one does not make its process apply to every ticket."""
        return self.with_context(active_test=False)[field_name]
