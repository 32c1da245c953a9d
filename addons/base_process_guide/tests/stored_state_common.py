"""Helpers of the stored-state tests (leads and tickets): the checklist figures
as stored and as the gate sees them, and the queries the product adds to a read."""

from unittest.mock import patch

from odoo.exceptions import AccessError

from odoo.addons.base_process_guide.tools import view_spec

from .perf_common import field_assignments

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

    def check_kanban_summary_put_in_the_cache(self, records):
        """The summary of a kanban page (counts, badges, flags) is put in the cache by
        value, not assigned field by field through the ORM's write machinery; the values
        are the records' own (one history row each)."""
        fnames = set(records[:1]._guide_summary_values({})) | set(records[:1]._guide_status_values({}))
        spec = {**view_spec(records.browse(), "kanban"), "guide_history_count": {}}
        self.env.invalidate_all()
        with field_assignments(records._name, fnames) as counts:
            values = records.web_read(spec)
        self.assertFalse(counts, "summary fields assigned one by one")
        self.assertEqual({row["guide_history_count"] for row in values}, {1})
        # the escalation and compliance values where those modules are installed (not
        # when a process guide bridge is tested alone)
        if "escalation_state" in values[0]:
            self.assertEqual({row["escalation_state"] for row in values}, {"none"})
        if "compliance_awaiting_approval" in values[0]:
            self.assertEqual({row["compliance_awaiting_approval"] for row in values}, {False})

    def check_kanban_reads_no_form_counts(self, records):
        """A kanban page evaluates what it shows (the status sub-selects, in one query)
        and none of the form's counts; the form evaluates both, once each."""
        Model = type(records)
        calls = []

        def columns_of(kind, original):
            def columns(self_):
                calls.append(kind)
                return original(self_)

            return columns

        with (
            patch.object(
                Model, "_guide_summary_columns", columns_of("summary", Model._guide_summary_columns)
            ),
            patch.object(Model, "_guide_status_columns", columns_of("status", Model._guide_status_columns)),
        ):
            self.env.invalidate_all()
            records.web_read(view_spec(records.browse(), "kanban"))
            kanban = list(calls)
            calls.clear()
            self.env.invalidate_all()
            records[:1].web_read(view_spec(records.browse(), "form"))
            form = sorted(calls)
        status = ["status"] if "escalation_state" in records._fields else []
        self.assertEqual(kanban, status, "a kanban page evaluates the form's counts")
        # one record: both kinds at once, in one query
        self.assertEqual(form, ["status", "summary"])

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

    def _assert_form_rows_checked_on_records(self, record, foreign):
        """The form of ``record`` (as its user) finds its checklist lines without the
        rows' access sub-queries, and their access is decided on the record in cache (no
        query); the rows of ``foreign``, a record that user may not read, are refused
        though their values are in cache."""
        user = record.env.user
        spec = view_spec(record.browse(), "form")
        Line = type(self.env["guide.line"])
        domain = Line._guide_record_access_domain
        self.env.invalidate_all()
        with patch.object(Line, "_guide_record_access_domain", autospec=True, side_effect=domain) as built:
            values = record.web_read(spec)[0]
        self.assertFalse(built.called, "the form's lines are found without the rows' access domain")
        lines = record.guide_current_line_ids
        self.assertTrue(lines)
        self.assertEqual([line["id"] for line in values["guide_current_line_ids"]], lines.ids)
        start = self.env.cr.sql_log_count
        lines.check_access("read")
        self.assertEqual(self.env.cr.sql_log_count - start, 0)
        # rows of a record the user may not read: in cache, refused all the same
        self.assertFalse(foreign.with_user(user).has_access("read"))
        for model_name in ("guide.line", "guide.history"):
            domain = [("res_model", "=", foreign._name), ("res_id", "=", foreign.id)]
            rows = self.env[model_name].search(domain)
            self.assertTrue(rows, model_name)
            rows.fetch(["res_model", "res_id", "company_id"])
            foreign.fetch(list(foreign._fields.keys() & {"user_id", "team_id", "company_id"}))
            rows = rows.with_user(user)
            with self.subTest(model=model_name):
                self.assertFalse(rows._filtered_access("read"))
                with self.assertRaises(AccessError):
                    rows.check_access("read")
                with self.assertRaises(AccessError):
                    rows.read(["res_id"])

    def _assert_checklist_evaluated_as_engine(self, record):
        """The form's checklist and hints (``record`` as its user) evaluate their conditions
        as the engine, in one query, as the gate and the stored figures do: no record rule
        of the user in the conditions' sub-selects."""
        Line = type(self.env["guide.line"])
        spec = view_spec(record.browse(), "form")
        self.env.invalidate_all()
        evaluate = Line._guide_filter_many
        with patch.object(Line, "_guide_filter_many", autospec=True, side_effect=evaluate) as ev:
            record.web_read(spec)
        self.assertEqual(ev.call_count, 1)
        self.assertTrue(ev.call_args.args[1].env.su)
        self.assertEqual(ev.call_args.args[1].env.uid, record.env.uid)
