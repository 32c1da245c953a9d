from odoo import api, fields, models
from odoo.osv import expression

from .escalation_clock import DUE_STATES


class EscalationCalendarChange(models.Model):
    """A change of working time (a public holiday added, moved or deleted, working hours
    changed) being applied to the due times of the running clocks it may move.

    One row per change, made by the engine and deleted once applied: in the save up to the
    inline limit, else by the scheduler in chunks (``guide.apply.mixin``), before the
    escalation cron fires levels; meanwhile the clocks counting in its working hours do not
    fire (``escalation.clock._escalation_claim``).
    """

    _name = "escalation.calendar.change"
    _inherit = ["guide.apply.mixin"]
    _description = "Working Time Change Being Applied"
    _order = "id"

    # empty: every calendar (a public holiday of no calendar)
    calendar_id = fields.Many2one("resource.calendar", readonly=True, ondelete="cascade")
    # empty: every company (a holiday of no company)
    company_id = fields.Many2one("res.company", readonly=True, ondelete="cascade")
    # the period changed; empty: unbounded (working hours changed)
    date_from = fields.Datetime(readonly=True)
    date_to = fields.Datetime(readonly=True)

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _escalation_apply_changes(self, vals_list):
        """Recompute the due times of the clocks ``vals_list`` (the values of changes) may move:
        one change per calendar and company, over the union of the periods."""
        merged = {}
        for vals in vals_list:
            key = (vals.get("calendar_id") or False, vals.get("company_id") or False)
            if key not in merged:
                merged[key] = dict(vals)
                continue
            current = merged[key]
            for fname, pick in (("date_from", min), ("date_to", max)):
                both = current.get(fname) and vals.get(fname)
                current[fname] = pick(current[fname], vals[fname]) if both else False
        Clock = self.env["escalation.clock"].sudo()
        # most saves concern no clock (no working-time rule, a period after every due time)
        concerned = [
            vals
            for vals in merged.values()
            if Clock.search_count(self._escalation_clock_domain(vals), limit=1)
        ]
        for change in self.sudo().create(concerned):
            change._guide_apply("reschedule", "escalation.clock")

    @api.model
    def _escalation_clock_domain(self, vals):
        """The clocks a change (its values) may move: those whose next level is due in working
        time and whose window (episode start to due time) meets its period; a failed clock
        keeps its retry time."""
        domain = [
            ("state", "in", DUE_STATES),
            ("failure_count", "=", 0),
            ("calendar_id", "!=", False),
        ]
        if vals.get("calendar_id"):
            domain.append(("calendar_id", "=", vals["calendar_id"]))
        if vals.get("company_id"):
            # a clock of no company counts its calendar's company's holidays: kept, to be safe
            domain.append(("company_id", "in", [vals["company_id"], False]))
        window = [("next_escalation_at", "!=", False)]
        if vals.get("date_from"):
            window.append(("next_escalation_at", ">", vals["date_from"]))
        if vals.get("date_to"):
            window.append(("episode_start", "<", vals["date_to"]))
        # and the clocks no working time was found for (a holiday longer than the search):
        # any change of their working time may give them a due time again
        unscheduled = [("next_escalation_at", "=", False), ("next_level_id", "!=", False)]
        return expression.AND([domain, expression.OR([window, unscheduled])])

    # configuration changes applied to the records (guide.apply.mixin)
    def _guide_apply_domain(self, kind, target_model):
        if kind != "reschedule":
            return super()._guide_apply_domain(kind, target_model)
        return self._escalation_clock_domain(
            {
                "calendar_id": self.calendar_id.id,
                "company_id": self.company_id.id,
                "date_from": self.date_from,
                "date_to": self.date_to,
            }
        )

    def _guide_apply_chunk(self, kind, records):
        if kind != "reschedule":
            return super()._guide_apply_chunk(kind, records)
        records._escalation_reschedule()
        return None

    def _guide_apply_finish(self, kind, target_model):
        res = super()._guide_apply_finish(kind, target_model)
        self.unlink()
        # the clocks held meanwhile may be due
        cron = self.env.ref("base_escalation.escalation_cron", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()
        return res
