from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.pipeline_common import DOCUMENTED_PIPELINE, PipelineCase

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestPipeline(PipelineCase, ComplianceCommon):
    """A lead's guided write runs the documented phases, whatever the load order of the
    engines; crm's double ``super().write`` of a won stage runs it once per lead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._policy(enforcement="warn")
        cls.stage_won2 = cls.env["crm.stage"].create({"name": "P-Won 2", "sequence": 3005, "is_won": True})
        cls.step_won2 = cls.env["guide.step"].create(
            {"process_id": cls.process.id, "crm_stage_id": cls.stage_won2.id, "gate_mode": "advisory"}
        )
        cls.escalation = "escalation.rule" in cls.env
        if cls.escalation:
            cls.env["escalation.rule"].search([]).write({"active": False})
            cls.rule = cls.env["escalation.rule"].create(
                {
                    "name": "Pipeline SLA",
                    "model_name": "crm.lead",
                    "process_id": cls.process.id,
                    "trigger_type": "step_time",
                    "delay_unit": "hours",
                    "level_ids": [(0, 0, {"name": "L1", "delay": 4, "assign_to": "team_leader"})],
                }
            )
        cls.hooks = [name for names in cls.env["crm.lead"]._guide_pipeline_hooks().values() for name in names]

    def _history(self, leads):
        return self.env["guide.history"].search([("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)])

    def _audit(self, leads):
        return self.Log.search([("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)])

    def test_pipeline_is_the_documented_one(self):
        self._assert_pipeline_documented(self.env["crm.lead"])
        if self.escalation:
            # every engine is installed in this database: all the documented hooks run
            self.assertEqual(self.env["crm.lead"]._guide_pipeline_hooks(), DOCUMENTED_PIPELINE)

    def test_phases_run_in_documented_order(self):
        lead = self._lead(stage_id=self.stage_negotiation.id)
        history = self._history(lead)
        with self._record_calls(self.env["crm.lead"], self.hooks) as calls:
            lead.with_user(self.user_salesman).write({"stage_id": self.stage_won.id})
        self.assertEqual([name for name, _rec, _args in calls], self.hooks)
        self.assertEqual(len(self._history(lead) - history), 1)
        self.assertEqual(self._audit(lead).outcome, "warned")

    def test_creation_runs_the_phases_after_create(self):
        self.policy.trigger = "create"
        with self._record_calls(self.env["crm.lead"], self.hooks) as calls:
            lead = self._lead(stage_id=self.stage_negotiation.id)
        self.assertEqual(
            [name for name, _rec, _args in calls],
            [name for name in self.hooks if name != "_guide_judge_move"],
        )
        self.assertEqual(len(self._history(lead)), 1)
        self.assertEqual(len(self._audit(lead)), 1)

    def test_won_stage_on_mixed_leads(self):
        """crm.lead.write calls super().write once for the leads not won yet, once for
        the ones already won: each lead goes through the pipeline once."""
        leads = (
            self._lead(name="Cold", stage_id=self.stage_new.id, probability=10)
            | self._lead(name="Warm", stage_id=self.stage_negotiation.id, probability=60)
            | self._lead(name="Won elsewhere", stage_id=self.stage_won2.id)
        )
        won_before = leads[2]
        self.assertEqual(won_before.probability, 100)
        history_before, audit_before = self._history(leads), self._audit(leads)
        names = [*self.hooks, "_guide_judge_transitions", "_escalation_sync"]
        with self._record_calls(self.env["crm.lead"], names) as calls:
            leads.with_user(self.user_salesman).write({"stage_id": self.stage_won.id})
        self.assertEqual(leads.mapped("probability"), [100, 100, 100])
        # the pipeline ran twice, on disjoint sets
        collected = [rec for name, rec, _args in calls if name == "_guide_collect_steps"]
        self.assertEqual(
            [set(rec.ids) for rec in collected], [set((leads - won_before).ids), {won_before.id}]
        )
        # the gate judged each lead once
        judged = [
            info["record"].id
            for name, _rec, args in calls
            if name == "_guide_judge_transitions"
            for info in args[0]
        ]
        self.assertEqual(sorted(judged), sorted(leads.ids))
        # one history row each, one audit row each at most (the two not won before: one)
        history = self._history(leads) - history_before
        self.assertEqual(sorted(history.mapped("res_id")), sorted(leads.ids))
        audit = self._audit(leads) - audit_before
        self.assertEqual(len(audit.mapped("res_id")), len(audit))
        self.assertLessEqual(set((leads - won_before).ids), set(audit.mapped("res_id")))
        if self.escalation:
            synced = [
                rec_id for name, rec, _args in calls if name == "_escalation_sync" for rec_id in rec.ids
            ]
            self.assertEqual(sorted(synced), sorted(leads.ids))
