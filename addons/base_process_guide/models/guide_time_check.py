import logging
import time

from psycopg2 import errors

from odoo import api, models, tools
from odoo.tools import SQL

from ..tools import cron_time_limit, engine_no_commit, refresh_registry_caches
from . import guide_rule_language as rule_language
from .guide_condition_mixin import GUIDE_CONDITION_ERRORS

_logger = logging.getLogger(__name__)

# records claimed, evaluated and committed together
CHUNK_SIZE = 500
# engine flag (never read from the context): run the checks in the caller's transaction
FLAG_NO_COMMIT = "guide_time_no_commit"
# a concurrent worker changed or holds the records: its work, not an error
CONCURRENT_ERRORS = (errors.SerializationFailure, errors.LockNotAvailable, errors.UniqueViolation)


class GuideMixin(models.AbstractModel):
    _inherit = "guide.mixin"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _guide_time_scope_domain(self):
        """The records the scheduled time checks visit, besides being guided by a process
        with a time-based rule and active (bridges may narrow it)."""
        return []


class GuideTimeCheck(models.AbstractModel):
    """Conditions that become true with time alone.

    The write path evaluates automatic milestones and automatic entries into alternate
    steps when a record changes; a condition reading the clock (``today``, ``now`` and
    their offsets, e.g. ``[('guide_last_customer_message_date', '<', now(days=-3))]``)
    can become true while nobody touches the record. The scheduled action
    ``base_process_guide.guide_time_check_cron`` evaluates those rules, and only those
    (decided on the cached configuration), for the records not yet there: one query per
    rule and chunk claims the matching records (``FOR NO KEY UPDATE SKIP LOCKED``: two
    workers never take the same ones), then the engine acts as on the write path
    (``_guide_reach``, ``_guide_enter_auto_detours``: history, chatter, the engines'
    hooks). Chunks are committed in cron mode only; a rule that cannot be evaluated or a
    record that fails is skipped with a warning naming the rule. Between two chunks the
    caches another process's save invalidated are cleared: a rule changed meanwhile goes
    on as it is now, from the first record, a rule removed stops.
    """

    _name = "guide.time.check"
    _description = "Process Guide: Time-Based Conditions"

    # ------------------------------------------------------------
    # CONFIGURATION (cached, no query)
    # ------------------------------------------------------------
    @api.model
    def _guide_reads_clock(self, condition):
        """Whether a stored condition reads the clock; one that no longer parses reads
        nothing (the write path warns about it)."""
        try:
            return rule_language.reads_clock(rule_language.parse(condition))
        except rule_language.GuideConditionError:
            return False

    @api.model
    @tools.ormcache("model_name")
    def _get_time_rules(self, model_name):
        """The automatic rules of a model whose condition reads the clock, from the cached
        configurations (cleared with them): a tuple of dicts ``{"kind": "milestone" |
        "alternate", "id", "process_id", "condition", "from_step_ids"}``. Empty for a
        model whose rules read only the records' fields: the cron costs it nothing."""
        rules = []
        milestones = self.env["guide.milestone"]._get_milestone_config(model_name)
        for process_id, items in milestones["auto"].items():
            for milestone_id, condition in items:
                if self._guide_reads_clock(condition):
                    rules.append(
                        {
                            "kind": "milestone",
                            "id": milestone_id,
                            "process_id": process_id,
                            "condition": condition,
                            "from_step_ids": frozenset(),
                        }
                    )
        guide_config = self.env["guide.process"]._get_guide_config(model_name)
        for alt in guide_config["alt_steps"].values():
            if alt["alt_auto_domain"] and self._guide_reads_clock(alt["alt_auto_domain"]):
                rules.append(
                    {
                        "kind": "alternate",
                        "id": alt["id"],
                        "process_id": alt["process_id"],
                        "condition": alt["alt_auto_domain"],
                        "from_step_ids": frozenset(alt["alt_from_step_ids"] or ()),
                    }
                )
        return tuple(rules)

    @api.model
    def _guide_rule_label(self, rule):
        model = "guide.milestone" if rule["kind"] == "milestone" else "guide.step"
        record = self.env[model].sudo().with_context(active_test=False).browse(rule["id"])
        return f"{model}({rule['id']}) {record.display_name!r}"

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------
    @api.model
    def _guide_no_commit(self):
        """No commit under tests, nor while the registry loads, nor under the engine flag
        ``guide_time_no_commit`` (a script running the checks in its transaction)."""
        return engine_no_commit(self.env, FLAG_NO_COMMIT)

    @api.model
    def _cron_guide_time_checks(self, chunk_size=CHUNK_SIZE, time_limit=None):
        """The scheduled action: evaluate the time-based rules of every guided model, chunk
        after chunk, each chunk committed (except under tests) and the progress reported.
        Stops at about half the cron time limit, leaving the rest to the next run (reported
        as remaining, so that Odoo runs it again at once).

        :return: the number of records that reached a milestone or entered an alternate step
        """
        self = self.sudo()
        time_limit = cron_time_limit(time_limit)
        state = {
            "started": time.monotonic(),
            "time_limit": time_limit,
            "no_commit": self._guide_no_commit(),
            "done": 0,
            "stopped": False,
        }
        for model_name in self.env["guide.process"]._guide_model_names():
            seen = []
            while not state["stopped"]:
                # the rules as configured now: one changed during the run starts again
                rule = next((rule for rule in self._get_time_rules(model_name) if rule not in seen), None)
                if rule is None:
                    break
                seen.append(rule)
                self._guide_time_run_rule(model_name, rule, chunk_size, state)
        self.env["ir.cron"]._notify_progress(done=state["done"], remaining=int(state["stopped"]))
        return state["done"]

    @api.model
    def _guide_time_run_rule(self, model_name, rule, chunk_size, state):
        """Evaluate ``rule`` on the records of ``model_name``, chunk after chunk in id order."""
        Model = self.env[model_name].sudo().with_context(active_test=True)
        try:
            domain = self.env["guide.condition.mixin"]._guide_domain(rule["condition"])
            Model._search(domain)
        except GUIDE_CONDITION_ERRORS as exc:
            _logger.warning(
                "Process guide: time check of %s skipped on %s, its condition no longer holds: %s",
                self._guide_rule_label(rule),
                model_name,
                exc,
            )
            return
        last_id = 0
        while True:
            ids = self._guide_time_claim(Model, rule, domain, last_id, chunk_size)
            if not ids:
                return
            last_id = ids[-1]
            state["done"] += self._guide_time_apply(Model.browse(ids), rule)
            self.env["ir.cron"]._notify_progress(done=state["done"], remaining=1)
            if not state["no_commit"]:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()  # memory bounded by one chunk
            if len(ids) < chunk_size:
                return
            if time.monotonic() - state["started"] >= state["time_limit"] or not refresh_registry_caches(
                self.env
            ):
                state["stopped"] = True
                return
            if rule not in self._get_time_rules(model_name):
                return  # changed or removed by a save during the run: not applied as it was

    @api.model
    def _guide_time_claim(self, Model, rule, domain, last_id, limit):
        """Lock up to ``limit`` records after ``last_id`` for which ``rule`` would act now
        and that no other worker holds: one query (the condition, the process, the scope,
        and not already done: the milestone not reached / not in an alternate step nor
        back from this one during the current stay)."""
        base = [
            ("guide_process_id", "=", rule["process_id"]),
            ("id", ">", last_id),
            *Model._guide_time_scope_domain(),
        ]
        if rule["kind"] == "milestone":
            not_done = SQL(
                """NOT EXISTS (SELECT 1 FROM guide_milestone_reached m
                                WHERE m.res_model = %s AND m.res_id = r.id AND m.milestone_id = %s)""",
                Model._name,
                rule["id"],
            )
        else:
            base.append(("guide_alt_step_id", "=", False))
            if rule["from_step_ids"]:
                base.append(("guide_step_id", "in", list(rule["from_step_ids"])))
            not_done = SQL(
                """NOT EXISTS (SELECT 1 FROM guide_history h
                                WHERE h.res_model = %s AND h.res_id = r.id AND h.direction = 'return'
                                  AND h.alt_step_id = %s
                                  AND (r.guide_step_entered_at IS NULL
                                       OR h.date >= r.guide_step_entered_at))""",
                Model._name,
                rule["id"],
            )
        query = Model._search(base + domain)
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """SELECT r.id FROM %s r
                            WHERE r.id IN %s AND %s
                            ORDER BY r.id
                            LIMIT %s
                              FOR NO KEY UPDATE SKIP LOCKED""",
                        SQL.identifier(Model._table),
                        query.subselect(),
                        not_done,
                        limit,
                    ),
                    log_exceptions=False,
                )
                return [row[0] for row in self.env.cr.fetchall()]
        except CONCURRENT_ERRORS:
            _logger.info(
                "Process guide: the records of time check %s are held by another worker",
                self._guide_rule_label(rule),
            )
            return []

    @api.model
    def _guide_time_act(self, records, rule):
        """What the write path does when the condition of ``rule`` holds on ``records``: the
        notes in the language of each record's owner (the scheduler has none: English)."""
        for lang, group in records._guide_by_owner_language().items():
            group = group.with_context(lang=lang) if lang else group
            if rule["kind"] == "milestone":
                group._guide_reach({record.id: [rule["id"]] for record in group}, "auto")
            else:
                alt = self.env["guide.process"]._get_guide_config(group._name)["alt_steps"].get(rule["id"])
                if alt:
                    group._guide_enter_auto_detours([alt])
        records.env.flush_all()

    @api.model
    def _guide_time_apply(self, records, rule):
        """Act on a claimed chunk in a savepoint; if it fails, record by record, a failing
        one skipped with a warning naming the rule. Returns the number of records done."""
        try:
            with self.env.cr.savepoint():
                self._guide_time_act(records, rule)
            return len(records)
        except CONCURRENT_ERRORS:
            self.env.invalidate_all()
            _logger.info(
                "Process guide: time check %s met records another worker changed; left to it",
                self._guide_rule_label(rule),
            )
            return 0
        except Exception:  # noqa: BLE001 - rolled back to the savepoint; isolate the failing records
            self.env.invalidate_all()
        done = 0
        for record in records:
            try:
                with self.env.cr.savepoint():
                    self._guide_time_act(record, rule)
                done += 1
            except Exception as exc:  # noqa: BLE001 - rolled back to the savepoint; the run goes on
                self.env.invalidate_all()
                _logger.warning(
                    "Process guide: time check of %s failed on %s,%s and was skipped: %s",
                    self._guide_rule_label(rule),
                    record._name,
                    record.id,
                    exc,
                )
        return done
