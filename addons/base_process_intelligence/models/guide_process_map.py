import json
import random
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date

from odoo.addons.base_process_guide.tools import client_id, refuse_not_one, shortened

from .guide_mixin import OUTCOME_DROPPED, OUTCOME_OPEN, OUTCOME_SUCCESS, hours_between_sql

# the variants the map lists (the conformance counts them all)
VARIANT_LIMIT = 20
# kinds of edges: what the design says of a move from one step to another
EDGE_DESIGNED = "designed"  # the next step, or one of the allowed next steps
EDGE_SKIP = "skip"  # forward past the next step (the step allows any move)
EDGE_NOT_ALLOWED = "not_allowed"  # forward to a step the allowed next steps exclude
EDGE_BACKWARD = "backward"
EDGE_DETOUR = "detour"  # into a step that is not a main step of the design
DEVIATION_OVERRIDE = "override"
# the demo: how often a move is let through its gate by an override, and how often the
# items a gate does not ask for were done, by the record's outcome (what the step
# effectiveness then shows)
DEMO_OVERRIDE_RATE = 0.06
DEMO_DONE_RATE = {OUTCOME_SUCCESS: 0.8, OUTCOME_DROPPED: 0.3, OUTCOME_OPEN: 0.55}
# and a hint is acknowledged less often than an item is done
DEMO_HINT_READ_SHARE = 0.6
# the demo's people do not work alike, so that the scorecards compare them: each owner of
# demo records (in the order they first appear) takes a profile: how long they stay in a
# step (pace), how much more often they do what no gate asks for and win (diligence),
# how often they override a gate
DEMO_AGENT_PROFILES = (
    {"pace": 1.0, "diligence": 0.0, "overrides": 1.0},
    {"pace": 0.8, "diligence": 0.12, "overrides": 0.3},
    {"pace": 1.4, "diligence": -0.2, "overrides": 3.0},
    {"pace": 1.1, "diligence": 0.06, "overrides": 1.5},
)
# what the demo's people wrote when they overrode a gate
DEMO_OVERRIDE_JUSTIFICATIONS = (
    "The customer asked to move on; the missing items are done this week.",
    "Repeat customer: the same configuration as last time.",
    "Agreed with my manager by phone.",
    "Urgent: the customer's deadline is tomorrow.",
)


