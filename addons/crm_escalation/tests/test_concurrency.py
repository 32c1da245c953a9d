"""The escalation cron against real PostgreSQL concurrency.

Unlike the other tests, these commit: the data lives in the database, each
worker runs in its own thread with its own connection and commits batch after
batch as in production. Everything committed is deleted again at the end (by
the ids created), so the test database stays as it was.
"""

import threading
import uuid
from collections import defaultdict
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.extensions import TransactionRollbackError

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.base_process_guide.tests.concurrency_common import ConcurrentRequests

LEADS = 200
BATCH = 20
ROUNDS = 3
MAX_RUNS = 20  # cron runs per worker and round: an early stop is re-run, as its trigger does


class WorkerKilled(BaseException):  # noqa: N818 - not an error: the process is gone
    """A worker dying mid-batch (no ``except Exception`` of the engine catches it)."""


@tagged("post_install", "-at_install")
class TestEscalationConcurrency(ConcurrentRequests, TransactionCase):
    """Two cron workers at once fire each level of each clock once; a worker that dies
    mid-batch leaves nothing of its batch, and the next run fires it once."""

    def setUp(self):
        super().setUp()
        # registry.cursor() must be a real connection (not the test cursor of an HttpCase)
        self.assertFalse(self.registry.in_test_mode())
        self.created = defaultdict(list)  # model -> ids, deleted in _cleanup
        self.addCleanup(self._cleanup)
        Clock = self.registry["escalation.clock"]
        # Under tests the engine never commits. Production workers commit per batch:
        # ask for it here, for this test only (no context key a client could send).
        patcher = patch.object(Clock, "_escalation_no_commit", return_value=False)
        patcher.start()
        self.addCleanup(patcher.stop)
        with self.registry.cursor() as cr:
            env = self._setup_env(cr)
            cr.execute(
                SQL(
                    "SELECT (SELECT coalesce(max(id), 0) FROM ir_cron_trigger),"
                    " (SELECT coalesce(max(id), 0) FROM bus_bus)"
                )
            )
            self.last_trigger_id, self.last_bus_id = cr.fetchone()
            # due clocks of the database (demo data) are set aside for the test
            cr.execute(
                SQL(
                    "SELECT id, next_escalation_at FROM escalation_clock "
                    "WHERE next_escalation_at <= %s AND state IN ('running', 'breached')",
                    fields.Datetime.now(),
                )
            )
            self.parked = cr.fetchall()
            if self.parked:
                cr.execute(
                    SQL(
                        "UPDATE escalation_clock SET next_escalation_at = NULL WHERE id IN %s",
                        tuple(row[0] for row in self.parked),
                    )
                )
            self._build(env, uuid.uuid4().hex[:8])

    def _setup_env(self, cr):
        """The test's own data is made without chatter (the workers run with an empty context)."""
        return self._env(cr, {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True})

    def _keep(self, records):
        self.created[records._name] += records.ids
        return records

    def _build(self, env, suffix):
        """A team, its guided process and a two-level rule (as in production: committed)."""
        leader = self._keep(
            new_test_user(
                env,
                login=f"conc_leader_{suffix}",
                groups="sales_team.group_sale_salesman_all_leads",
                name="Concurrency Leader",
            )
        )
        manager = self._keep(
            new_test_user(
                env,
                login=f"conc_manager_{suffix}",
                groups="sales_team.group_sale_manager",
                name="Conc Manager",
            )
        )
        salesman = self._keep(
            new_test_user(
                env,
                login=f"conc_salesman_{suffix}",
                groups="sales_team.group_sale_salesman",
                name="Conc Sales",
            )
        )
        team = self._keep(
            env["crm.team"].create(
                {"name": f"Concurrency {suffix}", "user_id": leader.id, "member_ids": [(4, salesman.id)]}
            )
        )
        stages = self._keep(
            env["crm.stage"].create(
                [
                    {"name": f"C-New {suffix}", "sequence": 3001, "team_id": team.id},
                    {"name": f"C-Qualified {suffix}", "sequence": 3002, "team_id": team.id},
                ]
            )
        )
        process = self._keep(
            env["guide.process"].create(
                {
                    "name": f"Concurrency {suffix}",
                    "model_name": "crm.lead",
                    "crm_team_ids": [(6, 0, team.ids)],
                    "step_ids": [
                        (0, 0, {"crm_stage_id": stage.id, "gate_mode": "advisory"}) for stage in stages
                    ],
                }
            )
        )
        rule = self._keep(
            env["escalation.rule"].create(
                {
                    "name": f"Concurrency {suffix}",
                    "model_name": "crm.lead",
                    "process_id": process.id,
                    "crm_team_ids": [(6, 0, team.ids)],
                    "trigger_type": "step_time",
                    "delay_unit": "hours",
                    "level_ids": [
                        (0, 0, {"name": "L1", "sequence": 0, "delay": 4, "assign_to": "team_leader"}),
                        (
                            0,
                            0,
                            {
                                "name": "L2",
                                "sequence": 1,
                                "delay": 8,
                                "assign_to": "user",
                                "assign_user_id": manager.id,
                            },
                        ),
                    ],
                }
            )
        )
        self.rule_id, self.levels = rule.id, rule.level_ids.ids
        self.team_id, self.stage_id = team.id, stages[1].id
        self.salesman_id, self.leader_id, self.manager_id = salesman.id, leader.id, manager.id

    def _leads(self, count):
        """``count`` leads that entered the rule's step 3 days ago (both levels due), committed."""
        with self.registry.cursor() as cr, freeze_time(fields.Datetime.now() - timedelta(days=3)):
            leads = self._setup_env(cr)["crm.lead"].create(
                [
                    {
                        "name": f"Concurrency lead {index}",
                        "type": "opportunity",
                        "team_id": self.team_id,
                        "user_id": self.salesman_id,
                        "stage_id": self.stage_id,
                    }
                    for index in range(count)
                ]
            )
            env = leads.env
            env.flush_all()  # at the frozen time
            self._keep(leads)
            return leads.ids

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._setup_env(cr)
            lead_ids = self.created.pop("crm.lead", [])
            cr.execute(
                SQL(
                    "DELETE FROM escalation_log"
                    " WHERE rule_id IN %s OR (res_model = 'crm.lead' AND res_id IN %s)",
                    tuple(self.created["escalation.rule"] or [0]),
                    tuple(lead_ids or [0]),
                )
            )
            cr.execute(
                SQL(
                    "DELETE FROM guide_history WHERE res_model = 'crm.lead' AND res_id IN %s",
                    tuple(lead_ids or [0]),
                )
            )
            env["crm.lead"].browse(lead_ids).exists().unlink()
            for model in ("escalation.rule", "guide.process", "crm.stage", "crm.team", "res.users"):
                records = env[model].with_context(active_test=False).browse(self.created[model]).exists()
                if model == "res.users":
                    partners = records.partner_id
                    records.unlink()
                    partners.unlink()
                else:
                    records.unlink()
            # the cron's next-run triggers and the assignment notifications of the test
            cr.execute(SQL("DELETE FROM ir_cron_trigger WHERE id > %s", self.last_trigger_id))
            cr.execute(SQL("DELETE FROM bus_bus WHERE id > %s", self.last_bus_id))
            for clock_id, due in self.parked:
                cr.execute(
                    SQL("UPDATE escalation_clock SET next_escalation_at = %s WHERE id = %s", due, clock_id)
                )

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------
    def _state(self, lead_ids):
        """{lead id: (fired level ids in log order, failed rows, level_index, user id)}, read committed."""
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    SELECT l.id,
                           coalesce(array_agg(g.level_id ORDER BY g.id)
                                    FILTER (WHERE g.outcome = 'done'), '{}'),
                           count(g.id) FILTER (WHERE g.outcome = 'failed'),
                           c.level_index, l.user_id
                      FROM crm_lead l
                      JOIN escalation_clock c
                        ON c.res_model = 'crm.lead' AND c.res_id = l.id AND c.rule_id = %s
                      LEFT JOIN escalation_log g
                        ON g.res_model = 'crm.lead' AND g.res_id = l.id AND g.rule_id = %s
                     WHERE l.id IN %s
                     GROUP BY l.id, c.level_index, l.user_id
                    """,
                    self.rule_id,
                    self.rule_id,
                    tuple(lead_ids),
                )
            )
            return {row[0]: (row[1], row[2], row[3], row[4]) for row in cr.fetchall()}

    def _due(self, cr):
        cr.execute(
            SQL(
                "SELECT count(*) FROM escalation_clock "
                "WHERE rule_id = %s AND next_escalation_at <= %s AND state IN ('running', 'breached')",
                self.rule_id,
                fields.Datetime.now(),
            )
        )
        return cr.fetchone()[0]

    def _assert_fired_once(self, lead_ids):
        state = self._state(lead_ids)
        self.assertEqual(len(state), len(lead_ids), "one clock per lead")
        expected = (self.levels, 0, 2, self.manager_id)
        wrong = {lead_id: values for lead_id, values in state.items() if values != expected}
        self.assertFalse(
            wrong,
            f"{len(wrong)} leads not fired exactly once per level (fired levels, failures, "
            f"level index, user); expected {expected}; e.g. {list(wrong.items())[:5]}",
        )

    def _worker(self, index, barrier, errors, done):
        """A cron worker: its own connection, started with the other one, re-run while work is due."""
        # a test thread, as Odoo's own: no mail leaves the machine
        threading.current_thread().testing = True
        try:
            with self.registry.cursor() as cr:
                Clock = self._env(cr)["escalation.clock"]
                barrier.wait(timeout=60)
                for _run in range(MAX_RUNS):
                    done[index] += Clock._cron_escalate(batch_size=BATCH, time_limit=60)
                    cr.commit()  # pylint: disable=invalid-commit
                    if not self._due(cr):
                        break
        except Exception as exc:  # noqa: BLE001 - reported by the test thread
            errors[index] = exc

    # ------------------------------------------------------------
    # tests
    # ------------------------------------------------------------
    def test_two_workers_at_once(self):
        """Two cron workers started together, three rounds: each level of each clock fires once."""
        for _round in range(ROUNDS):
            lead_ids = self._leads(LEADS)
            barrier = threading.Barrier(2)
            errors, done = {}, defaultdict(int)

            threads = [
                threading.Thread(target=self._worker, args=(index, barrier, errors, done))
                for index in range(2)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            self.assertFalse(any(thread.is_alive() for thread in threads), "a worker is stuck")
            self.assertFalse(errors, "no worker fails: a batch another worker holds is left to it")
            self.assertEqual(sum(done.values()), 2 * LEADS, "each clock claimed once per level")
            self.assertTrue(all(done[index] for index in range(2)), f"both workers fired: {dict(done)}")
            self._assert_fired_once(lead_ids)

    def test_worker_dies_mid_batch(self):
        """A worker dies in its third batch, after firing, before committing: nothing of that
        batch stays, the others cannot claim it meanwhile, and the next run fires it once."""
        lead_ids = self._leads(LEADS)
        Clock = self.registry["escalation.clock"]
        fire = Clock._escalation_fire
        batches, claimed_meanwhile = [], []

        def fire_then_die(clocks, now):
            held = fire(clocks, now)
            batches.append(clocks.ids)
            if len(batches) == 3:
                clocks.env.flush_all()  # the batch's rows are written, not committed
                with self.registry.cursor() as cr:
                    other = self._env(cr)["escalation.clock"]
                    claimed_meanwhile.extend(other._escalation_claim(fields.Datetime.now(), 10 * BATCH))
                    cr.rollback()
                raise WorkerKilled
            return held

        with (
            patch.object(Clock, "_escalation_fire", fire_then_die),
            self.assertRaises(WorkerKilled),
            self.registry.cursor() as cr,
        ):
            self._env(cr)["escalation.clock"]._cron_escalate(batch_size=BATCH, time_limit=60)
        self.assertEqual(len(batches), 3)
        killed = batches[2]
        self.assertFalse(set(killed) & set(claimed_meanwhile), "a batch in flight is not claimed twice")
        self.assertEqual(len(claimed_meanwhile), LEADS - BATCH, "the other due clocks were free")

        with self.registry.cursor() as cr:
            clocks = self._env(cr)["escalation.clock"].browse(killed)
            killed_leads = set(clocks.mapped("res_id"))
        state = self._state(lead_ids)
        committed = {lead_id for lead_id, values in state.items() if values[0]}
        self.assertEqual(len(committed), 2 * BATCH, "the two committed batches stay")
        self.assertFalse(committed & killed_leads, "nothing of the killed batch stays")
        for lead_id in killed_leads:
            self.assertEqual(state[lead_id], ([], 0, 0, self.salesman_id), "not fired, not reassigned")

        with self.registry.cursor() as cr:
            self._env(cr)["escalation.clock"]._cron_escalate(batch_size=BATCH, time_limit=60)
        self._assert_fired_once(lead_ids)

    def test_rule_deleted_while_a_worker_fires_it(self):
        """A rule deleted while a worker fires its clocks waits for the batch, then goes:
        no deadlock (the worker names the rule in its log rows while the deletion would hold
        the rule's row and wait for the clocks), no error logged, the batch's log rows kept."""
        lead_ids = self._leads(BATCH)
        Clock = self.registry["escalation.clock"]
        fire = Clock._escalation_fire
        claimed, resume = threading.Event(), threading.Event()
        errors = {}

        def fire_after_the_deletion_started(clocks, now):
            claimed.set()
            resume.wait(timeout=30)
            return fire(clocks, now)

        def worker():
            threading.current_thread().testing = True
            try:
                with self.registry.cursor() as cr:
                    self._env(cr)["escalation.clock"]._cron_escalate(batch_size=BATCH, time_limit=60)
            except Exception as exc:  # noqa: BLE001 - reported by the test thread
                errors["worker"] = exc

        def deletion():
            threading.current_thread().testing = True
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    # as a request is: run again on a concurrency failure (Odoo's
                    # ``retrying`` asks for the registry, which the test runner holds)
                    for _attempt in range(5):
                        try:
                            env["escalation.rule"].browse(self.rule_id).unlink()
                            cr.commit()  # pylint: disable=invalid-commit
                            break
                        except TransactionRollbackError:
                            cr.rollback()
                            env.invalidate_all(flush=False)
                    else:
                        raise AssertionError("the deletion failed five times")
            except Exception as exc:  # noqa: BLE001 - reported by the test thread
                errors["deletion"] = exc

        with (
            patch.object(Clock, "_escalation_fire", fire_after_the_deletion_started),
            self.assertNoLogs("odoo.sql_db", "ERROR"),
        ):
            firing = threading.Thread(target=worker)
            firing.start()
            self.assertTrue(claimed.wait(timeout=30), "the worker claimed its batch")
            deleting = threading.Thread(target=deletion)
            deleting.start()
            # the deletion is under way (waiting for the batch) before the worker writes its rows
            deleting.join(timeout=2)
            self.assertTrue(deleting.is_alive(), "the deletion waits for the worker's batch")
            resume.set()
            firing.join(timeout=60)
            deleting.join(timeout=60)
        self.assertFalse(firing.is_alive() or deleting.is_alive(), "nobody is stuck")
        self.assertFalse(errors)
        with self.registry.cursor() as cr:
            cr.execute(SQL("SELECT count(*) FROM escalation_rule WHERE id = %s", self.rule_id))
            self.assertEqual(cr.fetchone()[0], 0, "the rule is deleted")
            cr.execute(
                SQL(
                    "SELECT count(*), count(DISTINCT (res_id, level_name)), count(rule_id)"
                    " FROM escalation_log"
                    " WHERE res_model = 'crm.lead' AND res_id IN %s",
                    tuple(lead_ids),
                )
            )
            fired, distinct, naming = cr.fetchone()
        # the batch claimed fired its first level (and the next batch the second, when the
        # worker claimed it before the deletion did), once, its rows kept without their rule
        self.assertIn(fired, (BATCH, 2 * BATCH))
        self.assertEqual((distinct, naming), (fired, 0))

    def test_lead_a_user_is_changing_is_left_to_the_next_run(self):
        """A user's transaction holds a due lead (an UPDATE not committed yet) while the
        cron fires its levels: the cron neither waits for it nor fails on it (no ERROR, no
        *failed* log row, no failure counted); the other leads fire, the held one fires at
        the next run."""
        lead_ids = self._leads(3)
        held_id = lead_ids[0]
        errors, done = {}, {}

        def worker():
            threading.current_thread().testing = True
            try:
                with self.registry.cursor() as cr:
                    done["fired"] = self._env(cr)["escalation.clock"]._cron_escalate(
                        batch_size=BATCH, time_limit=60
                    )
            except Exception as exc:  # noqa: BLE001 - reported by the test thread
                errors["worker"] = exc

        with (
            self.assertNoLogs("odoo.sql_db", "ERROR"),
            self.assertNoLogs("odoo.addons.base_escalation.models.escalation_clock", "WARNING"),
        ):
            with self.registry.cursor() as user_cr:
                user_cr.execute(SQL("UPDATE crm_lead SET priority = '2' WHERE id = %s", held_id))
                firing = threading.Thread(target=worker)
                firing.start()
                firing.join(timeout=3)  # the cron would wait for the user's transaction
                # the user's save is committed meanwhile (while the cron waits, if it does)
            firing.join(timeout=60)
        self.assertFalse(firing.is_alive(), "the cron is not stuck")
        self.assertFalse(errors)
        state = self._state(lead_ids)
        self.assertEqual(state[held_id], ([], 0, 0, self.salesman_id), "not fired, no failure logged")
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT failure_count, last_error FROM escalation_clock"
                    " WHERE rule_id = %s AND res_model = 'crm.lead' AND res_id = %s",
                    self.rule_id,
                    held_id,
                )
            )
            self.assertEqual(cr.fetchone(), (0, None), "no failure counted on its clock")
        # the next run fires it, as the others were
        with self.registry.cursor() as cr:
            self._env(cr)["escalation.clock"]._cron_escalate(batch_size=BATCH, time_limit=60)
        self._assert_fired_once(lead_ids)

    def test_clock_changed_meanwhile_is_no_error(self):
        """The engine's bulk UPDATE of clocks (``_escalation_write_rows``) meeting a clock
        another transaction changed since this one began fails with a serialization error
        its callers handle (a job retries it, Odoo retries a request): no ERROR logged."""
        (lead_id,) = self._leads(1)
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT id FROM escalation_clock WHERE rule_id = %s AND res_id = %s",
                    self.rule_id,
                    lead_id,
                )
            )
            (clock_id,) = cr.fetchone()
        with self.registry.cursor() as cr:
            Clock = self._env(cr)["escalation.clock"]
            cr.execute(SQL("SELECT 1"))  # this transaction's snapshot
            with self.registry.cursor() as other:
                other.execute(SQL("UPDATE escalation_clock SET write_date = now() WHERE id = %s", clock_id))
            with (
                self.assertNoLogs("odoo.sql_db", "ERROR"),
                self.assertRaises(TransactionRollbackError),
            ):
                Clock.browse(clock_id)._escalation_write_rows({clock_id: {"failure_count": 0}})
            cr.rollback()

    def test_lead_escalated_by_hand_by_two_users_at_once(self):
        """Two managers confirm *Escalate* to the same user on the same lead at once: the
        second waits for the first (the lead's row locked first), then is refused in words
        as it would be after it; one reassignment, one log row, no error logged."""
        (lead_id,) = self._leads(1)

        def escalate(env):
            wizard = env["escalation.manual.wizard"].create(
                {
                    "res_model": "crm.lead",
                    "res_id": lead_id,
                    "rule_id": self.rule_id,
                    "user_id": self.manager_id,
                    "reason": "Customer waiting",
                }
            )
            wizard.action_confirm()
            env.flush_all()
            return True

        first, second = self._at_once(escalate, escalate)
        self.assertIs(first, True)
        self.assertIsInstance(second, UserError)
        self.assertIn("already owns", str(second))
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*) FROM escalation_log"
                    " WHERE res_model = 'crm.lead' AND res_id = %s AND trigger = 'manual'",
                    lead_id,
                )
            )
            self.assertEqual(cr.fetchone()[0], 1, "one manual escalation logged")
            cr.execute(SQL("SELECT user_id FROM crm_lead WHERE id = %s", lead_id))
            self.assertEqual(cr.fetchone()[0], self.manager_id)
