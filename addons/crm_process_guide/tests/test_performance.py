from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.base_process_guide.tests.perf_common import created_earlier, record_by_record_reads

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
        with created_earlier():
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


@tagged("post_install", "-at_install")
class TestPerformanceAsSalesperson(GuideCommon):
    """The guided write and create as a real salesperson (own documents), at 1 and 50
    leads: the guidance costs a constant number of queries whatever the number of
    records (the same growth as the unguided write or create, which is Odoo's own),
    within 8 queries of the unguided call, and a write on unguided leads costs what
    it costs without the product (its absolute count is pinned)."""

    # Odoo's crm stage write as a salesperson, and the same on guided leads
    _QUERIES = {("unguided", 1): 14, ("unguided", 50): 14, ("guided", 1): 19, ("guided", 50): 19}

    def _leads(self, count, team, **vals):
        with created_earlier():
            leads = self.env["crm.lead"].create(
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
            self.env["guide.line"].sudo().search(
                [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids), ("completion", "=", "manual")]
            ).write({"checked": True})
            return leads.with_user(self.user_salesman)

    def _count(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - start

    def _stage_write(self, team, count):
        leads = self._leads(count, team)
        return self._count(lambda: leads.write({"stage_id": self.stage_proposal.id}))

    def _create(self, team, count):
        Lead = self.env["crm.lead"].with_user(self.user_salesman)
        vals_list = [
            {
                "name": f"New {team.name} {i}",
                "type": "opportunity",
                "team_id": team.id,
                "stage_id": self.stage_qualif.id,
                "expected_revenue": 100,
                "user_id": self.user_salesman.id,
            }
            for i in range(count)
        ]
        return self._count(lambda: Lead.create(vals_list))

    def _warm(self):
        # configuration caches, ORM metadata, the salesperson's rules
        for team in (self.team, self.other_team):
            self._stage_write(team, 2)
            self._create(team, 2)

    def test_guided_stage_write_constant(self):
        self._warm()
        counts = {
            (team, count): self._stage_write(team, count)
            for team in (self.team, self.other_team)
            for count in (1, 50)
        }
        guided = {count: counts[self.team, count] for count in (1, 50)}
        unguided = {count: counts[self.other_team, count] for count in (1, 50)}
        self.assertEqual(
            guided[50] - guided[1],
            unguided[50] - unguided[1],
            f"the guided stage write grows with the number of leads: {guided} against {unguided} unguided",
        )
        for count in (1, 50):
            self.assertLessEqual(guided[count] - unguided[count], 8, f"{count} leads: {guided} / {unguided}")
        leads = self.env["crm.lead"].search([("team_id", "=", self.team.id), ("name", "=like", "Perf %")])
        self.assertEqual(set(leads.mapped("guide_step_id")), {self.step_proposal})
        self.assertEqual(
            self.env["guide.history"].search_count(
                [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids), ("direction", "=", "forward")]
            ),
            len(leads),
        )

    def test_guided_create_constant(self):
        self._warm()
        guided = {count: self._create(self.team, count) for count in (1, 50)}
        unguided = {count: self._create(self.other_team, count) for count in (1, 50)}
        self.assertEqual(
            guided[50] - guided[1],
            unguided[50] - unguided[1],
            f"the guided create grows with the number of leads: {guided} against {unguided} unguided",
        )
        for count in (1, 50):
            self.assertLessEqual(guided[count] - unguided[count], 8, f"{count} leads: {guided} / {unguided}")

    def test_query_counts(self):
        """Absolute ceilings (Odoo's ``assertQueryCount``) of the stage write as the
        salesperson: a write on unguided leads costs what Odoo's own write costs."""
        self._warm()
        for (kind, count), expected in self._QUERIES.items():
            leads = self._leads(count, self.team if kind == "guided" else self.other_team)
            self.env.flush_all()
            self.env.invalidate_all()
            with self.assertQueryCount(expected):
                leads.with_context(tracking_disable=True).write({"stage_id": self.stage_proposal.id})
            self.assertEqual(leads.stage_id, self.stage_proposal)

    def test_cached_values_read_the_batch_at_once(self):
        """The write path reads the moved leads' fields for the batch
        (``_guide_cached_values``): as many queries for 50 leads out of the cache as
        for one (not one per record), and the values the records have."""
        records = {count: self._leads(count, self.team) for count in (1, 50)}

        def read(recs):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            values = (recs._guide_cached_values("stage_id"), recs._guide_cached_values("guide_step_id"))
            return self.env.cr.sql_log_count - start, values

        read(records[1])  # the user's access rules, read once
        counts = {}
        for count, recs in records.items():
            counts[count], (stages, steps) = read(recs)
            self.assertEqual(stages, [self.stage_qualif.id] * count)
            self.assertEqual(steps, [self.step_qualif.id] * count)
        self.assertEqual(counts[50], counts[1], f"queries by number of leads: {counts}")

    def test_creation_reads_the_batch_at_once(self):
        """A guided creation reads the new leads' process and step for the batch (from the
        cache, ``_guide_cached_values``), not record by record: no more such reads for 30
        leads than for one; each lead still gets its step, checklist and history row."""
        self._warm()
        reads = {}
        for count in (1, 30):
            with record_by_record_reads("crm.lead", {"guide_process_id", "guide_step_id"}) as counts:
                self._create(self.team, count)
            reads[count] = sum(counts.values())
        # (one record's batch reads are record by record too)
        self.assertLessEqual(reads[30], reads[1], f"reads by number of leads: {reads}")
        leads = self.env["crm.lead"].search([("team_id", "=", self.team.id), ("name", "=like", "New %")])
        self.assertEqual(len(leads), 2 + 1 + 30)
        self.assertEqual(set(leads.mapped("guide_step_id")), {self.step_qualif})
        lines = self.env["guide.line"].search([("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)])
        self.assertEqual(len(lines), len(leads) * len(self.step_qualif.item_ids))
        history = self.env["guide.history"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)]
        )
        self.assertEqual(sorted(history.mapped("res_id")), sorted(leads.ids))

    def _updates_of_records(self, func):
        """The statements of ``func`` updating rows of the guided table."""
        statements, execute = [], Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            statements.append(query.code if isinstance(query, SQL) else str(query))
            return execute(cr, query, params, log_exceptions)

        self.env.flush_all()
        self.env.invalidate_all()
        with patch.object(Cursor, "execute", spy):
            func()
            self.env.flush_all()
        return [sql for sql in statements if "UPDATE" in sql and "crm_lead" in sql]

    def test_records_updated_once(self):
        """A guided stage write updates the moved records in the ORM's own UPDATE
        statements, checklist figures included, as many as the unguided write (the
        figures were written by an UPDATE of their own before)."""
        self._warm()
        guided, unguided = self._leads(20, self.team), self._leads(20, self.other_team)
        updates = {
            label: self._updates_of_records(
                lambda records=records: records.write({"stage_id": self.stage_proposal.id})
            )
            for label, records in (("unguided", unguided), ("guided", guided))
        }
        self.assertEqual(len(updates["guided"]), len(updates["unguided"]), updates["guided"])
        self.env.invalidate_all()
        for record in guided.sudo():
            lines = (
                self.env["guide.line"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", "crm.lead"),
                        ("res_id", "=", record.id),
                        ("step_id", "=", record.guide_step_id.id),
                    ]
                )
            )
            self.assertTrue(lines)
            self.assertEqual(record.guide_item_total, len(lines.filtered("is_applicable")))
            self.assertEqual(
                record.guide_item_done, len(lines.filtered(lambda line: line.is_applicable and line.is_done))
            )


