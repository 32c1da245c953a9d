from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import plaintext2html


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "guide.mixin"]
    _guide_manager_group = "helpdesk_mgmt.group_helpdesk_manager"
    _guide_every_record_group = "helpdesk_mgmt.group_helpdesk_user"

    # a close the customer asked from the portal, refused, is with the team while this to-do is open
    guide_close_activity_id = fields.Many2one(
        "mail.activity", string="Portal Close Request", readonly=True, copy=False, ondelete="set null"
    )
    # ... or, on a ticket nobody is assigned nor leads, waiting for the agent who takes it
    guide_close_waiting_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Portal Close Request Waiting",
        readonly=True,
        copy=False,
        ondelete="set null",
    )

    @api.model
    def _guide_engine_fields(self):
        return super()._guide_engine_fields() | {"guide_close_activity_id", "guide_close_waiting_stage_id"}

    def write(self, vals):
        res = super().write(vals)
        if not vals.keys().isdisjoint(("user_id", "team_id", "stage_id")):
            self._guide_portal_close_follow_up("stage_id" in vals)
        return res

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
    def _guide_held_vals(self, vals):
        """Without the values helpdesk_mgmt adds itself to a move or an assignment (its dates,
        the kanban state it resets): its ``write`` adds them again when the held change is
        made."""
        held = super()._guide_held_vals(vals)
        added = {
            "stage_id": ("last_stage_update", "closed_date", "kanban_state"),
            "user_id": ("assigned_date",),
        }
        for fname, keys in added.items():
            if vals.get(fname):
                for key in keys:
                    held.pop(key, None)
        return held

    @api.model
    def _guide_is_exit_stage(self, stage):
        # a closing stage that is no step of the process (Cancelled, Rejected): a spam
        # ticket is rejected without its triage checklist, not filled with a made-up one
        return bool(stage and stage.closed) or super()._guide_is_exit_stage(stage)

    @api.model
    def _guide_time_scope_domain(self):
        # closed tickets are done: time changes nothing for them
        return [*super()._guide_time_scope_domain(), ("stage_id.closed", "=", False)]

    def _guide_portal_close_pending(self):
        """Whether a close the customer asked from the portal is with the support team: the
        to-do ``_guide_portal_close_refused`` made for it is still open, or the request waits
        for an agent to take the ticket."""
        self.ensure_one()
        ticket = self.sudo()
        return bool(ticket.guide_close_activity_id.active or ticket.guide_close_waiting_stage_id)

    def _guide_portal_close_recipient(self):
        """Who the to-do of a close request is for: the assigned agent, else the team leader
        (no one: the request waits for the agent who takes the ticket)."""
        self.ensure_one()
        return self.user_id or self.team_id.user_id

    def _guide_portal_close_lang(self):
        """The language the note and the to-do of a close request are written in: that of
        whom they are for (the company's when the team's members are told)."""
        self.ensure_one()
        return self._guide_portal_close_recipient().lang or self.company_id.partner_id.lang

    def _guide_portal_close_refused(self, stage, refusal):
        """The customer asked from the portal to close the ticket as ``stage`` and its process
        or policies refused: the request is kept for the support team, an internal note with
        the refusal and a to-do for the assigned agent (the team leader on a ticket nobody is
        assigned), both in the language of whom they are for. On a ticket nobody is assigned
        nor leads, the note tells the team's members and the to-do goes to the agent who takes
        the ticket (``_guide_portal_close_follow_up``). Asked again while the request is with
        the team, nothing is added."""
        self.ensure_one()
        if self._guide_portal_close_pending():
            return
        customer = self.env.user.partner_id.display_name
        user = self._guide_portal_close_recipient()
        # nobody to give the to-do to: the team's members are told
        team = self.team_id.user_ids.filtered(lambda member: member.active and not member.share)
        lang = self._guide_portal_close_lang()
        ticket = self.with_context(lang=lang) if lang else self
        ticket.message_post(
            body=Markup("<p>%s</p>%s")
            % (
                ticket.env._(
                    "%(customer)s asked from the portal to close this ticket (%(stage)s); it was not "
                    "closed:",
                    customer=customer,
                    stage=stage.with_context(lang=lang).name,
                ),
                plaintext2html(refusal),
            ),
            subtype_xmlid="mail.mt_note",
            partner_ids=[] if user else team.partner_id.ids,
        )
        if user:
            self._guide_portal_close_schedule(user, stage, customer)
        else:
            self.sudo().guide_close_waiting_stage_id = stage

    def _guide_portal_close_schedule(self, user, stage, customer):
        """The to-do of a close request, for ``user`` in their language, scheduled by the engine
        (OdooBot): neither the customer nor the agent whose change made it due is its author,
        and the notification does not say they assigned it."""
        self.ensure_one()
        engine = self.sudo().with_user(SUPERUSER_ID).with_context(lang=user.lang or self.env.lang)
        activity = engine.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=engine.env._("Customer asked to close the ticket"),
            note=engine.env._(
                "%(customer)s asked to close it as %(stage)s.",
                customer=customer,
                stage=stage.with_env(engine.env).name,
            ),
            user_id=user.id,
        )
        self.sudo().write({"guide_close_activity_id": activity.id, "guide_close_waiting_stage_id": False})

    def _guide_portal_close_follow_up(self, stage_changed):
        """A close request waiting for an agent: the ticket now has one (or a team leader), who
        gets its to-do; the ticket moved to another stage, the team answered it."""
        waiting = self.sudo().filtered("guide_close_waiting_stage_id")
        for ticket in waiting:
            if stage_changed:
                ticket.guide_close_waiting_stage_id = False
                continue
            user = ticket._guide_portal_close_recipient()
            if user:
                ticket._guide_portal_close_schedule(
                    user, ticket.guide_close_waiting_stage_id, ticket.partner_id.display_name
                )
