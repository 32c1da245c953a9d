from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.pipeline_common import DOCUMENTED_PIPELINE, PipelineCase
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTicketPipeline(PipelineCase, HelpdeskGuideCommon):
    """A ticket's guided write runs the documented phases, whatever the load order of the
    engines, once per ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["compliance.policy"].search([]).write({"active": False})
        cls.policy = cls.env["compliance.policy"].create(
            {
                "name": "Resolution note",
                "model_name": "helpdesk.ticket",
                "helpdesk_team_ids": [(6, 0, cls.team.ids)],
                "trigger": "stage",
                "step_ids": [(6, 0, cls.step_resolved.ids)],
                "requirement": "[('compliance_has_note', '=', True)]",
                "message": "Write how it was solved.",
                "enforcement": "warn",
            }
        )
        cls.escalation = "escalation.rule" in cls.env
        if cls.escalation:
            cls.env["escalation.rule"].search([]).write({"active": False})
            cls.env["escalation.rule"].create(
                {
                    "name": "Pipeline SLA",
                    "model_name": "helpdesk.ticket",
                    "process_id": cls.process.id,
                    "trigger_type": "step_time",
                    "delay_unit": "hours",
                    "level_ids": [(0, 0, {"name": "L1", "delay": 4, "assign_to": "team_leader"})],
                }
            )
        Ticket = cls.env["helpdesk.ticket"]
        cls.hooks = [name for names in Ticket._guide_pipeline_hooks().values() for name in names]

    def _rows(self, model, tickets):
        return self.env[model].search([("res_model", "=", "helpdesk.ticket"), ("res_id", "in", tickets.ids)])

    def test_pipeline_is_the_documented_one(self):
        self._assert_pipeline_documented(self.env["helpdesk.ticket"])
        if self.escalation:
            self.assertEqual(self.env["helpdesk.ticket"]._guide_pipeline_hooks(), DOCUMENTED_PIPELINE)

    def test_mass_write_runs_the_phases_once_in_order(self):
        tickets = self._ticket(stage_id=self.stage_waiting.id) | self._ticket(stage_id=self.stage_waiting.id)
        history, audit = self._rows("guide.history", tickets), self._rows("compliance.log", tickets)
        names = [*self.hooks, "_guide_judge_transitions", "_escalation_sync"]
        with self._record_calls(self.env["helpdesk.ticket"], names) as calls:
            tickets.with_user(self.user_agent).write({"stage_id": self.stage_resolved.id})
        self.assertEqual([name for name, _rec, _args in calls if name in self.hooks], self.hooks)
        judged = [
            info["record"].id
            for name, _rec, args in calls
            if name == "_guide_judge_transitions"
            for info in args[0]
        ]
        self.assertEqual(sorted(judged), sorted(tickets.ids))
        new_history = self._rows("guide.history", tickets) - history
        self.assertEqual(sorted(new_history.mapped("res_id")), sorted(tickets.ids))
        new_audit = self._rows("compliance.log", tickets) - audit
        self.assertEqual(sorted(new_audit.mapped("res_id")), sorted(tickets.ids))
        self.assertEqual(set(new_audit.mapped("outcome")), {"warned"})
        if self.escalation:
            synced = [
                rec_id for name, rec, _args in calls if name == "_escalation_sync" for rec_id in rec.ids
            ]
            self.assertEqual(sorted(synced), sorted(tickets.ids))
