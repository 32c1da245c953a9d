"""Optional tasks, milestones, alternate steps and ticks added twice at the same time (a
second click, two agents).

Unlike the other tests, these commit: each request runs in its own thread with its own
connection, through Odoo's ``retrying`` as an RPC call does. Everything committed is
deleted again at the end (by the ids created).
"""

import uuid

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from odoo.addons.base_process_guide.tests.concurrency_common import ConcurrentRequests


@tagged("post_install", "-at_install")
class TestAdaptiveConcurrency(ConcurrentRequests, TransactionCase):
    """The second of two requests adding the same optional task, marking the same
    milestone, entering the same alternate step or ticking the same line, started before
    the first commits, is judged as if it came after: one row, one activity, one chatter
    note, no error logged."""

    def setUp(self):
        super().setUp()
        self.assertFalse(self.registry.in_test_mode())
        self.created = {}
        self.addCleanup(self._cleanup)
        with self.registry.cursor() as cr:
            env = self._env(cr, {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True})
            suffix = uuid.uuid4().hex[:8]
            team = env["crm.team"].create({"name": f"Twice {suffix}"})
            stage = env["crm.stage"].create({"name": f"Twice {suffix}", "sequence": 3002})
            next_stage = env["crm.stage"].create({"name": f"Twice next {suffix}", "sequence": 3003})
            process = env["guide.process"].create(
                {
                    "name": f"Twice {suffix}",
                    "model_name": "crm.lead",
                    "crm_team_ids": [(6, 0, team.ids)],
                    "step_ids": [
                        (
                            0,
                            0,
                            {
                                "crm_stage_id": stage.id,
                                "gate_mode": "advisory",
                                "item_ids": [(0, 0, {"name": "Budget confirmed"})],
                            },
                        ),
                        (
                            0,
                            0,
                            {
                                "kind": "alternate",
                                "name": "Legal review",
                                "item_ids": [(0, 0, {"name": "Contract reviewed"})],
                            },
                        ),
                        (0, 0, {"crm_stage_id": next_stage.id, "gate_mode": "advisory"}),
                    ],
                    "milestone_ids": [(0, 0, {"name": "Contract sent", "reach_mode": "manual"})],
                }
            )
            step, _next_step, alternate = process.step_ids.sorted(
                lambda step: (step.kind != "stage", step.id)
            )
            task = env["guide.task"].create(
                {
                    "step_id": step.id,
                    "name": "Reference call",
                    "kind": "activity",
                    "activity_type_id": env.ref("mail.mail_activity_data_call").id,
                    "repeatable": False,
                }
            )
            lead = env["crm.lead"].create(
                {"name": f"Twice {suffix}", "type": "opportunity", "team_id": team.id, "stage_id": stage.id}
            )
            self.assertEqual(lead.guide_process_id, process)
            self.created = {
                "crm.lead": lead.ids,
                "guide.process": process.ids,
                "crm.stage": (stage | next_stage).ids,
                "crm.team": team.ids,
            }
            self.lead_id, self.task_id, self.milestone_id = lead.id, task.id, process.milestone_ids.id
            self.alternate_id, self.next_stage_id = alternate.id, next_stage.id

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            lead_ids = tuple(self.created.get("crm.lead") or [0])
            for table in ("guide_history", "guide_milestone_reached", "guide_task_log"):
                cr.execute(
                    SQL(
                        "DELETE FROM %s WHERE res_model = 'crm.lead' AND res_id IN %s",
                        SQL.identifier(table),
                        lead_ids,
                    )
                )
            env["mail.activity"].search([("res_model", "=", "crm.lead"), ("res_id", "in", lead_ids)]).unlink()
            env["crm.lead"].with_context(active_test=False).browse(lead_ids).exists().unlink()
            for model in ("guide.process", "crm.stage", "crm.team"):
                records = env[model].with_context(active_test=False).browse(self.created.get(model, []))
                records.exists().unlink()

    def _twice(self, method, *args, model="crm.lead", res_id=None):
        """``method`` of the lead (or of ``model``'s record ``res_id``) called by two
        requests at once: the second takes its snapshot before the first commits, and acts
        once the first added its row. Their results (or errors), first then second."""
        res_id = res_id or self.lead_id

        def call(env):
            return getattr(env[model].browse(res_id), method)(*args)

        return self._at_once(call, call)

    def _count(self, table, column, value):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*) FROM %s WHERE res_model = 'crm.lead' AND res_id = %s AND %s = %s",
                    SQL.identifier(table),
                    self.lead_id,
                    SQL.identifier(column),
                    value,
                )
            )
            return cr.fetchone()[0]

    def test_task_that_cannot_be_added_again_added_twice_at_once(self):
        first, second = self._twice("action_guide_add_task", self.task_id, "Asked by the customer")
        self.assertIs(first, True)
        self.assertIsInstance(second, UserError)
        self.assertIn("was already added", str(second))
        self.assertEqual(self._count("guide_task_log", "task_id", self.task_id), 1)
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*) FROM mail_activity WHERE res_id = %s AND res_model = 'crm.lead'",
                    self.lead_id,
                )
            )
            self.assertEqual(cr.fetchone()[0], 1, "one activity scheduled")

    def test_milestone_marked_twice_at_once(self):
        first, second = self._twice("action_guide_reach_milestone", self.milestone_id)
        self.assertIs(first, True)
        self.assertIsInstance(second, UserError)
        self.assertIn("already reached milestone Contract sent", str(second))
        self.assertEqual(self._count("guide_milestone_reached", "milestone_id", self.milestone_id), 1)

    def test_alternate_step_entered_twice_at_once(self):
        first, second = self._twice("action_guide_enter_alternate", self.alternate_id, "Legal asked")
        self.assertIs(first, True)
        self.assertIsInstance(second, UserError)
        self.assertIn("it is in the alternate step Legal review already", str(second))
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*) FROM guide_history WHERE res_model = 'crm.lead' AND res_id = %s "
                    "AND direction = 'detour'",
                    self.lead_id,
                )
            )
            self.assertEqual(cr.fetchone()[0], 1, "one detour")

    def test_line_ticked_twice_at_once(self):
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT id FROM guide_line WHERE res_model = 'crm.lead' AND res_id = %s",
                    self.lead_id,
                )
            )
            (line_id,) = cr.fetchone()
        first, second = self._twice("action_check", model="guide.line", res_id=line_id)
        self.assertIs(first, True)
        self.assertIs(second, True, "already ticked: nothing to do")
        with self.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT count(*) FROM mail_message WHERE model = 'crm.lead' AND res_id = %s "
                    "AND body LIKE %s",
                    self.lead_id,
                    "%Budget confirmed done%",
                )
            )
            self.assertEqual(cr.fetchone()[0], 1, "one tick in the chatter")

    def test_line_unticked_while_another_agent_moves_the_lead(self):
        """An agent unticks a line while another moves the lead on: the untick waits for
        the move (the lead's row locked first, as the move does) instead of failing on
        the lead's checklist figures, then is judged after it: the lead left the step,
        its checklist stays as it was. No error logged."""
        with self.registry.cursor() as cr:
            line = self._env(cr)["guide.line"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead_id)]
            )
            line.action_check()
            line_id = line.id

        def move(env):
            result = env["crm.lead"].browse(self.lead_id).write({"stage_id": self.next_stage_id})
            env.flush_all()  # the move holds the lead's row from now on
            return result

        def untick(env):
            return env["guide.line"].browse(line_id).action_uncheck()

        first, second = self._at_once(move, untick)
        self.assertIs(first, True)
        self.assertIsInstance(second, UserError)
        self.assertIn("left step", str(second))
        with self.registry.cursor() as cr:
            cr.execute(SQL("SELECT checked FROM guide_line WHERE id = %s", line_id))
            self.assertEqual(cr.fetchone()[0], True, "ticked when the lead left the step")
