from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, drop_view_if_exists
from odoo.tools.sql import create_index

# the kinds of deviations that are an agent's override (an approved exception is an
# approver's decision, not the requester's override)
OVERRIDE_KINDS = ("gate", "move", "policy")


class GuideScorecardReport(models.Model):
    """Agent and team scorecards: one row per fact about an agent's work — a stage
    change of a record they were responsible for, an override they made, an escalation
    they received, a policy check of their change, a feedback they gave — with the
    figures it contributes, so a pivot by agent, team and month gives goals and results
    side by side (time in step against the expected duration, checklist completion,
    compliance rate), without any ranking.

    Rows are the agent's (``user_id``): agents read their own, team leaders their
    teams' (bridges: record rules on the team column they add), managers all; the
    company rule applies on top. Policy checks and escalations are of the process their
    policy or rule names, else of the process the record was in at the time; an
    escalation is the receiver's, the hours to acknowledge it whoever acknowledged it.

    The superuser (OdooBot: crons, installs, automated changes) and share users (portal,
    public) are no agents: the facts they did or were responsible for are no one's
    (``user_id`` empty), counted in the team's and the process's figures only.
    """

    _name = "guide.scorecard.report"
    _inherit = ["guide.intelligence.view.mixin"]
    _description = "Process Scorecard"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "fact"
    # searching the view flushes what it reads
    _depends = {
        "res.users": ["share"],
        "guide.history": [
            "date",
            "res_model",
            "res_id",
            "owner_id",
            "company_id",
            "process_id",
            "from_step_id",
            "direction",
            "duration_hours",
            "expected_hours",
            "overdue_count",
            "checklist_total",
            "checklist_rate",
        ],
        "guide.deviation": [
            "date",
            "res_model",
            "res_id",
            "user_id",
            "company_id",
            "process_id",
            "step_id",
            "reason_id",
            "kind",
        ],
        "escalation.log": [
            "date",
            "res_model",
            "res_id",
            "to_user_id",
            "from_user_id",
            "company_id",
            "kind",
            "outcome",
            "rule_id",
            "ack_user_id",
            "ack_hours",
        ],
        "escalation.rule": ["process_id"],
        "compliance.log": [
            "date",
            "res_model",
            "res_id",
            "user_id",
            "company_id",
            "policy_id",
            "count",
            "violation",
            "compliance_rate",
        ],
        "compliance.policy": ["process_id"],
        "guide.feedback": [
            "create_date",
            "res_model",
            "res_id",
            "user_id",
            "company_id",
            "record_company_id",
            "process_id",
            "step_id",
            "state",
        ],
        "guide.milestone.reached": [
            "date",
            "res_model",
            "res_id",
            "user_id",
            "company_id",
            "process_id",
            "step_id",
        ],
    }

    fact = fields.Selection(
        [
            ("move", "Stage Change"),
            ("override", "Override"),
            ("escalation", "Escalation Received"),
            ("acknowledgement", "Escalation Acknowledged"),
            ("check", "Policy Check"),
            ("feedback", "Feedback Given"),
            ("milestone", "Milestone Reached"),
        ],
        readonly=True,
    )
    date = fields.Datetime(readonly=True)
    res_model = fields.Char("Model", readonly=True)
    res_id = fields.Many2oneReference("Record", model_field="res_model", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    team_id = fields.Integer("Team Id", readonly=True, aggregator=False)
    company_id = fields.Many2one("res.company", readonly=True)
    process_id = fields.Many2one("guide.process", readonly=True)
    step_id = fields.Many2one("guide.step", readonly=True)
    reason_id = fields.Many2one("guide.deviation.reason", string="Override Reason", readonly=True)
    record_key = fields.Char(
        "Records Handled",
        readonly=True,
        aggregator="count_distinct",
        help="Distinct records whose stage changed while the agent was responsible for them.",
    )
    move_count = fields.Integer("Stage Changes", readonly=True)
    duration_hours = fields.Float("Hours in Step", readonly=True, aggregator="avg")
    expected_hours = fields.Float("Target Hours in Step", readonly=True, aggregator="avg")
    overdue_count = fields.Integer("Left Late", readonly=True)
    checklist_rate = fields.Float("Checklist Completion (%)", readonly=True, aggregator="avg")
    override_count = fields.Integer("Overrides", readonly=True)
    escalation_count = fields.Integer("Escalations Received", readonly=True)
    ack_hours = fields.Float(
        "Hours to Acknowledge",
        readonly=True,
        aggregator="avg",
        help="Hours from an escalation to its acknowledgement, counted for whoever acknowledged it.",
    )
    check_count = fields.Integer("Policy Checks", readonly=True)
    violation_count = fields.Integer("Violations", readonly=True)
    compliance_rate = fields.Float("Compliance Rate (%)", readonly=True, aggregator="avg")
    feedback_count = fields.Integer("Feedback Given", readonly=True)
    feedback_accepted = fields.Integer(readonly=True)
    milestone_count = fields.Integer(
        "Milestones Reached", readonly=True, help="Milestones reached by the agent's change or by hand."
    )

    # the figures of a model are for the users who work its records (a global rule, as
    # on the step effectiveness): a salesperson's old ticket rows are not a scorecard of
    # tickets they may no longer work; the rows of no record (feedback) stay theirs
    pi_visible = fields.Boolean(compute="_compute_pi_visible", search="_search_pi_visible")

    def _compute_pi_visible(self):
        Process = self.env["guide.process"]
        for row in self:
            row.pi_visible = not row.res_model or Process._pi_sees_figures(row.res_model)

    def _search_pi_visible(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(
                self.env._("Scorecards: search the rows whose figures you see with = or != only.")
            )
        # record rules are applied in a superuser environment: ask as the user
        Process = self.env["guide.process"].with_user(self.env.user)
        names = [name for name in Process._guide_model_names() if Process._pi_sees_figures(name)]
        if (operator == "=") == bool(value):
            return ["|", ("res_model", "=", False), ("res_model", "in", names)]
        return [("res_model", "!=", False), ("res_model", "not in", names)]

    @api.model
    def _guide_scorecard_extra_columns(self):
        """Hook: further columns over ``s`` (the facts), e.g. a bridge's team Many2one."""
        return []

    @api.model
    def _guide_scorecard_facts_sql(self):
        return SQL(
            """
            SELECT h.id::bigint * 8 AS id, 'move'::varchar AS fact, h.date, h.res_model, h.res_id,
                   h.owner_id AS actor_id, h.company_id, h.process_id, h.from_step_id AS step_id,
                   NULL::int AS reason_id,
                   -- entering and leaving an alternate step leave the record in its stage
                   CASE WHEN %(stage_change)s THEN h.res_model || ',' || h.res_id END AS record_key,
                   (%(stage_change)s)::int AS move_count,
                   CASE WHEN h.from_step_id IS NOT NULL THEN h.duration_hours END AS duration_hours,
                   CASE WHEN h.from_step_id IS NOT NULL AND h.expected_hours > 0 THEN h.expected_hours END
                       AS expected_hours,
                   COALESCE(h.overdue_count, 0) AS overdue_count,
                   CASE WHEN h.checklist_total > 0 THEN h.checklist_rate END AS checklist_rate,
                   0 AS override_count, 0 AS escalation_count, NULL::float AS ack_hours,
                   0 AS check_count, 0 AS violation_count, NULL::float AS compliance_rate,
                   0 AS feedback_count, 0 AS feedback_accepted, 0 AS milestone_count
              FROM guide_history h
            UNION ALL
            SELECT d.id::bigint * 8 + 1, 'override', d.date, d.res_model, d.res_id,
                   d.user_id, d.company_id, d.process_id, d.step_id, d.reason_id, NULL, 0,
                   NULL, NULL, 0, NULL, 1, 0, NULL, 0, 0, NULL, 0, 0, 0
              FROM guide_deviation d
             WHERE d.kind IN %(override_kinds)s
            UNION ALL
            -- an escalation is its receiver's; the hours to acknowledge it, theirs when they
            -- acknowledged it, else a row of their own for whoever did (below)
            SELECT l.id::bigint * 8 + 2, 'escalation', l.date, l.res_model, l.res_id,
                   l.receiver_id, l.company_id, l.process_id, NULL, NULL, NULL, 0,
                   NULL, NULL, 0, NULL, 0, 1,
                   CASE WHEN l.ack_user_id IS NULL OR l.ack_user_id = l.receiver_id THEN l.ack_hours END,
                   0, 0, NULL, 0, 0, 0
              FROM (%(escalations)s) l
            UNION ALL
            SELECT l.id::bigint * 8 + 6, 'acknowledgement', l.date, l.res_model, l.res_id,
                   l.ack_user_id, l.company_id, l.process_id, NULL, NULL, NULL, 0,
                   NULL, NULL, 0, NULL, 0, 0, l.ack_hours, 0, 0, NULL, 0, 0, 0
              FROM (%(escalations)s) l
             WHERE l.ack_user_id IS DISTINCT FROM l.receiver_id AND l.ack_user_id IS NOT NULL
            UNION ALL
            SELECT c.id::bigint * 8 + 3, 'check', c.date, c.res_model, c.res_id,
                   c.user_id, c.company_id, %(check_process)s, NULL, NULL, NULL, 0,
                   NULL, NULL, 0, NULL, 0, 0, NULL, COALESCE(c.count, 1), COALESCE(c.violation, 0),
                   c.compliance_rate, 0, 0, 0
              FROM compliance_log c
              LEFT JOIN compliance_policy p ON p.id = c.policy_id
            UNION ALL
            SELECT f.id::bigint * 8 + 4, 'feedback', f.create_date, f.res_model, f.res_id,
                   f.user_id, COALESCE(f.record_company_id, f.company_id), f.process_id, f.step_id,
                   NULL, NULL, 0,
                   NULL, NULL, 0, NULL, 0, 0, NULL, 0, 0, NULL, 1, (f.state = 'accepted')::int, 0
              FROM guide_feedback f
            UNION ALL
            SELECT m.id::bigint * 8 + 5, 'milestone', m.date, m.res_model, m.res_id,
                   m.user_id, m.company_id, m.process_id, m.step_id, NULL, NULL, 0,
                   NULL, NULL, 0, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, 1
              FROM guide_milestone_reached m
            """,
            stage_change=SQL("COALESCE(h.direction NOT IN ('detour', 'return'), TRUE)"),
            override_kinds=self._guide_scorecard_override_kinds(),
            escalations=self._guide_scorecard_escalations_sql(),
            check_process=SQL("COALESCE(p.process_id, %s)", self._guide_process_at_sql("c")),
        )

    @api.model
    def _guide_scorecard_agent_join(self):
        """The agent of a fact: its actor (``s.actor_id``) unless the superuser or a
        share user, joined once for all rows (a filter on the agent reaches the facts'
        user columns and their indexes)."""
        return SQL(
            "LEFT JOIN res_users agent ON agent.id = s.actor_id AND agent.id != %s AND NOT agent.share",
            SUPERUSER_ID,
        )

    @api.model
    def _guide_scorecard_override_kinds(self):
        """Hook: the kinds of ``guide.deviation`` that are an agent's override, as the
        process map counts a step left by override (an approved exception is none)."""
        return OVERRIDE_KINDS

    @api.model
    def _guide_process_at_sql(self, alias):
        """The process the record of the row ``alias`` (``res_model``, ``res_id``, ``date``)
        was in at the row's date: that of its last stage change until then."""
        return SQL(
            """(SELECT gh.process_id FROM guide_history gh
                 WHERE gh.res_id = %(a)s.res_id AND gh.res_model = %(a)s.res_model
                   AND gh.date <= %(a)s.date
                 ORDER BY gh.date DESC, gh.id DESC LIMIT 1)""",
            a=SQL.identifier(alias),
        )

    @api.model
    def _guide_scorecard_escalations_sql(self):
        """The escalations received (done), with their receiver (the new owner, else the
        owner when the level did not reassign) and process (their rule's, else the one
        the record was in)."""
        return SQL(
            """SELECT l.id, l.date, l.res_model, l.res_id, l.company_id, l.ack_user_id, l.ack_hours,
                      COALESCE(l.to_user_id, l.from_user_id) AS receiver_id,
                      COALESCE(r.process_id, %s) AS process_id
                 FROM escalation_log l
                 LEFT JOIN escalation_rule r ON r.id = l.rule_id
                WHERE l.kind IN ('escalation', 'manual') AND l.outcome = 'done'""",
            self._guide_process_at_sql("l"),
        )

    def init(self):
        # an agent's scorecard reads the facts of one user: the record rule's column
        for table, column in (
            ("guide_history", "owner_id"),
            ("guide_deviation", "user_id"),
            ("guide_feedback", "user_id"),
        ):
            create_index(self.env.cr, f"{table}_{column}_scorecard_idx", table, [column])
        drop_view_if_exists(self.env.cr, self._table)
        extra = self._guide_scorecard_extra_columns()
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                WITH rec AS (%(records)s)
                SELECT s.*, agent.id AS user_id, rec.team_id%(extra)s
                  FROM (%(facts)s) s
                  %(agent)s
                  LEFT JOIN rec ON rec.res_model = s.res_model AND rec.res_id = s.res_id)
                """,
                table=SQL.identifier(self._table),
                records=self.env["guide.effectiveness.report"]._guide_records_sql(),
                facts=self._guide_scorecard_facts_sql(),
                agent=self._guide_scorecard_agent_join(),
                extra=SQL("").join(SQL(", %s", column) for column in extra),
            )
        )