def _client_id(env, value, what):
    """An id a client sends (the map's process, step and filter ids): an integer, else a
    UserError naming what it should have been (digits, as an URL gives them, are an id)."""
    value = client_id(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError(
            env._("Process map: %(value)s is not a %(what)s id.", value=shortened(value), what=what)
        )
    return value


def _json(value):
    """A figure XML-RPC carries: no figure (no visit left the step) is False."""
    return False if value is None else value


class GuideProcess(models.Model):
    _inherit = "guide.process"

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_open_process_map(self):
        refuse_not_one(self)
        return {
            "type": "ir.actions.client",
            "tag": "base_process_intelligence.process_map",
            "name": self.env._("Process Map"),
            "params": {"process_id": self.id, "model_name": self.model_name},
        }

    @api.model
    def action_pi_open_records(
        self, process_id, filters=None, step_id=False, next_step_id=False, path_hash=False
    ):
        """The records behind a node (``step_id``), an edge (``step_id`` to ``next_step_id``)
        or a variant (``path_hash``) of the map: a list of the guided model, where its
        record rules decide what the user sees."""
        process = self._pi_process(process_id)
        self._pi_check_filters(process, filters)
        self._pi_check_person_filter(process, filters)
        where = [SQL("v.process_id = %s", process.id)]
        if path_hash:
            where += [
                SQL("v.path_hash = %s", str(path_hash)),
                *self._pi_filter_sql(filters, "v", "first_entered_at"),
            ]
            table = SQL("guide_record_variant")
        else:
            where += self._pi_filter_sql(filters, "v", "entered_at")
            table = SQL("guide_step_visit")
            target = self.env["guide.step"].browse(_client_id(self.env, next_step_id or 0, "step"))
            if target and step_id and target.exists().kind == "alternate":
                # the entry edge of a detour: the stays in the alternate step entered from the step
                where += [
                    SQL("v.step_id = %s", target.id),
                    SQL("v.detour_from_step_id = %s", _client_id(self.env, step_id, "step")),
                ]
            else:
                if step_id:
                    where.append(SQL("v.step_id = %s", _client_id(self.env, step_id, "step")))
                if next_step_id:
                    where.append(SQL("v.next_step_id = %s", _client_id(self.env, next_step_id, "step")))
        self.env.cr.execute(
            SQL("SELECT DISTINCT v.res_id FROM %s v WHERE %s", table, SQL(" AND ").join(where))
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        model = self.env[process.model_name]
        # only the records the user may read are named to the client (the list would hide
        # the others, the ids would still be sent)
        ids = model.with_context(active_test=False).search([("id", "in", ids)], order="id").ids
        return {
            "type": "ir.actions.act_window",
            "name": self._pi_records_title(process, step_id, next_step_id, path_hash),
            "res_model": model._name,
            "views": [[False, "list"], [False, "form"]],
            "domain": [("id", "in", ids)],
            "context": {"active_test": False, "create": False},
            # an empty list says why, instead of the model's sample records (made-up
            # names under the list's headers)
            "useSampleModel": False,
            "help": str(
                Markup('<p class="o_view_nocontent_empty_folder">%s</p><p>%s</p>')
                % (
                    self.env._("No record here that you may open"),
                    self.env._(
                        "The map counts all the records of the process; this list shows those you may read."
                    ),
                )
            ),
        }

    @api.model
    def _pi_records_title(self, process, step_id, next_step_id, path_hash):
        """What the list of ``action_pi_open_records`` shows: the process and the node,
        the move or the variant clicked."""
        Step = self.env["guide.step"].with_context(guide_step_short_name=True)
        step = Step.browse(_client_id(self.env, step_id or 0, "step")).exists()
        target = Step.browse(_client_id(self.env, next_step_id or 0, "step")).exists()
        if path_hash:
            what = self.env._("one path through the process")
        elif step and target:
            what = self.env._("%(step)s to %(next)s", step=step.display_name, next=target.display_name)
        else:
            what = (step or target).display_name
        if not what:
            return process.name
        return self.env._("%(process)s: %(what)s", process=process.name, what=what)

    # ------------------------------------------------------------
    # THE MAP
    # ------------------------------------------------------------
    @api.model
    def get_process_map(self, process_id=False, filters=None, model_name=False):
        """Everything the process map shows, json-able: the processes the user may
        read (of ``model_name`` if given), the filters' choices, and for the chosen
        process (``process_id``, else the first) its nodes, edges, variants and
        conformance over the visits that match ``filters`` ({date_from, date_to,
        team_id, user_id, version_id}: version_id keeps the visits entered, and the
        records that entered the process, under that version of it). Aggregates are
        process-level; the records behind them are listed by ``action_pi_open_records``
        under the guided model's record rules."""
        if model_name and (not isinstance(model_name, str) or model_name not in self.env):
            raise UserError(self.env._("Process map: %(value)s is not a model.", value=shortened(model_name)))
        domain = [("model_name", "=", model_name)] if model_name else []
        processes = self.search(domain).filtered(lambda p: self._pi_sees_figures(p.model_name))
        result = {
            "processes": [{"id": p.id, "name": p.display_name, "model": p.model_name} for p in processes],
            "process": False,
        }
        if process_id:
            processes = processes.filtered(lambda p: p.id == process_id) or self._pi_process(process_id)
        if not processes:
            return result
        process = self._pi_process(processes[0].id)
        self._pi_check_filters(process, filters)
        self._pi_check_person_filter(process, filters)
        self.env["guide.step.visit"]._pi_refresh()
        model = self.env[process.model_name]
        # the outcomes are read in SQL: a record lost or closed in this transaction counts
        for model_name, fnames in model._guide_outcome_depends().items():
            self.env[model_name].flush_model(fnames)
        steps = process.with_context(active_test=False).step_ids.sorted(lambda s: (s.sequence, s.id))
        result.update(
            {
                "process": {"id": process.id, "name": process.display_name, "model": process.model_name},
                "outcome_labels": self._pi_outcome_labels(model),
                "filters": self._pi_filter_choices(process),
                "refreshed_at": fields.Datetime.to_string(
                    self.env["guide.step.visit.refresh"]._pi_refreshed_at()
                ),
                **self._pi_map_data(process, steps, filters),
                **self._pi_variant_data(process, steps, filters),
                "milestones": self._pi_milestone_data(process, filters),
            }
        )
        return result

    @api.model
    def _pi_process(self, process_id):
        """The process, checked readable, and its model readable by the user."""
        process = self.browse(_client_id(self.env, process_id, "process")).exists()
        if not process:
            raise UserError(self.env._("The process %(id)s does not exist.", id=process_id))
        process.check_access("read")
        if not self._pi_sees_figures(process.model_name):
            raise AccessError(
                self.env._(
                    "The figures of process %(process)s are for the users who work its records.",
                    process=process.display_name,
                )
            )
        self.env[process.model_name].check_access("read")
        return process

    @api.model
    def _pi_sees_figures(self, model_name):
        """Whether the user sees the process figures of ``model_name`` (its
        ``_pi_figure_groups``, or process administrator)."""
        if self.env.su or self.env.user.has_group("base_process_guide.group_guide_manager"):
            return True
        if model_name not in self.env:
            return False
        return any(self.env.user.has_group(xmlid) for xmlid in self.env[model_name]._pi_figure_groups())

    @api.model
    def _pi_outcome_labels(self, model):
        return {
            OUTCOME_SUCCESS: self.env._("Succeeded"),
            OUTCOME_DROPPED: self.env._("Dropped"),
            OUTCOME_OPEN: self.env._("Open"),
            **model._guide_outcome_labels(),
        }

    @api.model
    def _pi_filter_sql(self, filters, alias, date_column):
        """The conditions of ``filters`` on the rows ``alias`` (visits or variants); the
        user's companies always apply."""
        filters = filters or {}
        if not isinstance(filters, dict):
            raise UserError(
                self.env._(
                    "Process map: the filters must be a dictionary, not %(value)s.", value=repr(filters)[:50]
                )
            )
        where = [
            SQL(
                "(%s IS NULL OR %s IN %s)",
                SQL.identifier(alias, "company_id"),
                SQL.identifier(alias, "company_id"),
                tuple(self.env.companies.ids),
            )
        ]
        try:
            start, end = self._pi_period_bounds(
                fields.Date.to_date(filters.get("date_from")), fields.Date.to_date(filters.get("date_to"))
            )
            if start:
                where.append(SQL("%s >= %s", SQL.identifier(alias, date_column), start))
            if end:
                where.append(SQL("%s < %s", SQL.identifier(alias, date_column), end))
            if filters.get("user_id"):
                where.append(SQL("%s = %s", SQL.identifier(alias, "owner_id"), int(filters["user_id"])))
            if filters.get("team_id"):
                where.append(SQL("%s = %s", SQL.identifier(alias, "team_ref"), int(filters["team_id"])))
            if filters.get("version_id"):
                where.append(
                    SQL("%s = %s", SQL.identifier(alias, "process_version_id"), int(filters["version_id"]))
                )
        except (TypeError, ValueError, OverflowError) as error:
            # OverflowError: an infinite number (JSON-RPC's Infinity, XML-RPC's inf)
            raise UserError(self.env._("Process map: invalid filter (%(error)s).", error=error)) from error
        return where

    @api.model
    def _pi_period_bounds(self, date_from, date_to):
        """The days ``date_from`` to ``date_to`` (dates, or None for no bound) of the user's
        time zone (the context's, else the user's; UTC without one) as UTC datetimes,
        naive as Odoo stores them: (start included, end excluded); None where there is no
        bound (the end of the last day a date holds)."""
        name = self.env.context.get("tz") or self.env.user.tz
        try:
            # a client's context may name anything: only a zone's name is one
            tz = pytz.timezone(name) if isinstance(name, str) and name else pytz.utc
        except pytz.UnknownTimeZoneError:
            tz = pytz.utc

        def day_start(day):
            local = datetime.combine(day, time.min)
            try:
                return tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
            except OverflowError:  # the first day a date holds, east of Greenwich
                return local

        start = day_start(date_from) if date_from else None
        end = day_start(date_to + timedelta(days=1)) if date_to and date_to < datetime.max.date() else None
        return start, end

    @api.model
    def _pi_check_filters(self, process, filters):
        """The filters a client sends, refused naming the filter and its value (not in
        Python's words): dates that are dates, a period that starts before it ends (a
        reversed one showed empty figures), ids that are ids, a version of the process."""
        if not filters:
            return
        if not isinstance(filters, dict):
            raise UserError(
                self.env._(
                    "Process map: the filters must be a dictionary, not %(value)s.", value=repr(filters)[:50]
                )
            )
        dates = {}
        for key in ("date_from", "date_to"):
            value = filters.get(key)
            if not value:
                continue
            try:
                dates[key] = fields.Date.to_date(value)
            except (TypeError, ValueError):
                dates[key] = None
            if not dates[key]:
                raise UserError(
                    self.env._(
                        'Process map: the filter "%(filter)s" must be a date (YYYY-MM-DD), not %(value)s.',
                        filter=key,
                        value=repr(value)[:50],
                    )
                )
        if len(dates) == 2 and dates["date_from"] > dates["date_to"]:
            raise UserError(
                self.env._(
                    "Process map: the period ends (%(date_to)s) before it starts (%(date_from)s).",
                    # in the reader's format, as the map's date fields show them
                    date_to=format_date(self.env, dates["date_to"]),
                    date_from=format_date(self.env, dates["date_from"]),
                )
            )
        ids = {}
        for key in ("team_id", "user_id", "version_id"):
            value = filters.get(key)
            if not value:
                continue
            value = client_id(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise UserError(
                    self.env._(
                        'Process map: the filter "%(filter)s" must be an id, not %(value)s.',
                        filter=key,
                        value=shortened(value),
                    )
                )
            ids[key] = value
        team_field = self.env[process.model_name]._guide_team_history_field()
        team_model = team_field and self.env["guide.history"]._fields[team_field].comodel_name
        if ids.get("team_id") and not self._pi_exists(team_model, ids["team_id"]):
            raise UserError(
                self.env._(
                    'Process map: the filter "team_id" names no team (%(value)s).', value=ids["team_id"]
                )
            )
        if ids.get("user_id") and not self._pi_exists("res.users", ids["user_id"]):
            raise UserError(
                self.env._(
                    'Process map: the filter "user_id" names no user (%(value)s).', value=ids["user_id"]
                )
            )
        if ids.get("version_id"):
            version = self.env["guide.process.version"].browse(ids["version_id"]).sudo()
            if not (0 < version.id < 2**31 and version.exists().process_id == process):
                raise UserError(
                    self.env._(
                        "Process map: %(value)s is not a version of process %(process)s.",
                        value=ids["version_id"],
                        process=process.display_name,
                    )
                )

    @api.model
    def _pi_exists(self, model_name, res_id):
        """Whether ``res_id`` is the id of a record of ``model_name`` (whoever may read it)."""
        return bool(model_name and 0 < res_id < 2**31 and self.env[model_name].sudo().browse(res_id).exists())

    @api.model
    def _pi_check_person_filter(self, process, filters):
        """A person's own figures are shown as on the scorecards: to themselves, their team
        leaders and managers."""
        if not isinstance(filters, dict) or not filters.get("user_id"):
            return
        visible = self.env[process.model_name]._pi_visible_people()
        if visible is None:
            return
        try:
            user_id = int(filters["user_id"])
        except (TypeError, ValueError, OverflowError) as error:
            raise UserError(self.env._("Process map: invalid filter (%(error)s).", error=error)) from error
        if user_id not in visible:
            raise AccessError(
                self.env._(
                    "Process %(process)s: the figures of one person are shown to that person, "
                    "their team leaders and managers only.",
                    process=process.display_name,
                )
            )

    @api.model
    def _pi_filter_choices(self, process):
        """The teams and users that appear in the process's visits of the user's companies
        (names only)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT array_agg(DISTINCT v.team_ref), array_agg(DISTINCT v.owner_id) "
                "FROM guide_record_variant v WHERE %s",
                SQL(" AND ").join(
                    [SQL("v.process_id = %s", process.id), *self._pi_filter_sql(None, "v", None)]
                ),
            )
        )
        team_ids, user_ids = cr.fetchone()
        model = self.env[process.model_name]
        team_field = model._guide_team_history_field()
        teams = []
        if team_field:
            team_model = self.env["guide.history"]._fields[team_field].comodel_name
            # names of the teams the rows name, whether or not the user reads every team
            teams = [
                {"id": team.id, "name": team.display_name}
                for team in self.env[team_model].sudo().browse([t for t in team_ids or [] if t]).exists()
            ]
        visible = model._pi_visible_people()
        # people as on the scorecards: the superuser (OdooBot) and portal or public users
        # are no agents (their share flag is read once for all)
        users = [
            {"id": user.id, "name": user.display_name}
            for user in self.env["res.users"].sudo().browse([u for u in user_ids or [] if u]).exists()
            if (visible is None or user.id in visible) and user.id != SUPERUSER_ID and not user.share
        ]
        versions = [
            {"id": version.id, "name": self.env._("v%(version)s", version=version.version)}
            for version in process.version_ids
        ]
        return {"teams": teams, "users": users, "versions": versions}

    # ------------------------------------------------------------
    # NODES AND EDGES
    # ------------------------------------------------------------
    @api.model
    def _pi_node_kind(self, step):
        """Kind of a step on the map: ``step`` for the steps of the stage line,
        ``alternate`` for the alternate steps (detours off it)."""
        return "alternate" if step.kind == "alternate" else "step"

    @api.model
    def _pi_designed_targets(self, step):
        """The next steps the design names for ``step``: its allowed next steps and the
        targets of its branches (a branch target is an allowed next step)."""
        return step.allowed_step_ids | step.branch_ids.to_step_id

    @api.model
    def _pi_edge_kind(self, source, target, rank, kinds):
        """What the design says of a move from step ``source`` to step ``target``
        (records); ``rank``: {step id: position in the design}, ``kinds``: {id: kind}.
        Entering or leaving an alternate step is a detour."""
        if kinds.get(target.id, "step") != "step" or kinds.get(source.id, "step") != "step":
            return EDGE_DETOUR
        if rank[target.id] <= rank[source.id]:
            return EDGE_BACKWARD
        designed = self._pi_designed_targets(source)
        if target in designed:
            return EDGE_DESIGNED
        if source.allowed_step_ids:
            return EDGE_NOT_ALLOWED
        main = [sid for sid in rank if kinds.get(sid, "step") == "step" and rank[sid] > rank[source.id]]
        return EDGE_DESIGNED if main and min(main, key=rank.get) == target.id else EDGE_SKIP

    @api.model
    def _pi_map_data(self, process, steps, filters):
        """Nodes and edges of ``process``: three aggregate queries over the visits (the
        times in step read presorted from an index, the counts and edges hashed in one
        scan, the outcome of the records where they stopped)."""
        cr = self.env.cr
        model = self.env[process.model_name]
        where = SQL(" AND ").join(
            [SQL("v.process_id = %s", process.id), *self._pi_filter_sql(filters, "v", "entered_at")]
        )
        cr.execute(
            SQL(
                """
            SELECT v.step_id, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY v.duration_hours)
              FROM guide_step_visit v
             WHERE %s AND v.left_at IS NOT NULL
             GROUP BY v.step_id
            """,
                where,
            )
        )
        times = dict(cr.fetchall())
        cr.execute(
            SQL(
                """
            SELECT v.step_id, v.next_step_id, GROUPING(v.next_step_id), count(*),
                   count(*) FILTER (WHERE v.visit_number = 1),
                   count(*) FILTER (WHERE v.overdue),
                   count(*) FILTER (WHERE v.overridden),
                   count(*) FILTER (WHERE v.exit_direction = 'backward'),
                   count(*) FILTER (WHERE v.left_at IS NOT NULL AND v.next_step_id IS NULL),
                   count(*) FILTER (WHERE v.left_at IS NOT NULL)
              FROM guide_step_visit v
             WHERE %s
             GROUP BY GROUPING SETS ((v.step_id), (v.step_id, v.next_step_id))
            """,
                where,
            )
        )
        counts, edge_rows = {}, []
        for step_id, next_step_id, is_node, *figures in cr.fetchall():
            if is_node:
                counts[step_id] = figures
            elif next_step_id:
                edge_rows.append((step_id, next_step_id, figures[0]))
        # where the records stopped: in progress, or where they ended (won, lost, or
        # cancelled: left for no step)
        cr.execute(
            SQL(
                """
            SELECT v.step_id, %(outcome)s AS outcome, count(*),
                   count(*) FILTER (WHERE v.left_at IS NULL),
                   count(*) FILTER (
                       WHERE v.left_at IS NULL AND v.expected_hours > 0
                         AND v.entered_at < %(now)s - make_interval(secs => v.expected_hours * 3600))
              FROM guide_step_visit v
              JOIN %(table)s r ON r.id = v.res_id
             WHERE %(where)s AND v.last_stay
             GROUP BY v.step_id, 2
            """,
                outcome=model._guide_outcome_sql("r"),
                now=cr.now(),
                table=SQL.identifier(model._table),
                where=where,
            )
        )
        ends = {}
        for step_id, outcome, count, in_step, late in cr.fetchall():
            ends.setdefault(step_id, {})[outcome] = (count, in_step, late)
        # the detours: entered from a stage step, left (returned) to one; the time spent
        # in the alternate step per entry and per return edge (a partial index's rows)
        cr.execute(
            SQL(
                """
            SELECT v.detour_from_step_id, v.step_id, v.next_step_id, GROUPING(v.next_step_id), count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY v.duration_hours)
                       FILTER (WHERE v.left_at IS NOT NULL)
              FROM guide_step_visit v
             WHERE %s AND v.detour_from_step_id IS NOT NULL
             GROUP BY GROUPING SETS ((v.detour_from_step_id, v.step_id), (v.step_id, v.next_step_id))
            """,
                where,
            )
        )
        detour_hours = {}
        for from_step_id, step_id, next_step_id, is_entry, count, median in cr.fetchall():
            if is_entry:
                edge_rows.append((from_step_id, step_id, count))
                detour_hours[from_step_id, step_id] = median
            elif next_step_id:
                detour_hours[step_id, next_step_id] = median
        figures = {}
        for step_id in set(counts) | set(times):
            visits, starts, overdue, overridden, backward, exits, left = counts.get(step_id, (0,) * 7)
            median, p90 = times.get(step_id) or (None, None)
            end = ends.get(step_id, {})
            # an open record that left for no step is no longer in progress there
            _count, in_progress, late = end.get(OUTCOME_OPEN, (0, 0, 0))
            figures[step_id] = (
                visits,
                starts,
                in_progress,
                median,
                p90,
                overdue + late,
                overridden,
                backward,
                end.get(OUTCOME_DROPPED, (0,))[0],
                end.get(OUTCOME_SUCCESS, (0,))[0],
                exits,
                left,
            )
        # steps no longer in the process (archived, deleted) still have visits
        all_steps = steps | self.env["guide.step"].browse(
            [sid for sid in figures if sid not in steps.ids]
            + [sid for row in edge_rows for sid in row[:2] if sid not in steps.ids]
        )
        kinds = {step.id: self._pi_node_kind(step) for step in all_steps}
        rank = {step.id: index for index, step in enumerate(all_steps)}
        nodes = []
        for step in all_steps:
            (
                visits,
                starts,
                in_progress,
                median,
                p90,
                overdue,
                overridden,
                backward,
                dropped,
                success,
                exits,
                left,
            ) = figures.get(step.id) or (0, 0, 0, None, None, 0, 0, 0, 0, 0, 0, 0)
            nodes.append(
                {
                    "id": step.id,
                    "name": step.with_context(guide_step_short_name=True).display_name,
                    "kind": kinds[step.id],
                    "designed": step in steps,
                    "sequence": rank[step.id],
                    "expected_hours": step.expected_hours,
                    "visits": visits,
                    "starts": starts,
                    "in_progress": in_progress,
                    "median_hours": _json(median),
                    "p90_hours": _json(p90),
                    "overdue": overdue,
                    # no share of nothing: "–" on the map, not "0 %" (no visit, none left)
                    "overdue_share": overdue / visits if visits else False,
                    "overridden": overridden,
                    "override_rate": overridden / left if left > 0 else False,
                    "backward": backward,
                    "dropped": dropped,
                    "success": success,
                    "exits": exits,
                }
            )
        by_id = {step.id: step for step in all_steps}
        edges = [
            {
                "source": source,
                "target": target,
                "count": count,
                "kind": self._pi_edge_kind(by_id[source], by_id[target], rank, kinds),
                # a branch of the design leads there (a detour can be one)
                "branch": by_id[target] in by_id[source].branch_ids.to_step_id,
                # detours: the median time spent in the alternate step
                "median_hours": _json(detour_hours.get((source, target))),
            }
            for source, target, count in edge_rows
        ]
        return {"nodes": nodes, "edges": edges}

    # ------------------------------------------------------------
    # VARIANTS AND CONFORMANCE
    # ------------------------------------------------------------
    @api.model
    def _pi_path_departure(self, path, steps, rank, kinds):
        """Where and when a path (step ids) first leaves the design: (position, step id,
        kind), or None when it follows it; the position is how many steps of the path
        had been entered then (the departing move's target is the last of them).
        Entering after the first step is a skip of the first step. A detour (an
        alternate step in the path) follows the design when a branch of the stage step
        it was entered from leads to it; the record stays in that stage step meanwhile,
        so the next stage step is judged from it (or is the step the alternate step
        returns to). A step entered again right after itself was left for no step and
        re-entered (reopened): no move to judge."""
        by_id = {step.id: step for step in steps}
        if any(sid not in by_id for sid in path):
            by_id.update({s.id: s for s in self.env["guide.step"].browse(path).exists()})
        main = [step for step in steps if kinds.get(step.id, "step") == "step"]
        if main and path and path[0] != main[0].id:
            if path[0] not in rank or kinds.get(path[0], "step") != "step":
                return 1, main[0].id, EDGE_DETOUR
            return 1, main[0].id, EDGE_SKIP
        source, detour = (path[0], None) if path else (None, None)
        for position, target in enumerate(path[1:], start=2):
            if target == source and not detour:
                # back in the step it left for no step (a ticket cancelled, then reopened):
                # no move, as on the map (no edge, no backward move)
                continue
            if source not in rank or target not in rank:
                return position, source, EDGE_DETOUR
            if kinds.get(target, "step") != "step":
                if by_id[target] not in by_id[source].branch_ids.to_step_id:
                    return position, source, EDGE_DETOUR
                detour = by_id[target]
                continue
            if not (detour and detour.alt_return_step_id.id == target):
                kind = self._pi_edge_kind(by_id[source], by_id[target], rank, kinds)
                if kind != EDGE_DESIGNED:
                    return position, source, kind
            source, detour = target, None
        return None

    @api.model
    def _pi_first_departures(self, departure, overrides, count, overridden):
        """How the ``count`` records of a variant first left the design: {(step id, kind):
        records}, and how many followed it. ``departure``: where its path leaves the
        design (``_pi_path_departure``, None when it follows it); ``overrides``: the
        ``overridden`` records by their first override, [(step id, position, records)].
        An override counts where it happened before the path left the design; the move
        that left it, when that move was itself forced by override, counts as the path's
        departure (skip, not allowed, backward, detour)."""
        departures = {}
        for step_id, position, n in overrides:
            if departure and departure[0] <= (position or 0):
                key = departure[1:]
            else:
                key = (step_id, DEVIATION_OVERRIDE)
            departures[key] = departures.get(key, 0) + n
        if not departure:
            return departures, count - overridden
        if count > overridden:
            key = departure[1:]
            departures[key] = departures.get(key, 0) + count - overridden
        return departures, 0

    @api.model
    def _pi_variant_data(self, process, steps, filters):
        """Variants ranked by frequency and the conformance of ``process``: one query
        grouping the records' paths, one for the overrides of the variants."""
        cr = self.env.cr
        model = self.env[process.model_name]
        where = SQL(" AND ").join(
            [SQL("v.process_id = %s", process.id), *self._pi_filter_sql(filters, "v", "first_entered_at")]
        )
        cr.execute(
            SQL(
                """
            SELECT v.path_hash, min(v.path), count(*),
                   count(*) FILTER (WHERE v.override_count > 0),
                   count(*) FILTER (WHERE o.outcome = %(success)s),
                   count(*) FILTER (WHERE o.outcome = %(dropped)s),
                   percentile_cont(0.5) WITHIN GROUP (
                       ORDER BY %(throughput)s)
                       FILTER (WHERE o.closed_at IS NOT NULL AND o.outcome != %(open)s)
              FROM guide_record_variant v
              LEFT JOIN %(table)s r ON r.id = v.res_id
             CROSS JOIN LATERAL (SELECT %(outcome)s AS outcome, %(closed_at)s AS closed_at) o
             WHERE %(where)s
             GROUP BY v.path_hash
             ORDER BY count(*) DESC, min(v.path)
            """,
                success=OUTCOME_SUCCESS,
                dropped=OUTCOME_DROPPED,
                open=OUTCOME_OPEN,
                throughput=hours_between_sql(SQL("v.first_entered_at"), SQL("o.closed_at")),
                outcome=model._guide_outcome_sql("r"),
                closed_at=model._guide_closed_at_sql("r"),
                table=SQL.identifier(model._table),
                where=where,
            )
        )
        rows = cr.fetchall()
        cr.execute(
            SQL(
                """
            SELECT v.path_hash, v.first_override_step_id, v.first_override_position, count(*)
              FROM guide_record_variant v
             WHERE %s AND v.override_count > 0
             GROUP BY v.path_hash, v.first_override_step_id, v.first_override_position
            """,
                where,
            )
        )
        overrides = {}
        for path_hash, step_id, position, count in cr.fetchall():
            overrides.setdefault(path_hash, []).append((step_id, position, count))
        all_steps = steps
        kinds = {step.id: self._pi_node_kind(step) for step in all_steps}
        rank = {step.id: index for index, step in enumerate(all_steps)}
        names = {}
        total = conformant = 0
        deviations = {}
        variants = []
        for path_hash, path_text, count, overridden, success, dropped, median in rows:
            path = [int(sid) for sid in path_text.split(",")]
            departure = self._pi_path_departure(path, all_steps, rank, kinds)
            total += count
            departures, followed = self._pi_first_departures(
                departure, overrides.get(path_hash, []), count, overridden
            )
            conformant += followed
            for key, n in departures.items():
                deviations[key] = deviations.get(key, 0) + n
            if len(variants) < VARIANT_LIMIT:
                names.update({sid: None for sid in path})
                variants.append(
                    {
                        "hash": path_hash,
                        "path": path,
                        "count": count,
                        "share": 0.0,
                        "conformant": not departure,
                        "overridden": overridden,
                        "success": success,
                        "dropped": dropped,
                        "success_rate": success / (success + dropped) if success + dropped else False,
                        "median_hours": _json(median),
                    }
                )
        for variant in variants:
            variant["share"] = variant["count"] / total if total else 0.0
        names.update({step_id: None for step_id, _kind in deviations})
        step_names = {
            step.id: step.with_context(guide_step_short_name=True).display_name
            for step in self.env["guide.step"].browse([sid for sid in names if sid]).exists()
        }
        for variant in variants:
            variant["names"] = [step_names.get(sid, "?") for sid in variant["path"]]
        return {
            "variants": variants,
            "variant_count": len(rows),
            "conformance": {
                "records": total,
                "conformant": conformant,
                "share": conformant / total if total else False,
                "deviations": sorted(
                    (
                        {
                            "step_id": step_id,
                            "step": step_names.get(step_id, "?"),
                            "kind": kind,
                            "count": count,
                        }
                        for (step_id, kind), count in deviations.items()
                    ),
                    key=lambda d: (-d["count"], d["step"], d["kind"]),
                ),
            },
        }

    # ------------------------------------------------------------
    # MILESTONES
    # ------------------------------------------------------------
    @api.model
    def _pi_milestone_data(self, process, filters):
        """Time to each milestone of ``process``: over the records whose path (variant)
        matches ``filters``, how many reached it, and the median and 90th percentile of
        the hours from entering the process to reaching it. One query."""
        milestones = process.with_context(active_test=False).milestone_ids.sorted(
            lambda m: (m.sequence, m.id)
        )
        if not milestones:
            return []
        where = SQL(" AND ").join(
            [SQL("v.process_id = %s", process.id), *self._pi_filter_sql(filters, "v", "first_entered_at")]
        )
        cr = self.env.cr
        cr.execute(
            SQL(
                """
            SELECT r.milestone_id, count(*),
                   percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (
                       ORDER BY %s)
              FROM guide_record_variant v
              JOIN guide_milestone_reached r
                ON r.res_id = v.res_id AND r.res_model = v.res_model AND r.milestone_id IN %s
             WHERE %s
             GROUP BY r.milestone_id
            """,
                hours_between_sql(SQL("v.first_entered_at"), SQL("r.date")),
                tuple(milestones.ids),
                where,
            )
        )
        figures = {mid: (count, times) for mid, count, times in cr.fetchall()}
        cr.execute(SQL("SELECT count(*) FROM guide_record_variant v WHERE %s", where))
        records = cr.fetchone()[0]
        result = []
        for milestone in milestones:
            count, (median, p90) = figures.get(milestone.id, (0, (None, None)))
            result.append(
                {
                    "id": milestone.id,
                    "name": milestone.name,
                    "records": records,
                    "reached": count,
                    "share": count / records if records else False,
                    "median_hours": _json(median),
                    "p90_hours": _json(p90),
                }
            )
        return result

    # ------------------------------------------------------------
    # DEMO
    # ------------------------------------------------------------
    @api.model
    def _pi_demo_generate(self, process_xmlid, count, variants, seed=16):
        """Demo data of the process map: ``count`` records of the process ``process_xmlid``
        with a past stage history along ``variants`` ([weight, [step positions, 0-based],
        outcome]), so that the map, the variants and the conformance tell a story when
        the demo opens. The records are created in their first step and put in their
        last one; their history is replaced by the generated one. Demo data only."""
        process = self.env.ref(process_xmlid, raise_if_not_found=False)
        if not process:
            return False
        steps = process.step_ids.sorted(lambda s: (s.sequence, s.id))
        model = self.env[process.model_name]
        plans, vals_list = self._pi_demo_plans(model, process, steps, count, variants, random.Random(seed))
        records = model.with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True).create(
            vals_list
        )
        self.env.flush_all()
        # the records are where their past history left them: moved in SQL (the gates and
        # policies judge the changes people make, not the demo's past), checklists synced
        table = SQL.identifier(model._table)
        # created when their history starts (times to close count from the creation)
        for record, (path, dates, _outcome, _overridden, _rate) in zip(records, plans, strict=True):
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s = %s, guide_step_id = %s, create_date = %s WHERE id = %s",
                    table,
                    SQL.identifier(model._guide_stage_field),
                    path[-1]._guide_stage().id,
                    path[-1].id,
                    dates[0],
                    record.id,
                )
            )
        self.env.invalidate_all()
        checklists = self._pi_demo_checklists(model, records, plans, random.Random(seed + 1))
        self._pi_demo_hint_reads(model, process, records, plans, random.Random(seed + 2))
        records._guide_sync_lines()
        self.env.flush_all()
        # the history the records would have lived, instead of their creation's
        self.env.cr.execute(
            SQL(
                "DELETE FROM guide_history WHERE res_model = %s AND res_id IN %s",
                model._name,
                tuple(records.ids),
            )
        )
        history = []
        for record, (path, dates, _outcome, overridden, _rate) in zip(records, plans, strict=True):
            previous = None
            for position, (step, date) in enumerate(zip(path, dates, strict=True)):
                hours = (date - dates[position - 1]).total_seconds() / 3600.0 if previous else 0.0
                expected = previous.expected_hours if previous else 0.0
                history.append(
                    {
                        "res_model": model._name,
                        "res_id": record.id,
                        "record_name": record.display_name,
                        "process_id": process.id,
                        "from_step_id": previous.id if previous else False,
                        "to_step_id": step.id,
                        "direction": "initial"
                        if not previous
                        else (
                            "forward"
                            if (step.sequence, step.id) > (previous.sequence, previous.id)
                            else "backward"
                        ),
                        "gate_result": "overridden" if previous and overridden[position - 1] else "free",
                        "date": date,
                        "owner_id": record[model._guide_owner_field].id,
                        "company_id": record.company_id.id if "company_id" in record._fields else False,
                        "duration_hours": hours,
                        "expected_hours": expected,
                        "overdue": bool(expected) and hours > expected,
                        **record._guide_history_values()[record.id],
                        # the checklist of the step left, as it was then
                        **(checklists.get((record.id, previous.id), {}) if previous else {}),
                    }
                )
                previous = step
        histories = self.env["guide.history"].sudo()._guide_create_rows(history)
        self._pi_demo_deviations(histories, random.Random(seed + 3))
        for record, (_path, dates, outcome, _overridden, _rate) in zip(records, plans, strict=True):
            record._pi_demo_close(outcome if outcome != OUTCOME_OPEN else False, dates[-1])
        # in their step (and stage) since their last move: the panel's times agree
        stage_date = model._pi_demo_stage_date_field()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET guide_step_entered_at = h.date%s FROM ("
                "  SELECT res_id, max(date) AS date FROM guide_history WHERE res_model = %s GROUP BY res_id"
                ") h WHERE h.res_id = %s.id AND %s.id IN %s",
                table,
                SQL(", %s = h.date", SQL.identifier(stage_date)) if stage_date else SQL(),
                model._name,
                table,
                table,
                tuple(records.ids),
            )
        )
        self.env.invalidate_all()
        # the closed ones' engines follow (their clocks stop); the open ones keep theirs,
        # running since the demo was loaded (started in their past, every one would
        # escalate at the next run of the scheduler)
        closed = [record.id for record, plan in zip(records, plans, strict=True) if plan[2] != OUTCOME_OPEN]
        model.browse(closed)._guide_after_moves_in_sql()
        self.env["guide.step.visit"]._pi_refresh(full=True)
        return True

    @api.model
    def _pi_demo_plans(self, model, process, steps, count, variants, rng):
        """The demo records to create (their values) and the past each will have lived
        (``plans``): its path through ``steps``, the dates it entered them, its outcome,
        which of its moves an override let through and how often its people did what
        no gate asked for; each owner's way of working is one of ``DEMO_AGENT_PROFILES``."""
        now = fields.Datetime.now()
        profiles = {}
        plans, vals_list = [], []
        for index in range(count):
            vals = model._pi_demo_record_vals(process, index, rng)
            owner = vals.get(model._guide_owner_field) or False
            profile = profiles.setdefault(
                owner, DEMO_AGENT_PROFILES[len(profiles) % len(DEMO_AGENT_PROFILES)]
            )
            # the diligent win more often
            weights = [
                weight * (1 + 2 * profile["diligence"]) if outcome == OUTCOME_SUCCESS else weight
                for weight, _positions, outcome in variants
            ]
            _weight, positions, outcome = rng.choices(variants, weights=weights)[0]
            path = [steps[position] for position in positions]
            dates = [now - timedelta(days=rng.uniform(20, 200))]
            for step in path[:-1]:
                expected = (step.expected_hours or 24.0) * profile["pace"]
                dates.append(dates[-1] + timedelta(hours=expected * rng.lognormvariate(-0.2, 0.6)))
            if dates[-1] > now:
                shift = dates[-1] - now + timedelta(hours=rng.uniform(1, 48))
                dates = [date - shift for date in dates]
            override_rate = DEMO_OVERRIDE_RATE * profile["overrides"]
            overridden = [rng.random() < override_rate for _step in path[1:]]
            rate = min(max(DEMO_DONE_RATE[outcome] + profile["diligence"], 0.05), 0.95)
            plans.append((path, dates, outcome, overridden, rate))
            vals_list.append({**vals, model._guide_stage_field: path[0]._guide_stage().id})
        return plans, vals_list

    @api.model
    def _pi_demo_deviations(self, histories, rng):
        """The deviations of the demo moves an override let through (``histories``: the
        demo's history rows), justified by the record's owner as agents do."""
        reasons = self.env["guide.deviation.reason"].search([])
        overridden = histories.filtered(lambda row: row.gate_result == "overridden")
        steps = overridden.from_step_id.with_context(lang=None)
        titles = self.env["guide.deviation"]._guide_step_titles({step.id: step.name for step in steps})
        vals_list = []
        for history in overridden:
            step = history.from_step_id
            missing = (history.checklist_missing or "").splitlines()
            vals_list.append(
                {
                    "kind": "gate",
                    "rule_name": titles[step.id],
                    "rule_snapshot": json.dumps(
                        {
                            "step": step.name,
                            "gate_mode": step.gate_mode,
                            "missing_items": missing,
                            "disallowed_move": False,
                            "to_stage": history.to_step_id._guide_stage().display_name,
                        }
                    ),
                    "res_model": history.res_model,
                    "res_id": history.res_id,
                    "record_name": history.record_name,
                    "process_id": history.process_id.id,
                    "step_id": step.id,
                    "user_id": history.owner_id.id or self.env.uid,
                    "date": history.date,
                    "reason_id": rng.choice(reasons).id if reasons else False,
                    "reason": rng.choice(DEMO_OVERRIDE_JUSTIFICATIONS),
                    "history_id": history.id,
                    "company_id": history.company_id.id,
                }
            )
        self.env["guide.deviation"].sudo().create(vals_list)

    @api.model
    def _pi_demo_checklists(self, model, records, plans, rng):
        """The checklists of the steps the demo ``records`` went through (``plans``: their
        path, dates, outcome, overridden moves and done rate), ticked as their people would
        have: the items a gate asks for were done when the record left the step through it
        (and at times when an override let it through), the other items, and those of the
        step a record is in, at the record's rate: more often on the records that succeeded
        and by the diligent. Demo data only.

        :return: {(record id, step id): the history's figures of that checklist}"""
        # instead of the unticked checklist their creation gave them
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "DELETE FROM guide_line WHERE res_model = %s AND res_id IN %s",
                model._name,
                tuple(records.ids),
            )
        )
        self.env.invalidate_all()
        config = self.env["guide.process"]._get_guide_config(model._name)
        now = fields.Datetime.now()
        vals_list, figures = [], {}
        for record, (path, dates, _outcome, overridden, rate) in zip(records, plans, strict=True):
            for position, step in enumerate(path):
                if (record.id, step.id) in figures:
                    continue  # a step visited again: the same checklist
                left = position + 1 < len(path)
                lines = self._pi_demo_step_lines(
                    record,
                    config["steps"].get(step.id, {}).get("items", ()),
                    (dates[position], dates[position + 1] if left else now),
                    rate,
                    left and not overridden[position],
                    rng,
                )
                for vals in lines:
                    vals["step_id"] = step.id
                vals_list += lines
                # automatic items count as done: the demo does not evaluate them
                figures[record.id, step.id] = {
                    "checklist_done": sum(
                        1 for vals in lines if vals["checked"] or vals["completion"] != "manual"
                    ),
                    "checklist_total": len(lines),
                    "checklist_missing": "\n".join(
                        vals["name"]
                        for vals in lines
                        if vals["mandatory"] and vals["completion"] == "manual" and not vals["checked"]
                    )
                    or False,
                }
        self.env["guide.line"].sudo()._guide_bulk_create(vals_list)
        return figures

    @api.model
    def _pi_demo_step_lines(self, record, items, visit, rate, gated, rng):
        """The checklist lines of the demo ``record`` for one step (its ``items``) visited
        from ``visit[0]`` to ``visit[1]``: an item the gate asks for done when the record
        left it through the gate (``gated``), the others (manual ones) at ``rate``."""
        owner_id = record[record._guide_owner_field].id or self.env.uid
        company_id = record.company_id.id if "company_id" in record._fields else False
        start, end = visit
        lines = []
        for item in items:
            done = item["completion"] == "manual" and ((gated and item["mandatory"]) or rng.random() < rate)
            lines.append(
                {
                    **item,
                    "res_model": record._name,
                    "res_id": record.id,
                    "company_id": company_id,
                    "create_date": start,
                    "checked": done,
                    "checked_by_id": owner_id if done else False,
                    "checked_date": start + (end - start) * rng.uniform(0.1, 0.9) if done else False,
                }
            )
        return lines

    @api.model
    def _pi_demo_hint_reads(self, model, process, records, plans, rng):
        """The hints of ``process`` acknowledged on the demo ``records`` by their people,
        more often on the records that succeeded and by the diligent. Demo data only."""
        hints = self.env["guide.hint"].search(
            [("model_name", "=", model._name), ("process_id", "in", [process.id, False])]
        )
        vals_list = []
        for record, (_path, dates, _outcome, _overridden, rate) in zip(records, plans, strict=True):
            for hint in hints:
                if rng.random() < rate * DEMO_HINT_READ_SHARE:
                    vals_list.append(
                        {
                            "hint_id": hint.id,
                            "res_model": model._name,
                            "res_id": record.id,
                            "user_id": record[model._guide_owner_field].id or self.env.uid,
                            "kind": "ack",
                            "date": dates[0] + (dates[-1] - dates[0]) * rng.random(),
                            "company_id": record.company_id.id if "company_id" in record._fields else False,
                        }
                    )
        self.env["guide.hint.feedback"].sudo().create(vals_list)
