from unittest.mock import patch

from psycopg2 import errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.base_process_guide.models import guide_apply_job
from odoo.addons.base_process_guide.tests.apply_common import ApplyJobHelpers

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestDeferredApply(ApplyJobHelpers, GuideCommon):
    """Process and step saves concerning more records than the inline limit return
    without touching them; the scheduler applies them in chunks (issue 12)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_extra = cls.env["crm.stage"].create({"name": "G-Extra", "sequence": 1005})
        cls.leads = cls.env["crm.lead"].browse()
        for _index in range(3):
            cls.leads |= cls._lead(team_id=cls.other_team.id)
        cls.leads_extra = cls._lead(stage_id=cls.stage_extra.id) | cls._lead(stage_id=cls.stage_extra.id)

    def _state(self, records):
        """What a re-match decides for ``records``: process, step, checklist lines."""
        records.invalidate_recordset()
        lines = self.env["guide.line"].search(
            [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        )
        # steps and items by stage and name: the request's result is rolled back, and a
        # step created again has another id
        return {
            record.id: (
                record.guide_process_id.id,
                record.guide_step_id.crm_stage_id.id,
                sorted(
                    (line.step_id.crm_stage_id.id, line.item_id.name, line.checked)
                    for line in lines
                    if line.res_id == record.id
                ),
            )
            for record in records
        }

    def _sync_result(self, records, change):
        """The state of ``records`` after ``change`` applied in the request (rolled back)."""
        self._set_inline_limit(1_000_000)
        with self.env.cr.savepoint() as savepoint:
            change()
            self.assertFalse(self._jobs(), "few records: applied in the request")
            self.env.flush_all()
            result = self._state(records)
            savepoint.rollback()
        self.env.invalidate_all()
        return result

    def _check_deferred(self, records, change, cascaded=False):
        expected = self._sync_result(records, change)
        before = self._state(records)
        self.assertNotEqual(before, expected, "the change concerns these records")
        self._set_inline_limit(1)
        change()
        if not cascaded:
            self.assertEqual(self._state(records), before, "nothing applied in the request")
        self.assertTrue(self._jobs())
        process = self.process.with_user(self.user_manager)
        process.invalidate_recordset()
        self.assertTrue(process.guide_apply_pending, "the process form says it is being applied")
        self.assertGreaterEqual(process.guide_apply_remaining, len(records))
        with self._small_chunks(3):
            self.assertTrue(self._run_jobs())
        self.assertFalse(self._jobs())
        self.assertEqual(self._state(records), expected, "the same result as in the request")
        process.invalidate_recordset()
        self.assertFalse(process.guide_apply_pending)
        # a second run finds nothing to do and changes nothing
        self.assertTrue(self._run_jobs())
        self.assertEqual(self._state(records), expected)

    def test_scope_change_is_deferred(self):
        records = self.leads | self.leads_extra
        self._check_deferred(
            records,
            lambda: self.process.with_user(self.user_manager).write(
                {"crm_team_ids": [(4, self.other_team.id)]}
            ),
        )
        self.assertEqual(self.leads.guide_step_id, self.step_qualif)
        self.assertEqual(len(self.leads[0].guide_current_line_ids), 4, "entered the step with its checklist")

    def test_added_step_is_deferred(self):
        self._check_deferred(
            self.leads_extra,
            lambda: self.process.with_user(self.user_manager).write(
                {
                    "step_ids": [
                        (0, 0, {"crm_stage_id": self.stage_extra.id, "item_ids": [(0, 0, {"name": "X"})]})
                    ]
                }
            ),
        )
        self.assertEqual(self.leads_extra.guide_step_id.crm_stage_id, self.stage_extra)

    def test_step_stage_change_is_deferred(self):
        self._check_deferred(
            self.leads_extra,
            lambda: self.step_nego.with_user(self.user_manager).write({"crm_stage_id": self.stage_extra.id}),
        )
        self.assertEqual(self.leads_extra.guide_step_id, self.step_nego)

    def test_removed_step_in_use_is_refused_not_deferred(self):
        """Deleting a step records are in is refused (it would detach them and drop their
        lines, then leave re-matching them to the scheduler): nothing to apply."""
        leads = self._lead(stage_id=self.stage_nego.id) | self._lead(stage_id=self.stage_nego.id)
        self._set_inline_limit(1)
        with self.assertRaises(UserError):
            self.step_nego.with_user(self.user_manager).unlink()
        self.assertFalse(self._jobs())
        self.assertEqual(leads.guide_step_id, self.step_nego)

    def test_below_the_limit_the_save_applies_at_once(self):
        self._set_inline_limit(1_000_000)
        self.process.with_user(self.user_manager).write({"crm_team_ids": [(4, self.other_team.id)]})
        self.assertFalse(self._jobs())
        self.assertEqual(self.leads.guide_step_id, self.step_qualif)
        self.assertFalse(self.process.guide_apply_pending)

    def test_crash_mid_way_and_second_worker_apply_each_chunk_once(self):
        self._set_inline_limit(2)
        self.process.with_user(self.user_manager).write({"crm_team_ids": [(4, self.other_team.id)]})
        job = self._jobs()
        self.assertEqual(len(job), 1)
        with self._small_chunks(2):
            with (
                self._watch_chunks("guide.process", fail_on=2) as chunks,
                mute_logger("odoo.addons.base_process_guide.models.guide_apply_job"),
            ):
                self.assertFalse(self._run_jobs(), "the job is left for the next run")
            self.assertEqual(chunks[1], None)
            self.assertEqual(len(chunks), 2, "the failing job is left for the next run")
            first = chunks[0]
            self.assertEqual(job.last_id, first[-1], "the first chunk is done and recorded")
            done_before = job.done
            with self._watch_chunks("guide.process") as chunks_after:
                self.assertTrue(self._run_jobs())
        visited = [record_id for chunk in chunks_after for record_id in chunk]
        self.assertFalse(set(first) & set(visited), "the chunk done before the crash is not applied again")
        self.assertEqual(len(visited), len(set(visited)))
        self.assertEqual(done_before, len(first))
        self.assertEqual(self.leads.guide_step_id, self.step_qualif)
        for lead in self.leads:
            lines = self.env["guide.line"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            self.assertEqual(len(lines), len(self.step_qualif.item_ids), "one line per item, not two")

    def test_failing_record_is_skipped_and_the_job_goes_on(self):
        """A record the change fails on does not hold the others nor the job: its chunk is
        applied again record by record, the record skipped with a warning (no ERROR), the
        job done in the run and not retried whole at every run."""
        self._set_inline_limit(2)
        self.process.with_user(self.user_manager).write({"crm_team_ids": [(4, self.other_team.id)]})
        broken = self.leads[1]
        with (
            self._small_chunks(2),
            self._watch_chunks("guide.process", broken_ids=broken.ids) as chunks,
            self.assertLogs("odoo.addons.base_process_guide.models.guide_apply_job", "WARNING") as logs,
        ):
            self.assertTrue(self._run_jobs(), "the job is done in one run")
        self.assertFalse(self._jobs())
        self.assertFalse([line for line in logs.output if line.startswith("ERROR")], logs.output)
        skipped = [line for line in logs.output if f"crm.lead,{broken.id} failed" in line]
        self.assertEqual(len(skipped), 1, logs.output)
        self.assertIn("broken record", skipped[0])
        self.assertTrue(any("1 record(s) skipped" in line for line in logs.output), logs.output)
        self.assertEqual(chunks.count([broken.id]), 1, "the broken record tried once alone")
        self.assertEqual((self.leads - broken).guide_step_id, self.step_qualif, "the others applied")
        self.assertFalse(broken.guide_step_id, "the broken record rolled back")
        with self._watch_chunks("guide.process") as chunks_after:
            self.assertTrue(self._run_jobs())
        self.assertFalse(chunks_after, "nothing retried at the next run")

    def test_job_failing_as_a_whole_is_left_aside_after_a_few_runs(self):
        """A job failing whatever its records (its last step here) is retried at the next
        runs with a warning, then left aside with one ERROR; the next runs leave it alone
        (no log, no progress claimed) until the configuration is saved again."""
        self._set_inline_limit(2)
        self.process.with_user(self.user_manager).write({"crm_team_ids": [(4, self.other_team.id)]})
        job = self._jobs()
        Process = type(self.env["guide.process"])

        def finish(config, kind, target_model):
            raise RuntimeError("cannot finish")

        logger = "odoo.addons.base_process_guide.models.guide_apply_job"
        with patch.object(Process, "_guide_apply_finish", finish):
            levels = []
            for _run in range(guide_apply_job.MAX_ATTEMPTS):
                with self.assertLogs(logger, "WARNING") as logs:
                    self.assertFalse(self._run_jobs())
                levels.append([line.split(":")[0] for line in logs.output])
            self.assertEqual(levels, [["WARNING"]] * (guide_apply_job.MAX_ATTEMPTS - 1) + [["ERROR"]])
            self.assertEqual(job.attempts, guide_apply_job.MAX_ATTEMPTS)
            self.assertIn("cannot finish", job.last_error)
            process = self.process.with_user(self.user_manager)
            process.invalidate_recordset()
            self.assertEqual(
                (process.guide_apply_failed, process.guide_apply_pending), (True, False), "the form says so"
            )
            with (
                self.assertNoLogs(logger, "WARNING"),
                patch.object(type(self.env["ir.cron"]), "_notify_progress") as progress,
            ):
                self.assertFalse(self._run_jobs(), "left aside, not retried")
            progress.assert_not_called()
        self.assertEqual(self.leads.guide_step_id, self.step_qualif, "its records were applied")
        self.process.with_user(self.user_manager).write({"lead_type": "opportunity"})
        job.invalidate_recordset()
        self.assertEqual((job.attempts, job.last_error), (0, False), "a new save restarts it")
        self.assertTrue(self._run_jobs())
        self.assertFalse(self._jobs())

    def test_new_save_while_pending_restarts_the_job(self):
        self._set_inline_limit(2)
        self.process.with_user(self.user_manager).write({"crm_team_ids": [(4, self.other_team.id)]})
        job = self._jobs()
        with self._small_chunks(2):
            job._guide_run_chunk()
        self.assertTrue(job.last_id)
        self.process.with_user(self.user_manager).write({"lead_type": "opportunity"})
        job.invalidate_recordset()
        self.assertEqual(job.last_id, 0, "records done so far saw the former scope")
        self.assertEqual(len(self._jobs()), 1)
        self._run_jobs()
        self.assertEqual(self.leads.guide_step_id, self.step_qualif)

    def test_save_restarting_a_running_job_applies_the_saved_configuration(self):
        """A save from another process restarts a job between two of its chunks (its
        caches, not the worker's, cleared at once): the worker goes on from the first
        record with the configuration saved last, and the job ends done, not deleted
        with the records matched to the former configuration."""
        self._set_inline_limit(2)
        self.process.with_user(self.user_manager).write({"crm_team_ids": [(4, self.other_team.id)]})
        Job = type(self.env["guide.apply.job"])
        claim = Job._guide_claim
        claims = []

        def claim_then_save(job_model, domain):
            claims.append(domain)
            if len(claims) == 2:
                # the other process's save: the worker's cache is cleared only by its signal
                process = self.process.with_user(self.user_manager)
                with patch.object(type(self.env.registry), "clear_cache", lambda registry, *names: None):
                    process.write({"crm_team_ids": [(3, self.other_team.id)]})
                    self.env.cr.flush()  # its commit (a new version of the process)
                self.assertEqual(self._jobs().last_id, 0, "the save restarted the job")
            return claim(job_model, domain)

        refresh = guide_apply_job.refresh_registry_caches
        with (
            self._small_chunks(2),
            patch.object(Job, "_guide_claim", claim_then_save),
            patch.object(guide_apply_job, "refresh_registry_caches", wraps=refresh) as refreshed,
        ):
            self.assertTrue(self._run_jobs())
        self.assertFalse(self._jobs())
        self.assertFalse(self.leads.guide_process_id, "the scope saved last: the other team is out")
        # the caches other processes invalidated are checked before every chunk
        self.assertEqual(refreshed.call_count, len(claims) - 1, "every claim but the last, empty one")

    def test_apply_to_open_records_is_deferred(self):
        leads = self._lead() | self._lead()
        self.step_qualif.write({"item_ids": [(0, 0, {"name": "Added later", "sequence": 9})]})
        self._set_inline_limit(1)
        action = self.process.with_user(self.user_manager).action_apply_to_open_records()
        self.assertIn("scheduler", action["params"]["message"])
        self.assertNotIn("Added later", self._lines(leads[0]))
        self._run_jobs()
        leads.invalidate_recordset()
        self.assertIn("Added later", self._lines(leads[0]))

    def test_form_shows_the_pending_change(self):
        arch = (
            self.env["guide.process"]
            .with_user(self.user_manager)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="guide_apply_remaining"', arch)
        self.assertIn("Applying to", arch)

    def test_jobs_are_engine_state(self):
        self._set_inline_limit(2)
        self.process.with_user(self.user_manager).write({"crm_team_ids": [(4, self.other_team.id)]})
        job = self._jobs().with_user(self.user_manager)
        self.assertTrue(job.read(["total"]))
        with self.assertRaises(AccessError):
            job.write({"last_id": 10**9})
        with self.assertRaises(AccessError):
            job.unlink()

    def test_job_held_by_another_worker_is_left_to_it(self):
        self._set_inline_limit(1)
        self.process.with_user(self.user_manager).write({"crm_team_ids": [(4, self.other_team.id)]})
        cr = self.env.cr
        execute = type(cr).execute

        def racing(self_cr, query, *args, **kwargs):
            if "SKIP LOCKED" in str(query):
                raise errors.SerializationFailure("could not serialize access due to concurrent update")
            return execute(self_cr, query, *args, **kwargs)

        with patch.object(type(cr), "execute", racing), self.assertNoLogs("odoo.sql_db", "ERROR"):
            self.assertFalse(self._run_jobs(), "the job is left to the other worker")
        self.assertFalse(self.leads.guide_step_id)
        self.assertTrue(self._run_jobs())
        self.assertEqual(self.leads.guide_step_id, self.step_qualif)


@tagged("post_install", "-at_install")
class TestEnqueueDuringJob(TransactionCase):
    """A configuration saved again while its job runs (real connections, committed)."""

    def _env(self, cr):
        if cr.transaction is None:
            # the test's registry: Odoo's test runner holds the registries' lock
            cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def test_save_meeting_the_running_job_logs_no_error(self):
        """The save restarting a job the scheduler changed since the save began fails with
        a serialization error that Odoo retries (the save is then done): no ERROR logged."""
        self.assertFalse(self.registry.in_test_mode())
        key = ("guide.process", 0, "test_enqueue_during_job", "crm.lead")
        self.addCleanup(self._delete_job, key)
        with self.registry.cursor() as cr:
            self._env(cr)["guide.apply.job"]._guide_enqueue(self._env(cr)["guide.process"], *key[2:], 10)
        with self.registry.cursor() as cr:
            Job = self._env(cr)["guide.apply.job"]
            cr.execute(SQL("SELECT 1"))  # the save's snapshot
            with self.registry.cursor() as job_cr:  # the scheduler runs a chunk of the job
                job_cr.execute(
                    SQL(
                        "UPDATE guide_apply_job SET done = 5 WHERE res_model = %s AND kind = %s",
                        key[0],
                        key[2],
                    )
                )
            with (
                self.assertNoLogs("odoo.sql_db", "ERROR"),
                self.assertRaises(errors.SerializationFailure),
            ):
                Job._guide_enqueue(self._env(cr)["guide.process"], *key[2:], 10)
            cr.rollback()

    def _delete_job(self, key):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "DELETE FROM guide_apply_job WHERE res_model = %s AND res_id = %s AND kind = %s",
                    *key[:3],
                )
            )
