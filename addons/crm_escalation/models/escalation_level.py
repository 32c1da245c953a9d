from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base_process_guide.tools import MAX_DAYS, MAX_HOURS, MAX_YEARS, hours_of

PRIORITIES = [("1", "Medium"), ("2", "High"), ("3", "Very High")]


class EscalationLevel(models.Model):
    """One level of an escalation rule: when it fires and what it does."""

    _name = "escalation.level"
    _description = "Escalation Level"
    _order = "rule_id, sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------
    # FIELDS
    # ------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    rule_id = fields.Many2one("escalation.rule", required=True, ondelete="cascade", index=True)
    model_name = fields.Selection(related="rule_id.model_name")
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
    assign_user_id = fields.Many2one("res.users", string="User", domain="[('share', '=', False)]")
    assign_crm_team_id = fields.Many2one("crm.team", string="Team", check_company=True)
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
    crm_tag_ids = fields.Many2many("crm.tag", string="Add Tags")
    move_step_id = fields.Many2one(
        "guide.step",
        string="Move to Step",
        domain="[('model_name', '=', model_name)]",
        help="Move the record to this step's stage (gates apply; an override is recorded as a deviation).",
    )

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------
    @api.constrains("delay", "warning_percent", "kind", "sequence")
    def _check_delays(self):
        for rule in self.rule_id:
            previous = None
            offsets = rule.level_ids._escalation_offsets(1.0, 0.0)
            for level in rule.level_ids.sorted(lambda lvl: (lvl.sequence, lvl.id)):
                if level.delay < 0 or not 0 <= level.warning_percent < 100:
                    raise ValidationError(
                        _(
                            "Escalation rule %(rule)s, level %(level)s: delays cannot be negative and a "
                            "percentage is below 100.",
                            rule=rule.display_name,
                            level=level.name,
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
                        _(
                            "Escalation rule %(rule)s, warning %(level)s: a percentage needs an escalation "
                            "level after it.",
                            rule=rule.display_name,
                            level=level.name,
                        )
                    )
                offset = offsets[level.id]
                if previous is not None and offset <= previous:
                    raise ValidationError(
                        _(
                            "Escalation rule %(rule)s: level delays must increase (level %(level)s fires "
                            "no later than the level before it).",
                            rule=rule.display_name,
                            level=level.name,
                        )
                    )
                previous = offset

    @api.constrains("delay", "activity_deadline_days")
    def _check_bounds(self):
        for level in self:
            rule = level.rule_id
            if hours_of(level.delay, rule.delay_unit) > MAX_HOURS:
                raise ValidationError(
                    _(
                        "Escalation rule %(rule)s, level %(level)s: the delay is at most %(years)s years.",
                        rule=rule.display_name,
                        level=level.name,
                        years=MAX_YEARS,
                    )
                )
            if not 0 <= level.activity_deadline_days <= MAX_DAYS:
                raise ValidationError(
                    _(
                        "Escalation rule %(rule)s, level %(level)s: the activity is due in 0 to "
                        "%(days)s days.",
                        rule=rule.display_name,
                        level=level.name,
                        days=MAX_DAYS,
                    )
                )

    @api.constrains("assign_to", "assign_user_id", "assign_crm_team_id")
    def _check_assignment(self):
        for level in self:
            if level.assign_to == "user" and not level.assign_user_id:
                raise ValidationError(
                    _("Escalation level %(level)s: choose the user to reassign to.", level=level.name)
                )
            if level.assign_to == "team" and not level._escalation_assign_team():
                raise ValidationError(
                    _("Escalation level %(level)s: choose the team to reassign to.", level=level.name)
                )

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        levels = super().create(vals_list)
        self.env.registry.clear_cache()
        return levels

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        if {"delay", "warning_percent", "sequence", "kind"} & set(vals):
            self.rule_id._escalation_reschedule_clocks()
        return res

    def unlink(self):
        rules = self.rule_id
        res = super().unlink()
        self.env.registry.clear_cache()
        rules._escalation_reschedule_clocks()
        return res

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
        """The team a "team" level moves records to (CRM: the level's sales team); bridges override."""
        self.ensure_one()
        return self.assign_crm_team_id

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
