from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL


@tagged("post_install", "-at_install")
class TestRecordIndex(TransactionCase):
    """The rows about a record (history, deviations, logs, requests...) are found by one
    index on (res_id, res_model): a kanban page looks them up once per record, and an
    index of ``res_model`` alone, which selects nearly every row, let the planner scan
    every history row of the model for each record of the page."""

    def _indexes(self, table):
        rows = self.env.execute_query(
            SQL("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", table)
        )
        return dict(rows)

    def test_rows_of_a_record_have_one_index(self):
        names = [
            name
            for name, model in self.env.registry.items()
            # the mixin's classes are in the MRO of every model built on it
            if not model._abstract and model._auto and hasattr(model, "_guide_record_index")
        ]
        # the engine's own tables, and those of the modules installed with it
        expected = {"guide.history", "guide.deviation", "escalation.log", "compliance.log"}
        self.assertLessEqual({name for name in expected if name in self.env}, set(names))
        for name in names:
            Model = self.env[name]
            indexes = self._indexes(Model._table)
            with self.subTest(model=name):
                if Model._guide_record_index:
                    self.assertIn(f"{Model._table}_record_idx", indexes)
                    self.assertIn("(res_id, res_model)", indexes[f"{Model._table}_record_idx"])
                if not Model._fields["res_model"].index:
                    self.assertNotIn(f"{Model._table}__res_model_index", indexes)

    def test_history_of_a_record_uses_the_index(self):
        plan = "\n".join(
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "EXPLAIN SELECT COUNT(*) FROM guide_history WHERE res_model = %s AND res_id = %s",
                    "crm.lead",
                    1,
                )
            )
        )
        self.assertNotIn("res_model_index", plan)

    def _plan(self, query):
        # the planner may prefer a scan on the small test tables: ask whether an index serves
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        try:
            return "\n".join(row[0] for row in self.env.execute_query(SQL("EXPLAIN %s", query)))
        finally:
            self.env.cr.execute("SET LOCAL enable_seqscan = on")

    def test_no_index_of_res_id_alone_on_hot_rows(self):
        """Rows written at every move (checklist lines, history, audit) fill no index of
        ``res_id`` or ``res_model`` alone: the lines of a record are found by their unique
        index, history and audit rows by (res_id, res_model); the stage write of many
        records pays one index less per row (two for the lines)."""
        tables = {"guide_line": "guide_line_record_item_uniq", "guide_history": "guide_history_record_idx"}
        if "compliance.log" in self.env:
            tables["compliance_log"] = "compliance_log_record_idx"
        for table, index in tables.items():
            indexes = self._indexes(table)
            with self.subTest(table=table):
                self.assertNotIn(f"{table}__res_id_index", indexes)
                self.assertNotIn(f"{table}__res_model_index", indexes)
                for model in ("crm.lead", "helpdesk.ticket"):
                    plan = self._plan(
                        SQL(
                            "SELECT id FROM %s WHERE res_model = %s AND res_id = ANY(%s)",
                            SQL.identifier(table),
                            model,
                            [1, 2, 3],
                        )
                    )
                    self.assertIn(index, plan)
