import logging
from collections import defaultdict
from datetime import datetime, time, timedelta

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.base_process_guide.models.guide_condition_mixin import GUIDE_CONDITION_ERRORS
from odoo.addons.base_process_guide.tools import engine_flag, engine_flag_get

from .escalation_clock import DUE_STATES, FLAG_NO_SYNC, OPEN_STATES

_logger = logging.getLogger(__name__)

# the columns of a clock reset when an episode starts
EPISODE_START_VALUES = {
    "paused_seconds": 0.0,
    "level_index": 0,
    "current_level_id": False,
    "current_level_kind": False,
    "last_fired_at": False,
    "breached": False,
    "breached_at": False,
    "breach_rate": 0.0,
    "met_at": False,
    "acknowledged_by": False,
    "acknowledged_at": False,
    "failure_count": 0,
    "last_error": False,
}


class GuideMixin(models.AbstractModel):
    """Escalation clocks on every guided model.

    The model-specific parts (teams, team leader, team working hours, what
    "closed" means, extra log columns) are small ``_escalation_*`` hooks that
    the CRM implementation (``crm_lead.py``) and later bridges override.
    """

    _inherit = "guide.mixin"

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    escalation_clock_ids = fields.One2many(
        "escalation.clock",
        "res_id",
        string="Escalation Clocks",
        domain=lambda self: [("res_model", "=", self._name)],
        readonly=True,
    )
    escalation_state = fields.Selection(
        [
            ("none", "No Escalation Rule"),
            ("paused", "Paused"),
            ("running", "On Track"),
            ("at_risk", "At Risk"),
            ("escalated", "Escalated"),
            ("met", "Met"),
        ],
        compute="_compute_guide_summary",
        string="Escalation",
    )
    escalation_level_id = fields.Many2one("escalation.level", compute="_compute_guide_summary")
    escalation_next_at = fields.Datetime(compute="_compute_guide_summary", string="Next Escalation Due")
    escalation_next_level_id = fields.Many2one(
        "escalation.level", compute="_compute_guide_summary", string="Next Escalation Level"
    )
    escalation_badge = fields.Char(compute="_compute_guide_summary")
    escalation_need_ack = fields.Boolean(compute="_compute_guide_summary", string="To Acknowledge")
    escalation_escalated = fields.Boolean(
        compute="_compute_guide_summary", search="_search_escalation_escalated", string="Escalated"
    )
    escalation_at_risk = fields.Boolean(
        compute="_compute_guide_summary", search="_search_escalation_at_risk", string="At Risk"
    )
    escalation_breached = fields.Boolean(
        compute="_compute_guide_summary", search="_search_escalation_breached", string="Breached"
    )
    escalation_log_count = fields.Integer(compute="_compute_guide_summary", string="Escalations")

    # ------------------------------------------------------------
    # HOOKS (override in guided models)
    # ------------------------------------------------------------
    @api.model
    def _guide_engine_fields(self):
        # the clocks and their state are the escalation engine's
        return super()._guide_engine_fields() | {
            fname for fname in self._fields if fname.startswith("escalation_")
        }

    @api.model
    def _escalation_depends(self):
        """Fields whose change may change the clocks of a record."""
        return {self._guide_stage_field, "guide_step_entered_at", "active", "company_id"}

    @api.model
    def _escalation_rule_search_domain(self, rule):
        """Model-specific part of the SQL pre-selection of a rule's records."""
        return []

    def _escalation_match_scope(self, rule):
        """Part of ``self`` in the model-specific scope of ``rule`` (plain values, no query)."""
        return self

    def _escalation_may_cover(self, rules):
        """Part of ``self`` some of ``rules`` may apply to, decided on cached values (no
        query): the other records have no open clock and need none, so that a write on
        them costs nothing. The model-specific scope comes from ``_escalation_match_scope``;
        a condition is applied when the record's own values decide it, else assumed."""
        covered = self.browse()
        for rule in rules:
            records = self - covered
            if not records:
                break
            if rule["process_id"]:
                records = records._guide_of_process(rule["process_id"])
            if records and rule["company_id"] and "company_id" in self._fields:
                records = records.filtered(lambda r, c=rule["company_id"]: r.company_id.id in (c, False))
            records = records._escalation_match_scope(rule)
            if records and rule["plain_domain"]:
                records = records.filtered_domain(list(rule["plain_domain"]))
            covered |= records
        return covered

    def _escalation_is_open(self):
        """Part of ``self`` still being worked on (closed records are de-escalated)."""
        if "active" in self._fields:
            return self.filtered("active")
        return self

    def _escalation_team_calendar(self):
        """Working hours of the record's team (CRM: the sales team's), else its company's."""
        self.ensure_one()
        return self._escalation_company_calendar()

    def _escalation_company_calendar(self):
        self.ensure_one()
        company = self.company_id if "company_id" in self._fields else self.env.company
        return (company or self.env.company).resource_calendar_id

    def _escalation_team_leader(self):
        """The user a "team leader" level escalates to."""
        self.ensure_one()
        return self.env["res.users"]

    def _escalation_owner_vals(self, user):
        """Values that make ``user`` the owner of ``self`` (one record)."""
        return {self._guide_owner_field: user.id}

    def _escalation_reassign_groups(self, level):
        """[(records, vals)] writing the new owner of ``self`` for ``level``, grouped by values."""
        owner_field = self._guide_owner_field
        if level.assign_to not in ("user", "team_leader") or owner_field not in self._fields:
            return []
        groups = defaultdict(lambda: self.browse())
        for record in self:
            owner = level.assign_user_id if level.assign_to == "user" else record._escalation_team_leader()
            if owner and record[owner_field] != owner:
                groups[tuple(sorted(record._escalation_owner_vals(owner).items()))] |= record
        return [(records, dict(key)) for key, records in groups.items()]

    def _escalation_extra_vals(self, level):
        """Model-specific values written by a level (CRM: tags)."""
        return {}

    def _escalation_log_values(self):
        """Extra columns of the log rows of ``self`` (one record)."""
        return {}

    def _escalation_clock_values(self):
        """Extra columns of the clocks of ``self`` (one record), set when an episode starts."""
        return {}

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------
    def _guide_summary_models(self):
        return [*super()._guide_summary_models(), "escalation.clock", "escalation.level", "escalation.log"]

    def _guide_summary_columns(self):
        """The records' clocks (open, met or breached, with their current level's name and
        sequence), whether a manual escalation waits for acknowledgement, the number of
        escalations: the escalation fields lists, kanbans and the form show."""
        model = self._name
        return {
            **super()._guide_summary_columns(),
            "escalation_clocks": SQL(
                """(SELECT json_agg(json_build_array(
                            c.state, c.current_level_kind, l.id,
                            COALESCE(l.name->>%(lang)s, l.name->>'en_US'), l.sequence, c.next_level_id,
                            to_char(c.next_escalation_at, 'YYYY-MM-DD HH24:MI:SS'), c.breached,
                            c.acknowledged_at IS NOT NULL))
                      FROM escalation_clock c
                      LEFT JOIN escalation_level l ON l.id = c.current_level_id
                     WHERE c.res_model = %(model)s AND c.res_id = r.id
                       AND (c.state IN %(states)s OR c.breached))""",
                lang=self.env.lang or "en_US",
                model=model,
                states=(*OPEN_STATES, "met"),
            ),
            "escalation_manual_unacked": SQL(
                """EXISTS(SELECT 1 FROM escalation_log g
                           WHERE g.res_model = %s AND g.res_id = r.id
                             AND g.kind = 'manual' AND g.ack_date IS NULL)""",
                model,
            ),
            "escalation_log_count": SQL(
                """(SELECT COUNT(*) FROM escalation_log g
                     WHERE g.res_model = %s AND g.res_id = r.id
                       AND g.kind IS DISTINCT FROM 'deescalation')""",
                model,
            ),
        }

    def _guide_summary_values(self, values):
        # (state, level kind, level id, level name, level sequence, next level id, next due,
        #  breached, acknowledged)
        clocks = values.get("escalation_clocks") or []
        open_clocks = [c for c in clocks if c[0] in OPEN_STATES]
        escalated = [c for c in open_clocks if c[0] == "breached"]
        warned = [c for c in open_clocks if c[0] == "running" and c[1] == "warning"]
        pending = [c for c in open_clocks if c[6] and c[0] in DUE_STATES]
        next_clock = min(pending, key=lambda c: c[6]) if pending else None
        fired = [c for c in open_clocks if c[2]]
        top = max(fired, key=lambda c: (c[1] == "escalation", c[4] or 0, c[2])) if fired else None
        if escalated:
            state = "escalated"
        elif warned:
            state = "at_risk"
        elif any(c[0] == "running" for c in open_clocks):
            state = "running"
        elif open_clocks:
            state = "paused"
        elif any(c[0] == "met" for c in clocks):
            state = "met"
        else:
            state = "none"
        badge = False
        if escalated and top:
            badge = _("Escalated: %(level)s", level=top[3])
        elif warned and top:
            badge = _("At risk: %(level)s", level=top[3])
        return {
            **super()._guide_summary_values(values),
            "escalation_state": state,
            "escalation_badge": badge,
            "escalation_escalated": bool(escalated),
            "escalation_at_risk": bool(warned),
            "escalation_breached": any(c[7] for c in clocks),
            "escalation_need_ack": any(not c[8] for c in escalated)
            or bool(values.get("escalation_manual_unacked")),
            "escalation_level_id": top[2] if top else False,
            "escalation_next_at": fields.Datetime.to_datetime(next_clock[6]) if next_clock else False,
            "escalation_next_level_id": next_clock[5] or False if next_clock else False,
            "escalation_log_count": values.get("escalation_log_count") or 0,
        }

    # ------------------------------------------------------------
    # SEARCHES
    # ------------------------------------------------------------
    def _escalation_search_clocks(self, operator, value, fname, domain):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on %(field)s.", field=self._fields[fname].string))
        clocks = self.env["escalation.clock"].sudo()._search([("res_model", "=", self._name), *domain])
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", clocks.subselect("res_id"))]

    def _search_escalation_escalated(self, operator, value):
        return self._escalation_search_clocks(
            operator, value, "escalation_escalated", [("state", "=", "breached")]
        )

    def _search_escalation_at_risk(self, operator, value):
        return self._escalation_search_clocks(
            operator,
            value,
            "escalation_at_risk",
            [("state", "=", "running"), ("current_level_kind", "=", "warning")],
        )

    def _search_escalation_breached(self, operator, value):
        return self._escalation_search_clocks(
            operator, value, "escalation_breached", [("breached", "=", True)]
        )

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        if not engine_flag_get(self.env, FLAG_NO_SYNC):
            config = self.env["escalation.rule"]._get_escalation_config(self._name)
            covered = records._escalation_may_cover(config["rules"]) if config["rules"] else records.browse()
            if covered:
                covered._escalation_sync(existing=True)
        return records

    def write(self, vals):
        if engine_flag_get(self.env, FLAG_NO_SYNC):
            return super().write(vals)
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        if not config["rules"] or not set(vals) & (self._escalation_depends() | config["fields"]):
            return super().write(vals)
        covered = self._escalation_may_cover(config["rules"])
        res = super().write(vals)
        covered |= self._escalation_may_cover(config["rules"])
        if covered:
            covered._escalation_sync(existing=True)
        return res

    def unlink(self):
        clocks = (
            self.env["escalation.clock"]
            .sudo()
            .search([("res_model", "=", self._name), ("res_id", "in", self.ids)])
        )
        res = super().unlink()
        clocks.unlink()
        return res

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_escalation_open_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Escalate"),
            "res_model": "escalation.manual.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": self._name, "default_res_id": self.id},
        }

    def action_escalation_open_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_escalation.escalation_log_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_escalation_open_clocks(self):
        """Every escalation clock of the record (rules, episodes, acknowledgements)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Escalation Clocks"),
            "res_model": "escalation.clock",
            "view_mode": "list",
            "views": [(False, "list")],
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
            "context": {"create": False},
        }

    def _escalation_after_manual_action(self):
        """Where the user goes after a manual escalation of ``self``: the record again if they can
        still read it, else the model's records (they handed it to someone they cannot follow)."""
        self.ensure_one()
        if self.has_access("read"):
            return {"type": "ir.actions.client", "tag": "soft_reload"}
        return {
            "type": "ir.actions.act_window",
            "name": self.env["ir.model"]._get(self._name).name,
            "res_model": self._name,
            "views": [(False, "list"), (False, "form")],
            "target": "main",
        }

    def action_escalation_acknowledge(self):
        """The new owner (or a manager) confirms they took the escalation over."""
        self.check_access("write")
        owner_field = self._guide_owner_field
        is_manager = self._guide_is_manager()
        now = fields.Datetime.now()
        Clock = self.env["escalation.clock"].sudo()
        clocks = Clock.search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("state", "=", "breached"),
                ("acknowledged_at", "=", False),
            ]
        )
        logs = (
            self.env["escalation.log"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("kind", "in", ("escalation", "manual")),
                    ("outcome", "=", "done"),
                    ("ack_date", "=", False),
                ]
            )
        )
        if not clocks and not logs:
            raise UserError(_("There is no escalation to acknowledge."))
        for record in self:
            owner = record[owner_field] if owner_field in record._fields else self.env["res.users"]
            if owner and owner != self.env.user and not is_manager:
                raise UserError(
                    _(
                        "Only %(owner)s, who received the escalation of %(record)s, or a manager can "
                        "acknowledge it.",
                        owner=owner.name,
                        record=record.display_name,
                    )
                )
        clocks.write({"acknowledged_by": self.env.uid, "acknowledged_at": now})
        for log in logs:
            log.write(
                {
                    "ack_user_id": self.env.uid,
                    "ack_date": now,
                    "ack_hours": (now - log.date).total_seconds() / 3600.0,
                }
            )
        body = _("Escalation acknowledged by %(user)s.", user=self.env.user.name)
        self._message_log_batch(dict.fromkeys(self.ids, body))
        return True

    # ------------------------------------------------------------
    # BUSINESS: clocks
    # ------------------------------------------------------------
    def _escalation_in_scope(self, rules):
        """{rule id: set of record ids in scope} (None for a rule whose condition fails)."""
        Rule = self.env["escalation.rule"]
        by_domain = {}
        result = {}
        for rule in rules:
            records = self
            if rule["process_id"]:
                records = records._guide_of_process(rule["process_id"])
            if records and rule["company_id"] and "company_id" in self._fields:
                records = records.filtered(lambda r, c=rule["company_id"]: r.company_id.id in (c, False))
            records = records._escalation_match_scope(rule)
            if rule["domain"] and records:
                if rule["domain"] not in by_domain:
                    try:
                        by_domain[rule["domain"]] = set(Rule._guide_filter(self, rule["domain"]).ids)
                    except GUIDE_CONDITION_ERRORS as exc:  # a rule broken by a schema change is skipped
                        _logger.warning(
                            "Escalation: rule %s (%s) skipped, its condition fails: %s",
                            rule["id"],
                            rule["name"],
                            exc,
                        )
                        by_domain[rule["domain"]] = None
                matching = by_domain[rule["domain"]]
                if matching is None:
                    result[rule["id"]] = None
                    continue
                records = records.filtered(lambda r, m=matching: r.id in m)
            result[rule["id"]] = set(records.ids)
        return result

    def _escalation_last_team_activity(self):
        """{record id: date of the last message or done activity by an internal user}: one query."""
        if not self.ids:
            return {}
        self.env["mail.message"].flush_model(["model", "res_id", "date", "message_type", "author_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT m.res_id, max(m.date) FROM mail_message m
                 WHERE m.model = %s AND m.res_id IN %s
                   AND (m.message_type IN ('comment', 'email') OR m.mail_activity_type_id IS NOT NULL)
                   AND EXISTS (SELECT 1 FROM res_users u
                                WHERE u.partner_id = m.author_id AND u.active AND NOT u.share)
                 GROUP BY m.res_id
                """,
                self._name,
                tuple(self.ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def _escalation_start_points(self, rule, cache):
        """{record id: start of the clock} for ``rule``; no entry when there is none."""
        return {
            res_id: value.replace(microsecond=0)
            for res_id, value in self._escalation_raw_start_points(rule, cache).items()
        }

    def _escalation_raw_start_points(self, rule, cache):
        trigger = rule["trigger_type"]
        if trigger == "step_time":
            return {r.id: r.guide_step_entered_at for r in self if r.guide_step_entered_at}
        if trigger == "creation":
            return {r.id: r.create_date for r in self if r.create_date}
        if trigger == "no_activity":
            if "activity" not in cache:
                cache["activity"] = self._escalation_last_team_activity()
            last = cache["activity"]
            return {r.id: max(filter(None, [r.create_date, last.get(r.id)])) for r in self if r.create_date}
        if trigger == "date_field":
            fname = rule["date_field"]
            if not fname or fname not in self._fields:
                return {}
            result = {}
            for record in self:
                value = record[fname]
                if not value:
                    continue
                if not isinstance(value, datetime):
                    value = datetime.combine(value + timedelta(days=1), time.min)
                result[record.id] = value
            return result
        return {}

    def _escalation_calendar(self, rule):
        self.ensure_one()
        if rule["time_mode"] != "working":
            return self.env["resource.calendar"]
        if rule["calendar_source"] == "rule":
            return self.env["resource.calendar"].browse(rule["calendar_id"])
        if rule["calendar_source"] == "team":
            return self._escalation_team_calendar()
        return self._escalation_company_calendar()

    def _escalation_base_hours(self, rule, calendar):
        self.ensure_one()
        step = self.guide_step_id
        if rule["trigger_type"] != "step_time" or rule["step_delay_base"] != "expected" or not step:
            return 0.0
        if rule["time_mode"] == "working" and step.expected_duration_unit == "days":
            return step.expected_duration * (calendar.hours_per_day or 8.0)
        return step.expected_hours

    def _escalation_sync(self, rule_ids=None, existing=False):
        """Keep the clocks of ``self`` in line with their records, in batch.

        Creates clocks for records entering a rule's scope, pauses, resumes,
        meets, de-escalates (record out of scope or closed) and restarts
        episodes (new start point, or new step when the rule says so), then
        reschedules the changed clocks.

        :param existing: the caller knows that the records exist (``write``)
        :return: ids of the rules whose condition cannot be evaluated (their
            clocks are left as they are)
        """
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        rules = [rule for rule in config["rules"] if rule_ids is None or rule["id"] in rule_ids]
        records = self.with_context(active_test=False)
        if not existing:
            records = records.exists()
        if not rules or not records:
            return set()
        Clock = self.env["escalation.clock"].sudo()
        # the clocks and their columns in one query
        clocks = Clock.search_fetch(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", records.ids),
                ("rule_id", "in", [r["id"] for r in rules]),
            ],
            [name for name, field in Clock._fields.items() if field.store and field.column_type],
        )
        clock_map = {(clock.res_id, clock.rule_id.id): clock for clock in clocks}
        in_scope = records._escalation_in_scope(rules)
        open_ids = set(records._escalation_is_open().ids)
        now = fields.Datetime.now()
        cache = {}
        to_close, to_meet, to_resume = Clock.browse(), Clock.browse(), Clock.browse()
        new_episodes = []  # (record, rule, clock or None, start)
        updates = defaultdict(dict)  # clock id: new values, written in one UPDATE per set of columns
        broken = set()
        for rule in rules:
            scope = in_scope[rule["id"]]
            if scope is None:
                broken.add(rule["id"])
                continue
            starts = records._escalation_start_points(rule, cache)
            for record in records:
                clock = clock_map.get((record.id, rule["id"]))
                step_id = record.guide_step_id.id
                if record.id not in scope:
                    if clock and clock.state in OPEN_STATES:
                        to_close |= clock
                    continue
                if step_id and step_id in rule["met_step_ids"]:
                    if clock and clock.state in OPEN_STATES:
                        to_meet |= clock
                    continue
                allowed_steps = rule["step_ids"] | rule["pause_step_ids"] | rule["met_step_ids"]
                start = starts.get(record.id)
                if (
                    record.id not in open_ids
                    or (rule["step_ids"] and step_id not in allowed_steps)
                    or not start
                ):
                    if clock and clock.state in OPEN_STATES:
                        to_close |= clock
                    continue
                step_changed = clock and clock.step_entered_at != record.guide_step_entered_at
                restart = (
                    not clock
                    or clock.state == "done"
                    or (
                        clock.episode_start != start
                        and rule["trigger_type"] in ("step_time", "date_field", "no_activity")
                    )
                    or (step_changed and rule["restart_on_step_change"])
                )
                if restart:
                    if (
                        clock
                        and clock.state == "met"
                        and not step_changed
                        and rule["trigger_type"] != "date_field"
                    ):
                        continue  # met for good
                    new_episodes.append((record, rule, clock, start))
                    continue
                paused = step_id in rule["pause_step_ids"]
                if step_changed:
                    updates[clock.id].update(step_id=step_id, step_entered_at=record.guide_step_entered_at)
                if clock.state == "met":
                    continue
                if paused and clock.state != "paused":
                    updates[clock.id].update(state="paused", paused_since=now, next_escalation_at=False)
                elif not paused and clock.state == "paused":
                    to_resume |= clock
        # apply: a constant number of statements whatever the number of records
        # (log rows in one INSERT, new clocks in one INSERT, the other clocks in one
        # UPDATE per set of written columns)
        to_close._escalation_close()
        to_meet.filtered("current_level_id")._escalation_log_deescalation(
            _("Target reached: the rule is met.")
        )
        for clock_id in to_meet.ids:
            updates[clock_id].update(state="met", met_at=now, next_escalation_at=False, paused_since=False)
        if to_resume:
            paused = to_resume._escalation_paused_hours(now)
            for clock in to_resume:
                updates[clock.id].update(
                    state="breached" if clock.breached else "running",
                    paused_seconds=clock.paused_seconds + paused[clock.id] * 3600.0,
                    paused_since=False,
                )
            for clock_id, vals in to_resume._escalation_schedule_rows(updates).items():
                updates[clock_id].update(vals)
        if new_episodes:
            records._escalation_start_episodes(new_episodes, now, updates)
        Clock._escalation_write_rows(updates)
        return broken

    def _escalation_start_episodes(self, new_episodes, now, updates=None):
        """Create or restart the clocks of ``new_episodes``, due times included.

        New clocks are inserted in one statement; the values of restarted clocks
        go to ``updates`` ({clock id: vals}) for the caller to write with the
        others, or are written here (one UPDATE per set of columns).
        """
        Clock = self.env["escalation.clock"].sudo()
        ended = Clock.browse(
            [
                clock.id
                for _r, _rule, clock, _s in new_episodes
                if clock and clock.current_level_id and clock.state in OPEN_STATES
            ]
        )
        if ended:
            ended._escalation_log_deescalation(_("De-escalated: a new episode starts."))
        episodes = []  # (clock or None, vals)
        shared = {}  # record id: the values of its clocks that do not depend on the rule
        for record, rule, clock, start in new_episodes:
            if record.id not in shared:
                shared[record.id] = {
                    "step_id": record.guide_step_id.id,
                    "step_entered_at": record.guide_step_entered_at,
                    "record_name": record.display_name,
                    "company_id": record.company_id.id if "company_id" in record._fields else False,
                    **record._escalation_clock_values(),
                }
            calendar = record._escalation_calendar(rule)
            paused = shared[record.id]["step_id"] in rule["pause_step_ids"]
            vals = {
                **EPISODE_START_VALUES,
                **shared[record.id],
                "rule_id": rule["id"],
                "state": "paused" if paused else "running",
                "episode_start": start,
                "base_hours": record._escalation_base_hours(rule, calendar),
                "calendar_id": calendar.id,
                "paused_since": now if paused else False,
            }
            if clock:
                del vals["rule_id"]
                if clock.record_name == vals["record_name"]:
                    del vals["record_name"]
                vals["episode"] = clock.episode + 1
            else:
                vals.update(res_model=self._name, res_id=record.id, episode=1)
            episodes.append((clock, vals))
        # the due times of every new episode in one batch
        items = [
            dict({fname: vals.get(fname) for fname in Clock._escalation_schedule_fields}, rule_id=rule["id"])
            for (_record, rule, _clock, _start), (_clock, vals) in zip(new_episodes, episodes, strict=True)
        ]
        schedule = Clock._escalation_schedule(self._name, items)
        write = updates is None
        updates = defaultdict(dict) if write else updates
        create_vals = []
        for (clock, vals), (level_id, due) in zip(episodes, schedule, strict=True):
            vals.update(next_level_id=level_id, next_escalation_at=due)
            if clock:
                updates[clock.id].update(vals)
            else:
                create_vals.append(vals)
        if write:
            Clock._escalation_write_rows(updates)
        return Clock._guide_bulk_create(create_vals) if create_vals else Clock.browse()

    def _escalation_manual(self, level, user, reason):
        """Escalate ``self`` by hand (wizard): logged like automatic escalations.

        The reassignment is written as the user (their access and the rules of the
        record apply); the rest is the engine's work, as for automatic escalations:
        after handing their own record to a colleague, an own-documents user can
        no longer read it, yet the note, the log row and the clock are written.
        """
        self.ensure_one()
        now = fields.Datetime.now()
        owner_field = self._guide_owner_field
        has_owner = owner_field in self._fields
        from_user = self[owner_field] if has_owner else self.env["res.users"]
        actions = []
        if user and has_owner and self[owner_field] != user:
            with engine_flag(self.env, FLAG_NO_SYNC):
                self.write(self._escalation_owner_vals(user))
            actions.append(_("Reassigned to %(user)s", user=user.name))
        self.sudo()._escalation_manual_record(level, reason, from_user, actions, now)

    def _escalation_manual_record(self, level, reason, from_user, actions, now):
        """The engine's part of a manual escalation (as superuser, ``env.uid`` the user): the level's
        actions, the chatter note, the log row and the clock."""
        owner_field = self._guide_owner_field
        has_owner = owner_field in self._fields
        if level:
            actions += self._escalation_execute(level, reason=reason, manual=True)[self.id]["actions"]
        else:
            body = Markup("<p><b>%s</b></p><p>%s</p>") % (
                _("Manual escalation"),
                _("Reason: %(reason)s", reason=reason),
            )
            if actions:
                body += Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % a for a in actions)
            self._message_log_batch({self.id: body})
        clock = self.env["escalation.clock"]
        if level:
            clock = clock.sudo().search(
                [("res_model", "=", self._name), ("res_id", "=", self.id), ("rule_id", "=", level.rule_id.id)]
            )
        self.env["escalation.log"].sudo()._escalation_create_rows(
            [
                {
                    "date": now,
                    "res_model": self._name,
                    "res_id": self.id,
                    "record_name": self.display_name,
                    "rule_id": level.rule_id.id,
                    "level_id": level.id,
                    "episode": clock.episode,
                    "kind": "manual",
                    "trigger": "manual",
                    "outcome": "done",
                    "user_id": self.env.uid,
                    "from_user_id": from_user.id,
                    "to_user_id": self[owner_field].id if has_owner else False,
                    "company_id": self.company_id.id if "company_id" in self._fields else False,
                    "reason": reason,
                    "actions": "\n".join(actions),
                    **self._escalation_log_values(),
                }
            ]
        )
        if clock and clock.state in OPEN_STATES:
            position = level.rule_id.level_ids.sorted(lambda lvl: (lvl.sequence, lvl.id)).ids.index(level.id)
            if position >= clock.level_index:
                was_paused = clock.state == "paused"
                clock._escalation_advance(level, now)
                clock.level_index = position + 1
                if was_paused:
                    clock.state = "paused"  # stays paused; resumes as escalated
                clock._escalation_reschedule()
        self._escalation_sync()
        # computations the reassignment left pending are made here, as the engine: the user may
        # no longer read the record when the request flushes
        self.flush_recordset()

    # ------------------------------------------------------------
    # BUSINESS: actions of a level
    # ------------------------------------------------------------
    def _escalation_execute(self, level, reason=None, manual=False):
        """Run the actions of ``level`` on ``self``, in batch.

        :return: {record id: {"actions": [str], "log": {vals}, "moved": bool}}
        """
        with engine_flag(self.env, FLAG_NO_SYNC):
            return self._escalation_execute_actions(level, reason=reason, manual=manual)

    def _escalation_execute_actions(self, level, reason=None, manual=False):
        """The body of ``_escalation_execute``, with the engine's clock re-synchronisation held."""
        records = self.with_context(
            tracking_disable=True,
            mail_notrack=True,
            mail_create_nolog=True,
            mail_activity_quick_update=True,
        )
        owner_field = self._guide_owner_field
        has_owner = owner_field in self._fields
        results = {
            record.id: {
                "actions": [],
                "moved": False,
                "log": {
                    "from_user_id": record[owner_field].id if has_owner else False,
                    **record._escalation_log_values(),
                },
            }
            for record in self
        }
        # reassign
        for group, vals in records._escalation_reassign_groups(level):
            group.write(vals)
            user = self.env["res.users"].browse(vals.get(owner_field))
            for record in group:
                results[record.id]["actions"].append(_("Reassigned to %(user)s", user=user.name))
        team = level._escalation_assign_team() if level.assign_to == "team" else None
        if team and "team_id" in self._fields:
            group = records.filtered(lambda r: r.team_id != team)
            if group:
                group.write({"team_id": team.id})
                for record in group:
                    results[record.id]["actions"].append(_("Moved to team %(team)s", team=team.name))
                    results[record.id]["moved"] = True
        # priority, tags and other values
        if level.raise_priority and "priority" in self._fields:
            group = records.filtered(lambda r: (r.priority or "0") < level.raise_priority)
            if group:
                group.write({"priority": level.raise_priority})
                for record in group:
                    results[record.id]["actions"].append(_("Priority raised"))
        extra = records._escalation_extra_vals(level)
        if extra:
            records.write(extra)
            for record in records:
                results[record.id]["actions"].append(_("Tagged"))
        # followers
        partners = level.follower_partner_ids
        if level.follow_team_leader or partners:
            by_partners = defaultdict(lambda: records.browse())
            for record in records:
                leader = record._escalation_team_leader() if level.follow_team_leader else None
                key = frozenset((partners | (leader.partner_id if leader else partners.browse())).ids)
                if key:
                    by_partners[key] |= record
            for key, group in by_partners.items():
                group.message_subscribe(partner_ids=list(key))
                for record in group:
                    results[record.id]["actions"].append(_("Followers added"))
        # activity
        if level.activity_type_id:
            deadline = fields.Date.context_today(self) + timedelta(days=level.activity_deadline_days)
            by_user = defaultdict(lambda: records.browse())
            for record in records:
                if level.activity_user == "team_leader":
                    user = record._escalation_team_leader()
                else:
                    user = record[owner_field] if has_owner else self.env["res.users"]
                by_user[user or self.env.user] |= record
            summary = level.activity_summary or _("Escalation: %(level)s", level=level.name)
            for user, group in by_user.items():
                group.activity_schedule(
                    activity_type_id=level.activity_type_id.id,
                    date_deadline=deadline,
                    summary=summary,
                    note=escape(reason or ""),
                    user_id=user.id,
                )
                for record in group:
                    results[record.id]["actions"].append(
                        _("Activity for %(user)s due %(date)s", user=user.name, date=deadline)
                    )
        # move to a step
        if level.move_step_id:
            stage_field = self._guide_stage_field
            group = records.filtered(lambda r: r[stage_field].id != level.move_step_id.stage_res_id)
            if group:
                group.with_context(
                    guide_override_reason=_("Escalation %(level)s", level=level.display_name)
                ).write({stage_field: level.move_step_id.stage_res_id})
                for record in group:
                    results[record.id]["actions"].append(_("Moved to %(step)s", step=level.move_step_id.name))
                    results[record.id]["moved"] = True
        # email through the outgoing queue
        if level.mail_template_id:
            level.mail_template_id.sudo().send_mail_batch(records.ids, force_send=False)
            for record in records:
                results[record.id]["actions"].append(
                    _("Email queued: %(template)s", template=level.mail_template_id.name)
                )
        for record in self:
            results[record.id]["log"]["to_user_id"] = record[owner_field].id if has_owner else False
        # one chatter note per record, in one batch
        if level.post_message or manual:
            bodies = {}
            for record in self:
                result = results[record.id]
                title = (
                    _("Manual escalation")
                    if manual
                    else (_("Warning") if level.kind == "warning" else _("Escalation"))
                )
                body = Markup("<p><b>%s</b>: %s / %s</p>") % (title, level.rule_id.name, level.name)
                if level.message:
                    body += Markup("<p>%s</p>") % level.message
                if reason:
                    body += Markup("<p>%s</p>") % _("Reason: %(reason)s", reason=reason)
                if result["actions"]:
                    body += Markup("<ul>%s</ul>") % Markup("").join(
                        Markup("<li>%s</li>") % action for action in result["actions"]
                    )
                bodies[record.id] = body
            records._message_log_batch(bodies)
        return results
