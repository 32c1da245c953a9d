"""Helpers of the stored-state tests (leads and tickets): the checklist figures
as stored and as the gate sees them, and the queries the product adds to a read."""

from odoo.addons.base_process_guide.tools import view_spec

FIGURES = ("guide_item_done", "guide_item_total", "guide_progress", "guide_blocked")
PRODUCT_MODULES = {
    "base_process_guide",
    "base_escalation",
    "base_policy_compliance",
    "crm_process_guide",
    "crm_escalation",
    "crm_policy_compliance",
    "helpdesk_process_guide",
    "helpdesk_escalation",
    "helpdesk_policy_compliance",
}


def without_product_fields(model, spec):
    """``spec`` without the fields the product's modules add: what the same view asks
    for on a database without the product (the baseline of the product's overhead)."""
    result = {}
    for name, sub_spec in spec.items():
        field = model._fields[name]
        if field._modules and not set(field._modules) - PRODUCT_MODULES:
            continue
        if field.relational and sub_spec.get("fields"):
            sub_spec = dict(
                sub_spec, fields=without_product_fields(model.env[field.comodel_name], sub_spec["fields"])
            )
        result[name] = sub_spec
    return result


class StoredStateMixin:
    """Helpers shared with the helpdesk tests."""

    def _stored(self, record):
        """The figures as stored in the database (not from the cache)."""
        record.invalidate_recordset(list(FIGURES))
        return tuple(record[fname] for fname in FIGURES)

    def _live(self, record):
        """The figures as the gate evaluates them now."""
        record.invalidate_recordset(["guide_current_line_ids"])
        lines = record.guide_current_line_ids
        done = lines.filtered("is_done")
        blocked = bool(lines.filtered(lambda line: line.mandatory and not line.is_done))
        return (len(done), len(lines), 100.0 * len(done) / len(lines) if lines else 0.0, blocked)

    def assertFigures(self, record, expected):
        self.assertEqual(self._stored(record), expected)
        self.assertEqual(self._stored(record), self._live(record))

    def _read_queries(self, records, spec):
        # warm-up from a cold record cache, as measured (ORM metadata, rule and
        # configuration caches)
        self.env.flush_all()
        self.env.invalidate_all()
        records.web_read(spec)
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        records.web_read(spec)
        return self.env.cr.sql_log_count - start

    def _product_overhead(self, records, view_type):
        """Queries the product adds to a read of ``records`` with the view's fields: the
        same read of the fields the view has without the product is the baseline."""
        spec = view_spec(records.browse(), view_type)
        baseline = without_product_fields(records.browse(), spec)
        self.assertLess(len(baseline), len(spec))
        return self._read_queries(records, spec) - self._read_queries(records, baseline)