@tagged("post_install", "-at_install")
class TestOutsideProcesses(GuideCommon):
    """Issue 12, unguided records: a write leaving leads outside every process goes
    straight to the ORM (no hook of the pipeline runs) when no engine acts outside
    processes; the engines say whether theirs do (escalation rules and policies of no
    process, tested in their modules). Here no engine acts outside processes."""

    def setUp(self):
        super().setUp()
        Lead = type(self.env["crm.lead"])
        patcher = patch.object(Lead, "_guide_acts_outside_processes", lambda self: False)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.addCleanup(self.env.registry.clear_cache)
        self.env.registry.clear_cache()
        self.phases = []
        run_phase = Lead._guide_run_phase

        def counted(records, phase, change):
            self.phases.append(phase)
            return run_phase(records, phase, change)

        phase_patcher = patch.object(Lead, "_guide_run_phase", counted)
        phase_patcher.start()
        self.addCleanup(phase_patcher.stop)

    def _plain_leads(self, count=2):
        return self.env["crm.lead"].create(
            [
                {
                    "name": f"Plain {index}",
                    "type": "opportunity",
                    "team_id": self.other_team.id,
                    "user_id": self.user_salesman.id,
                    "stage_id": self.stage_qualif.id,
                }
                for index in range(count)
            ]
        )

    def test_unguided_write_skips_the_pipeline(self):
        leads = self._plain_leads().with_user(self.user_salesman)
        self.phases.clear()
        leads.write({"stage_id": self.stage_proposal.id})
        leads.write({"priority": "2", "expected_revenue": 500})
        self.assertEqual(self.phases, [], "a write of unguided leads ran the pipeline")
        self.assertEqual(leads.stage_id, self.stage_proposal)
        self.assertFalse(leads.guide_step_id)

    def test_unguided_creation_skips_the_pipeline(self):
        self.phases.clear()
        leads = self._plain_leads(3)
        self.assertEqual(self.phases, [], "the creation of unguided leads ran the pipeline")
        guided = self.env["crm.lead"].create(
            {
                "name": "Guided",
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": self.stage_qualif.id,
            }
        )
        self.assertEqual(self.phases, ["collect", "judge", "after"])
        self.assertFalse(leads.guide_step_id)
        self.assertEqual(guided.guide_step_id, self.step_qualif)
        self.assertEqual(len(guided.guide_line_ids), 5)

    def test_guided_write_runs_the_pipeline(self):
        lead = self._plain_leads(1)
        guided = self.env["crm.lead"].create(
            {
                "name": "Guided",
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": self.stage_qualif.id,
            }
        )
        self.phases.clear()
        (guided | lead).with_user(self.user_manager).write({"priority": "1"})
        self.assertEqual(self.phases, ["collect", "judge_before", "judge", "after"])

    def test_write_of_a_scope_field_runs_the_pipeline(self):
        """A lead brought into a process by its team enters the step of its stage."""
        lead = self._plain_leads(1)
        self.phases.clear()
        lead.with_user(self.user_manager).write({"team_id": self.team.id})
        self.assertIn("after", self.phases)
        self.assertEqual(lead.guide_step_id, self.step_qualif)
        self.assertTrue(
            self.env["guide.history"].search_count([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        )

    def test_checked_context_key_refused_outside_processes(self):
        """A malformed override reason is refused on unguided leads too."""
        lead = self._plain_leads(1).with_user(self.user_salesman)
        with self.assertRaises(UserError):
            lead.with_context(guide_override_reason_id="not a reason").write(
                {"stage_id": self.stage_proposal.id}
            )

    def test_scope_follows_the_configuration(self):
        """A process whose condition reads a field makes that field a scope field (the
        cached scope is cleared with the configuration)."""
        Lead = self.env["crm.lead"]
        self.assertNotIn("priority", Lead._guide_outside_processes_scope()[0])
        self.process.domain = "[('priority', '=', '3')]"
        self.assertIn("priority", Lead._guide_outside_processes_scope()[0])
