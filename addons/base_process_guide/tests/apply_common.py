from contextlib import contextmanager
from unittest.mock import patch

from psycopg2 import errors

from odoo.addons.base_process_guide.models import guide_apply_job
from odoo.addons.base_process_guide.models.guide_apply_job import PARAM_INLINE_LIMIT


class ApplyJobHelpers:
    """Helpers of the tests of configuration changes applied by the scheduler
    (``guide.apply.job``), for any guided model."""

    def _set_inline_limit(self, limit):
        self.env["ir.config_parameter"].sudo().set_param(PARAM_INLINE_LIMIT, str(limit))

    def _jobs(self):
        return self.env["guide.apply.job"].sudo().search([])

    def _run_jobs(self):
        self.env.invalidate_all()
        done = self.env["guide.apply.job"].sudo()._guide_run(time_limit=3600)
        self.env.invalidate_all()
        return done

    @contextmanager
    def _small_chunks(self, size=2):
        with patch.object(guide_apply_job, "CHUNK_SIZE", size):
            yield

    @contextmanager
    def _watch_chunks(self, config_model, fail_on=None, broken_ids=()):
        """Record the ids of each chunk applied by ``config_model``; the chunk number
        ``fail_on`` (1-based) raises a concurrency error, as a worker racing or dying
        mid-way (the chunk is left whole to the next run); a chunk holding one of
        ``broken_ids`` raises an ordinary error, as a record the change fails on."""
        chunks = []
        original = type(self.env[config_model])._guide_apply_chunk

        def apply_chunk(config, kind, records):
            if fail_on is not None and len(chunks) + 1 == fail_on:
                chunks.append(None)
                raise errors.SerializationFailure("worker died")
            chunks.append(records.ids)
            if set(records.ids) & set(broken_ids):
                raise RuntimeError("broken record")
            return original(config, kind, records)

        with patch.object(type(self.env[config_model]), "_guide_apply_chunk", apply_chunk):
            yield chunks
