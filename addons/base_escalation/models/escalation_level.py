from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from odoo.addons.base_process_guide.tools import (
    MAX_DAYS,
    MAX_HOURS,
    MAX_NAME,
    MAX_TEXT,
    MAX_YEARS,
    engine_flag,
    engine_flag_get,
    hours_of,
    labelled,
    module_uninstalling,
    quoted,
)

from .escalation_log import EngineWords

# engine flag (base_process_guide.tools; never read from the context, which any client sets):
# writes of the engine itself, which re-synchronises the clocks afterwards
FLAG_NO_SYNC = "escalation_no_sync"
# a rule's save changes its levels: the rule reschedules its clocks once, after them
FLAG_RULE_SAVE = "escalation_rule_save"
# the levels deleted go for good (the clocks were moved off them)
FLAG_PURGE = "escalation_level_purge"

PRIORITIES = [("1", "Medium"), ("2", "High"), ("3", "Very High")]


class EscalationLevel(models.Model):
    """One level of an escalation rule: when it fires and what it does."""

    _name = "escalation.level"
    _inherit = ["guide.shared.scope.mixin", "guide.bounded.mixin"]
    _description = "Escalation Level"
    _guide_company_path = "rule_id.company_id"
    _order = "rule_id, sequence, id"
    _check_company_auto = True
    _guide_bounded_fields = {"name": MAX_NAME, "message": MAX_TEXT, "activity_summary": MAX_NAME}

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    # False: deleted, kept until the rule's clocks are moved off it (``unlink``)
    active = fields.Boolean(default=True, readonly=True)
    rule_id = fields.Many2one("escalation.rule", required=True, ondelete="cascade", index=True)
    model_name = fields.Selection(related="rule_id.model_name")
    # the steps *Move to Step* offers: those of the rule's process, when it has one
    rule_process_id = fields.Many2one(related="rule_id.process_id")
    company_id = fields.Many2one(related="rule_id.company_id", store=True)
    kind = fields.Selection(
        [("warning", "Warning"), ("escalation", "Escalation")],
        default="escalation",
        required=True,
        help="Warning: an early notice before the breach (the record is 'at risk'). "
        "Escalation: the target is breached.",
    )
    delay = fields.Float(
        help="Elapsed time after which the level fires, in the rule's unit, counted from the start point "
        "(minus paused time).",
    )
    delay_unit = fields.Selection(related="rule_id.delay_unit", string="Unit")
    warning_percent = fields.Float(
        string="At % of Next Escalation",
        help="Warnings only: fire at this percentage of the delay of the next escalation level "
        "instead of a delay of their own (e.g. 80).",
    )
    # actions
    assign_to = fields.Selection(
        [("none", "Keep"), ("user", "A user"), ("team_leader", "The team leader"), ("team", "A team")],
        string="Reassign To",
        default="none",
        required=True,
    )
    assign_user_id = fields.Many2one(
        "res.users", string="User", domain="[('share', '=', False)]", check_company=True
    )
    follower_partner_ids = fields.Many2many("res.partner", string="Add Followers")
    follow_team_leader = fields.Boolean(string="Team Leader Follows")
    post_message = fields.Boolean(string="Log in Chatter", default=True)
    message = fields.Text(help="Added to the chatter message.", translate=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', model_name)]",
        help="Sent through the outgoing mail queue to the template's recipients.",
    )
    activity_type_id = fields.Many2one("mail.activity.type", string="Schedule Activity")
    activity_summary = fields.Char(translate=True)
    activity_deadline_days = fields.Integer(string="Activity Due In (Days)", default=0)
    activity_user = fields.Selection(
        [("owner", "Record owner (after reassignment)"), ("team_leader", "Team leader")],
        default="owner",
        required=True,
    )
    raise_priority = fields.Selection(PRIORITIES, string="Raise Priority To")
    move_step_id = fields.Many2one(
        "guide.step",
        string="Move to Step",
        domain="[('model_name', '=', model_name), ('process_id', '=?', rule_process_id)]",
        check_company=True,
        help="Move the record to this step's stage (gates apply; an override is recorded as a deviation).",
    )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("delay", "warning_percent", "kind", "sequence", "rule_id")
    def _check_delays(self):
        for rule in self.rule_id:
            previous = None
            offsets = rule.level_ids._escalation_offsets(1.0, 0.0)
            for level in rule.level_ids.sorted(lambda lvl: (lvl.sequence, lvl.id)):
                if level.delay < 0 or not 0 <= level.warning_percent < 100:
                    raise ValidationError(
                        self.env._(
                            "Escalation rule %(rule)s, level %(level)s: delays cannot be negative and a "
                            "percentage is below 100.",
                            rule=quoted(self.env, rule.display_name),
                            level=quoted(self.env, level.name),
                        )
                    )
                if (
                    level.kind == "warning"
                    and level.warning_percent
                    and not any(
                        other.kind == "escalation" and other.sequence >= level.sequence and other != level
                        for other in rule.level_ids
                    )
                ):
                    raise ValidationError(
                        self.env._(
                            "Escalation rule %(rule)s, warning %(level)s: a percentage needs an escalation "
                            "level after it.",
                            rule=quoted(self.env, rule.display_name),
                            level=quoted(self.env, level.name),
                        )
                    )
                offset = offsets[level.id]
                if previous is not None and offset <= previous:
                    raise ValidationError(
                        self.env._(
                            "Escalation rule %(rule)s: level delays must increase (level %(level)s fires "
                            "no later than the level before it).",
                            rule=quoted(self.env, rule.display_name),
                            level=quoted(self.env, level.name),
                        )
                    )
                previous = offset

    @api.constrains("delay", "activity_deadline_days", "rule_id")
    def _check_bounds(self):
        for level in self:
            rule = level.rule_id
            if hours_of(level.delay, rule.delay_unit) > MAX_HOURS:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s, level %(level)s: the delay is at most %(years)s years.",
                        rule=quoted(self.env, rule.display_name),
                        level=quoted(self.env, level.name),
                        years=MAX_YEARS,
                    )
                )
            if not 0 <= level.activity_deadline_days <= MAX_DAYS:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s, level %(level)s: the activity is due in 0 to "
                        "%(days)s days.",
                        rule=quoted(self.env, rule.display_name),
                        level=quoted(self.env, level.name),
                        days=MAX_DAYS,
                    )
                )

    @api.constrains("assign_to", "assign_user_id", "rule_id")
    def _check_assignment(self):
        for level in self:
            if level.assign_to == "user" and not level.assign_user_id:
                raise ValidationError(
                    self.env._(
                        "Escalation level %(level)s: choose the user to reassign to.",
                        level=quoted(self.env, level.name),
                    )
                )
            if level.assign_to == "user" and level.assign_user_id.share:
                raise ValidationError(
                    self.env._(
                        "Escalation level %(level)s: %(user)s is not an internal user; records are "
                        "reassigned to internal users only.",
                        level=quoted(self.env, level.name),
                        user=level.assign_user_id.name,
                    )
                )
            if level.assign_to in ("user", "team_leader") and not level._escalation_reassignable():
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s, level %(level)s: %(model)s records cannot be "
                        "reassigned to a user, as they have no single owner (a user field) the "
                        "level could set. Choose another “Reassign To”, or make that user a "
                        "follower or give them an activity instead.",
                        rule=quoted(self.env, level.rule_id.display_name),
                        level=quoted(self.env, level.name),
                        model=self.env["ir.model"]._get(level.rule_id.model_name).name,
                    )
                )
            if level.assign_to == "team" and not level._escalation_assign_team():
                raise ValidationError(
                    self.env._(
                        "Escalation level %(level)s: choose the team to reassign to.",
                        level=quoted(self.env, level.name),
                    )
                )

    @api.constrains("mail_template_id", "rule_id")
    def _check_mail_template_model(self):
        """The level's email is rendered on the escalated records, as the engine: a template
        of another model would be rendered on the records of that model that have the same
        ids, and sent to their recipients."""
        for level in self.filtered("mail_template_id"):
            template = level.mail_template_id.sudo()
            if template.model != level.rule_id.model_name:
                raise ValidationError(
                    self.env._(
                        "Escalation level %(level)s: email template %(template)s is for %(other)s "
                        "records, not for the %(model)s records of the rule.",
                        level=quoted(self.env, level.name),
                        template=quoted(self.env, template.name),
                        other=template.model_id.name or template.model,
                        model=self.env["ir.model"]._get(level.rule_id.model_name).name,
                    )
                )

    @api.constrains("move_step_id", "rule_id")
    def _check_move_step(self):
        """A level moves the rule's records to a step of their model (of the rule's process,
        when it has one): the step's stage id is written to the records' stage field, where
        a stage of another model would name an unrelated stage."""
        for level in self.filtered("move_step_id"):
            rule, step = level.rule_id, level.move_step_id.sudo()
            if step.model_name != rule.model_name or (rule.process_id and step.process_id != rule.process_id):
                raise ValidationError(
                    self.env._(
                        "Escalation level %(level)s: step %(step)s is outside the model or the process "
                        "of rule %(rule)s; choose a step of its records' process.",
                        level=quoted(self.env, level.name),
                        step=quoted(self.env, step.display_name),
                        rule=quoted(self.env, rule.display_name),
                    )
                )

    @api.constrains("activity_type_id", "rule_id")
    def _check_activity_model(self):
        for level in self.filtered("activity_type_id"):
            model_name = level.rule_id.model_name
            if model_name in self.env and "activity_ids" not in self.env[model_name]._fields:
                raise ValidationError(
                    self.env._(
                        "Escalation level %(level)s: %(model)s records have no activities; leave "
                        "the activity empty.",
                        level=quoted(self.env, level.name),
                        model=self.env["ir.model"]._get(model_name).name,
                    )
                )

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        levels = super().create(vals_list)
        self.env.registry.clear_cache()
        # a level placed before the levels a clock fired is behind it, not next
        levels.rule_id._escalation_levels_changed()
        return levels

    def write(self, vals):
        if "active" in vals:
            # archived only by its deletion, until the clocks are moved off it
            raise UserError(self.env._("An escalation level is not archived: delete it from its rule."))
        former = self.rule_id
        if "rule_id" in vals:
            moved = self.filtered(lambda level: level.rule_id.id != vals["rule_id"])
            if moved and isinstance(vals["rule_id"], int):
                # judged where it goes first: the checks below and the constraints name the rule
                self.env["escalation.rule"].browse(vals["rule_id"]).check_access("write")
            # a level the clocks of its rule fired or wait for stays with them
            held = (
                self.env["escalation.clock"]
                .sudo()
                .search(
                    [
                        ("state", "in", ("running", "paused", "breached")),  # the open clocks
                        "|",
                        ("current_level_id", "in", moved.ids),
                        ("next_level_id", "in", moved.ids),
                    ],
                    limit=1,
                )
            )
            if held:
                level = held.current_level_id & moved or held.next_level_id
                raise UserError(
                    self.env._(
                        "Escalation level %(level)s belongs to rule %(rule)s: add a level to the other "
                        "rule instead of moving this one.",
                        level=quoted(self.env, level.name),
                        rule=quoted(self.env, level.rule_id.display_name),
                    )
                )
        res = super().write(vals)
        self.env.registry.clear_cache()
        if "rule_id" in vals:
            # the rule a level left keeps one, as when it is saved (its destination's order and
            # model are checked by the constraints)
            (former - self.rule_id)._check_levels()
            (former | self.rule_id)._escalation_levels_changed()
        elif {"delay", "warning_percent", "sequence", "kind"} & set(vals):
            self.rule_id._escalation_levels_changed()
        return res

    def unlink(self):
        """Delete the levels once the rules' clocks are moved off them: the clocks that
        fired one go on after the level fired before it (none when it was the first), not
        skipping the next one. Archived meanwhile (out of their rule), they are deleted by
        the rules' rescheduling, in the request for a few clocks, else by the scheduler:
        renumbering 100,000 clocks, and clearing the level on each, would hold the save."""
        if module_uninstalling(self.env) or engine_flag_get(self.env, FLAG_PURGE):
            return super().unlink()
        self.check_access("unlink")
        rules = self.rule_id
        # an active rule keeps a level, as when it is saved (its form, or the levels deleted alone)
        for rule in rules.filtered("active"):
            if not rule.level_ids - self:
                raise ValidationError(
                    self.env._(
                        "Escalation rule %(rule)s needs at least one level.",
                        rule=quoted(self.env, rule.display_name),
                    )
                )
        super().write({"active": False})
        self.env.registry.clear_cache()
        rules._escalation_levels_changed()
        return True

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    def _escalation_offsets(self, factor, base_hours):
        """Offsets (hours from the start point) of the levels of one rule, by level id.

        :param factor: hours per unit of the rule (1, 24, or the calendar's hours per day)
        :param base_hours: hours added to every delay (the step's expected duration)
        """
        levels = self.sorted(lambda lvl: (lvl.sequence, lvl.id))
        return _offsets([lvl._escalation_level_values() for lvl in levels], factor, base_hours)

    def _escalation_assign_team(self):
        """The team a "team" level moves records to (a record of the model's team, False when
        the level names none); bridges return theirs (``crm_escalation``: the level's sales team)."""
        self.ensure_one()
        return False

    def _escalation_level_values(self):
        self.ensure_one()
        return {
            "id": self.id,
            "sequence": self.sequence,
            "name": self.name,
            "kind": self.kind,
            "delay": self.delay,
            "warning_percent": self.warning_percent,
        }

    # ------------------------------------------------------------
    # BUSINESS: the actions of a level
    # ------------------------------------------------------------
    def _escalation_execute(self, records, reason=None, manual=False):
        """Run the actions of the level on ``records`` (one guided model), in batch.

        Each action is a method of ``_escalation_action_methods``, run in that order on
        the whole set; then one chatter note per record. The clocks are re-synchronised
        by the caller, not by each write of the actions.

        :return: {record id: {"actions": [str], "log": {vals}, "moved": bool}}
        """
        self.ensure_one()
        with engine_flag(records.env, FLAG_NO_SYNC):
            records = records.with_context(
                tracking_disable=True,
                mail_notrack=True,
                mail_create_nolog=True,
                mail_activity_quick_update=True,
            )
            results = {
                record.id: {
                    "actions": [],
                    "moved": False,
                    "log": {
                        "from_user_id": self._escalation_owner_of(record).id,
                        **record._escalation_log_values(),
                    },
                }
                for record in records
            }
            for action in self._escalation_action_methods():
                action(records, results, reason)
            for record in records:
                results[record.id]["log"]["to_user_id"] = self._escalation_owner_of(record).id
            if self.post_message or manual:
                self._escalation_post_notes(records, results, reason, manual)
        return results

    def _escalation_action_methods(self):
        """The actions of a level, in the order they run.

        Each takes ``(records, results, reason)`` (``reason``: the manual escalation's, else
        None), acts in batch on the part of ``records`` it concerns and appends what it did
        to ``results[record id]["actions"]``. A module adds an action by extending the list.
        """
        return [
            self._escalation_action_reassign,
            self._escalation_action_team,
            self._escalation_action_priority,
            self._escalation_action_values,
            self._escalation_action_followers,
            self._escalation_action_activity,
            self._escalation_action_move,
            self._escalation_action_email,
        ]

    @api.model
    def _escalation_owner_of(self, record):
        """The owner of ``record`` (its ``_guide_owner_field``, a user), or no user: a model
        with several assignees has none."""
        owner = record[record._guide_owner_field] if record._guide_owner_field in record._fields else None
        return owner if owner is not None and owner._name == "res.users" else self.env["res.users"]

    @api.model
    def _escalation_note_done(self, results, records, action, moved=False):
        """Note that ``action`` was done on ``records``: a text, or ``env -> text`` (its words
        in the language of ``env``), which the log keeps in every language of the database
        (``EngineWords``)."""
        if callable(action):
            action = EngineWords(self.env, action)
        for record in records:
            results[record.id]["actions"].append(action)
            if moved:
                results[record.id]["moved"] = True

    def _escalation_reassign_groups(self, records):
        """[(records, new owner, vals)] handing ``records`` to their new owner for the level,
        grouped by values (``_escalation_owner_vals``, whatever the owner field)."""
        if self.assign_to not in ("user", "team_leader") or not records._escalation_reassignable():
            return []
        groups = {}  # (owner, values in words): (owner, vals, records)
        for record in records:
            owner = self._escalation_new_owner(record)
            if (
                owner
                and self._escalation_owner_of(record) != owner
                and self._escalation_may_own(owner)
                and self._escalation_works_for(owner, record)
            ):
                vals = record._escalation_owner_vals(owner)
                key = (owner.id, repr(sorted(vals.items())))
                _owner, _vals, group = groups.get(key, (owner, vals, records.browse()))
                groups[key] = (owner, vals, group | record)
        return [(group, owner, vals) for owner, vals, group in groups.values()]

    def _escalation_reassignable(self):
        """Whether the level may hand the records of its rule's model to a user."""
        self.ensure_one()
        model_name = self.rule_id.model_name
        if not model_name or model_name not in self.env:
            return True
        Model = self.env[model_name]
        return not hasattr(Model, "_escalation_reassignable") or Model._escalation_reassignable()

    def _escalation_new_owner(self, record):
        """The user the level hands ``record`` to (its user, or the record's team leader)."""
        return self.assign_user_id if self.assign_to == "user" else record._escalation_team_leader()

    @api.model
    def _escalation_may_own(self, user):
        """Only an active internal user is given records: a level's user or a team leader
        archived after the rule was saved keeps nothing from its owner."""
        return user.active and not user.share

    @api.model
    def _escalation_works_for(self, user, record):
        """Whether ``user`` works for the company of ``record`` (or it has none): a record
        handed to someone of another company would leave its company (crm empties it)."""
        company = record.company_id if "company_id" in record._fields else False
        return not company or company in user.company_ids

    @api.model
    def _escalation_may_receive(self, team):
        """Only an active team is given records: a level's team archived after the rule was
        saved keeps the records where they are (their pipeline would no longer show them)."""
        return "active" not in team._fields or team.active

    def _escalation_note_not_reassigned(self, records, results):
        """Say in the log and the note why a record kept its owner."""
        if self.assign_to not in ("user", "team_leader"):
            return
        if not records._escalation_reassignable():
            self._escalation_note_done(
                results,
                records,
                lambda env: env._(
                    "Not reassigned: %(model)s records have no single owner (a user field) the "
                    "level could set",
                    model=env["ir.model"]._get(records._name).name,
                ),
            )
            return
        for record in records:
            owner = self._escalation_new_owner(record)
            if not owner:
                self._escalation_note_done(
                    results, record, lambda env: self.with_env(env)._escalation_no_owner_note()
                )
            elif not self._escalation_may_own(owner):
                self._escalation_note_done(
                    results,
                    record,
                    lambda env, owner=owner: env._(
                        "Not reassigned: %(user)s is archived or not an internal user", user=owner.name
                    ),
                )
            elif not self._escalation_works_for(owner, record):
                self._escalation_note_done(
                    results,
                    record,
                    lambda env, owner=owner, record=record: env._(
                        "Not reassigned: %(user)s does not work for %(company)s",
                        user=owner.name,
                        company=record.company_id.name,
                    ),
                )

    def _escalation_no_owner_note(self):
        """Why a record kept its owner when the level has nobody to give it to: the level's
        user was deleted after the rule was saved, or the record has no team leader (no
        team, or a team without one)."""
        if self.assign_to == "user":
            return self.env._("Not reassigned: the level's user no longer exists")
        return self.env._("Not reassigned: the record has no team leader")

    def _escalation_action_reassign(self, records, results, reason):
        self._escalation_note_not_reassigned(records, results)
        handed = {}  # record id: (former owner, new owner)
        for group, user, vals in self._escalation_reassign_groups(records):
            former = {record.id: self._escalation_owner_of(record) for record in group}
            group.write(vals)
            self._escalation_note_done(
                results, group, lambda env, user=user: env._("Reassigned to %(user)s", user=user.name)
            )
            handed.update((record.id, (former[record.id], user)) for record in group)
        self._escalation_close_former_activities(
            records,
            handed,
            lambda user: self.env._(
                "Reassigned to %(user)s by escalation level %(level)s", user=user.name, level=self.name
            ),
        )

    @api.model
    def _escalation_close_former_activities(self, records, handed, feedback):
        """The engine's to-dos still open for the former owners of records handed to someone
        else are done (the engine's own only: Odoo keeps the others on reassignment), in
        batch: one query finds them (``escalation.log._escalation_open_activities``).

        :param handed: {record id: (former owner, new owner)}
        :param feedback: new owner -> why the to-do was closed, in words
        """
        handed = {res_id: users for res_id, users in handed.items() if users[0]}
        if not handed:
            return
        Log = self.env["escalation.log"].sudo()
        feedbacks = {}
        for res_id, _rule_id, user_id, activity in Log._escalation_open_activities(records._name, handed):
            former, new = handed[res_id]
            if user_id == former.id:
                feedbacks[activity] = feedback(new)
        Log._escalation_close_activities(feedbacks)

    def _escalation_action_team(self, records, results, reason):
        if self.assign_to != "team" or "team_id" not in records._fields:
            return
        team = self._escalation_assign_team()
        if not team:
            # refused at save: the level's team was deleted since (as a deleted user, said)
            self._escalation_note_done(
                results, records, lambda env: env._("Not moved: the level's team no longer exists")
            )
            return
        group = records.filtered(lambda r: r.team_id != team)
        if group and not self._escalation_may_receive(team):
            not_moved = lambda env: env._("Not moved: team %(team)s is archived", team=team.name)  # noqa: E731
            self._escalation_note_done(results, group, not_moved)
            return
        # a team of another company than the record's (a rule of every company): the record
        # would sit in a team of another company, or leave its own (crm follows the team)
        team_company = team.company_id if "company_id" in team._fields else None
        foreign = group.filtered(
            lambda r: team_company
            and "company_id" in r._fields
            and r.company_id
            and r.company_id != team_company
        )
        if foreign:
            not_moved = lambda env: env._(  # noqa: E731
                "Not moved: team %(team)s belongs to %(company)s", team=team.name, company=team_company.name
            )
            self._escalation_note_done(results, foreign, not_moved)
            group -= foreign
        if group:
            group.write({"team_id": team.id})
            moved_to = lambda env: env._("Moved to team %(team)s", team=team.name)  # noqa: E731
            self._escalation_note_done(results, group, moved_to, moved=True)

    def _escalation_action_priority(self, records, results, reason):
        if not self.raise_priority or "priority" not in records._fields:
            return
        group = records.filtered(lambda r: (r.priority or "0") < self.raise_priority)
        if group:
            group.write({"priority": self.raise_priority})
            self._escalation_note_done(results, group, lambda env: env._("Priority raised"))

    def _escalation_action_values(self, records, results, reason):
        """Model-specific values (CRM: tags), from the records' ``_escalation_extra_vals`` hook."""
        extra = records._escalation_extra_vals(self)
        if extra:
            records.write(extra)
            self._escalation_note_done(results, records, lambda env: env._("Tagged"))

    # ------------------------------------------------------------
    # BUSINESS: who may be given a record to follow or to do
    # ------------------------------------------------------------
    @api.model
    def _escalation_readers(self, records, users):
        """{user: ids of ``records`` the user may read}: active internal users, working for the
        record's company, whom the model's access rights and record rules let read it (one
        access check per user, on all the records of the batch)."""
        readers = {}
        for user in users:
            candidates = records.filtered(lambda r, u=user: self._escalation_works_for(u, r))
            if not (candidates and self._escalation_may_own(user)):
                readers[user] = frozenset()
                continue
            as_user = candidates.with_user(user).with_context(allowed_company_ids=user.company_ids.ids)
            readers[user] = frozenset(as_user._filtered_access("read").ids)
        return readers

    @api.model
    def _escalation_refusal(self, user, record, readers):
        """Why ``user`` is given nothing on ``record`` (None: they may read it), in words."""
        if record.id in readers.get(user, ()):
            return None
        if not self._escalation_may_own(user):
            return self.env._("%(user)s is archived or not an internal user", user=user.name)
        if not self._escalation_works_for(user, record):
            return self.env._(
                "%(user)s does not work for %(company)s", user=user.name, company=record.company_id.name
            )
        return self.env._("%(user)s may not read this record", user=user.name)

    @api.model
    def _escalation_partner_users(self, partners):
        """{partner: its internal users, archived ones included}: a partner with one is a
        colleague, who follows a record only if they may read it."""
        users = partners.with_context(active_test=False).user_ids.filtered(lambda u: not u.share)
        return {partner: users.filtered(lambda u, p=partner: u.partner_id == p) for partner in partners}

    def _escalation_partner_refusal(self, partner, partner_users, record, readers):
        """Why the level's follower ``partner`` does not follow ``record`` (None: they do): a
        colleague (a partner of internal users) who may not read it, or an outside partner
        restricted to another company than the record's."""
        users = partner_users[partner]
        if users:
            refusals = [self._escalation_refusal(user, record, readers) for user in users]
            return None if None in refusals else refusals[0]
        company = record.company_id if "company_id" in record._fields else False
        if company and partner.company_id and partner.company_id != company:
            return self.env._(
                "%(partner)s belongs to %(other)s, not to %(company)s",
                partner=partner.name,
                other=partner.company_id.name,
                company=company.name,
            )
        return None

    # ------------------------------------------------------------
    # BUSINESS: the actions of a level (continued)
    # ------------------------------------------------------------
    def _escalation_action_followers(self, records, results, reason):
        """Subscribe the level's followers and the team leader, each only where they may read
        the record (the others are named in the log and the note, with the reason): a
        follower is sent every later message of the record."""
        partners = self.follower_partner_ids.sudo()
        if not (self.follow_team_leader or partners):
            return
        leaders = {
            record.id: record._escalation_team_leader() if self.follow_team_leader else None
            for record in records
        }
        partner_users = self._escalation_partner_users(partners)
        users = self.env["res.users"].union(*partner_users.values(), *filter(None, leaders.values()))
        readers = self._escalation_readers(records, users)
        by_partners = defaultdict(lambda: records.browse())
        for record in records:
            kept = partners.browse()
            for partner in partners:
                if self._escalation_partner_refusal(partner, partner_users, record, readers):
                    self._escalation_note_not_followed(
                        results,
                        record,
                        lambda env, partner=partner, record=record: self.with_env(
                            env
                        )._escalation_partner_refusal(partner, partner_users, record, readers),
                    )
                else:
                    kept |= partner
            leader = leaders[record.id]
            if leader:
                if self._escalation_refusal(leader, record, readers):
                    self._escalation_note_not_followed(
                        results,
                        record,
                        lambda env, leader=leader, record=record: self.with_env(env)._escalation_refusal(
                            leader, record, readers
                        ),
                    )
                else:
                    kept |= leader.partner_id
            if kept:
                by_partners[frozenset(kept.ids)] |= record
        for key, group in by_partners.items():
            group.message_subscribe(partner_ids=list(key))
            self._escalation_note_done(results, group, lambda env: env._("Followers added"))

    def _escalation_note_not_followed(self, results, record, refusal):
        """``refusal``: ``env -> why``, in the language of ``env``."""
        self._escalation_note_done(
            results, record, lambda env: env._("Not following: %(reason)s", reason=refusal(env))
        )

    def _escalation_activity_user(self, record):
        """Who gets the level's activity on ``record``: its owner or its team leader, as the
        level says; when the record has nobody, who escalates it by hand, else (the scheduler:
        OdooBot, archived, whose to-dos nobody sees) its team leader; else nobody (empty)."""
        if self.activity_user == "team_leader":
            user = record._escalation_team_leader()
        else:
            user = self._escalation_owner_of(record)
        if user:
            return user
        current = self.env.user
        if current.active and not current.share:
            return current
        return record._escalation_team_leader()

    def _escalation_action_activity(self, records, results, reason):
        """The level's to-do, for the owner or the team leader where they may read the record
        (a to-do names the record, and its assignee may mark it done on it); see
        ``_escalation_activity_user`` when the record has nobody."""
        if not self.activity_type_id or "activity_ids" not in records._fields:
            return  # refused at save (_check_activity_model) unless the model changed since
        deadline = fields.Date.context_today(self) + timedelta(days=self.activity_deadline_days)
        by_user = defaultdict(lambda: records.browse())
        for record in records:
            by_user[self._escalation_activity_user(record)] |= record
        nobody = by_user.pop(self.env["res.users"], records.browse())
        self._escalation_note_done(
            results,
            nobody,
            lambda env: env._("No activity: nobody owns the record and its team has no leader"),
        )
        readers = self._escalation_readers(records, [user for user in by_user if user != self.env.user])
        for user, group in by_user.items():
            if user in readers:
                for record in group.filtered(lambda r, ids=readers[user]: r.id not in ids):
                    self._escalation_note_done(
                        results,
                        record,
                        lambda env, user=user, record=record: env._(
                            "No activity: %(reason)s",
                            reason=self.with_env(env)._escalation_refusal(user, record, readers),
                        ),
                    )
                group = group.filtered(lambda r, ids=readers[user]: r.id in ids)
            if group:
                self._escalation_schedule_activity(group, user, deadline, results, reason)

    def _escalation_schedule_activity(self, records, user, deadline, results, reason):
        # the to-do reads in the language of whom it is for
        level = self.with_context(lang=user.lang) if user.lang else self
        summary = level.activity_summary or level.env._("Escalation: %(level)s", level=level.name)
        activities = records.activity_schedule(
            activity_type_id=self.activity_type_id.id,
            date_deadline=deadline,
            summary=summary,
            note=escape(reason or ""),
            user_id=user.id,
        )
        # the log row names its to-do: the engine's own, closed when it no longer applies
        for activity in activities or ():
            results[activity.res_id]["log"]["activity_id"] = activity.id
        self._escalation_note_done(
            results,
            records,
            # the date as each reader's language writes it
            lambda env: env._(
                "Activity for %(user)s due %(date)s", user=user.name, date=format_date(env, deadline)
            ),
        )

    def _escalation_action_move(self, records, results, reason):
        step = self.move_step_id
        if not step:
            return
        stage_field = records._guide_stage_field
        group = records.filtered(lambda r: r[stage_field].id != step.stage_res_id)
        if group:
            group.with_context(
                guide_override_reason=self.env._("Escalation %(level)s", level=self.display_name)
            ).write({stage_field: step.stage_res_id})
            self._escalation_note_done(
                results,
                group,
                lambda env: env._("Moved to %(step)s", step=step.with_env(env).name),
                moved=True,
            )

    def _escalation_action_email(self, records, results, reason):
        """The level's email, through the outgoing queue."""
        template = self.mail_template_id
        if template and template.sudo().model == records._name:
            template.sudo().send_mail_batch(records.ids, force_send=False)
            queued = lambda env: env._("Email queued: %(template)s", template=template.name)  # noqa: E731
            self._escalation_note_done(results, records, queued)

    def _escalation_post_notes(self, records, results, reason, manual):
        """One chatter note per record, in one batch."""
        if manual:
            title = self.env._("Manual escalation")
        else:
            title = self.env._("Warning") if self.kind == "warning" else self.env._("Escalation")
        # "Escalation: rule / level", the separator the language's ("：" in Chinese), the title bold
        line = labelled(self.env, title, f"{self.rule_id.name} / {self.name}")
        if line.startswith(title):
            head = Markup("<p><b>%s</b>%s</p>") % (title, line[len(title) :])
        else:
            head = Markup("<p>%s</p>") % line
        if self.message:
            head += Markup("<p>%s</p>") % self.message
        if reason:
            head += Markup("<p>%s</p>") % self.env._("Reason: %(reason)s", reason=reason)
        bodies = {}
        for record in records:
            actions = results[record.id]["actions"]
            body = head
            if actions:
                body += Markup("<ul>%s</ul>") % Markup("").join(Markup("<li>%s</li>") % a for a in actions)
            bodies[record.id] = body
        records._message_log_batch(bodies)


def _offsets(levels, factor, base_hours):
    """Offsets in hours of plain level values (ordered), see ``_escalation_offsets``."""
    result = {}
    for index, level in enumerate(levels):
        hours = base_hours + level["delay"] * factor
        if level["kind"] == "warning" and level["warning_percent"]:
            following = next((lvl for lvl in levels[index + 1 :] if lvl["kind"] == "escalation"), None)
            if following:
                hours = (base_hours + following["delay"] * factor) * level["warning_percent"] / 100.0
        result[level["id"]] = hours
    return result
