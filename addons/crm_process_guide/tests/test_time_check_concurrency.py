"""The time checks against real PostgreSQL concurrency.

Unlike the other tests, these commit: the data lives in the database, each worker
runs in its own thread with its own connection and commits chunk after chunk as in
production. Everything committed is deleted again at the end (by the ids created).
"""

import threading
import uuid
from collections import defaultdict
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.base_process_guide.tests.time_check_common import T0

LEADS = 60
CHUNK = 7


@tagged("post_install", "-at_install")
class TestTimeCheckConcurrency(TransactionCase):
    """Two cron workers at once reach each milestone and enter each alternate step once."""

    def setUp(self):
        super().setUp()
        self.assertFalse(self.registry.in_test_mode())
        self.created = defaultdict(list)
        self.addCleanup(self._cleanup)
        # production workers commit per chunk: ask for it here, for this test only
        patcher = patch.object(self.registry["guide.time.check"], "_guide_no_commit", return_value=False)
        patcher.start()
        self.addCleanup(patcher.stop)
        with self.registry.cursor() as cr:
            cr.execute(SQL("SELECT (SELECT coalesce(max(id), 0) FROM ir_cron_trigger)"))
            self.last_trigger_id = cr.fetchone()[0]
            env = self._env(cr, {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True})
            suffix = uuid.uuid4().hex[:8]
            team = self._keep(env["crm.team"].create({"name": f"Time {suffix}"}))
            stage = self._keep(env["crm.stage"].create({"name": f"T-New {suffix}", "sequence": 3001}))
            process = self._keep(
                env["guide.process"].create(
                    {
                        "name": f"Time {suffix}",
                        "model_name": "crm.lead",
                        "crm_team_ids": [(6, 0, team.ids)],
                        "step_ids": [(0, 0, {"crm_stage_id": stage.id, "gate_mode": "advisory"})],
                    }
                )
            )
            self.milestone_id = (
                env["guide.milestone"]
                .create(
                    {
                        "process_id": process.id,
                        "name": "Waiting two days",
                        "condition": "[('guide_step_entered_at', '<', now(days=-2))]",
                    }
                )
                .id
            )
            self.alt_id = (
                env["guide.step"]
                .create(
                    {
                        "process_id": process.id,
                        "kind": "alternate",
                        "name": "Stalled",
                        "alt_auto_domain": "[('guide_step_entered_at', '<', now(days=-3))]",
                    }
                )
                .id
            )
            with freeze_time(T0):
                leads = env["crm.lead"].create(
                    [
                        {
                            "name": f"Time lead {index}",
                            "type": "opportunity",
                            "team_id": team.id,
                            "stage_id": stage.id,
                        }
                        for index in range(LEADS)
                    ]
                )
                env.flush_all()
            self.lead_ids = self._keep(leads).ids

    def _env(self, cr, context=None):
        if cr.transaction is None:
            # the test's registry: Odoo's test runner holds the registries' lock
            cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, context or {})

    def _keep(self, records):
        self.created[records._name] += records.ids
        return records

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            lead_ids = tuple(self.created.pop("crm.lead", []) or [0])
            cr.execute(
                SQL(
                    "DELETE FROM guide_history WHERE res_model = 'crm.lead' AND res_id IN %s; "
                    "DELETE FROM guide_milestone_reached WHERE res_model = 'crm.lead' AND res_id IN %s",
                    lead_ids,
                    lead_ids,
                )
            )
            env["crm.lead"].with_context(active_test=False).browse(lead_ids).exists().unlink()
            for model in ("guide.process", "crm.stage", "crm.team"):
                env[model].with_context(active_test=False).browse(self.created[model]).exists().unlink()
            cr.execute(SQL("DELETE FROM ir_cron_trigger WHERE id > %s", self.last_trigger_id))

    def _state(self):
        """{lead id: (milestone rows, detour rows, alternate step)}, read committed."""
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    """
                    SELECT l.id,
                           (SELECT count(*) FROM guide_milestone_reached m
                             WHERE m.res_model = 'crm.lead' AND m.res_id = l.id AND m.milestone_id = %s),
                           (SELECT count(*) FROM guide_history h
                             WHERE h.res_model = 'crm.lead' AND h.res_id = l.id AND h.alt_step_id = %s
                               AND h.direction = 'detour'),
                           l.guide_alt_step_id
                      FROM crm_lead l
                     WHERE l.id IN %s
                    """,
                    self.milestone_id,
                    self.alt_id,
                    tuple(self.lead_ids),
                )
            )
            return {row[0]: row[1:] for row in cr.fetchall()}

    def _worker(self, index, barrier, errors, done):
        threading.current_thread().testing = True  # no mail leaves the machine
        try:
            with self.registry.cursor() as cr:
                TimeCheck = self._env(cr)["guide.time.check"]
                barrier.wait(timeout=60)
                done[index] += TimeCheck._cron_guide_time_checks(chunk_size=CHUNK, time_limit=60)
                cr.commit()  # pylint: disable=invalid-commit
        except Exception as exc:  # noqa: BLE001 - reported by the test thread
            errors[index] = exc

    def test_two_workers_at_once(self):
        barrier = threading.Barrier(2)
        errors, done = {}, defaultdict(int)
        with freeze_time(T0 + timedelta(days=4)):
            threads = [
                threading.Thread(target=self._worker, args=(index, barrier, errors, done))
                for index in range(2)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            self.assertFalse(any(thread.is_alive() for thread in threads), "a worker is stuck")
            self.assertFalse(errors, "no worker fails: records another worker holds are left to it")
            # what a worker left to the other (held, then done by it) is taken by the next run
            with self.registry.cursor() as cr:
                done["next"] = self._env(cr)["guide.time.check"]._cron_guide_time_checks(
                    chunk_size=CHUNK, time_limit=60
                )
                cr.commit()  # pylint: disable=invalid-commit
        self.assertEqual(sum(done.values()), 2 * LEADS, f"each lead acted on once per rule: {dict(done)}")
        state = self._state()
        wrong = {lead_id: row for lead_id, row in state.items() if row != (1, 1, self.alt_id)}
        self.assertFalse(wrong, f"not exactly one milestone and one detour: {list(wrong.items())[:5]}")
