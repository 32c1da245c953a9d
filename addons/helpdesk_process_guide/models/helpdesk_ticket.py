from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import plaintext2html


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "guide.mixin"]
    _guide_manager_group = "helpdesk_mgmt.group_helpdesk_manager"

    # a close the customer asked from the portal, refused, is with the team while this to-do is open
    guide_close_activity_id = fields.Many2one(
        "mail.activity", string="Portal Close Request", readonly=True, copy=False, ondelete="set null"
    )

    @api.model
    def _guide_engine_fields(self):
        return super()._guide_engine_fields() | {"guide_close_activity_id"}

    @api.model
    def _guide_process_depends(self):
        return [*super()._guide_process_depends(), "team_id", "category_id", "channel_id", "priority"]

    def _guide_match_scope(self, process):
        tickets = super()._guide_match_scope(process)
        if process["helpdesk_team_ids"]:
            tickets = tickets.filtered(lambda t: t.team_id.id in process["helpdesk_team_ids"])
        if process["helpdesk_category_ids"]:
            tickets = tickets.filtered(lambda t: t.category_id.id in process["helpdesk_category_ids"])
        if process["helpdesk_channel_ids"]:
            tickets = tickets.filtered(lambda t: t.channel_id.id in process["helpdesk_channel_ids"])
        if process["helpdesk_min_priority"]:
            tickets = tickets.filtered(lambda t: (t.priority or "0") >= process["helpdesk_min_priority"])
        return tickets

    def _guide_may_match(self, vals, config):
        if not super()._guide_may_match(vals, config):
            return False
        if any(not process["helpdesk_team_ids"] for process in config["processes"]):
            return True
        guided_teams = frozenset().union(*(process["helpdesk_team_ids"] for process in config["processes"]))
        if "team_id" not in vals:
            return True  # the team may follow another field (a lead's salesperson or type)
        return vals["team_id"] in guided_teams

    def _guide_history_values(self):
        values = super()._guide_history_values()
        teams = self._guide_cached_values("team_id")
        categories = self._guide_cached_values("category_id")
        for res_id, team_id, category_id in zip(self._ids, teams, categories, strict=True):
            values[res_id].update(
                helpdesk_team_id=team_id or False, helpdesk_category_id=category_id or False
            )
        return values

    @api.model
    def _guide_time_scope_domain(self):
        # closed tickets are done: time changes nothing for them
        return [*super()._guide_time_scope_domain(), ("stage_id.closed", "=", False)]

    def _guide_portal_close_pending(self):
        """Whether a close the customer asked from the portal is with the support team: the
        to-do ``_guide_portal_close_refused`` made for it is still open."""
        self.ensure_one()
        return bool(self.sudo().guide_close_activity_id.active)

    def _guide_portal_close_refused(self, stage, refusal):
        """The customer asked from the portal to close the ticket as ``stage`` and its process
        or policies refused: the request is kept for the support team, an internal note with
        the refusal and a to-do for the assigned agent (the team leader on a ticket nobody is
        assigned). Asked again while that to-do is open, the request is already with the team:
        nothing is added."""
        self.ensure_one()
        if self._guide_portal_close_pending():
            return
        customer = self.env.user.partner_id.display_name
        self.message_post(
            body=Markup("<p>%s</p>%s")
            % (
                self.env._(
                    "%(customer)s asked from the portal to close this ticket (%(stage)s); it was not "
                    "closed:",
                    customer=customer,
                    stage=stage.name,
                ),
                plaintext2html(refusal),
            ),
            subtype_xmlid="mail.mt_note",
        )
        user = self.user_id or self.team_id.user_id
        if not user:
            return
        self.guide_close_activity_id = self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Customer asked to close the ticket"),
            note=self.env._(
                "%(customer)s asked to close it as %(stage)s.", customer=customer, stage=stage.name
            ),
            user_id=user.id,
        )
