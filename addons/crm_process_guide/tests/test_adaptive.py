from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.adaptive_common import AdaptiveCases
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestAdaptiveLead(RpcCase, AdaptiveCases, GuideCommon):
    """Optional tasks and milestones on leads, as a salesperson (own documents)."""

    auto_condition = "[('expected_revenue', '>', 100000)]"
    auto_vals = {"expected_revenue": 150000}
    restricted_group_xmlid = "sales_team.group_sale_manager"

    @classmethod
    def _adaptive_agent(cls):
        return cls.user_salesman

    @classmethod
    def _adaptive_record(cls, **vals):
        return cls._lead(**vals)

    @classmethod
    def _adaptive_outsider_record(cls):
        return cls._lead(name="Someone else's lead", user_id=cls.user_manager.id)

    @classmethod
    def _adaptive_first_step(cls):
        return cls.step_qualif

    @classmethod
    def _adaptive_next_stage(cls):
        return cls.stage_proposal

    def test_merge_carries_the_milestones_reached(self):
        """A merge deletes the merged leads: the milestones they reached and the lead they are
        merged into did not are reached by it too, as they were (when, by whom, how), with a
        note naming the merged lead; one it reached itself keeps its own row."""
        agent = self._adaptive_agent()
        head, tail = self._lead(name="Head", stage_id=self.stage_proposal.id), self._lead(name="Tail")
        for record in (tail, head):
            record.with_user(agent).write(dict(self.auto_vals))
        tail.with_user(agent).action_guide_reach_milestone(self.ms_manual.id, "Signed copy received")
        tail_rows = self._rows("guide.milestone.reached", tail)
        signed = tail_rows.filtered(lambda row: row.milestone_id == self.ms_manual)
        self.env.cr.execute(
            "UPDATE guide_milestone_reached SET date = '2024-03-01 09:00:00' WHERE id = %s", [signed.id]
        )
        signed.invalidate_recordset()
        head_auto = self._rows("guide.milestone.reached", head)
        merge = self.env["crm.merge.opportunity"].with_user(agent)
        merge.with_context(active_ids=(head | tail).ids, active_model="crm.lead").create(
            {"opportunity_ids": [(6, 0, (head | tail).ids)]}
        ).action_merge()
        self.assertFalse(tail.exists())
        rows = self._rows("guide.milestone.reached", head)
        self.assertEqual(rows.milestone_id, self.ms_auto | self.ms_manual)
        self.assertIn(head_auto, rows)
        carried = rows - head_auto
        self.assertEqual(
            (carried.milestone_id, str(carried.date), carried.user_id, carried.mode, carried.process_id),
            (self.ms_manual, "2024-03-01 09:00:00", agent, "manual", self.process),
        )
        self.assertEqual(carried.note, "Reached on Tail, merged into this record.\nSigned copy received")
        self.assertEqual(head.guide_milestone_ids, self.ms_auto | self.ms_manual)
        # the merged lead's own rows stay (the audit of what happened on it)
        self.assertEqual(self._rows("guide.milestone.reached", tail), tail_rows)
        self.assertTrue(
            head.message_ids.filtered(
                lambda m: "Milestones reached on the merged records: Adaptive signed" in str(m.body)
            )
        )
        # the agent reads them, as every row about the lead
        self.assertEqual(
            self.env["guide.milestone.reached"].with_user(agent).search([("res_id", "=", head.id)]), rows
        )

    def test_merge_moves_task_activities(self):
        """A merge moves the merged leads' activities to the lead they are merged into, those
        optional tasks added too (moving one by hand is refused); done there, they tick no
        line of that lead."""
        agent = self._adaptive_agent()
        task = self.env["guide.task"].create(
            {
                "step_id": self.step_qualif.id,
                "name": "Adaptive merged call",
                "kind": "activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "mandatory": True,
            }
        )
        head, tail = self._lead(name="Head"), self._lead(name="Tail")
        tail.with_user(agent).action_guide_add_task(task.id)
        activity = self._rows("guide.task.log", tail).activity_id
        merge = self.env["crm.merge.opportunity"].with_user(agent)
        merge.with_context(active_ids=(head | tail).ids, active_model="crm.lead").create(
            {"opportunity_ids": [(6, 0, (head | tail).ids)]}
        ).action_merge()
        self.assertFalse(tail.exists())
        self.assertEqual(activity.res_id, head.id)
        activity.with_user(agent).action_feedback("Called")
        self.assertFalse(self._rows("guide.line", head).filtered("checked_by_id"))
