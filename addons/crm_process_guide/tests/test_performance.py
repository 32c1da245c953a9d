from odoo.tests import tagged

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestPerformance(GuideCommon):
    """Query budgets: the guidance adds at most 8 queries per write() call,
    whatever the number of records (measured against the same write on
    unguided leads, i.e. vanilla behaviour, in the same database)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["guide.hint"].create(
            [
                {
                    "name": "Large deal",
                    "model_name": "crm.lead",
                    "domain": "[('expected_revenue', '>', 1000)]",
                },
                {"name": "Qualify fast", "model_name": "crm.lead", "step_ids": [(6, 0, cls.step_qualif.ids)]},
            ]
        )

    def _leads(self, count, team, **vals):
        return self.env["crm.lead"].create(
            [
                {
                    "name": f"Perf {team.name} {i}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "stage_id": self.stage_qualif.id,
                    "expected_revenue": 100,
                    "user_id": self.user_salesman.id,
                    **vals,
                }
                for i in range(count)
            ]
        )

    def _queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - start

    def _stage_write_overhead(self, count):
        guided = self._leads(count, self.team)
        self.env["guide.line"].sudo().search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", guided.ids), ("completion", "=", "manual")]
        ).write({"checked": True})
        vanilla = self._leads(count, self.other_team)
        self.assertEqual(guided.guide_step_id, self.step_qualif)
        self.assertFalse(vanilla.guide_process_id)
        # warm the caches (configuration cache, ORM metadata) on other records
        self._leads(2, self.team, expected_revenue=0).write({"stage_id": self.stage_qualif.id})
        vanilla_count = self._queries(lambda: vanilla.write({"stage_id": self.stage_proposal.id}))
        guided_count = self._queries(lambda: guided.write({"stage_id": self.stage_proposal.id}))
        self.assertEqual(guided.stage_id, self.stage_proposal)
        self.assertEqual(
            self.env["guide.history"].search_count(
                [("res_id", "in", guided.ids), ("direction", "=", "forward")]
            ),
            count,
        )
        return guided_count - vanilla_count

    def test_stage_write_budget_10(self):
        overhead = self._stage_write_overhead(10)
        self.assertLessEqual(overhead, 8, f"guided stage write of 10 leads costs {overhead} extra queries")

    def test_stage_write_budget_100(self):
        overhead = self._stage_write_overhead(100)
        self.assertLessEqual(overhead, 8, f"guided stage write of 100 leads costs {overhead} extra queries")

    def test_create_budget(self):
        self._leads(2, self.team)  # warm-up
        self._leads(2, self.other_team)
        for count in (10, 100):
            vanilla = self._queries(lambda count=count: self._leads(count, self.other_team))
            guided = self._queries(lambda count=count: self._leads(count, self.team))
            self.assertLessEqual(
                guided - vanilla, 8, f"guided create of {count} leads: +{guided - vanilla} queries"
            )

    def test_non_stage_write_untouched(self):
        guided = self._leads(20, self.team)
        self._queries(lambda: guided.write({"description": "warm"}))
        vanilla = self._leads(20, self.other_team)
        vanilla_count = self._queries(lambda: vanilla.write({"description": "Hello"}))
        guided_count = self._queries(lambda: guided.write({"description": "Hello"}))
        self.assertLessEqual(guided_count - vanilla_count, 0)
