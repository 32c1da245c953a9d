import contextlib
from datetime import datetime, time, timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.base_process_guide.tools import (
    engine_flag,
    engine_flag_get,
    lock_rows,
    refuse_missing,
    refuse_not_one,
)

from .escalation_clock import DUE_STATES, OPEN_STATES
from .escalation_level import FLAG_NO_SYNC
from .escalation_log import EngineWords

# a date field from this year on starts no clock: its due time (the day after it, plus
# delays of up to decades of working time) is beyond the dates Python knows, and it is due
# in no time a record waits for
LAST_START_YEAR = 9000


class _MoveAllowed(Exception):
    """Ends the trial of a manual escalation's move (rolled back with its savepoint)."""


class GuideMixin(models.AbstractModel):
    """Escalation clocks on every guided model.

    The model-specific parts (teams, team leader, team working hours, what
    "closed" means, extra log columns) are small ``_escalation_*`` hooks that
    the bridges override (``crm_escalation``: ``models/crm_lead.py``).
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
            # handed over by hand, not yet acknowledged (the badge *Escalated by hand*)
            ("manual", "Escalated by Hand"),
            ("escalated", "Escalated"),
            ("met", "Met"),
        ],
        compute="_compute_guide_status",
        string="Escalation",
    )
    escalation_level_id = fields.Many2one("escalation.level", compute="_compute_guide_status")
    escalation_next_at = fields.Datetime(compute="_compute_guide_status", string="Next Escalation Due")
    escalation_next_level_id = fields.Many2one(
        "escalation.level", compute="_compute_guide_status", string="Next Escalation Level"
    )
    escalation_badge = fields.Char(string="Escalation Alert", compute="_compute_guide_status")
    escalation_need_ack = fields.Boolean(compute="_compute_guide_status", string="To Acknowledge")
    # the current user may acknowledge it (``action_escalation_acknowledge``): the form's button
    escalation_can_ack = fields.Boolean(compute="_compute_guide_status", string="May Acknowledge")
    escalation_escalated = fields.Boolean(
        compute="_compute_guide_status", search="_search_escalation_escalated", string="Escalated"
    )
    escalation_at_risk = fields.Boolean(
        compute="_compute_guide_status", search="_search_escalation_at_risk", string="At Risk"
    )
    escalation_breached = fields.Boolean(
        compute="_compute_guide_status", search="_search_escalation_breached", string="Breached"
    )
    # still worked on (``_escalation_is_open``): the form offers *Escalate* on such records only
    escalation_can_escalate = fields.Boolean(
        compute="_compute_escalation_can_escalate", string="May Be Escalated"
    )
    escalation_log_count = fields.Integer(compute="_compute_guide_summary", string="Escalations")
    # the manual escalation not yet acknowledged, from its log row (the form's Escalation tab)
    escalation_manual_user_id = fields.Many2one(
        "res.users", compute="_compute_guide_summary", string="Escalated To"
    )
    escalation_manual_level = fields.Char(compute="_compute_guide_summary", string="Escalated to Level")
    escalation_manual_by_id = fields.Many2one(
        "res.users", compute="_compute_guide_summary", string="Escalated By"
    )
    escalation_manual_date = fields.Datetime(compute="_compute_guide_summary", string="Escalated On")
    escalation_manual_reason = fields.Text(compute="_compute_guide_summary", string="Escalation Reason")

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
        return {self._guide_stage_field, "guide_step_entered_at", "guide_alt_step_id", "active", "company_id"}

    def _escalation_step_ids(self):
        """The steps ``self`` (one record) is in: its stage step and the alternate step it is
        in, if any (a rule on either runs, a pause or target on either applies)."""
        self.ensure_one()
        # ids from the cache, not a step record per value (run per record and rule)
        step_ids = {self._guide_cached_values(fname)[0] for fname in ("guide_step_id", "guide_alt_step_id")}
        return step_ids - {None, False}

    @api.model
    def _escalation_rule_search_domain(self, rule):
        """Model-specific part of the SQL pre-selection of the records of ``rule`` (a record of
        ``escalation.rule``)."""
        return []

    def _escalation_match_scope(self, rule_info):
        """Part of ``self`` in the model-specific scope of a rule, given as its cached values
        (``rule_info``, read-only: ``escalation.rule._escalation_rule_values``); plain values,
        no query."""
        return self

    def _escalation_is_open(self):
        """Part of ``self`` still being worked on (closed records are de-escalated)."""
        if "active" in self._fields:
            return self.filtered("active")
        return self

    def _escalation_check_escalable(self):
        """Refuse escalating by hand a record no longer worked on (``_escalation_is_open``):
        archived (a lost lead), or in a closed stage (a won lead, a closed ticket), naming it."""
        for record in self - self._escalation_is_open():
            if "active" in record._fields and not record.active:
                raise UserError(
                    self.env._(
                        "%(record)s is archived: restore it before escalating it.", record=record.display_name
                    )
                )
            raise UserError(
                self.env._(
                    "%(record)s is closed (stage %(stage)s): a closed record is not escalated; move "
                    "it back to an open stage first.",
                    record=record.display_name,
                    stage=record[record._guide_stage_field].display_name,
                )
            )

    def _escalation_team_calendar(self):
        """Working hours of the record's team (bridges: their team's), else its company's."""
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

    @api.model
    def _escalation_reassignable(self):
        """Whether a level (*A user*, *The team leader*) or a manual escalation may hand
        records of this model to a user, through ``_escalation_owner_vals``: by default when
        ``_guide_owner_field`` is a Many2one to ``res.users``. A model whose owner is written
        otherwise (several assignees: ``user_ids``) overrides both; one that cannot be
        reassigned has its levels reassigning to a user refused at save."""
        field = self._fields.get(self._guide_owner_field)
        return bool(field and field.type == "many2one" and field.comodel_name == "res.users")

    def _escalation_owner_vals(self, user):
        """Values that make ``user`` the owner of ``self`` (one record), written by the levels
        and manual escalations reassigning it (see ``_escalation_reassignable``)."""
        return {self._guide_owner_field: user.id}

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
    @api.depends(lambda self: [self._guide_stage_field, *(["active"] if "active" in self._fields else [])])
    def _compute_escalation_can_escalate(self):
        open_records = self._escalation_is_open()
        for record in self:
            record.escalation_can_escalate = record in open_records

    def _guide_status_models(self):
        models = [*super()._guide_status_models(), "escalation.clock", "escalation.level", "escalation.log"]
        # the owner (``_escalation_owner_column``) as saved
        return [*models, self._name] if self._escalation_owner_column() else models

    @api.model
    def _escalation_owner_column(self):
        """The column of the record's owner (who acknowledges its escalations), or None."""
        field = self._fields.get(self._guide_owner_field)
        if field and field.store and field.type == "many2one" and field.comodel_name == "res.users":
            return field.name
        return None

    def _guide_status_columns(self):
        """The records' clocks (open, met or breached, with their current level's name and
        sequence) and whether a manual escalation waits for acknowledgement: the
        escalation state and badge lists, kanbans and the form show."""
        model = self._name
        columns = super()._guide_status_columns()
        owner = self._escalation_owner_column()
        if owner:
            # who may acknowledge (``escalation_can_ack``)
            owner, table = SQL.identifier(owner), SQL.identifier(self._table)
            columns["escalation_owner"] = SQL("(SELECT o.%s FROM %s o WHERE o.id = r.id)", owner, table)
        return {
            **columns,
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
        }

    def _guide_status_values(self, values):
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
        elif values.get("escalation_manual_unacked"):
            state = "manual"
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
            badge = self.env._("Escalated: %(level)s", level=top[3])
        elif warned and top:
            badge = self.env._("At risk: %(level)s", level=top[3])
        elif values.get("escalation_manual_unacked"):
            # handed over by hand: the new owner sees it until they acknowledge it
            badge = self.env._("Escalated by hand")
        need_ack = any(not c[8] for c in escalated) or bool(values.get("escalation_manual_unacked"))
        return {
            **super()._guide_status_values(values),
            "escalation_state": state,
            "escalation_badge": badge,
            "escalation_escalated": bool(escalated),
            "escalation_at_risk": bool(warned),
            "escalation_breached": any(c[7] for c in clocks),
            "escalation_need_ack": need_ack,
            "escalation_can_ack": need_ack
            and self._escalation_may_acknowledge(values.get("escalation_owner")),
            "escalation_level_id": top[2] if top else False,
            "escalation_next_at": fields.Datetime.to_datetime(next_clock[6]) if next_clock else False,
            "escalation_next_level_id": next_clock[5] or False if next_clock else False,
        }

    def _escalation_may_acknowledge(self, owner_id):
        """Whether the current user may acknowledge the escalation of a record owned by
        ``owner_id`` (as ``action_escalation_acknowledge`` judges it): who may edit the
        model's records, and is its owner, or any such user on a record of no owner, or a
        manager. Cached checks, no query."""
        if not self.env["ir.model.access"].check(self._name, "write", raise_exception=False):
            return False
        return not owner_id or owner_id == self.env.uid or self._guide_is_manager()

    def _guide_summary_models(self):
        return [*super()._guide_summary_models(), "escalation.log"]

    def _guide_summary_columns(self):
        """The number of escalations of the records (the form's button) and their last
        manual escalation not yet acknowledged (to whom, by whom, when, why: the tab)."""
        return {
            **super()._guide_summary_columns(),
            "escalation_log_count": SQL(
                """(SELECT COUNT(*) FROM escalation_log g
                     WHERE g.res_model = %s AND g.res_id = r.id
                       AND g.kind IS DISTINCT FROM 'deescalation')""",
                self._name,
            ),
            "escalation_manual": SQL(
                """(SELECT json_build_array(g.to_user_id, g.level_name, g.user_id,
                                            to_char(g.date, 'YYYY-MM-DD HH24:MI:SS'), g.reason)
                      FROM escalation_log g
                     WHERE g.res_model = %s AND g.res_id = r.id
                       AND g.kind = 'manual' AND g.ack_date IS NULL
                     ORDER BY g.date DESC, g.id DESC
                     LIMIT 1)""",
                self._name,
            ),
        }

    def _guide_summary_values(self, values):
        to_user, level, by_user, date, reason = values.get("escalation_manual") or [False] * 5
        return {
            **super()._guide_summary_values(values),
            "escalation_log_count": values.get("escalation_log_count") or 0,
            "escalation_manual_user_id": to_user or False,
            "escalation_manual_level": level or False,
            "escalation_manual_by_id": by_user or False,
            "escalation_manual_date": fields.Datetime.to_datetime(date) if date else False,
            "escalation_manual_reason": reason or False,
        }

    # ------------------------------------------------------------
    # SEARCHES
    # ------------------------------------------------------------
    def _escalation_search_clocks(self, operator, value, fname, domain):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on %(field)s.", field=self._fields[fname].string))
        # the ORM checks the access of the stored fields a domain names, not of these: a
        # customer who may not read them does not find out by searching (their ticket escalated)
        self.check_field_access_rights("read", [fname])
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
    # PIPELINE (guide.mixin._guide_pipeline)
    # ------------------------------------------------------------
    # the clocks of the records a change concerns before or after it are synced
    # after the history and checklists, before the policies' audit trail
    @api.model
    def _guide_pipeline(self):
        return [
            *super()._guide_pipeline(),
            ("collect", 30, "_escalation_collect"),
            ("after", 20, "_escalation_record_clocks"),
        ]

    @api.model
    def _guide_acts_outside_processes(self):
        # a rule of no process covers records outside every process
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        return super()._guide_acts_outside_processes() or any(
            not rule["process_id"] for rule in config["rules"]
        )

    def _escalation_collect(self, change):
        """Collect: the records covered by a rule before the write (``change["escalation"]``)."""
        if engine_flag_get(self.env, FLAG_NO_SYNC):
            return
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        if not config["rules"]:
            return
        if change["creating"]:
            change["escalation"] = self.browse()
        elif set(change["vals"]) & (self._escalation_depends() | config["fields"]):
            Rule = self.env["escalation.rule"]
            change["escalation"] = Rule._escalation_records_covered(self, config["rules"])

    def _escalation_record_clocks(self, change):
        """After-effects: sync the clocks of the records covered before or after the change."""
        covered = change.get("escalation")
        moved_company = self._guide_company_moved(change)
        if moved_company:
            # its clocks went with it (``_guide_lines_follow_company``): read where the record
            # is, they count its new company's holidays
            if covered is None:
                # a company computed from other fields (a lead's salesperson): its calendar too
                covered = self.browse()
        if covered is None:
            return
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        covered |= self.env["escalation.rule"]._escalation_records_covered(self, config["rules"])
        if covered:
            covered._escalation_sync(existing=True)

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
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
        refuse_not_one(self)
        self._escalation_check_escalable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Escalate"),
            "res_model": "escalation.manual.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_res_model": self._name, "default_res_id": self.id},
        }

    def action_escalation_open_logs(self):
        refuse_not_one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("base_escalation.escalation_log_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        # the app's columns (its team), as its menus show them
        action["context"] = {"escalation_app_model": self._name, "escalation_log_of_record": True}
        return action

    def action_escalation_open_clocks(self):
        """Every escalation clock of the record (rules, episodes, acknowledgements)."""
        refuse_not_one(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Escalation Clocks"),
            "res_model": "escalation.clock",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("res_model", "=", self._name), ("res_id", "=", self.id)],
            "context": {"create": False, "escalation_app_model": self._name},
        }

    def _escalation_after_manual_action(self):
        """Where the user goes after a manual escalation of ``self``: a notification saying to
        whom it went, then the record again if they can still read it, else the model's records
        (``_escalation_records_action``: they handed it to someone they cannot follow)."""
        self.ensure_one()
        # sudo only reads the names the user saw in the wizard and chose there
        record = self.sudo()
        owner = record[self._guide_owner_field] if self._guide_owner_field in self._fields else None
        readable = self.has_access("read")
        if readable and owner:
            message = self.env._(
                "%(record)s was escalated to %(user)s.", record=record.display_name, user=owner.display_name
            )
        elif readable:
            message = self.env._("%(record)s was escalated.", record=record.display_name)
        elif owner:
            message = self.env._(
                "%(record)s was escalated to %(user)s and is no longer among the records you see.",
                record=record.display_name,
                user=owner.display_name,
            )
        else:
            message = self.env._(
                "%(record)s was escalated and is no longer among the records you see.",
                record=record.display_name,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Escalated"),
                "message": message,
                "type": "success",
                # the record shown again as it now is, or the records the user still follows
                "next": (
                    {"type": "ir.actions.client", "tag": "soft_reload"}
                    if readable
                    else self._escalation_records_action()
                ),
            },
        }

    def _escalation_records_action(self):
        """The records of the model, opened when the user handed ``self`` to someone else and
        can no longer read it."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env["ir.model"]._get(self._name).name,
            "res_model": self._name,
            "views": [(False, "list"), (False, "form")],
            "target": "main",
        }

    def action_escalation_acknowledge(self):
        """The new owner (or a manager) confirms they took the escalation over."""
        refuse_missing(self, "write")
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
            raise UserError(self.env._("There is no escalation to acknowledge."))
        for record in self:
            owner = record[owner_field] if owner_field in record._fields else self.env["res.users"]
            if owner and owner != self.env.user and not is_manager:
                raise UserError(
                    self.env._(
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
        body = self.env._("Escalation acknowledged by %(user)s.", user=self.env.user.name)
        self._message_log_batch(dict.fromkeys(self.ids, body))
        self._escalation_close_acknowledged_activities(clocks, logs, body)
        return True

    def _escalation_close_acknowledged_activities(self, clocks, logs, feedback):
        """The engine's to-dos of the escalations acknowledged (those of the acknowledged
        clocks' rules, and those of the acknowledged log rows) still open are done, with
        ``feedback``: the acknowledgement answers them. One query."""
        pairs = {(clock.res_id, clock.rule_id.id) for clock in clocks}
        acknowledged = set(logs.activity_id.ids)
        Log = self.env["escalation.log"].sudo()
        feedbacks = {
            activity: feedback
            for res_id, rule_id, _user_id, activity in Log._escalation_open_activities(self._name, self.ids)
            if (res_id, rule_id) in pairs or activity.id in acknowledged
        }
        Log._escalation_close_activities(feedbacks)

    # ------------------------------------------------------------
    # BUSINESS: clocks
    # ------------------------------------------------------------
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

    def _escalation_start_points(self, rule_info, cache):
        """{record id: start of the clock} for the rule of ``rule_info`` (its cached values);
        no entry when there is none."""
        return {
            res_id: value.replace(microsecond=0)
            for res_id, value in self._escalation_raw_start_points(rule_info, cache).items()
        }

    def _escalation_raw_start_points(self, rule_info, cache):
        trigger = rule_info["trigger_type"]
        if trigger == "step_time":
            # a rule on the alternate step a record is in counts from its entry there
            return {
                r.id: r.guide_alt_entered_at
                if r.guide_alt_entered_at and r.guide_alt_step_id.id in rule_info["step_ids"]
                else r.guide_step_entered_at
                for r in self
                if r.guide_step_entered_at
            }
        if trigger == "creation":
            return {r.id: r.create_date for r in self if r.create_date}
        if trigger == "no_activity":
            if "activity" not in cache:
                cache["activity"] = self._escalation_last_team_activity()
            last = cache["activity"]
            return {r.id: max(filter(None, [r.create_date, last.get(r.id)])) for r in self if r.create_date}
        if trigger == "date_field":
            fname = rule_info["date_field"]
            if not fname or fname not in self._fields:
                return {}
            result = {}
            for record in self:
                value = record[fname]
                if not value or value.year >= LAST_START_YEAR:
                    continue
                if not isinstance(value, datetime):
                    value = datetime.combine(value + timedelta(days=1), time.min)
                result[record.id] = value
            return result
        return {}

    def _escalation_sync(self, rule_ids=None, existing=False):
        """Keep the clocks of ``self`` in line with their records, in batch
        (``escalation.clock._escalation_sync_records``).

        :param rule_ids: only the clocks of these rules (default: every active rule of the model)
        :param existing: the caller knows that the records exist (``write``)
        :return: ids of the rules whose condition cannot be evaluated (their
            clocks are left as they are)
        """
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        rule_infos = [info for info in config["rules"] if rule_ids is None or info["id"] in rule_ids]
        records = self.with_context(active_test=False)
        if not existing:
            records = records.exists()
        if not rule_infos or not records:
            return set()
        return self.env["escalation.clock"].sudo()._escalation_sync_records(records, rule_infos)

    def _escalation_manual(self, level, user, reason):
        """Escalate ``self`` by hand (wizard): logged like automatic escalations.

        The reassignment is written as the user (their access and the rules of the
        record apply); the rest is the engine's work, as for automatic escalations:
        after handing their own record to a colleague, an own-documents user can
        no longer read it, yet the note, the log row and the clock are written.

        The record's row is locked first: a second escalation at once (another manager)
        waits, then is retried by Odoo and judged after the first (the dialog refuses to
        escalate to the owner the first one made).
        """
        self.ensure_one()
        lock_rows(self)
        if level:
            self._escalation_try_manual_move(level)
        now = fields.Datetime.now()
        from_user = self.env["escalation.level"]._escalation_owner_of(self)
        actions = []
        if user and self._escalation_reassignable() and from_user != user:
            with engine_flag(self.env, FLAG_NO_SYNC):
                self.write(self._escalation_owner_vals(user))
            actions.append(EngineWords(self.env, lambda env: env._("Reassigned to %(user)s", user=user.name)))
            # the engine's to-dos of the former owner no longer apply
            self.env["escalation.level"].sudo()._escalation_close_former_activities(
                self,
                {self.id: (from_user, user)},
                lambda new: self.env._("Reassigned to %(user)s by a manual escalation", user=new.name),
            )
        self.sudo()._escalation_manual_record(level, reason, from_user, actions, now)

    def _escalation_try_manual_move(self, level):
        """A level that moves the record, run by hand, is judged as the user first: the
        move is tried in a savepoint, as their own move with the level as reason (the
        gate, its override group, the policies), then rolled back; the engine makes it
        with the level's other actions. Refused as the user's own move would be."""
        step = level.move_step_id
        stage_field = self._guide_stage_field
        if not step or self[stage_field].id == step.stage_res_id:
            return
        try:
            # the savepoint rolls the trial back when _MoveAllowed ends it
            with contextlib.suppress(_MoveAllowed), self.env.cr.savepoint():
                self.with_context(
                    guide_override_reason=self.env._("Escalation %(level)s", level=level.display_name)
                ).write({stage_field: step.stage_res_id})
                self.env.flush_all()
                raise _MoveAllowed()
        finally:
            self.env.invalidate_all()

    def _escalation_manual_record(self, level, reason, from_user, actions, now):
        """The engine's part of a manual escalation (as superuser, ``env.uid`` the user): the level's
        actions, the chatter note, the log row and the clock."""
        owner_field = self._guide_owner_field
        has_owner = owner_field in self._fields
        activity = False
        if level:
            result = level._escalation_execute(self, reason=reason, manual=True)[self.id]
            actions += result["actions"]
            activity = result["log"].get("activity_id", False)
        else:
            body = Markup("<p><b>%s</b></p><p>%s</p>") % (
                self.env._("Manual escalation"),
                self.env._("Reason: %(reason)s", reason=reason),
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
                    # the reports group by level: one run by hand without a level says so
                    "level_name": False if level else self.env._("Manual escalation"),
                    "episode": clock.episode,
                    "kind": "manual",
                    "trigger": "manual",
                    "outcome": "done",
                    "user_id": self.env.uid,
                    "from_user_id": from_user.id,
                    "to_user_id": self[owner_field].id if has_owner else False,
                    "company_id": self.company_id.id if "company_id" in self._fields else False,
                    "reason": reason,
                    "actions": actions,
                    "activity_id": activity,
                    **self._escalation_log_values(),
                }
            ]
        )
        if clock:
            clock._escalation_manual_advance(level, now)
        self._escalation_sync()
        # computations the reassignment left pending are made here, as the engine: the user may
        # no longer read the record when the request flushes
        self.flush_recordset()

    # ------------------------------------------------------------
    # MILESTONES AND EVENTS (base_process_guide's adaptive layer)
    # ------------------------------------------------------------
    def _guide_milestones_reached(self, rows, merged=False):
        res = super()._guide_milestones_reached(rows, merged=merged)
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        milestone_ids = set(rows.milestone_id.ids)
        rule_ids = {
            info["id"] for info in config["rules"] if not info["met_milestone_ids"].isdisjoint(milestone_ids)
        }
        if rule_ids:
            self._escalation_sync(rule_ids=rule_ids, existing=True)
        return res

    def _guide_after_rematch(self):
        # a record brought into a rule's process by a scope change starts a fresh episode,
        # one taken out of it is de-escalated, as after a write of theirs
        res = super()._guide_after_rematch()
        self._escalation_sync(existing=True)
        return res

    def _guide_after_moves_in_sql(self):
        # a record closed meanwhile: its clocks stop, as when it reaches a closed stage
        res = super()._guide_after_moves_in_sql()
        self._escalation_sync()
        return res

    def _guide_after_event(self, fnames):
        res = super()._guide_after_event(fnames)
        config = self.env["escalation.rule"]._get_escalation_config(self._name)
        if self and config["fields"] & set(fnames):
            self._escalation_sync(existing=True)
        return res
