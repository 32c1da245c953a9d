import json

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import GuideCommon


class DetourCommon(GuideCommon):
    """The B2B process with alternate steps (detours) and a branch after Proposal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Step = cls.env["guide.step"]
        cls.alt_legal = Step.create(
            {
                "process_id": cls.process.id,
                "kind": "alternate",
                "name": "Legal review",
                "gate_mode": "block",
                "expected_duration": 3,
                "instructions": "<p>Have the contract reviewed by Legal.</p>",
                "alt_auto_domain": "[('expected_revenue', '>', 100000)]",
                "alt_from_step_ids": [(6, 0, cls.step_proposal.ids)],
                "alt_return_step_id": cls.step_nego.id,
                "item_ids": [(0, 0, {"name": "Contract reviewed"})],
            }
        )
        cls.alt_waiting = Step.create(
            {
                "process_id": cls.process.id,
                "kind": "alternate",
                "name": "Waiting on the customer",
                "gate_mode": "override",
                "alt_reason_required": True,
            }
        )
        cls.alt_dispute = Step.create(
            {
                "process_id": cls.process.id,
                "kind": "alternate",
                "name": "Customer dispute",
                "alt_reason_required": False,
                "alt_group_ids": [(6, 0, cls.env.ref("sales_team.group_sale_manager").ids)],
            }
        )

    def _history(self, lead, direction=None):
        domain = [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        if direction:
            domain.append(("direction", "=", direction))
        return self.env["guide.history"].search(domain, order="id")


@tagged("post_install", "-at_install")
class TestDetour(DetourCommon):
    def test_enter_gate_and_complete(self):
        """An agent enters an alternate step with a reason; forward moves are refused
        while there, backward ones allowed; completing it returns the record."""
        lead = self._lead(name="Acme detour", stage_id=self.stage_proposal.id)
        agent_lead = lead.with_user(self.user_salesman)
        self.assertTrue(agent_lead.guide_alt_can_enter)
        self.assertIs(
            agent_lead.action_guide_enter_alternate(self.alt_waiting.id, "Customer on holiday"), True
        )
        self.assertEqual(lead.guide_alt_step_id, self.alt_waiting)
        self.assertEqual(lead.guide_alt_entered_by_id, self.user_salesman)
        self.assertEqual(lead.guide_alt_return_step_id, self.step_proposal)
        self.assertEqual(lead.guide_step_id, self.step_proposal, "the record keeps its stage")
        entry = self._history(lead, "detour")
        self.assertEqual((entry.alt_step_id, entry.note), (self.alt_waiting, "Customer on holiday"))
        self._tick(agent_lead, "Proposal sent")
        with self.assertRaises(GuideDecisionRequired) as err:
            agent_lead.write({"stage_id": self.stage_nego.id})
        self.assertIn("Acme detour", str(err.exception))
        self.assertIn("Waiting on the customer", str(err.exception))
        self.assertEqual(lead.stage_id, self.stage_proposal)
        # backward: allowed, the detour goes on
        agent_lead.write({"stage_id": self.stage_qualif.id})
        self.assertEqual(lead.guide_alt_step_id, self.alt_waiting)
        # completed: back to the step it came from (a move judged by the gates)
        self._tick(agent_lead, "Budget confirmed", "Decision maker identified")
        agent_lead.expected_revenue = 10
        self.assertIs(agent_lead.action_guide_complete_alternate(), True)
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertFalse(lead.guide_alt_step_id)
        self.assertFalse(lead.guide_alt_entered_at)
        back = self._history(lead, "return")
        self.assertEqual(
            (back.alt_step_id, back.detour_count, back.gate_result), (self.alt_waiting, 1, "passed")
        )
        self.assertGreaterEqual(back.duration_hours, 0.0)
        self._tick(agent_lead, "Proposal sent")
        agent_lead.write({"stage_id": self.stage_nego.id})
        self.assertEqual(lead.stage_id, self.stage_nego)

    def test_process_analysis_opens_on_figures_it_fills(self):
        """Process Analysis opens on the forward moves: a detour is counted on the row that
        ends it (*Alternate Step Left*), never on a forward move, so *Detours* is no default
        measure (a column empty on every row) but a measure chosen with the *Detours* filter,
        where it counts each detour once."""
        action = self.env.ref("crm_process_guide.guide_history_action_analysis")
        self.assertIn("search_default_forward", action.context)
        arch = self.env["guide.history"].get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        measures = etree.fromstring(arch).xpath("//field[@type='measure']/@name")
        self.assertNotIn("detour_count", measures)
        self.assertIn("duration_hours", measures)
        lead = self._lead(stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        for _round in range(2):
            lead.action_guide_enter_alternate(self.alt_waiting.id, "Awaiting the customer")
            lead.action_guide_complete_alternate()
        [(count,)] = self.env["guide.history"]._read_group(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id), ("direction", "=", "return")],
            aggregates=["detour_count:sum"],
        )
        self.assertEqual(count, 2)

    def test_override_from_detour_is_a_deviation(self):
        lead = self._lead(name="Override detour", stage_id=self.stage_proposal.id)
        agent_lead = lead.with_user(self.user_salesman)
        agent_lead.action_guide_enter_alternate(self.alt_waiting.id, "Waiting")
        self._tick(agent_lead, "Proposal sent")
        agent_lead.with_context(guide_override_reason="Customer signed anyway").write(
            {"stage_id": self.stage_nego.id}
        )
        self.assertEqual(lead.stage_id, self.stage_nego)
        self.assertFalse(lead.guide_alt_step_id, "a move past its gate ends the detour")
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual(deviation.step_id, self.alt_waiting)
        self.assertEqual(self._history(lead, "return").gate_result, "overridden")

    def test_reason_and_groups(self):
        lead = self._lead(stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        with self.assertRaisesRegex(UserError, "reason"):
            lead.action_guide_enter_alternate(self.alt_waiting.id, "  ")
        with self.assertRaisesRegex(AccessError, "Customer dispute"):
            lead.action_guide_enter_alternate(self.alt_dispute.id)
        self.assertFalse(lead.guide_alt_step_id)
        # a stage step is not an alternate step
        with self.assertRaises(UserError):
            lead.action_guide_enter_alternate(self.step_nego.id, "x")
        # entering is editing the record: not on a lead the user cannot write
        foreign = self._lead(stage_id=self.stage_proposal.id, user_id=self.user_manager.id)
        with self.assertRaises(AccessError):
            foreign.with_user(self.user_salesman).action_guide_enter_alternate(self.alt_waiting.id, "x")
        self.assertFalse(foreign.guide_alt_step_id)
        lead.with_user(self.user_manager).action_guide_enter_alternate(self.alt_dispute.id)
        self.assertEqual(lead.guide_alt_step_id, self.alt_dispute)
        with self.assertRaisesRegex(UserError, "already"):
            lead.action_guide_enter_alternate(self.alt_waiting.id, "again")

    def test_engine_state_not_writable(self):
        lead = self._lead(stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        for vals in (
            {"guide_alt_step_id": self.alt_dispute.id},
            {"guide_alt_entered_at": "2020-01-01 00:00:00"},
            {"guide_alt_entered_by_id": self.user_salesman.id},
            {"guide_alt_return_step_id": self.step_won.id},
        ):
            with self.assertRaises(AccessError):
                lead.write(vals)
            with self.assertRaises(AccessError):
                self.env["crm.lead"].with_user(self.user_salesman).create(
                    {"name": "Hostile", "team_id": self.team.id, **vals}
                )
        created = (
            self.env["crm.lead"]
            .with_user(self.user_salesman)
            .with_context(default_guide_alt_step_id=self.alt_dispute.id)
            .create({"name": "Default key", "team_id": self.team.id, "stage_id": self.stage_qualif.id})
        )
        self.assertFalse(created.guide_alt_step_id)
        lead.action_guide_enter_alternate(self.alt_waiting.id, "Waiting")
        with self.assertRaises(AccessError):
            lead.write({"guide_alt_step_id": False})
        self.assertEqual(lead.guide_alt_step_id, self.alt_waiting)

    def test_automatic_entry_and_configured_return(self):
        """Legal review: entered automatically above 100,000 from Proposal, completed when its
        mandatory item is done, then the record moves to Negotiation."""
        lead = self._lead(name="Big deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.write({"expected_revenue": 50000})
        self.assertFalse(lead.guide_alt_step_id)
        lead.write({"expected_revenue": 250000})
        self.assertEqual(lead.guide_alt_step_id, self.alt_legal)
        self.assertEqual(lead.guide_alt_return_step_id, self.step_nego)
        self.assertEqual(lead.guide_alt_missing_items, "Contract reviewed")
        self.assertEqual(lead.guide_alt_line_ids.mapped("name"), ["Contract reviewed"])
        with self.assertRaisesRegex(UserError, "Contract reviewed"):
            lead.action_guide_complete_alternate()
        lead.guide_alt_line_ids.action_check()
        self._tick(lead, "Proposal sent")
        lead.action_guide_complete_alternate()
        self.assertEqual(lead.stage_id, self.stage_nego)
        self.assertFalse(lead.guide_alt_step_id)
        self.assertEqual(self._history(lead).mapped("direction"), ["initial", "detour", "return", "forward"])

    def test_move_to_the_return_step_completes_the_detour(self):
        """A record in an alternate step moves on to the step it returns to as Complete
        moves it: refused while its checklist is not done (naming what is missing), then a
        move like any other, which ends the detour; any other step stays refused."""
        lead = self._lead(name="Big deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.write({"expected_revenue": 250000})
        self._tick(lead, "Proposal sent")
        self.assertEqual(lead.guide_alt_step_id, self.alt_legal)
        with self.assertRaisesRegex(UserError, "Legal review, which requires Contract reviewed"):
            lead.write({"stage_id": self.stage_nego.id})
        lead.guide_alt_line_ids.action_check()
        with self.assertRaisesRegex(UserError, "Legal review, which must be completed first"):
            lead.write({"stage_id": self.stage_won.id})
        lead.write({"stage_id": self.stage_nego.id})
        self.assertEqual(lead.stage_id, self.stage_nego)
        self.assertFalse(lead.guide_alt_step_id)
        returned = self._history(lead, "return")
        self.assertEqual((returned.alt_step_id, returned.gate_result), (self.alt_legal, "passed"))
        # as a move past an alternate step's gate by override: the move, then the return
        self.assertEqual(self._history(lead).mapped("direction"), ["initial", "detour", "forward", "return"])

    def test_automatic_entry_once_per_stay(self):
        self.alt_legal.alt_return_step_id = False
        lead = self._lead(stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.write({"expected_revenue": 250000})
        lead.guide_alt_line_ids.action_check()
        lead.action_guide_complete_alternate()
        self.assertEqual(lead.stage_id, self.stage_proposal, "back to the step it came from")
        lead.write({"expected_revenue": 260000})
        self.assertFalse(lead.guide_alt_step_id, "not entered again in the same stay")

    def test_each_gate_overridden_has_its_deviation(self):
        """A move out of an alternate step past both gates (the stage step's and the
        alternate step's, each *Override with reason*) is refused naming both checklists in
        one message, and, justified, records a deviation for each step, the move's history
        row its own step's result and the return row the alternate step's. Past an advisory
        stage step, the alternate step's override is recorded all the same."""
        lead = self._lead(name="Held deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.action_guide_enter_alternate(self.alt_waiting.id, "Customer on holiday")
        with self.assertRaises(GuideDecisionRequired) as err:
            lead.write({"stage_id": self.stage_nego.id})
        self.assertIn("Proposal sent", str(err.exception))
        self.assertIn("Waiting on the customer", str(err.exception))
        self.assertEqual(json.loads(err.exception.action["context"]["default_res_ids"]), lead.ids)
        lead.with_context(guide_override_reason="Customer came back").write({"stage_id": self.stage_nego.id})
        deviations = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual(deviations.step_id, self.step_proposal | self.alt_waiting)
        self.assertEqual(set(deviations.mapped("reason")), {"Customer came back"})
        moved, returned = self._history(lead, "forward"), self._history(lead, "return")
        self.assertEqual((moved.gate_result, moved.checklist_missing), ("overridden", "Proposal sent"))
        self.assertEqual(deviations.history_id, moved)
        self.assertEqual(returned.gate_result, "overridden")
        # past an advisory stage step (Negotiation, its discount not approved)
        lead.action_guide_enter_alternate(self.alt_waiting.id, "Waiting for the signature")
        lead.with_context(guide_override_reason="Signed by phone").write({"stage_id": self.stage_won.id})
        later = (
            self.env["guide.deviation"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            - deviations
        )
        self.assertEqual((later.step_id, later.reason), (self.alt_waiting, "Signed by phone"))
        self.assertEqual(self._history(lead, "forward")[-1].gate_result, "advisory")
        self.assertTrue(lead.guide_overridden)

    def test_leaving_the_process_and_back_goes_through_the_detour_again(self):
        """A lead in an alternate step that leaves its process (its team emptied) and comes
        back at once (the same second) is in a new stay: the detour it left unfinished is
        entered again and its gate holds — leaving the process went through nothing."""
        lead = self._lead(name="Big deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.write({"expected_revenue": 250000})
        self._tick(lead, "Proposal sent")
        self.assertEqual(lead.guide_alt_step_id, self.alt_legal)
        with self.assertRaisesRegex(UserError, "Legal review, which requires Contract reviewed"):
            lead.write({"stage_id": self.stage_nego.id})
        lead.write({"team_id": False})
        self.assertFalse(lead.guide_alt_step_id)
        lead.write({"team_id": self.team.id})
        self.assertEqual(lead.guide_alt_step_id, self.alt_legal, "entered again")
        with self.assertRaises(UserError) as caught:
            lead.write({"stage_id": self.stage_nego.id})
        self.assertIn("Contract reviewed", str(caught.exception))
        lead.invalidate_recordset()
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_round_trip_out_of_the_process_passes_the_detour_gate(self):
        """A lead in an alternate step whose gate blocks (its item not done), taken out of its
        process, moved on and brought back, passes that gate as a direct move out of it does:
        refused naming its checklist, in two writes or in one; brought back where it left, it
        is in the alternate step again (a detour entered by hand too), until it is done."""
        lead = self._lead(name="Big deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.write({"expected_revenue": 250000})
        self._tick(lead, "Proposal sent")
        self.assertEqual(lead.guide_alt_step_id, self.alt_legal)
        lead.write({"team_id": False})
        lead.write({"stage_id": self.stage_nego.id})
        with self.assertRaises(UserError) as caught:
            lead.write({"team_id": self.team.id})
        self.assertIn("Legal review, which requires Contract reviewed", str(caught.exception))
        self.assertFalse(lead.team_id)
        # brought back where it left: in the alternate step again
        lead.write({"team_id": self.team.id, "stage_id": self.stage_proposal.id})
        self.assertEqual(lead.guide_alt_step_id, self.alt_legal)
        self.assertEqual(lead.guide_alt_return_step_id, self.step_nego)
        # out of the process and on in one write, then back
        lead.write({"team_id": False, "stage_id": self.stage_nego.id})
        with self.assertRaises(UserError) as caught:
            lead.write({"team_id": self.team.id})
        self.assertIn("Legal review, which requires Contract reviewed", str(caught.exception))
        lead.write({"team_id": self.team.id, "stage_id": self.stage_proposal.id})
        lead.guide_alt_line_ids.action_check()
        lead.write({"stage_id": self.stage_nego.id})
        self.assertEqual((lead.stage_id, lead.guide_alt_step_id), (self.stage_nego, self.alt_legal.browse()))
        # a detour entered by hand, returning where it came from: the way back is refused too
        other = self._lead(name="Held deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        other.action_guide_enter_alternate(self.alt_waiting.id, "Customer on holiday")
        self._tick(other, "Proposal sent")
        other.write({"team_id": False})
        other.write({"team_id": self.team.id})
        self.assertEqual(other.guide_alt_step_id, self.alt_waiting)
        other.write({"team_id": False, "stage_id": self.stage_nego.id})
        with self.assertRaises(UserError) as caught:
            other.write({"team_id": self.team.id})
        self.assertIn("in the alternate step Waiting on the customer", str(caught.exception))

    def test_detour_sent_behind_its_entry_step_has_a_way_on(self):
        """A lead in an alternate step, moved back behind the step it entered it from (or
        taken out of its process and brought back there) to a step that does not lead to the
        step the detour returns to: completing the detour leaves it where it is, the detour
        done and its gate passed, and it goes on from there; never a dead end."""
        lead = self._lead(name="Big deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.write({"expected_revenue": 250000})
        self.assertEqual(lead.guide_alt_step_id, self.alt_legal)
        lead.write({"stage_id": self.stage_qualif.id})  # backward: free, the detour goes on
        self.assertEqual(lead.guide_alt_step_id, self.alt_legal)
        self.assertEqual(lead.guide_alt_stage_role, "after_return")
        with self.assertRaises(UserError) as caught:
            lead.action_guide_complete_alternate()
        self.assertIn("Contract reviewed", str(caught.exception))
        lead.guide_alt_line_ids.action_check()
        lead.action_guide_complete_alternate()
        self.assertEqual(lead.stage_id, self.stage_qualif)
        self.assertFalse(lead.guide_alt_step_id)
        self.assertEqual(self._history(lead, "return")[-1].gate_result, "passed")
        self._tick(lead, "Budget confirmed", "Decision maker identified")
        lead.write({"stage_id": self.stage_proposal.id})
        self.assertEqual(lead.stage_id, self.stage_proposal)
        # out of the process from the alternate step and brought back behind it: in it
        # again, and completing it there leaves the lead there too
        other = self._lead(name="Other deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        other.write({"expected_revenue": 250000})
        other.write({"team_id": False})
        other.write({"team_id": self.team.id, "stage_id": self.stage_qualif.id})
        self.assertEqual(other.guide_alt_step_id, self.alt_legal)
        other.guide_alt_line_ids.action_check()
        other.action_guide_complete_alternate()
        self.assertEqual(other.stage_id, self.stage_qualif)
        self.assertFalse(other.guide_alt_step_id)
        self._tick(other, "Budget confirmed", "Decision maker identified")
        other.write({"stage_id": self.stage_proposal.id})
        self.assertEqual(other.stage_id, self.stage_proposal)

    def test_kind_of_a_step_records_are_in_is_not_changed(self):
        """A manager cannot turn an alternate step that records are in into a stage step (they
        would stay in it with no gate to pass), nor a stage step records are in into an
        alternate step: refused naming the step and its records, as deleting it is."""
        lead = self._lead(name="Held deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.action_guide_enter_alternate(self.alt_waiting.id, "Customer on holiday")
        manager = self.user_manager
        with self.assertRaises(UserError) as caught:
            self.alt_waiting.with_user(manager).write({"kind": "stage"})
        message = str(caught.exception)
        self.assertIn("Waiting on the customer: 1 record(s) in it, among them Held deal", message)
        self.assertEqual(self.alt_waiting.kind, "alternate")
        self.assertEqual(lead.guide_alt_step_id, self.alt_waiting)
        with self.assertRaises(UserError) as caught:
            self.step_proposal.with_user(manager).write({"kind": "alternate", "crm_stage_id": False})
        self.assertIn("record(s) in it, among them Held deal", str(caught.exception))
        # the detour done, the step is free to change
        lead.guide_alt_line_ids.action_check()
        self._tick(lead, "Proposal sent")
        lead.action_guide_complete_alternate()
        self.alt_waiting.with_user(manager).write({"kind": "alternate", "name": "Waiting"})
        self.alt_waiting.with_user(manager).write({"kind": "stage"})
        self.assertEqual(self.alt_waiting.kind, "stage")

    def test_kind_of_a_step_refused_first_to_who_may_not_change_it(self):
        """Who may not change the step at all (a salesperson; a manager of one company, the
        step's process applying to every company) is refused as any change of it is, not
        told how many records are in it, of every owner and company, and which."""
        self.env["res.company"].create({"name": "Detours B"})
        lead = self._lead(name="Held deal", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.action_guide_enter_alternate(self.alt_waiting.id, "Customer on holiday")
        for user in (self.user_salesman, self.user_manager):
            with self.assertRaises(AccessError) as caught:
                self.alt_waiting.with_user(user).write({"kind": "stage"})
            self.assertNotIn("record(s) in it", str(caught.exception))
        self.assertEqual(self.alt_waiting.kind, "alternate")

    def test_automatic_entry_in_batch(self):
        """The condition is evaluated for the whole batch: the queries do not grow with it."""
        Lead = self.env["crm.lead"].with_user(self.user_salesman)
        small = self._lead(stage_id=self.stage_proposal.id)
        for _i in range(2):
            small |= self._lead(stage_id=self.stage_proposal.id)
        big = self.env["crm.lead"]
        for _i in range(12):
            big |= self._lead(stage_id=self.stage_proposal.id)
        small, big = small.with_env(Lead.env), big.with_env(Lead.env)
        warm = self._lead(stage_id=self.stage_proposal.id).with_env(Lead.env)
        counts = []
        for records in (warm, small, big):
            records.invalidate_model()
            self.env.flush_all()
            start = self.cr.sql_log_count
            records.write({"expected_revenue": 200000})
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - start)
            self.assertEqual(set(records.mapped("guide_alt_step_id")), {self.alt_legal})
        self.assertEqual(counts[1], counts[2])

    def test_alternate_step_deleted_or_archived(self):
        """An alternate step a record is in is not deleted by a manager; deleted by a module's
        uninstallation, the record is released, its history kept."""
        lead = self._lead(stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        lead.action_guide_enter_alternate(self.alt_waiting.id, "Waiting")
        with self.assertRaises(UserError):
            self.alt_waiting.with_user(self.user_manager).with_context(_force_unlink=True).unlink()
        self.assertEqual(lead.guide_alt_step_id, self.alt_waiting)
        self.alt_waiting.with_context(_force_unlink=True).unlink()
        self.assertFalse(lead.guide_alt_step_id)
        entry = self._history(lead, "detour")
        self.assertEqual(entry.alt_step_name, "Waiting on the customer")
        back = self._history(lead, "return")
        self.assertEqual((back.alt_step_name, back.detour_count), ("Waiting on the customer", 1))
        self.assertEqual(back.note, "The alternate step was deleted.")
        self._tick(lead, "Proposal sent")
        lead.write({"stage_id": self.stage_nego.id})
        self.assertEqual(lead.stage_id, self.stage_nego)
        # a detour whose process is archived no longer holds the record
        other = self._lead(stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        other.action_guide_enter_alternate(self.alt_legal.id, "Legal")
        self.process.active = False
        self.assertEqual(other.guide_alt_step_id, self.alt_legal)
        other.write({"stage_id": self.stage_won.id})
        self.assertEqual(other.stage_id, self.stage_won)

    def test_panel_shows_the_checklist_the_gate_judges(self):
        """In an alternate step the panel's checklist is the alternate step's, under a
        heading naming it and where it returns; the stage step's checklist is told for
        what it counts, exactly as the gate judges the return."""
        # back where it is: the step's checklist is not needed to complete it, only to move on
        waiting = self._lead(name="Waiting", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        waiting.action_guide_enter_alternate(self.alt_waiting.id, "On holiday")
        proposal = self.step_proposal.name
        self.assertEqual(
            waiting.guide_alt_heading, f"Alternate step: Waiting on the customer · returns to {proposal}"
        )
        self.assertEqual(waiting.guide_alt_stage_role, "after_return")
        self.assertEqual(
            waiting.guide_alt_stage_note,
            f"Checklist of {proposal} below: not needed to complete the alternate step; "
            "needed afterwards to move on.",
        )
        self.assertEqual(waiting.guide_missing_items, "Proposal sent")
        self.assertIs(waiting.action_guide_complete_alternate(), True)
        self.assertFalse(waiting.guide_alt_step_id)
        with self.assertRaisesRegex(UserError, "Proposal sent"):
            waiting.write({"stage_id": self.stage_nego.id})
        # further on: completing it is a move out of the step, whose checklist is needed too
        big = self._lead(name="Big", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        big.write({"expected_revenue": 250000})
        self.assertEqual(
            big.guide_alt_heading, f"Alternate step: Legal review · returns to {self.step_nego.name}"
        )
        self.assertEqual(big.guide_alt_stage_role, "with_return")
        self.assertEqual(
            big.guide_alt_stage_note,
            f"Checklist of {proposal} below: needed too, as completing the alternate step "
            f"moves on to {self.step_nego.name}.",
        )
        self.assertEqual((big.guide_alt_item_done, big.guide_alt_item_total), (0, 1))
        big.guide_alt_line_ids.action_check()
        self.assertEqual((big.guide_alt_item_done, big.guide_alt_item_total), (1, 1))
        with self.assertRaises(UserError) as err:
            big.action_guide_complete_alternate()
        self.assertIn("Proposal sent", str(err.exception))
        self.assertEqual(big.guide_alt_step_id, self.alt_legal)
        # an advisory step: checked, not required
        self.step_proposal.gate_mode = "advisory"
        big.invalidate_recordset()
        self.assertIn("checked too (advisory)", big.guide_alt_stage_note)
        self.assertIs(big.action_guide_complete_alternate(), True)
        self.assertEqual(big.stage_id, self.stage_nego)
        # back to an earlier step: the step's checklist is not needed at all
        self.alt_waiting.alt_return_step_id = self.step_qualif
        back = self._lead(name="Back", stage_id=self.stage_proposal.id).with_user(self.user_salesman)
        back.action_guide_enter_alternate(self.alt_waiting.id, "Requalify")
        self.assertEqual(back.guide_alt_stage_role, "not_needed")
        self.assertEqual(
            back.guide_alt_stage_note,
            f"Checklist of {proposal} below: not needed to complete the alternate step.",
        )
        self.assertIs(back.action_guide_complete_alternate(), True)
        self.assertEqual(back.stage_id, self.stage_qualif)
        # out of an alternate step: nothing of it
        self.assertFalse(back.guide_alt_heading or back.guide_alt_stage_role or back.guide_alt_stage_note)

    def test_form_puts_the_alternate_checklist_first(self):
        """The form's panel: the alternate step first; the stage step's "to move on" warning
        only where its checklist is needed for the return, under the note saying so."""
        arch = etree.fromstring(
            self.env["crm.lead"]
            .with_user(self.user_salesman)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        panel = arch.xpath("//div[@name='guide_panel']")[0]
        names = [child.get("name") or child.get("class") for child in panel]
        self.assertLess(names.index("guide_alternate"), names.index("card-body"))
        alternate = panel.xpath("div[@name='guide_alternate']")[0]
        self.assertTrue(alternate.xpath(".//field[@name='guide_alt_heading']"))
        self.assertTrue(alternate.xpath(".//field[@name='guide_alt_line_ids']"))
        body = panel.xpath("div[@class='card-body']")[0]
        note, move_on = body[0], body[1]
        self.assertEqual(note.get("name"), "guide_alt_stage_note")
        self.assertEqual(move_on.get("name"), "guide_move_on")
        self.assertEqual(
            move_on.get("invisible"),
            "not guide_blocked or guide_alt_stage_role in ('after_return', 'not_needed')",
        )


@tagged("post_install", "-at_install")
class TestBranches(DetourCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alt_legal.alt_auto_domain = False
        cls.env["guide.step.branch"].create(
            [
                {
                    "step_id": cls.step_proposal.id,
                    "sequence": 1,
                    "to_step_id": cls.alt_legal.id,
                    "domain": "[('expected_revenue', '>', 100000)]",
                    "name": "Deals above 100,000 need a legal review",
                },
                {"step_id": cls.step_proposal.id, "sequence": 2, "to_step_id": cls.step_nego.id},
            ]
        )

    def test_copy_of_a_process_names_its_own_steps(self):
        """Duplicating a process (the form's *Duplicate*, as a sales manager) copies its
        allowed next steps, alternate steps' entries and returns and its branches towards
        the copy's own steps; the original keeps its own."""
        copy = self.process.with_user(self.user_manager).copy()
        self.assertNotEqual(copy, self.process)
        self.assertEqual(len(copy.step_ids), len(self.process.step_ids))
        steps = {step.name: step for step in copy.step_ids}
        self.assertEqual(steps[self.step_qualif.name].allowed_step_ids, steps[self.step_proposal.name])
        legal = steps["Legal review"]
        self.assertEqual(legal.alt_from_step_ids, steps[self.step_proposal.name])
        self.assertEqual(legal.alt_return_step_id, steps[self.step_nego.name])
        branches = steps[self.step_proposal.name].branch_ids.sorted("sequence")
        self.assertEqual(branches.to_step_id, legal | steps[self.step_nego.name])
        self.assertEqual(branches[0].domain, "[('expected_revenue', '>', 100000)]")
        self.assertEqual(self.alt_legal.alt_return_step_id, self.step_nego)
        self.assertEqual(self.step_proposal.branch_ids.to_step_id, self.alt_legal | self.step_nego)
        self.assertEqual(self.step_qualif.allowed_step_ids, self.step_proposal)

    def test_panel_tells_the_next_step(self):
        small = self._lead(stage_id=self.stage_proposal.id, expected_revenue=500).with_user(
            self.user_salesman
        )
        big = self._lead(stage_id=self.stage_proposal.id, expected_revenue=500000).with_user(
            self.user_salesman
        )
        self.assertEqual(small.guide_next_step_id, self.step_nego)
        self.assertEqual(small.guide_next_step_why, "by default")
        self.assertEqual(big.guide_next_step_id, self.alt_legal)
        self.assertEqual(big.guide_next_step_why, "Deals above 100,000 need a legal review")
        # the panel shows it in the language's parentheses
        self.assertEqual(small.guide_next_step_why_label, "(by default)")
        self.env["res.lang"]._activate_lang("zh_CN")
        self.assertEqual(small.with_context(lang="zh_CN").guide_next_step_why_label, "（默认）")

    def test_branch_without_wording_is_told_in_words(self):
        """A branch saved without a wording tells the agent "its condition is met", or
        "by default" for a condition left empty as ``[]`` (what the condition editor
        writes): never the condition's code, in the panel nor in the gate's refusal."""
        branches = self.step_proposal.branch_ids.sorted("sequence")
        branches[0].name = False
        branches[1].domain = "[]"
        big = self._lead(name="Big", stage_id=self.stage_proposal.id, expected_revenue=500000)
        big = big.with_user(self.user_salesman)
        small = self._lead(name="Small", stage_id=self.stage_proposal.id, expected_revenue=500)
        small = small.with_user(self.user_salesman)
        self.assertEqual(big.guide_next_step_why, "its condition is met")
        self.assertEqual(small.guide_next_step_why, "by default")
        self._tick(big, "Proposal sent")
        with self.assertRaises(GuideDecisionRequired) as err:
            big.write({"stage_id": self.stage_nego.id})
        self.assertIn("Legal review, its condition is met", str(err.exception))
        self.assertNotIn("expected_revenue", str(err.exception))

    def test_gate_enforces_the_branch(self):
        small = self._lead(name="Small", stage_id=self.stage_proposal.id, expected_revenue=500)
        small = small.with_user(self.user_salesman)
        self._tick(small, "Proposal sent")
        # off the branch: an override with a reason, recorded as a deviation
        with self.assertRaises(GuideDecisionRequired) as err:
            small.write({"stage_id": self.stage_won.id})
        self.assertIn("G-Negotiation", str(err.exception))
        small.with_context(guide_override_reason="Signed at once").write({"stage_id": self.stage_won.id})
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", small.id)]
        )
        self.assertEqual((deviation.kind, deviation.step_id), ("move", self.step_proposal))
        big = self._lead(name="Big", stage_id=self.stage_proposal.id, expected_revenue=500000)
        big = big.with_user(self.user_salesman)
        self._tick(big, "Proposal sent")
        with self.assertRaises(GuideDecisionRequired) as err:
            big.write({"stage_id": self.stage_nego.id})
        self.assertIn("Legal review", str(err.exception))
        self.assertIn("Deals above 100,000", str(err.exception))
        big.action_guide_enter_alternate(self.alt_legal.id, "Large deal")
        big.guide_alt_line_ids.action_check()
        big.action_guide_complete_alternate()
        self.assertEqual(big.stage_id, self.stage_nego, "the branch followed, then the return")

    def test_branch_judged_on_the_values_written(self):
        """The branch a move follows is the one of the values the move writes: raising the
        deal above 100,000 in the write that moves it to Negotiation is held for the legal
        review, lowering it below lets it go on."""
        raised = self._lead(name="Raised", stage_id=self.stage_proposal.id, expected_revenue=500)
        raised = raised.with_user(self.user_salesman)
        self._tick(raised, "Proposal sent")
        with self.assertRaises(UserError) as err:
            raised.write({"stage_id": self.stage_nego.id, "expected_revenue": 500000})
        self.assertIn("Deals above 100,000", str(err.exception))
        self.assertEqual((raised.stage_id, raised.expected_revenue), (self.stage_proposal, 500))
        lowered = self._lead(name="Lowered", stage_id=self.stage_proposal.id, expected_revenue=500000)
        lowered = lowered.with_user(self.user_salesman)
        self._tick(lowered, "Proposal sent")
        lowered.write({"stage_id": self.stage_nego.id, "expected_revenue": 500})
        self.assertEqual(lowered.guide_step_id, self.step_nego)
        # off its branch with what the branch reads in the same write: the reason's dialog makes
        # the whole write, judged again on the values written (not the move alone, which would
        # judge another move and drop the rest)
        small = self._lead(name="Small", stage_id=self.stage_proposal.id, expected_revenue=500)
        small = small.with_user(self.user_salesman)
        self._tick(small, "Proposal sent")
        with self.assertRaises(GuideDecisionRequired) as caught:
            small.write({"stage_id": self.stage_won.id, "expected_revenue": 600})
        self.assertEqual((small.stage_id, small.expected_revenue), (self.stage_proposal, 500))
        wizard = (
            self.env["guide.override.wizard"]
            .with_user(self.user_salesman)
            .with_context(**caught.exception.action["context"])
            .create({"reason": "Signed at once"})
        )
        wizard.action_confirm()
        self.assertEqual((small.stage_id, small.expected_revenue), (self.stage_won, 600))
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", small.id)]
        )
        self.assertEqual(deviation.reason, "Signed at once")

    def test_branch_holds_after_leaving_the_process_and_back(self):
        """A lead entered in the alternate step its branch leads to, taken out of its process
        and brought back at once, has not gone through it: it is in it again, and its gate
        holds the move the branch sends there."""
        big = self._lead(name="Big", stage_id=self.stage_proposal.id, expected_revenue=500000)
        big = big.with_user(self.user_salesman)
        self._tick(big, "Proposal sent")
        big.action_guide_enter_alternate(self.alt_legal.id, "Large deal")
        big.write({"team_id": False})
        big.write({"team_id": self.team.id})
        self.assertEqual(big.guide_alt_step_id, self.alt_legal)
        with self.assertRaises(UserError) as caught:
            big.write({"stage_id": self.stage_nego.id})
        self.assertIn("Legal review, which requires Contract reviewed", str(caught.exception))

    def test_validation_messages(self):
        other = self.env["guide.process"].create({"name": "Other", "model_name": "crm.lead"})
        other_step = self.env["guide.step"].create(
            {"process_id": other.id, "crm_stage_id": self.stage_nego.id}
        )
        with self.assertRaisesRegex(ValidationError, "Legal review.*another process"):
            self.alt_legal.alt_return_step_id = other_step
        with self.assertRaisesRegex(ValidationError, "cycle"):
            self.alt_legal.alt_return_step_id = self.alt_waiting
        with self.assertRaisesRegex(ValidationError, "no_such_field"):
            self.env["guide.step.branch"].create(
                {
                    "step_id": self.step_nego.id,
                    "to_step_id": self.step_won.id,
                    "domain": "[('no_such_field', '=', 1)]",
                }
            )
        with self.assertRaisesRegex(ValidationError, "another process"):
            self.env["guide.step.branch"].create({"step_id": self.step_nego.id, "to_step_id": other_step.id})
        with self.assertRaisesRegex(ValidationError, "Enter Automatically When"):
            self.alt_waiting.alt_auto_domain = "[('no_such_field', '=', 1)]"
        with self.assertRaisesRegex(ValidationError, "code|not allowed|refused|name"):
            self.alt_waiting.alt_auto_domain = "[('name', '=', user.sudo().write({}))]"

    def test_alternate_step_has_no_branches_nor_tasks(self):
        """A record leaves an alternate step by its return step and is offered there the
        optional tasks of its stage step: a branch or an optional task of an alternate step
        (the step form hides both there) would never apply, and is refused at save, over
        every path; a step that has them does not become an alternate step."""
        with self.assertRaises(ValidationError) as caught:
            self.env["guide.step.branch"].create(
                {"step_id": self.alt_legal.id, "to_step_id": self.step_nego.id}
            )
        self.assertRegex(str(caught.exception), "Legal review.*no branches")
        with self.assertRaises(ValidationError) as caught:
            self.env["guide.task"].create({"step_id": self.alt_legal.id, "name": "Outside counsel opinion"})
        self.assertRegex(str(caught.exception), "Outside counsel.*Legal review.*alternate step")
        with self.assertRaises(ValidationError):
            self.alt_waiting.write({"task_ids": [(0, 0, {"name": "Chase the customer"})]})
        stage = self.env["crm.stage"].create({"name": "Side track"})
        step = self.env["guide.step"].create({"process_id": self.process.id, "crm_stage_id": stage.id})
        self.env["guide.task"].create({"step_id": step.id, "name": "Outside counsel opinion"})
        with self.assertRaises(ValidationError) as caught:
            step.write({"kind": "alternate", "crm_stage_id": False})
        self.assertIn("no branches nor optional tasks", str(caught.exception))
        step.invalidate_recordset()
        self.assertEqual(step.kind, "stage")
        # nor while its process is archived (its tasks with it): they come back with it
        archived = self.env["guide.process"].create({"name": "Archived side track", "model_name": "crm.lead"})
        step.process_id = archived
        archived.action_archive()
        self.assertFalse(step.with_context(active_test=False).task_ids.active)
        with self.assertRaises(ValidationError) as caught:
            step.write({"kind": "alternate", "crm_stage_id": False})
        self.assertIn("no branches nor optional tasks", str(caught.exception))
        self.env.invalidate_all()
        self.assertFalse(self.alt_legal.branch_ids)
        self.assertFalse(self.alt_legal.task_ids | self.alt_waiting.task_ids)

    def test_step_moved_to_another_process_leaves_no_link_across(self):
        """A step moved into another process is refused while steps of its former process
        still name it (an allowed next step, an alternate step's return or entry, a branch
        to or from it), archived processes included: the gate and the panel would follow a
        link into another process."""
        other = self.env["guide.process"].create({"name": "Other", "model_name": "crm.lead"})

        def refused(step, message):
            with self.assertRaises(ValidationError) as err:
                step.write({"process_id": other.id})
            self.assertRegex(str(err.exception), message)
            self.env.invalidate_all()
            self.assertEqual(step.process_id, self.process)

        # returned to by Legal review, the otherwise branch after Proposal
        refused(self.step_nego, "another process")
        # allowed after Qualification, entry of Legal review, branches of its own
        refused(self.step_proposal, "same process|own process|another process")
        self.env["guide.step.branch"].search([("to_step_id", "=", self.step_nego.id)]).unlink()
        refused(self.step_nego, "Legal review returns to .*G-Negotiation, a step of another process")
        (self.process | other).action_archive()
        refused(self.step_nego, "Legal review returns to .*G-Negotiation, a step of another process")
        (self.process | other).action_unarchive()
        # a step nothing else names moves
        self.step_won.write({"process_id": other.id})
        self.assertEqual(self.step_won.process_id, other)


@tagged("post_install", "-at_install")
class TestDetourRpc(RpcCase, DetourCommon):
    def test_detour_over_rpc(self):
        lead = self._lead(stage_id=self.stage_proposal.id)
        for protocol in ("xmlrpc", "jsonrpc"):
            call = getattr(self, protocol)
            message = self.rpc_fault(
                self.user_salesman,
                "crm.lead",
                "write",
                [lead.ids, {"guide_alt_step_id": self.alt_dispute.id}],
                protocol=protocol,
            )
            self.assertIn("process engine", message)
            message = self.rpc_fault(
                self.user_salesman,
                "crm.lead",
                "action_guide_enter_alternate",
                [lead.ids, self.alt_dispute.id],
                protocol=protocol,
            )
            self.assertIn("Customer dispute", message)
            self.assertIs(
                call(
                    self.user_salesman,
                    "crm.lead",
                    "action_guide_enter_alternate",
                    [lead.ids, self.alt_waiting.id, "On hold"],
                ),
                True,
            )
            self.assertIs(
                call(self.user_salesman, "crm.lead", "action_guide_complete_alternate", [lead.ids]), True
            )
        self.assertEqual(len(self._history(lead, "return")), 2)

    def test_wizard_on_unknown_record_refused(self):
        """The alternate step wizard names a record that does not exist: refused when the
        dialog is made, not a silent success."""
        missing = self._lead()
        missing_id = missing.id
        missing.unlink()
        for protocol in ("xmlrpc", "jsonrpc"):
            message = self.rpc_fault(
                self.user_salesman,
                "guide.alternate.wizard",
                "create",
                [
                    {
                        "res_model": "crm.lead",
                        "res_id": missing_id,
                        "step_id": self.alt_waiting.id,
                        "reason": "x",
                    }
                ],
                protocol=protocol,
            )
            self.assertIn("no longer exists", message)
