from odoo.tests import tagged

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestPerformance(HelpdeskGuideCommon):
    """Query budget: a guided ticket stage write costs at most 8 queries more
    than the same write on unguided tickets (vanilla behaviour, same database),
    whatever the number of tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["guide.hint"].create(
            [
                {"name": "Urgent", "model_name": "helpdesk.ticket", "domain": "[('priority', '=', '3')]"},
                {
                    "name": "Triage fast",
                    "model_name": "helpdesk.ticket",
                    "step_ids": [(6, 0, cls.step_triage.ids)],
                },
            ]
        )

    def _tickets(self, count, team, **vals):
        return self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Perf {team.name} {i}",
                    "description": "<p>Perf</p>",
                    "team_id": team.id,
                    "stage_id": self.stage_triage.id,
                    "category_id": self.category.id,
                    "user_id": self.user_agent.id,
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
        guided = self._tickets(count, self.team)
        self.env["guide.line"].sudo().search(
            [
                ("res_model", "=", "helpdesk.ticket"),
                ("res_id", "in", guided.ids),
                ("completion", "=", "manual"),
            ]
        ).write({"checked": True})
        vanilla = self._tickets(count, self.other_team)
        self.assertEqual(guided.guide_step_id, self.step_triage)
        self.assertFalse(vanilla.guide_process_id)
        # warm the caches (configuration cache, ORM metadata) on other records
        self._tickets(2, self.team).write({"stage_id": self.stage_triage.id})
        vanilla_count = self._queries(lambda: vanilla.write({"stage_id": self.stage_progress.id}))
        guided_count = self._queries(lambda: guided.write({"stage_id": self.stage_progress.id}))
        self.assertEqual(guided.stage_id, self.stage_progress)
        self.assertEqual(guided.guide_step_id, self.step_progress)
        self.assertEqual(
            self.env["guide.history"].search_count(
                [
                    ("res_model", "=", "helpdesk.ticket"),
                    ("res_id", "in", guided.ids),
                    ("direction", "=", "forward"),
                ]
            ),
            count,
        )
        self.assertEqual(
            self.env["guide.line"].search_count(
                [
                    ("res_model", "=", "helpdesk.ticket"),
                    ("res_id", "in", guided.ids),
                    ("step_id", "=", self.step_progress.id),
                ]
            ),
            count,
        )
        return guided_count - vanilla_count

    def test_stage_write_budget_10(self):
        overhead = self._stage_write_overhead(10)
        self.assertLessEqual(overhead, 8, f"guided stage write of 10 tickets costs {overhead} extra queries")

    def test_stage_write_budget_100(self):
        overhead = self._stage_write_overhead(100)
        self.assertLessEqual(overhead, 8, f"guided stage write of 100 tickets costs {overhead} extra queries")

    def test_non_stage_write_untouched(self):
        guided = self._tickets(20, self.team)
        self._queries(lambda: guided.write({"notes": "<p>warm</p>"}))
        vanilla = self._tickets(20, self.other_team)
        vanilla_count = self._queries(lambda: vanilla.write({"notes": "<p>Hello</p>"}))
        guided_count = self._queries(lambda: guided.write({"notes": "<p>Hello</p>"}))
        self.assertLessEqual(guided_count - vanilla_count, 0)
