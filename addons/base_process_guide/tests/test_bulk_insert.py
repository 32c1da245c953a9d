"""``guide.bulk.mixin._guide_bulk_create``: one INSERT for any number of engine rows,
each value of a column shared by every row sent once (issue 12)."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBulkInsert(TransactionCase):
    def setUp(self):
        super().setUp()
        self.History = self.env["guide.history"].sudo()
        self.partners = self.env["res.partner"].create([{"name": f"Bulk {index}"} for index in range(3)])

    def _rows(self, count, **extra):
        return [
            {
                "res_model": "res.partner",
                "res_id": self.partners[index % 3].id,
                "record_name": f"Record {index}",
                "direction": "forward",
                "to_stage_name": "A stage every row has",
                "checklist_done": index,
                "checklist_total": 5,
                **extra,
            }
            for index in range(count)
        ]

    def _last_query(self):
        return self.env.cr._obj.query.decode()

    def test_constant_columns_sent_once(self):
        rows = self._rows(4)
        with self.assertQueryCount(1):
            histories = self.History._guide_create_rows(rows)
        query = self._last_query()
        # the value every row shares is sent once; the values that differ, row by row
        self.assertEqual(query.count("A stage every row has"), 1)
        for index in range(4):
            self.assertIn(f"Record {index}", query)
        self.env.invalidate_all()
        # the rows come back in the order of the values, with every value as given
        self.assertEqual(histories.mapped("record_name"), [f"Record {index}" for index in range(4)])
        self.assertEqual(histories.mapped("checklist_done"), [0, 1, 2, 3])
        self.assertEqual(histories.mapped("res_id"), [self.partners[index % 3].id for index in range(4)])
        self.assertEqual(set(histories.mapped("to_stage_name")), {"A stage every row has"})
        self.assertEqual(set(histories.mapped("direction")), {"forward"})
        self.assertEqual(histories.mapped("checklist_rate"), [0.0, 20.0, 40.0, 60.0])
        # rows without the access log (no creator and writer columns to check row by row)
        self.assertNotIn("create_uid", histories._fields)
        # their creation date is the transaction's: what finds the rows of this transaction
        made_now = self.History.search(
            [("id", "in", histories.ids), ("create_date", ">=", self.env.cr.now())]
        )
        self.assertEqual(made_now, histories)
        self.assertFalse(histories.filtered("process_id"))

    def test_creation_date_where_a_row_gives_none(self):
        dated = self._rows(2)
        dated[0]["create_date"] = "2026-01-15 10:00:00"
        histories = self.History._guide_create_rows(dated)
        self.env.invalidate_all()
        self.assertEqual(str(histories[0].create_date), "2026-01-15 10:00:00")
        self.assertTrue(histories[1].create_date)

    def test_rows_all_alike(self):
        rows = [{**self._rows(1)[0], "record_name": "Same"} for _index in range(3)]
        histories = self.History._guide_create_rows(rows)
        self.env.invalidate_all()
        self.assertEqual(len(histories), 3)
        self.assertEqual(histories.mapped("record_name"), ["Same"] * 3)
        self.assertEqual(len(set(histories.ids)), 3)

    def test_one_row_and_empty_values(self):
        histories = self.History._guide_create_rows(self._rows(1, from_stage_name=False, note=None))
        self.env.invalidate_all()
        self.assertEqual(len(histories), 1)
        self.assertEqual(histories.record_name, "Record 0")
        self.assertFalse(histories.from_stage_name)
        self.assertFalse(histories.note)
        # a column some rows leave out is empty there, set in the others
        histories = self.History._guide_create_rows([dict(self._rows(1)[0], note="Said"), self._rows(1)[0]])
        self.env.invalidate_all()
        self.assertEqual(histories.mapped("note"), ["Said", False])

    def test_rows_of_every_move_have_no_access_log_keys(self):
        """Checklist lines and history rows, written by thousands at a mass move, keep no
        creator/writer columns: each would be a foreign key checked row by row."""
        for table in ("guide_line", "guide_history"):
            self.env.cr.execute(
                """
                SELECT a.attname
                  FROM pg_constraint c
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
                 WHERE c.conrelid = %s::regclass AND c.contype = 'f'
                """,
                [table],
            )
            keys = {row[0] for row in self.env.cr.fetchall()}
            self.assertTrue(keys, table)
            self.assertFalse(keys & {"create_uid", "write_uid"}, table)
            if table == "guide_line":
                # its process is its step's
                self.assertFalse(keys & {"process_id"}, table)
        # the lines keep the date their record entered the step (effectiveness figures)
        self.assertIn("create_date", self.env["guide.line"]._fields)

    def test_engine_rows_refused_in_the_screens_words(self):
        user = new_test_user(self.env, login="bulk_rows_user", groups="base_process_guide.group_guide_user")
        history = self.History._guide_create_rows(self._rows(1))
        with self.assertRaises(AccessError) as caught:
            history.with_user(user).write({"note": "Mine", "create_date": "2020-01-01 00:00:00"})
        message = str(caught.exception)
        self.assertIn("Created on, Note", message)
        self.assertNotIn("guide.history", message)
        self.assertNotIn("create_date", message)
        with self.assertRaises(AccessError) as caught:
            self.History.with_user(user).create(self._rows(1))
        self.assertNotIn("guide.history", str(caught.exception))
        # a name no field has: quoted, shortened; at most ten names
        with self.assertRaises(AccessError) as caught:
            history.with_user(user).write({"y" * 5_000: 1, **{f"field_{i:02d}": 1 for i in range(20)}})
        message = str(caught.exception)
        self.assertIn("'field_00', 'field_01'", message)
        self.assertNotIn("field_10", message)
        self.assertNotIn("y" * 40, message)
        self.assertLess(len(message), 1_000)
