"""Spies of the performance tests (leads and tickets): how the product reads and
assigns the values of a batch, counted independently of the machine's load."""

from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields


@contextmanager
def record_by_record_reads(model_name, fnames):
    """Count the reads of the relational fields ``fnames`` of ``model_name`` made
    through one record at a time (``record.field``; ``mapped`` and the batch reads
    of ``_guide_cached_values`` make none): a Counter {field name: reads}."""
    counts = Counter()
    get = fields._Relational.__get__

    def spy(field, records, owner=None):
        if (
            records is not None
            and len(records._ids) == 1
            and field.model_name == model_name
            and field.name in fnames
        ):
            counts[field.name] += 1
        return get(field, records, owner)

    with patch.object(fields._Relational, "__get__", spy):
        yield counts


@contextmanager
def field_assignments(model_name, fnames):
    """Count the assignments (``records.field = value``) of the fields ``fnames`` of
    ``model_name``: a Counter {field name: assignments}."""
    counts = Counter()
    set_ = fields.Field.__set__

    def spy(field, records, value):
        if field.model_name == model_name and field.name in fnames:
            counts[field.name] += 1
        return set_(field, records, value)

    with patch.object(fields.Field, "__set__", spy):
        yield counts


@contextmanager
def created_earlier():
    """Create the records of a count an hour before the writes counted. A record moved
    in the second it was created keeps its step entry time, and the ORM leaves an
    unchanged column out of its ``UPDATE``: a batch created across a second boundary
    would be written by two ``UPDATE`` statements instead of one, an extra query that
    depends on the clock (seen once in six runs)."""
    with freeze_time(datetime.now() - timedelta(hours=1)):
        yield
