import logging
import time

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..tools import cron_time_limit, engine_no_commit, execute_handled, refresh_registry_caches

_logger = logging.getLogger(__name__)

# Up to this number of records a configuration change is applied in the request
# (tests and users see its effect at once); above it, by the cron in chunks.
# Measured (bench/bench_admin_saves.py, 100,000 leads, loaded 2-core machine): 0.3 ms
# per record to re-match, 0.6 to refresh checklists, 0.8 to reschedule clocks, 1.0
# to re-evaluate an escalation rule; 500 records keep every save under 1 s.
# System parameter to change it:
PARAM_INLINE_LIMIT = "base_process_guide.apply_inline_limit"
DEFAULT_INLINE_LIMIT = 500
CHUNK_SIZE = 1000
# runs in a row a job may fail as a whole (not one of its records) before it is left
# aside until its configuration is saved again
MAX_ATTEMPTS = 3
# engine flag (never read from the context): run the jobs in the caller's transaction
FLAG_NO_COMMIT = "guide_apply_no_commit"


class GuideApplyJob(models.Model):
    """A configuration change being applied to many records, chunk after chunk.

    One row per configuration record (or per guided model, ``res_id`` 0) and
    kind of change. The cron visits the records of ``target_model`` the change
    concerns in id order, ``CHUNK_SIZE`` at a time; each chunk and the move of
    the cursor (``last_id``) are committed together, so that a worker dying
    mid-way loses nothing and never applies a chunk twice, and a second worker
    skips the row the first one holds (``FOR NO KEY UPDATE SKIP LOCKED``). A new
    change of the same configuration restarts the cursor. The row is deleted
    when the last chunk is done. Each chunk applies the configuration as it is
    when the chunk runs: the cached configuration another process's save
    invalidated during the run is read again (``_guide_read_config``).

    A chunk that fails is applied again record by record, each in its savepoint:
    the records that fail are skipped (logged, counted in ``failed``), the others
    applied, and the job goes on. A job that fails as a whole (its configuration,
    the records it concerns, its last step) is retried at the next runs, then left
    aside after ``MAX_ATTEMPTS`` runs in a row (``attempts``, ``last_error``) until
    its configuration is saved again. A concurrency error leaves the chunk whole to
    the next run, as Odoo retries a request.
    """

    _name = "guide.apply.job"
    _description = "Configuration Change Being Applied"
    _order = "id"

    res_model = fields.Char("Configuration Model", required=True, readonly=True)
    res_id = fields.Integer("Configuration Record", readonly=True, help="0: every record of the model.")
    kind = fields.Char(required=True, readonly=True)
    target_model = fields.Char("Records Of", required=True, readonly=True)
    last_id = fields.Integer("Done Up To", readonly=True)
    done = fields.Integer(readonly=True)
    total = fields.Integer(readonly=True)
    failed = fields.Integer("Records Skipped", readonly=True, default=0)
    attempts = fields.Integer("Failed Runs", readonly=True, default=0)
    last_error = fields.Text(readonly=True)

    _sql_constraints = [
        (
            "config_kind_uniq",
            "unique(res_model, res_id, kind, target_model)",
            "One pending job per configuration change.",
        ),
    ]

    # ------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------
    @api.model
    def _guide_inline_limit(self):
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_INLINE_LIMIT)
        try:
            return int(value) if value else DEFAULT_INLINE_LIMIT
        except ValueError:
            return DEFAULT_INLINE_LIMIT

    @api.model
    def _guide_enqueue(self, config, kind, target_model, total):
        """Create (or restart) the job of ``config`` (a record, or an empty recordset for
        a model-wide change) and wake the cron up. One statement, safe if two saves race; a
        save meeting the job as it runs fails with a serialization error that Odoo retries
        (the job restarts then), not logged as an error."""
        execute_handled(
            self.env.cr,
            SQL(
                """
                INSERT INTO guide_apply_job (res_model, res_id, kind, target_model, last_id, done, total,
                                             failed, attempts, create_uid, create_date, write_uid, write_date)
                VALUES (%(model)s, %(res_id)s, %(kind)s, %(target)s, 0, 0, %(total)s,
                        0, 0, %(uid)s, %(now)s, %(uid)s, %(now)s)
                ON CONFLICT (res_model, res_id, kind, target_model)
                DO UPDATE SET last_id = 0, done = 0, total = EXCLUDED.total,
                              failed = 0, attempts = 0, last_error = NULL,
                              write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                """,
                model=config._name,
                res_id=config.id or 0,
                kind=kind,
                target=target_model,
                total=total,
                uid=self.env.uid,
                now=self.env.cr.now(),
            ),
        )
        self.invalidate_model()
        self._guide_trigger()

    @api.model
    def _guide_trigger(self):
        cron = self.env.ref("base_process_guide.guide_apply_job_cron", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _guide_no_commit(self):
        """No commit under tests, nor while the registry loads, nor under the engine flag
        ``guide_apply_no_commit`` (a benchmark running the jobs in its transaction)."""
        return engine_no_commit(self.env, FLAG_NO_COMMIT)

    @api.model
    def _cron_apply(self):
        """The cron: apply the pending configuration changes."""
        self.sudo()._guide_run()

    @api.model
    def _guide_run(self, domain=None, time_limit=None):
        """Apply pending jobs (of ``domain``) chunk after chunk, committing each chunk and
        reporting progress, until none is left or about half the cron time limit is
        used. Returns whether no job of ``domain`` is left."""
        domain = domain or []
        no_commit = self._guide_no_commit()
        time_limit = cron_time_limit(time_limit)
        started = time.monotonic()
        done = 0
        left = []  # jobs left for the next run, so that they do not hold the others
        reached = {}  # job id: the cursor this run committed
        while True:
            runnable = expression.AND([domain, [("attempts", "<", MAX_ATTEMPTS), ("id", "not in", left)]])
            job = self._guide_claim(runnable)
            if not job:
                break
            if not job._guide_read_config(reached):
                break
            try:
                done += job._guide_run_chunk_isolated()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as exc:
                # a worker racing this one: the chunk is rolled back, left whole to the next run
                _logger.info(
                    "Applying configuration change %s met a concurrent update (%s); retried later",
                    job.id,
                    exc,
                )
                self.env.invalidate_all()
                left.append(job.id)
                continue
            except Exception as exc:  # noqa: BLE001 - the job as a whole failed: rolled back, retried a few times
                self.env.invalidate_all()
                job._guide_mark_failure(exc)
                left.append(job.id)
            reached[job.id] = job.exists().last_id
            others = self.search(runnable)
            remaining = sum(max(j.total - j.done, 0) for j in others)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if not no_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if time.monotonic() - started >= time_limit:
                break
        return not self.search_count(domain)

    @api.model
    def _guide_claim(self, domain):
        """The first job of ``domain`` no other worker holds, locked; one query."""
        query = self._search(domain, order="id", limit=1)
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("%s FOR NO KEY UPDATE SKIP LOCKED", query.select(SQL("id"))), log_exceptions=False
                )
                row = self.env.cr.fetchone()
        except (errors.SerializationFailure, errors.LockNotAvailable):
            # a worker racing this one changed the job: it is that worker's
            _logger.info("Process guide: the pending configuration jobs are held by another worker")
            return self.browse()
        return self.browse(row[0]) if row else self.browse()

    def _guide_read_config(self, reached):
        """Before a chunk of the claimed job: the configuration as it is now, not as cached
        when the run started. The caches another process invalidated are cleared; a job
        this run had taken further (``reached``: {job id: cursor}) and that a save restarted
        meanwhile clears them too, its save's signal may not be seen yet. Returns False when
        the registry changed (the run stops)."""
        self.ensure_one()
        if not refresh_registry_caches(self.env):
            return False
        self.invalidate_recordset(["last_id"])
        if self.last_id < reached.get(self.id, 0):
            self.env.registry.clear_cache()
        return True

    def _guide_run_chunk_isolated(self):
        """``_guide_run_chunk``; if the chunk fails, again record by record (each in its
        savepoint), the failing records skipped. Raises what fails the job as a whole."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                return self._guide_run_chunk()
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except Exception:  # noqa: BLE001 - rolled back to the savepoint; isolate the failing records
            self.env.invalidate_all()
        with self.env.cr.savepoint():
            return self._guide_run_chunk(each=True)

    def _guide_run_chunk(self, each=False):
        """Apply the change to the next chunk of records; returns their number. With
        ``each``, record by record, a record that fails skipped (``_guide_apply_each``)."""
        self.ensure_one()
        self.invalidate_recordset()  # the cursor as committed (a save may have restarted it)
        Config = self.env[self.res_model].sudo().with_context(active_test=False)
        config_record = Config.browse(self.res_id)
        if self.res_id and not config_record.exists():
            self.unlink()  # the configuration was deleted meanwhile
            return 0
        Target = self.env[self.target_model].sudo().with_context(active_test=False)
        domain = expression.AND(
            [config_record._guide_apply_domain(self.kind, self.target_model), [("id", ">", self.last_id)]]
        )
        ids = list(Target._search(domain, order="id", limit=CHUNK_SIZE))
        if not ids:
            config_record._guide_apply_finish(self.kind, self.target_model)
            if self.failed:
                _logger.warning(
                    "Applying %s,%s (%s) to %s: done, %s record(s) skipped (last error: %s)",
                    self.res_model,
                    self.res_id,
                    self.kind,
                    self.target_model,
                    self.failed,
                    self.last_error,
                )
            self.unlink()
            return 0
        vals = {"last_id": ids[-1], "done": self.done + len(ids), "attempts": 0}
        if each:
            failed, error = self._guide_apply_each(config_record, Target.browse(ids))
            if failed:
                vals.update(failed=self.failed + failed, last_error=error)
        else:
            config_record._guide_apply_chunk(self.kind, Target.browse(ids))
        self.write(vals)
        self.env.flush_all()
        self.env.invalidate_all()  # memory bounded by one chunk
        return len(ids)

    def _guide_apply_each(self, config_record, records):
        """Apply the change of ``config_record`` to each of ``records`` in its savepoint; a
        record that fails is rolled back and skipped: a refusal (access, validation) logged
        as info, anything else as a warning with its traceback. Returns the number of
        records skipped and the last error."""
        self.ensure_one()
        job_vals = {"kind": self.kind, "res_model": self.res_model, "res_id": self.res_id}
        failed, error = 0, False
        for record_id in records.ids:
            try:
                with self.env.cr.savepoint():
                    config_record._guide_apply_chunk(job_vals["kind"], records.browse(record_id))
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as exc:  # noqa: BLE001 - rolled back to the savepoint; the record is skipped
                refused = isinstance(exc, UserError)  # access and validation errors included
                _logger.log(
                    logging.INFO if refused else logging.WARNING,
                    "Applying %s,%s (%s) to %s,%s failed; the record is skipped: %s",
                    job_vals["res_model"],
                    job_vals["res_id"],
                    job_vals["kind"],
                    records._name,
                    record_id,
                    exc,
                    exc_info=not refused,
                )
                failed += 1
                error = f"{records._name},{record_id}: {exc}"[:2000]
        return failed, error

    def _guide_mark_failure(self, exc):
        """The job failed as a whole (rolled back): counted; left aside after ``MAX_ATTEMPTS``
        runs in a row, until its configuration is saved again."""
        self.ensure_one()
        attempts = self.attempts + 1
        self.write({"attempts": attempts, "last_error": str(exc)[:2000]})
        if attempts < MAX_ATTEMPTS:
            _logger.warning(
                "Applying %s,%s (%s) to %s failed (attempt %s of %s); retried at the next run",
                self.res_model,
                self.res_id,
                self.kind,
                self.target_model,
                attempts,
                MAX_ATTEMPTS,
                exc_info=True,
            )
        else:
            _logger.error(
                "Applying %s,%s (%s) to %s failed %s times in a row; left aside until the "
                "configuration is saved again: %s",
                self.res_model,
                self.res_id,
                self.kind,
                self.target_model,
                attempts,
                exc,
            )


class GuideApplyMixin(models.AbstractModel):
    """Configuration whose changes are applied to the records they concern.

    A change concerning few records is applied in the request; above the limit
    (system parameter ``base_process_guide.apply_inline_limit``) it becomes a
    ``guide.apply.job`` that the cron applies in chunks, and the form says so.
    Both paths apply the same hooks to the same records:

    - ``_guide_apply_domain(kind, target_model)``: the records concerned;
    - ``_guide_apply_chunk(kind, records)``: apply the change to some of them;
    - ``_guide_apply_finish(kind, target_model)``: after the last chunk.

    ``self`` is one configuration record, or an empty recordset for a change of
    the whole model (re-matching every record of a guided model).
    """

    _name = "guide.apply.mixin"
    _description = "Configuration Applied to Records"

    guide_apply_pending = fields.Boolean(
        string="Being Applied",
        compute="_compute_guide_apply",
        help="A change of this configuration is being applied to its records by the scheduler.",
    )
    guide_apply_remaining = fields.Integer(string="Records Left", compute="_compute_guide_apply")
    guide_apply_failed = fields.Boolean(
        string="Applying Failed",
        compute="_compute_guide_apply",
        help="Applying a change of this configuration failed several runs in a row: it is left "
        "aside until the configuration is saved again.",
    )

    def _compute_guide_apply(self):
        jobs = (
            self.env["guide.apply.job"]
            .sudo()
            .search_fetch([], ["res_model", "res_id", "kind", "target_model", "done", "total", "attempts"])
        )
        for record in self:
            mine = jobs.filtered(lambda job, rec=record: rec._guide_apply_concerns(job))
            failed = mine.filtered(lambda job: job.attempts >= MAX_ATTEMPTS)
            record.guide_apply_failed = bool(failed)
            record.guide_apply_pending = bool(mine - failed)
            record.guide_apply_remaining = sum(max(job.total - job.done, 0) for job in mine - failed)

    def _guide_apply_concerns(self, job):
        """Whether ``job`` applies a change of ``self`` (one record)."""
        return job.res_model == self._name and job.res_id == self._origin.id

    def _guide_apply_domain(self, kind, target_model):
        return []

    def _guide_apply_count(self, kind, target_model, limit=None):
        """Number of records the change concerns (counting stops above ``limit``)."""
        Target = self.env[target_model].sudo().with_context(active_test=False)
        return Target.search_count(
            self._guide_apply_domain(kind, target_model), limit=limit + 1 if limit is not None else None
        )

    def _guide_apply_chunk(self, kind, records):
        raise NotImplementedError(kind)

    def _guide_apply_finish(self, kind, target_model):
        return True

    def _guide_apply(self, kind, target_model):
        """Apply a change of ``self`` to the records of ``target_model`` it concerns:
        now when they are few, else by the cron (``guide.apply.job``)."""
        Job = self.env["guide.apply.job"].sudo()
        Target = self.env[target_model].sudo().with_context(active_test=False)
        config = self.sudo().with_context(active_test=False)
        limit = Job._guide_inline_limit()
        # a change left aside after failing runs is tried again by a new save
        Job.search(
            [("res_model", "=", self._name), ("res_id", "=", self.id or 0), ("attempts", ">=", MAX_ATTEMPTS)]
        ).write({"attempts": 0, "last_error": False})
        pending = Job.search_count(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id or 0),
                ("kind", "=", kind),
                ("target_model", "=", target_model),
            ]
        )
        if pending or config._guide_apply_count(kind, target_model, limit=limit) > limit:
            # a pending job restarts: the records done so far saw the former configuration
            Job._guide_enqueue(self, kind, target_model, config._guide_apply_count(kind, target_model))
            return False
        ids = list(Target._search(config._guide_apply_domain(kind, target_model), order="id"))
        for start in range(0, len(ids), CHUNK_SIZE):
            config._guide_apply_chunk(kind, Target.browse(ids[start : start + CHUNK_SIZE]))
        config._guide_apply_finish(kind, target_model)
        return True
