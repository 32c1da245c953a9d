from odoo import api, models
from odoo.tools import SQL

# what became of a guided record, as the process map and the variants count it
OUTCOME_SUCCESS = "success"  # won lead, resolved ticket
OUTCOME_DROPPED = "dropped"  # lost lead, cancelled or rejected ticket
OUTCOME_OPEN = "open"


def hours_between_sql(start, end):
    """SQL: the hours from ``start`` to ``end`` (SQL expressions), never negative: a
    record closed in the second it was created (a closing date truncated to the second,
    a creation date with microseconds) took 0 h. NULL when either is NULL."""
    return SQL(
        "CASE WHEN %(end)s < %(start)s THEN 0.0 ELSE EXTRACT(EPOCH FROM %(end)s - %(start)s) / 3600.0 END",
        start=start,
        end=end,
    )


class GuideMixin(models.AbstractModel):
    _inherit = "guide.mixin"

    # the field holding the record's (current) team, a Many2one, set by the bridges
    _guide_team_field = None

    # ------------------------------------------------------------
    # HOOKS of the process intelligence (override in guided models)
    # ------------------------------------------------------------
    @api.model
    def _guide_outcome_sql(self, alias):
        """SQL expression over a row ``alias`` of the model's table: ``'success'``,
        ``'dropped'`` or ``'open'``. A model without outcomes keeps its records open."""
        return SQL("%s", OUTCOME_OPEN)

    @api.model
    def _guide_closed_at_sql(self, alias):
        """SQL expression over a row ``alias`` of the model's table: when the record was
        closed (won, lost, resolved), NULL while it is open."""
        return SQL("NULL::timestamp")

    @api.model
    def _guide_team_history_field(self):
        """The Many2one of ``guide.history`` that holds the record's team (False: none);
        the process map filters on it."""
        return False

    @api.model
    def _pi_figure_groups(self):
        """XML ids of the groups whose members see the process figures of this model:
        the people who work its records (process administrators always do). Bridges
        name their app's users, so that the figures of tickets are not shown to
        salespeople who may read no ticket."""
        return ("base_process_guide.group_guide_user",)

    @api.model
    def _pi_people_manager_groups(self):
        """XML ids of the groups whose members see every person's figures of this model
        (the bridges' managers); process administrators always do."""
        return ()

    @api.model
    def _pi_led_user_ids(self):
        """Ids of the users in the teams the current user leads (bridges)."""
        return set()

    @api.model
    def _pi_visible_people(self):
        """Ids of the users whose own figures the current user may see on the process map,
        as on the scorecards (None: everyone's): themselves and the members of the teams
        they lead; managers everyone's."""
        user = self.env.user
        groups = ("base_process_guide.group_guide_manager", *self._pi_people_manager_groups())
        if self.env.su or any(user.has_group(xmlid) for xmlid in groups):
            return None
        return {user.id} | self._pi_led_user_ids()

    @api.model
    def _guide_outcome_labels(self):
        """What success and dropping out are called for the model's records."""
        return {}

    @api.model
    def _pi_demo_record_vals(self, process, index, rng):
        """Values of the ``index``-th demo record of ``process`` (``rng``: random.Random)."""
        return {"name": f"{process.name} #{index + 1}"}

    @api.model
    def _pi_demo_stage_date_field(self):
        """Hook: the field in which the model keeps when the record's stage last changed
        (the demo records' is the date of their last move), if it keeps one."""
        return False

    def _pi_demo_close(self, outcome, last_date):
        """Give a demo record its outcome (False: still open) some time after ``last_date``."""
        return True

    @api.model
    def _guide_outcome_depends(self):
        """Hook: the fields the outcome hooks read, {model name: [field names]}, flushed
        before a report is read."""
        return {}

    @api.model
    def _guide_intelligence_depends(self):
        """The fields ``_guide_intelligence_record_sql`` reads, to flush before a report
        query (Odoo's ``_depends``, computed from the installed bridges)."""
        fnames = ["guide_process_id", "company_id", self._guide_owner_field, self._guide_team_field]
        fields_ = [self._fields[fname] for fname in fnames if fname and fname in self._fields]
        for model_name, outcome_fnames in self._guide_outcome_depends().items():
            fields_ += [self.env[model_name]._fields[fname] for fname in outcome_fnames]
        return fields_

    @api.model
    def _guide_intelligence_record_sql(self):
        """One row per record of this model: the record, its process, company, owner,
        team, creation and outcome: ``is_closed`` (success or dropped), ``is_success``
        and ``date_closed`` (the last change when the model does not record it)."""
        alias = "r"

        def column(fname, cast):
            if fname and fname in self._fields and self._fields[fname].store:
                return SQL("%s::%s", SQL.identifier(alias, fname), SQL(cast))
            return SQL("NULL::%s", SQL(cast))

        return SQL(
            """SELECT %(model)s::varchar AS res_model, r.id AS res_id, r.guide_process_id AS process_id,
                      %(company)s AS company_id, %(owner)s AS user_id, %(team)s AS team_id,
                      r.create_date AS create_date,
                      o.outcome <> 'open' AS is_closed, o.outcome = 'success' AS is_success,
                      CASE WHEN o.outcome <> 'open' THEN COALESCE(o.closed_at, r.write_date) END
                          AS date_closed
                 FROM %(table)s r
                CROSS JOIN LATERAL (SELECT (%(outcome)s)::varchar AS outcome,
                                           (%(closed_at)s)::timestamp AS closed_at) o""",
            model=self._name,
            company=column("company_id", "int"),
            owner=column(self._guide_owner_field, "int"),
            team=column(self._guide_team_field, "int"),
            outcome=self._guide_outcome_sql(alias),
            closed_at=self._guide_closed_at_sql(alias),
            table=SQL.identifier(self._table),
        )
