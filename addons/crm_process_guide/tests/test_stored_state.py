"""Issue 12, read path: the checklist figures lists and kanbans show are stored on the
record and maintained by events; kanban and form reads stay within their query budgets."""

from odoo.tests import tagged

from ..tools import view_spec
from .common import GuideCommon
from .rpc_common import RpcCase

FIGURES = ("guide_item_done", "guide_item_total", "guide_progress", "guide_blocked")


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

    def _read_queries(self, records, spec):
        records.web_read(spec)  # warm-up (ORM metadata, configuration cache)
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        records.web_read(spec)
        return self.env.cr.sql_log_count - start


@tagged("post_install", "-at_install")
class TestStoredChecklistLead(StoredStateMixin, RpcCase, GuideCommon):
    def test_figures_follow_ticks_fields_and_steps(self):
        lead = self._lead(expected_revenue=0).with_user(self.user_salesman)
        # Budget, Decision maker, Expected revenue (auto, mandatory), Contact email (auto, optional)
        self.assertFigures(lead, (0, 4, 0.0, True))
        self._tick(lead, "Budget confirmed")
        self.assertFigures(lead, (1, 4, 25.0, True))
        # a field an automatic item reads, written by the salesperson
        lead.write({"expected_revenue": 5000})
        self.assertFigures(lead, (2, 4, 50.0, True))
        # a field an "applies when" condition reads: the tender item appears
        lead.write({"priority": "3"})
        self.assertFigures(lead, (2, 5, 40.0, True))
        lead.write({"priority": "1"})
        self._tick(lead, "Decision maker identified")
        self.assertFigures(lead, (3, 4, 75.0, False))
        self._lines(lead)["Budget confirmed"].with_user(self.user_salesman).action_uncheck()
        self.assertFigures(lead, (2, 4, 50.0, True))
        self._tick(lead, "Budget confirmed")
        # entering a step: its own checklist
        lead.write({"stage_id": self.stage_proposal.id})
        self.assertFigures(lead, (0, 1, 0.0, True))
        # leaving every process: nothing to show
        lead.write({"team_id": self.other_team.id})
        self.assertFalse(lead.guide_step_id)
        self.assertEqual(self._stored(lead), (0, 0, 0.0, False))

    def test_list_filter_and_figures_of_many_records(self):
        leads = self.env["crm.lead"]
        for revenue in (0, 10, 20):
            leads |= self._lead(expected_revenue=revenue)
        for lead in leads[1:]:
            self._tick(lead.with_user(self.user_salesman), "Budget confirmed", "Decision maker identified")
        self.assertEqual([self._stored(lead) for lead in leads], [self._live(lead) for lead in leads])
        blocked = (
            self.env["crm.lead"]
            .with_user(self.user_salesman)
            .search([("guide_blocked", "=", True), ("id", "in", leads.ids)])
        )
        self.assertEqual(blocked, leads[0])

    def test_apply_to_open_records_refreshes_figures(self):
        lead = self._lead(expected_revenue=10)
        self.assertFigures(lead, (1, 4, 25.0, True))
        self.env["guide.item"].create(
            {"step_id": self.step_qualif.id, "name": "NDA signed", "mandatory": True}
        )
        # a record in flight keeps its checklist until an administrator applies the change
        self.assertFigures(lead, (1, 4, 25.0, True))
        self.process.with_user(self.user_manager).sudo().action_apply_to_open_records()
        self.assertFigures(lead, (1, 5, 20.0, True))

    def test_related_record_condition_display_value_and_exact_gate(self):
        """A condition on a related record is refreshed on the record's own events;
        the gate always evaluates it now."""
        partner = self.env["res.partner"].create({"name": "No Mail"})
        self.env["guide.item"].create(
            {
                "step_id": self.step_qualif.id,
                "name": "Partner email known",
                "completion": "auto",
                "auto_domain": "[('partner_id.email', '!=', False)]",
            }
        )
        lead = self._lead(expected_revenue=10, partner_id=partner.id).with_user(self.user_salesman)
        self._tick(lead, "Budget confirmed", "Decision maker identified")
        self.assertFigures(lead, (3, 5, 60.0, True))
        partner.email = "buyer@example.com"
        # the stored figure waits for an event of the lead; the gate does not
        self.assertEqual(self._stored(lead)[0], 3)
        lead.write({"stage_id": self.stage_proposal.id})
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_figures_are_engine_owned(self):
        lead = self._lead()
        for vals in ({"guide_item_done": 4}, {"guide_blocked": False}, {"guide_progress": 100.0}):
            for protocol in ("xmlrpc", "jsonrpc"):
                fault = self.rpc_fault(
                    self.user_salesman, "crm.lead", "write", [lead.ids, vals], protocol=protocol
                )
                self.assertIn("set by the process engine", fault)
        self.assertFigures(lead, (0, 4, 0.0, True))


@tagged("post_install", "-at_install")
class TestReadPerformanceLead(StoredStateMixin, GuideCommon):
    """Kanban and form reads of guided leads against the same reads of unguided ones,
    as a salesperson: kanban at most +1 query; form at most +10 (the live checklist,
    the checklist history and the step's hints: issue 12 aims at +8)."""

    def _leads(self, count, team):
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": f"Read {team.name} {i}",
                    "type": "opportunity",
                    "team_id": team.id,
                    "stage_id": self.stage_qualif.id,
                    "expected_revenue": 100 * i,
                    "user_id": self.user_salesman.id,
                }
                for i in range(count)
            ]
        )
        return leads.with_user(self.user_salesman)

    def _overhead(self, count, view_type):
        guided, unguided = self._leads(count, self.team), self._leads(count, self.other_team)
        self.assertTrue(all(guided.mapped("guide_step_id")))
        self.assertFalse(unguided.guide_process_id)
        spec = view_spec(guided.browse(), view_type)
        unguided.web_read(spec)  # warm-up of both (rule and metadata caches)
        return self._read_queries(guided, spec) - self._read_queries(unguided, spec)

    def test_kanban_read_10(self):
        self.assertLessEqual(self._overhead(10, "kanban"), 1)

    def test_kanban_read_80(self):
        self.assertLessEqual(self._overhead(80, "kanban"), 1)

    def test_form_read(self):
        self.assertLessEqual(self._overhead(1, "form"), 10)
