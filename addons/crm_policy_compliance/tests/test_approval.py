import importlib.util
import json
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.sql_db import Cursor
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL, file_path

from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired

from .common import ComplianceCommon


def _large_proposals_policy(common):
    """Proposals above 50,000 need the team leader's, then the director's approval."""
    return common._policy(
        name="Large proposals",
        trigger="stage",
        step_ids=[(6, 0, common.step_proposal.ids)],
        requirement="[('expected_revenue', '<=', 50000)]",
        message="Proposals above 50,000 need approval.",
        enforcement="approval",
        reminder_hours=4,
        reminder_max=2,
        tier_ids=[
            (0, 0, {"sequence": 1, "name": "Team leader", "approver_type": "team_leader"}),
            (
                0,
                0,
                {
                    "sequence": 2,
                    "name": "Director",
                    "approver_type": "users",
                    "user_ids": [(4, common.user_director.id)],
                },
            ),
        ],
    )


def _statement_spy(statements):
    """A stand-in for ``Cursor.execute`` appending (SQL, logged) of each statement to
    ``statements``."""
    execute = Cursor.execute

    def spy(cr, query, params=None, log_exceptions=True):
        statements.append((query.code if isinstance(query, SQL) else str(query), log_exceptions))
        return execute(cr, query, params, log_exceptions)

    return spy


class TestApproval(ComplianceCommon):
    """Approval required: the change is held, tiers decide in order, the system applies it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = _large_proposals_policy(cls)

    def _held_lead(self):
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        requests = lead._compliance_request_approval(
            {"stage_id": self.stage_proposal.id}, "Strategic account"
        )
        return lead, requests

    def test_lists_show_the_pending_approval_as_a_pill(self):
        """The lead list shows a held change as the kanban does, a pill under a column that
        fits ("Approval": "Pending"), not a checkbox under a cut "Awai…" header."""
        lead, _requests = self._held_lead()
        other = self._lead(name="Nothing held").with_user(self.user_salesman)
        self.assertEqual(lead.compliance_approval_badge, "Pending")
        self.assertFalse(other.compliance_approval_badge)
        Lead = self.env["crm.lead"].with_user(self.user_salesman)
        view = Lead.get_view(self.env.ref("crm.crm_case_tree_view_oppor").id, "list")
        arch = etree.fromstring(view["arch"])
        column = arch.xpath("//field[@name='compliance_approval_badge']")[0]
        self.assertEqual(column.get("widget"), "badge")
        self.assertEqual(Lead._fields["compliance_approval_badge"].string, "Approval")
        self.assertFalse(arch.xpath("//field[@name='compliance_awaiting_approval']"))

    def test_held_values_shown_to_the_approvers(self):
        """A stage move held with other values does not hide them: the approvers read every
        value the approved change will write (readable names, bounded)."""
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        partner = self.env["res.partner"].create({"name": "Shown Partner"})
        request = lead._compliance_request_approval(
            {
                "stage_id": self.stage_proposal.id,
                "expected_revenue": 90000.0,
                "partner_id": partner.id,
                "description": "<p>%s</p>" % ("x" * 500),
            },
            "Strategic account",
        )
        self.assertEqual(request.state, "pending")
        change = request.change
        self.assertTrue(change.startswith(f"Move {lead.display_name} to {self.stage_proposal.name} ("))
        self.assertIn("Expected Revenue: 90,000", change)
        self.assertIn("Customer: “Shown Partner”", change)
        self.assertLess(len(change), 400)
        # the approver's list and to-do say it too
        self.assertIn("Expected Revenue: 90,000", request.sudo().activity_ids.summary)
        # a client sending the event "won" with a move to another stage is not shown a win
        other = self._lead(name="Not a win", expected_revenue=80000).with_user(self.user_salesman)
        request = other._compliance_request_approval(
            {"stage_id": self.stage_proposal.id, "expected_revenue": 90000.0}, "Strategic", event="won"
        )
        self.assertEqual(
            request.change,
            f"Move {other.display_name} to {self.stage_proposal.name} (Expected Revenue: 90,000)",
        )

    def test_decisions_take_the_request_first(self):
        """Two decisions at once (approve and reject, the requester cancelling) met in the
        database, where the second's update failed and was logged as an ERROR: each decision
        first takes the request's and its tiers' rows, quietly (a concurrency failure there is
        retried by Odoo, not logged), before changing anything."""
        decisions = {
            "approve": lambda request: request.with_user(self.user_leader).action_approve(),
            "reject": lambda request: request.with_user(self.user_leader).action_reject("No"),
            "cancel": lambda request: request.with_user(self.user_salesman).action_cancel(),
        }
        for label, decide in decisions.items():
            with self.subTest(decision=label):
                _lead, request = self._held_lead()
                statements = []
                spy = _statement_spy(statements)
                self.env.flush_all()
                self.env.invalidate_all()
                with patch.object(Cursor, "execute", spy):
                    decide(request)
                    self.env.flush_all()
                locks = [
                    index
                    for index, (sql, logged) in enumerate(statements)
                    if "FOR NO KEY UPDATE" in sql and "compliance_approval_line" in sql and not logged
                ]
                updates = [
                    index
                    for index, (sql, _logged) in enumerate(statements)
                    if sql.lstrip().startswith("UPDATE") and "compliance_approval" in sql
                ]
                self.assertTrue(locks, "the request's tiers are taken before deciding")
                self.assertTrue(updates)
                self.assertLess(locks[0], updates[0])

    def test_mass_edit_keeps_the_change_of_the_records_not_held(self):
        """Two leads moved at once, one above the amount needing approval: the approval
        dialog takes the whole write; the big one waits for its approvers and the small one
        is moved (its change was lost without a word)."""
        big = self._lead(name="Big one", expected_revenue=80000).with_user(self.user_salesman)
        small = self._lead(name="Small one", expected_revenue=1000).with_user(self.user_salesman)
        leads = big | small
        with self.assertRaises(GuideDecisionRequired) as caught:
            leads.write({"stage_id": self.stage_proposal.id})
        ctx = caught.exception.action["context"]
        self.assertEqual(sorted(json.loads(ctx["default_res_ids"])), sorted(leads.ids))
        self.assertIn("Big one", ctx["default_problems"])
        self.assertNotIn("Small one", ctx["default_problems"])
        wizard = Form(self.env["compliance.policy.wizard"].with_user(self.user_salesman).with_context(**ctx))
        wizard.reason = "Strategic accounts"
        wizard.save().action_confirm()
        self.assertEqual(small.stage_id, self.stage_proposal)
        self.assertEqual(big.stage_id, self.stage_new)
        request = self.Request.search([("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)])
        self.assertEqual((request.res_id, request.state), (big.id, "pending"))
        # the API says the same: the records no policy holds take the change
        big2 = self._lead(name="Big two", expected_revenue=90000).with_user(self.user_salesman)
        small2 = self._lead(name="Small two", expected_revenue=10).with_user(self.user_salesman)
        requests = (big2 | small2).compliance_request_approval({"stage_id": self.stage_proposal.id}, "Both")
        self.assertEqual(self.Request.browse(requests).mapped("res_id"), big2.ids)
        self.assertEqual((big2.stage_id, small2.stage_id), (self.stage_new, self.stage_proposal))

    def test_change_is_held(self):
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.stage_id = self.stage_proposal
        self.assertEqual(caught.exception.action["context"]["default_mode"], "approval")
        self.assertEqual(lead.stage_id, self.stage_new)
        # the wizard submits it
        wizard = Form(
            self.env["compliance.policy.wizard"]
            .with_user(self.user_salesman)
            .with_context(**caught.exception.action["context"])
        )
        wizard.reason = "Strategic account"
        wizard.save().action_confirm()
        request = self.Request.search([("res_id", "=", lead.id)])
        self.assertEqual(request.state, "pending")
        self.assertEqual(lead.stage_id, self.stage_new, "held: the record stays where it is")
        self.assertTrue(lead.compliance_awaiting_approval)
        self.assertIn(lead, self.env["crm.lead"].search([("compliance_awaiting_approval", "=", True)]))
        self.assertEqual(request.change, f"Move {lead.display_name} to {self.stage_proposal.name}")
        self.assertEqual(request.current_approver_ids, self.user_leader)
        self.assertEqual(request.sudo().activity_ids.user_id, self.user_leader)
        self.assertEqual(self._logs(lead).mapped("outcome"), ["approval_requested"])
        # a second attempt does not make a second request
        with self.assertRefused(UserError, "already waiting for the approval"):
            lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Again")

    def test_requester_cannot_take_the_approvers_todo(self):
        """The approvers' to-dos are the engine's: the salesperson whose change asked for them
        may not reassign, delete or mark them done (Odoo lets an activity's creator do so);
        the approver marks theirs done."""
        _lead, request = self._held_lead()
        activity = request.sudo().activity_ids
        self.assertEqual(activity.user_id, self.user_leader)
        as_requester = activity.with_user(self.user_salesman)
        for attempt in (
            lambda: as_requester.write({"user_id": self.user_salesman.id}),
            lambda: as_requester.write({"date_deadline": "2099-01-01"}),
            as_requester.unlink,
            lambda: as_requester.action_feedback(feedback="Done"),
        ):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                attempt()
        self.assertEqual(activity.user_id, self.user_leader)
        activity.with_user(self.user_leader).action_feedback(feedback="Seen, deciding tomorrow")
        self.assertFalse(activity.exists())
        self.assertEqual(request.state, "pending")

    def test_tiers_in_order_then_applied_as_requester(self):
        lead, request = self._held_lead()
        with self.assertRefused(AccessError, "not an approver"):
            request.with_user(self.user_director).action_approve()
        request.with_user(self.user_leader).action_approve()
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.current_approver_ids, self.user_director)
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertIn(request, self.Request.with_user(self.user_director).search([("can_decide", "=", True)]))
        self.assertNotIn(
            request, self.Request.with_user(self.user_leader).search([("can_decide", "=", True)])
        )
        request.with_user(self.user_director).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertTrue(request.applied)
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertFalse(lead.compliance_awaiting_approval)
        history = self.env["guide.history"].search([("res_id", "=", lead.id)], order="id desc", limit=1)
        self.assertEqual(history.user_id, self.user_salesman, "applied as the requester")
        deviation = request.deviation_id
        self.assertEqual(deviation.kind, "approval")
        self.assertEqual(deviation.approver_id, self.user_director)
        self.assertEqual(deviation.approval_state, "approved")
        logs = self._logs(lead)
        self.assertEqual(
            logs.mapped("outcome"), ["approval_requested", "tier_approved", "approved", "approved"]
        )
        self.assertEqual(logs[1].user_id, self.user_leader, "each tier's decision is in the audit trail")
        self.assertEqual(logs[1].reason, "Tier Team leader approved")
        # the report's measures: the change held is a violation; the approvers' decisions are
        # no check; the change applied under the approval is a compliant check
        self.assertEqual(
            [(log.event, log.count, log.violation, log.compliance_rate) for log in logs],
            [("stage", 1, 1, 0.0), ("approval", 0, 0, 0.0), ("approval", 0, 0, 0.0), ("stage", 1, 0, 100.0)],
        )
        self.env.flush_all()
        self.env.cr.execute("SELECT compliance_rate FROM compliance_log WHERE id = %s", [logs[2].id])
        self.assertIsNone(self.env.cr.fetchone()[0], "no rate: left out of the report's average")
        policy = self.policy
        policy.invalidate_recordset()
        self.assertEqual((policy.violation_count, policy.log_count), (1, len(logs)))
        [(checks, violations, rate)] = self.env["compliance.log"]._read_group(
            [("policy_id", "=", policy.id), ("res_id", "=", lead.id)],
            aggregates=["count:sum", "violation:sum", "compliance_rate:avg"],
        )
        self.assertEqual((checks, violations, rate), (2, 1, 50.0))
        self.assertGreaterEqual(request.lead_time_hours, 0.0)
        self.assertFalse(request.sudo().activity_ids)

    def test_reject_keeps_record(self):
        lead, request = self._held_lead()
        with self.assertRefused(UserError, "reason for the rejection"):
            request.with_user(self.user_leader).action_reject("  ")
        wizard = Form(
            self.env["compliance.reject.wizard"]
            .with_user(self.user_leader)
            .with_context(default_request_id=request.id)
        )
        wizard.reason = "Margin too low"
        wizard.save().action_reject()
        self.assertEqual(request.state, "rejected")
        self.assertEqual(request.reject_reason, "Margin too low")
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertEqual(self._logs(lead, outcome="rejected").reason, "Margin too low")
        self.assertIn("Margin too low", "".join(lead.message_ids.mapped("body")))
        # after a rejection, a new request may be made
        lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Revised margin")

    def test_dialog_texts_refused_when_typed(self):
        """The policy dialog's justification and the rejection's reason typed too long are
        refused when the dialog is saved, naming its field (the justification was refused
        only at Confirm, as "The note to the approvers"); nothing is stored."""
        lead, request = self._held_lead()
        too_long = "x" * 10_001
        dialogs = [
            (
                self.user_salesman,
                "compliance.policy.wizard",
                {
                    "mode": "approval",
                    "res_model": "crm.lead",
                    "res_ids": json.dumps(lead.ids),
                    "vals": json.dumps({"stage_id": self.stage_proposal.id}),
                },
                "Justification",
            ),
            (self.user_leader, "compliance.reject.wizard", {"request_id": request.id}, "Reason"),
        ]
        for user, model, vals, label in dialogs:
            with self.subTest(model=model):
                Wizard = self.env[model].with_user(user)
                with self.assertRefused(UserError, f"“{label}” is too long"):
                    Wizard.create({**vals, "reason": too_long})
                wizard = Wizard.create({**vals, "reason": "Short"})
                with self.assertRefused(UserError, f"“{label}” is too long"):
                    wizard.write({"reason": too_long})
                self.assertEqual(wizard.reason, "Short")
        self.assertEqual(request.state, "pending")

    def test_no_self_approval_unless_allowed(self):
        """The requester is no approver of their own request unless the policy allows it: a
        tier only they could decide refuses the request, naming the tier and the rule (it would
        wait for ever); in a group tier they are left out (no to-do they could not act on)."""
        lead = self._lead(expected_revenue=80000, user_id=self.user_leader.id).with_user(self.user_leader)
        with self.assertRefused(UserError, "tier Team leader: nobody but you can approve"):
            lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "My own deal")
        self.assertFalse(self.Request.search([("res_id", "=", lead.id)]))
        self.policy.tier_ids[0].write({"approver_type": "users", "user_ids": [(6, 0, self.user_manager.ids)]})
        self.policy.tier_ids[0].user_ids |= self.user_leader
        request = lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "My own deal")
        self.assertEqual(request.current_approver_ids, self.user_manager)
        self.assertEqual(request.sudo().activity_ids.user_id, self.user_manager)
        with self.assertRefused(AccessError, "not an approver"):
            request.action_approve()
        self.policy.allow_self_approval = True
        request2_lead = self._lead(expected_revenue=90000).with_user(self.user_leader)
        request2 = request2_lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Again")
        self.assertEqual(request2.current_approver_ids, self.user_manager | self.user_leader)
        request2.action_approve()
        self.assertEqual(request2.current_approver_ids, self.user_director)
        # the first request keeps the rule it was made under
        self.assertFalse(request.allow_self_approval)

    def test_different_approver_at_each_tier(self):
        """A policy asking a different approver at each tier (the default): whoever approved a
        tier leaves the next ones; approving a tier whose next one only they could decide is
        refused, naming who may decide it instead; a policy whose tiers cannot have different
        approvers refuses the request, naming the tiers."""
        self.assertTrue(self.policy.distinct_approvers)
        self.policy.tier_ids[0].write(
            {"approver_type": "users", "user_ids": [(6, 0, (self.user_leader | self.user_director).ids)]}
        )
        self.policy.tier_ids[1].user_ids = self.user_director | self.user_manager
        lead, request = self._held_lead()
        self.assertTrue(request.distinct_approvers)
        self.assertFalse(request.with_user(self.user_director).my_decision_note)
        request.with_user(self.user_director).action_approve()
        self.assertEqual(request.current_approver_ids, self.user_manager)
        self.assertEqual(
            request.with_user(self.user_director).my_decision_note,
            "You approved tier Team leader; tier Director is for %s." % self.user_manager.name,
        )
        self.assertFalse(request.with_user(self.user_manager).my_decision_note)
        with self.assertRefused(UserError, "You approved tier Team leader of Compliance lead; each tier"):
            request.with_user(self.user_director).action_approve()
        request.with_user(self.user_manager).action_approve()
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertEqual(request.line_ids.mapped("decided_by_id"), self.user_director | self.user_manager)
        # the director alone approves the last tier: they must leave the first to the leader
        self.policy.tier_ids[1].user_ids = self.user_director
        lead, request = self._held_lead()
        with self.assertRefused(UserError, "nobody is left to approve tier Director"):
            request.with_user(self.user_director).action_approve()
        self.assertEqual(request.line_ids[0].state, "pending")
        request.with_user(self.user_leader).action_approve()
        request.with_user(self.user_director).action_approve()
        self.assertEqual(request.state, "approved")
        # both tiers can be decided by the director only: refused when requested
        self.policy.tier_ids[0].user_ids = self.user_director
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        with self.assertRefused(UserError, "asks a different approver at each tier, but its tiers Team"):
            lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Strategic account")
        # a policy letting one person decide several tiers
        self.policy.distinct_approvers = False
        lead, request = self._held_lead()
        request.with_user(self.user_director).action_approve()
        request.with_user(self.user_director).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_approval_of_the_way_out_of_an_alternate_step(self):
        """A record whose alternate step returns to a step an approval guards: completing
        it asks for the approval of that move, the request is made (the move is the
        completion, not a move off its path) and, approved, the record leaves the alternate
        step for the step it returns to."""
        alt = self.env["guide.step"].create(
            {
                "process_id": self.process.id,
                "kind": "alternate",
                "name": "Legal review",
                "gate_mode": "block",
                "alt_from_step_ids": [(6, 0, self.step_proposal.ids)],
                "alt_return_step_id": self.step_negotiation.id,
                "item_ids": [(0, 0, {"name": "Contract reviewed"})],
            }
        )
        self._policy(
            name="Large negotiations",
            trigger="stage",
            step_ids=[(6, 0, self.step_negotiation.ids)],
            requirement="[('expected_revenue', '<=', 50000)]",
            message="Negotiations above 50,000 need the director.",
            enforcement="approval",
            tier_ids=[
                (0, 0, {"name": "Director", "approver_type": "users", "user_ids": self.user_director.ids})
            ],
        )
        lead = self._lead(stage_id=self.stage_proposal.id, expected_revenue=40000).with_user(
            self.user_salesman
        )
        lead.action_guide_enter_alternate(alt.id, "Non-standard contract")
        lead.guide_alt_line_ids.action_check()
        lead.expected_revenue = 80000
        with self.assertRaises(GuideDecisionRequired):
            lead.action_guide_complete_alternate()
        self.assertEqual(lead.guide_alt_step_id, alt)
        request = lead._compliance_request_approval(
            {"stage_id": self.stage_negotiation.id}, "Legal signed off"
        )
        self.assertEqual(request.state, "pending")
        request.with_user(self.user_director).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertTrue(request.applied)
        self.assertEqual(lead.stage_id, self.stage_negotiation)
        self.assertFalse(lead.guide_alt_step_id)

    def test_request_left_without_different_approvers_is_cancelled(self):
        """Two tiers that only two people approve: when one of them is archived, nobody can
        decide both with a different approver at each; the request is cancelled and the
        requester told (it waited for ever)."""
        both = self.user_leader | self.user_director
        for tier in self.policy.tier_ids:
            tier.write({"approver_type": "users", "user_ids": [(6, 0, both.ids)]})
        lead, request = self._held_lead()
        self.user_director.action_archive()
        self.assertEqual(request.state, "cancelled")
        self.assertIn("can no longer be approved by different people", request.apply_error)
        self.assertFalse(request.sudo().activity_ids)
        self.assertFalse(lead.compliance_awaiting_approval)

    def test_policy_at_the_time_names_only_readable_records(self):
        """A request words its policy's conditions for its reader: a record they may not
        read (a customer of another company) is named by its id only."""
        other = self.env["res.company"].create({"name": "Other company"})
        secret = self.env["res.partner"].create({"name": "Secret customer", "company_id": other.id})
        self.policy.requirement = f"[('expected_revenue', '<=', 50000), ('partner_id', '!=', {secret.id})]"
        _lead, request = self._held_lead()
        for user in (self.user_salesman, self.user_leader):
            with self.subTest(user=user.login):
                text = request.with_user(user).policy_requirement_text
                self.assertEqual(text, f"Expected Revenue ≤ 50,000 and Customer ≠ #{secret.id}")
        self.assertIn(
            "Secret customer", request.with_env(self.env).policy_requirement_text, "who may read it"
        )

    def test_approvers_snapshot(self):
        lead, request = self._held_lead()
        request.with_user(self.user_leader).action_approve()
        # the configuration changes: the request in flight keeps its approvers
        self.policy.tier_ids[1].user_ids = [(6, 0, self.user_manager.ids)]
        self.assertEqual(request.current_approver_ids, self.user_director)
        with self.assertRaises(AccessError):
            request.with_user(self.user_manager).action_approve()
        request.with_user(self.user_director).action_approve()
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertGreater(self.policy.version, 1)
        self.assertIn('"version": 1', request.policy_snapshot)

    def test_archived_team_leader_does_not_approve(self):
        """A team leader archived after the policy was saved is nobody's approver: the request
        is refused naming the tier (it was made, waiting on someone who no longer logs in)."""
        self.user_leader.active = False
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        with self.assertRefused(UserError, "tier Team leader: nobody can approve"):
            lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Strategic account")
        self.assertFalse(self.Request.search([("res_id", "=", lead.id)]))

    def test_archived_approver_leaves_the_pending_tier(self):
        """An approver archived while a request waits for them is replaced: the tier keeps the
        approvers who can still decide, else it goes to its policy tier's approvers for the
        record now; when nobody is left the request is cancelled and the requester told."""
        lead, request = self._held_lead()
        self.assertEqual(request.current_approver_ids, self.user_leader)
        # the team gets a new leader, the old one is archived: tier 1 goes to the new leader
        self.team.user_id = self.user_manager
        self.user_leader.action_archive()
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.current_approver_ids, self.user_manager)
        self.assertEqual(request.sudo().activity_ids.user_id, self.user_manager)
        self.assertIn(request, self.Request.with_user(self.user_manager).search([("can_decide", "=", True)]))
        request.with_user(self.user_manager).action_approve()
        self.assertEqual(request.current_approver_ids, self.user_director)
        # the only approver of the last tier is archived, and the policy names nobody else
        self.user_director.action_archive()
        self.assertEqual(request.state, "cancelled")
        self.assertFalse(request.sudo().activity_ids)
        self.assertIn("nobody can approve tier Director any more", request.apply_error)
        self.assertIn(
            self.user_salesman.partner_id,
            request.message_ids.filtered(lambda m: "nobody can approve" in (m.body or "")).partner_ids,
        )
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertFalse(lead.compliance_awaiting_approval)
        # the requester may request the change again (refused naming the tier while nobody approves)
        with self.assertRefused(UserError, "tier Director: nobody can approve"):
            lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Again")

    def test_upgrade_links_pending_lines_to_their_tier(self):
        """The undecided lines of requests made before lines named their policy's tier are
        linked to it on upgrade (same sequence and name), so that their tier is handed on
        rather than cancelled; a line whose tier was renamed since stays unlinked."""
        lead, request = self._held_lead()
        other_lead, other = self._held_lead()
        self.env.cr.execute(
            "UPDATE compliance_approval_line SET tier_id = NULL WHERE request_id IN %s",
            [(request.id, other.id)],
        )
        self.env.cr.execute(
            "UPDATE compliance_approval_line SET name = 'Old name' WHERE request_id = %s AND sequence = 2",
            [other.id],
        )
        path = file_path("base_policy_compliance/migrations/18.0.2.1.0/post-migrate.py")
        spec = importlib.util.spec_from_file_location("post_migrate", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.2.0.0")
        self.env.invalidate_all()
        self.assertEqual(request.line_ids.mapped("tier_id"), self.policy.tier_ids)
        self.assertEqual(other.line_ids.sorted("sequence")[0].tier_id, self.policy.tier_ids[0])
        self.assertFalse(other.line_ids.sorted("sequence")[1].tier_id)
        # the purpose: the team gets a new leader, the old one is archived, tier 1 goes on
        self.team.user_id = self.user_manager
        self.user_leader.action_archive()
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.current_approver_ids, self.user_manager)

    def test_approver_leaving_the_company_leaves_the_tier(self):
        """An approver who no longer works for the request's company leaves its tier; the other
        approvers of the tier decide, and the request waits only for them."""
        company_b = self.env["res.company"].create({"name": "Approvals B"})
        self.policy.tier_ids[1].user_ids = [(4, self.user_officer.id)]
        self.user_officer.groups_id = [(4, self.env.ref("sales_team.group_sale_manager").id)]
        lead, request = self._held_lead()
        request.with_user(self.user_leader).action_approve()
        self.assertEqual(request.current_approver_ids, self.user_director | self.user_officer)
        self.user_director.write({"company_ids": [(4, company_b.id)], "company_id": company_b.id})
        self.assertEqual(request.current_approver_ids, self.user_director | self.user_officer)
        self.user_director.write({"company_ids": [(6, 0, company_b.ids)]})
        self.assertEqual(request.current_approver_ids, self.user_officer)
        self.assertEqual(request.sudo().activity_ids.user_id, self.user_officer)
        request.with_user(self.user_officer).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_compliant_change_is_just_made(self):
        lead = self._lead(expected_revenue=1000).with_user(self.user_salesman)
        requests = lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Why not")
        self.assertFalse(requests)
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_apply_error_is_kept_and_requester_applies_later(self):
        lead, request = self._held_lead()
        request.with_user(self.user_leader).action_approve()
        # meanwhile another policy now blocks the move
        blocker = self._policy(
            name="Proposal needs a customer email",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('email_from', '!=', False)]",
            message="Give the email.",
        )
        request.with_user(self.user_director).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertFalse(request.applied)
        self.assertIn("Give the email.", request.apply_error)
        self.assertEqual(lead.stage_id, self.stage_new)
        blocker.active = False
        request.with_user(self.user_salesman).action_apply()
        self.assertTrue(request.applied)
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_apply_refused_by_access_rights_says_so_in_words(self):
        """The lead went to another salesperson meanwhile: the requester may no longer change
        it, and the approved change waits. The request and its chatter say so in words, not
        with Odoo's access error (user ids, model names)."""
        lead, request = self._held_lead()
        request.with_user(self.user_leader).action_approve()
        lead.sudo().user_id = self.user_salesman2
        request.with_user(self.user_director).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertFalse(request.applied)
        self.assertEqual(lead.sudo().stage_id, self.stage_new)
        error = request.apply_error
        self.assertIn("Sam Salesman may no longer change", error)
        self.assertNotIn("crm.lead", error)
        self.assertNotIn("id=", error)
        body = request.sudo().message_ids[:1].body
        self.assertIn("Sam Salesman may no longer change", body)
        self.assertNotIn("crm.lead", body)

    def test_requester_who_lost_the_record_is_refused_in_words(self):
        """The lead went to another salesperson before the approval: the request no longer
        offers its requester *Apply the Change* nor *Open Record* (both ended in Odoo's access
        error), and called anyway they are refused in words, naming the lead and who can act
        on it now."""
        lead, request = self._held_lead()
        request.with_user(self.user_leader).action_approve()
        lead.sudo().user_id = self.user_salesman2
        request.with_user(self.user_director).action_approve()
        mine = request.with_user(self.user_salesman)
        self.assertFalse(mine.record_readable)
        self.assertFalse(mine.record_writable)
        self.assertTrue(request.with_user(self.user_salesman2).record_writable)
        for method in ("action_apply", "action_open_record"):
            with self.subTest(method=method), self.assertRaises(UserError) as caught:
                getattr(mine, method)()
            message = str(caught.exception)
            self.assertIn(lead.sudo().name, message)
            self.assertIn(f"Who can act on it now: {self.user_salesman2.name}.", message)
            self.assertNotIn("crm.lead", message)
        self.assertFalse(request.applied)
        self.assertEqual(lead.sudo().stage_id, self.stage_new)

    def test_approved_request_covers_its_own_change_only(self):
        """An approval not applied yet lets through the change approved, by *Apply*; any
        other change of the requester's is judged as if there were none: approved for
        80,000, the salesperson cannot move the lead at 5,000,000."""
        lead, request = self._held_lead()
        blocker = self._policy(
            name="Proposal needs a customer email",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('email_from', '!=', False)]",
            message="Give the email.",
        )
        request.with_user(self.user_leader).action_approve()
        request.with_user(self.user_director).action_approve()
        self.assertEqual((request.state, request.applied), ("approved", False))
        blocker.active = False
        lead.expected_revenue = 5000000
        with self.assertRaises(GuideDecisionRequired):
            lead.write({"stage_id": self.stage_proposal.id})
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertFalse(request.applied)
        # the change approved is applied by *Apply*, if the lead is still as it was
        lead.expected_revenue = 80000
        request.with_user(self.user_salesman).action_apply()
        self.assertTrue(request.applied)
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_requests_are_read_only(self):
        _lead, request = self._held_lead()
        with self.assertRaises(AccessError):
            request.with_user(self.user_manager).write({"state": "approved"})
        with self.assertRaises(UserError):
            request.with_user(self.user_manager).unlink()

    def test_reminders_bounded(self):
        start = datetime(2031, 5, 5, 9, 0)
        with freeze_time(start):
            _lead, request = self._held_lead()
        for hours in (1, 5, 6, 10, 20, 40):
            with freeze_time(start + timedelta(hours=hours)):
                self.Request._cron_remind()
        self.assertEqual(request.reminder_count, 2)
        reminders = request.message_ids.filtered(lambda m: "Reminder" in (m.body or ""))
        self.assertEqual(len(reminders), 2)
        # decided requests are not reminded
        _lead2, request2 = self._held_lead_other()
        request2.with_user(self.user_leader).action_reject("No")
        with freeze_time(datetime.now() + timedelta(days=3)):
            self.Request._cron_remind()
        self.assertEqual(request2.reminder_count, 0)

    def test_reminder_of_a_request_whose_lead_moved_on_closes_it(self):
        """A request whose lead moved on since it was made is not reminded: its reminder
        closes it as outdated, as its approval would (the approvers' to-dos done, the
        requester told, nothing applied); the other requests are reminded."""
        start = datetime(2031, 5, 5, 9, 0)
        with freeze_time(start):
            lead, request = self._held_lead()
            _lead2, request2 = self._held_lead_other()
            self.assertTrue(request.sudo().activity_ids)
            # meanwhile the agent wins the deal
            lead.write({"stage_id": self.stage_won.id})
        with freeze_time(start + timedelta(hours=5)):
            self.Request._cron_remind()
        self.assertEqual(request.state, "outdated")
        self.assertFalse(request.applied)
        self.assertEqual(lead.stage_id, self.stage_won, "the lead does not go back")
        self.assertFalse(request.sudo().activity_ids)
        self.assertFalse(request.message_ids.filtered(lambda m: "Reminder" in (m.body or "")))
        told = request.message_ids.filtered(lambda m: "changed since the request was made" in (m.body or ""))
        self.assertIn(self.user_salesman.partner_id, told.partner_ids)
        self.assertEqual((request2.state, request2.reminder_count), ("pending", 1))

    def test_reminder_refused_is_a_warning(self):
        """A reminder refused (here the approver's access) rolls back alone, is logged as a
        warning, not an error, and the other requests are reminded."""
        start = datetime(2031, 5, 5, 9, 0)
        with freeze_time(start):
            _lead, request = self._held_lead()
            _lead2, request2 = self._held_lead_other()
        Request = type(self.Request)
        message_post = Request.message_post

        def refuse_first(records, **kwargs):
            if records.id == request.id:
                raise AccessError("No access to the approver's inbox")  # pylint: disable=translation-required
            return message_post(records, **kwargs)

        with (
            freeze_time(start + timedelta(hours=5)),
            patch.object(Request, "message_post", refuse_first),
            self.assertLogs("odoo.addons.base_policy_compliance.models.compliance_approval_request") as logs,
        ):
            self.Request._cron_remind()
        self.assertEqual([record.levelname for record in logs.records], ["WARNING"])
        self.assertIn(f"request {request.id}", logs.output[0])
        # the refused reminder used its turn: retried after the interval, not at every run
        self.assertEqual((request.reminder_count, request2.reminder_count), (1, 1))
        self.assertFalse(request.message_ids.filtered(lambda m: "Reminder" in (m.body or "")))
        with freeze_time(start + timedelta(hours=6)):
            self.Request._cron_remind()
        self.assertEqual(request.reminder_count, 1)

    def test_requests_out_of_reminders_hold_no_other_back(self):
        """The oldest requests, out of reminders, do not fill the run's batch: a newer one
        is still reminded (the batch is of the requests due)."""
        self.env.cr.execute("UPDATE compliance_approval_request SET reminder_hours = 0")  # the demo's
        start = datetime(2031, 5, 5, 9, 0)
        with freeze_time(start):
            _lead, old = self._held_lead()
        for hours in (5, 10):
            with freeze_time(start + timedelta(hours=hours)):
                self.Request._cron_remind(limit=1)
        self.assertEqual(old.reminder_count, old.reminder_max)
        with freeze_time(start + timedelta(hours=11)):
            _lead2, new = self._held_lead_other()
        with freeze_time(start + timedelta(hours=20)):
            self.Request._cron_remind(limit=1)
        self.assertEqual((old.reminder_count, new.reminder_count), (old.reminder_max, 1))

    def _held_lead_other(self):
        lead = self._lead(name="Other big deal", expected_revenue=70000, user_id=self.user_salesman2.id)
        lead = lead.with_user(self.user_salesman2)
        return lead, lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Other")

    def test_won_needs_approval_through_action(self):
        self.policy.write({"trigger": "won", "step_ids": [(5, 0, 0)]})
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired):
            lead.action_set_won()
        request = lead._compliance_request_approval(
            {"stage_id": self.stage_won.id, "probability": 100}, "Signed", event="won"
        )
        self.assertEqual(request.change, f"Mark {lead.display_name} as won")
        request.with_user(self.user_leader).action_approve()
        request.with_user(self.user_director).action_approve()
        self.assertTrue(lead.stage_id.is_won)

    def _request_through_dialog(self, lead, change):
        """The approval asked through the dialog the held change opens (its values as the
        CRM wrote them)."""
        with self.assertRaises(GuideDecisionRequired) as caught:
            change(lead)
        action = caught.exception.action
        wizard = Form(
            self.env["compliance.policy.wizard"]
            .with_user(self.user_salesman)
            .with_context(**action["context"])
        )
        wizard.reason = "Signed"
        wizard.save().action_confirm()
        return self.Request.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])

    def test_won_lost_requests_name_only_what_the_user_did(self):
        """A win, a loss or a move into a won stage held for approval reads as what the user
        did: the values the CRM adds itself (probability, automated probability, dates) are
        not the approvers' decision ("Mark X as won (Automated Probability: 100)")."""
        self.policy.write({"trigger": "won", "step_ids": [(5, 0, 0)]})
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        request = self._request_through_dialog(lead, lambda lead: lead.action_set_won())
        self.assertEqual(request.change, f"Mark {lead.display_name} as won")
        self.policy.write({"trigger": "lost"})
        lead = self._lead(name="Lost deal", expected_revenue=80000).with_user(self.user_salesman)
        request = self._request_through_dialog(
            lead, lambda lead: lead.action_set_lost(lost_reason_id=self.lost_reason.id)
        )
        # the reason the user chose is theirs: the approvers see it
        self.assertEqual(request.change, f"Mark {lead.display_name} as lost (Lost Reason: “Too expensive”)")
        self.policy.write({"trigger": "stage", "step_ids": [(6, 0, self.step_won.ids)]})
        lead = self._lead(name="Moved deal", expected_revenue=80000).with_user(self.user_salesman)
        request = self._request_through_dialog(lead, lambda lead: lead.write({"stage_id": self.stage_won.id}))
        self.assertEqual(request.change, f"Move {lead.display_name} to P-Won")

    def test_request_shows_the_checklist_gate_it_lets_through(self):
        self.step_new.write(
            {
                "gate_mode": "override",
                "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})],
            }
        )
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        # the request form gives the reason for the gate too
        request = lead.with_context(guide_override_reason="Strategic account")._compliance_request_approval(
            {"stage_id": self.stage_proposal.id}, "Strategic account"
        )
        self.assertEqual(request.with_user(self.user_leader).guide_bypassed_items, "NDA signed")
        request.with_user(self.user_leader).action_approve()
        request.with_user(self.user_director).action_approve()
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertFalse(request.guide_bypassed_items, "decided: nothing more to show")
        # a request that does not move the record past a gate shows nothing
        self.step_new.item_ids.unlink()
        _lead, other = self._held_lead()
        self.assertFalse(other.with_user(self.user_leader).guide_bypassed_items)

    def test_gate_overridden_then_approval_requested(self):
        """A move past a gate overridden in its dialog, then held by a policy: the approval
        dialog takes the gate's reason on (the approval asked met the gate again, whose
        dialog reopened, and the change could never be submitted)."""
        self.step_new.write(
            {
                "gate_mode": "override",
                "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})],
            }
        )
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        # the gate's dialog gives its reason, then the policy holds the move
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.with_context(guide_override_reason="Customer in a hurry").write(
                {"stage_id": self.stage_proposal.id}
            )
        action = caught.exception.action
        self.assertEqual(action["res_model"], "compliance.policy.wizard")
        wizard = Form(
            self.env["compliance.policy.wizard"]
            .with_user(self.user_salesman)
            .with_context(**action["context"])
        )
        wizard.reason = "Strategic account"
        wizard.save().action_confirm()
        request = self.Request.search([("res_id", "=", lead.id)])
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.with_user(self.user_leader).guide_bypassed_items, "NDA signed")
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_gate_and_approval_in_one_dialog(self):
        """A move past a gate that a policy holds takes one dialog: the gate's says the move
        also needs approval, and its one justification overrides the gate and asks the
        approvers (the policy's dialog followed, asking for a justification again). Opening
        the dialog holds, audits and notifies nothing."""
        self.step_new.write(
            {
                "gate_mode": "override",
                "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})],
            }
        )
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.write({"stage_id": self.stage_proposal.id})
        action = caught.exception.action
        self.assertEqual(action["res_model"], "guide.override.wizard")
        on_lead = [("model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        messages = self.env["mail.message"].search_count(on_lead)
        wizard = Form(
            self.env["guide.override.wizard"].with_user(self.user_salesman).with_context(**action["context"])
        )
        self.assertEqual(
            wizard.approval_problems, f"{lead.display_name}: Large proposals: {self.policy.message}"
        )
        self.assertFalse(wizard.policy_problems)
        self.assertFalse(self.Request.search([("res_id", "=", lead.id)]))
        self.assertFalse(self._logs(lead))
        self.assertEqual(self.env["mail.message"].search_count(on_lead), messages)
        self.assertEqual(lead.stage_id, self.stage_new)
        wizard.reason = "Customer in a hurry"
        result = wizard.save().action_confirm()
        self.assertEqual(result["tag"], "display_notification")
        request = self.Request.search([("res_id", "=", lead.id)])
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.note, "Customer in a hurry")
        self.assertEqual(request.with_user(self.user_leader).guide_bypassed_items, "NDA signed")
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_gate_and_approval_keep_the_reason_chosen(self):
        """The reason picked in the gate's dialog of a move a policy holds is kept by the
        request (shown to its approvers) and carried by both deviations the approved move
        writes, the gate's and the approval's (both had none)."""
        self.step_new.write(
            {
                "gate_mode": "override",
                "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})],
            }
        )
        reason = self.env.ref("base_process_guide.guide_deviation_reason_customer")
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.write({"stage_id": self.stage_proposal.id})
        wizard = Form(
            self.env["guide.override.wizard"]
            .with_user(self.user_salesman)
            .with_context(**caught.exception.action["context"])
        )
        wizard.reason_id = reason
        wizard.reason = "Customer in a hurry"
        wizard.save().action_confirm()
        request = self.Request.search([("res_id", "=", lead.id)])
        self.assertEqual(request.with_user(self.user_leader).reason_id, reason)
        with self.assertRaises(AccessError):
            request.with_user(self.user_salesman).write({"reason_id": False})
        request.with_user(self.user_leader).action_approve()
        request.with_user(self.user_director).action_approve()
        self.assertEqual(lead.stage_id, self.stage_proposal)
        deviations = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual(sorted(deviations.mapped("kind")), ["approval", "gate"])
        self.assertEqual(deviations.reason_id, reason, "both deviations carry the reason chosen")
        self.assertEqual(set(deviations.mapped("reason")), {"Customer in a hurry"})

    def test_reason_a_request_gives_is_archived_not_deleted(self):
        """A reason an approval request gives (chosen with its justification, shown to its
        approvers) is not deleted, as one deviations give is not: the request, part of the
        audit trail, lost it (emptied by the database), and a rejected one never gave it to
        a deviation. Archived, it stays on the request."""
        self.step_new.write(
            {"gate_mode": "override", "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})]}
        )
        reason = self.env["guide.deviation.reason"].create({"name": "Rush order", "model_name": "crm.lead"})
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.write({"stage_id": self.stage_proposal.id})
        wizard = Form(
            self.env["guide.override.wizard"]
            .with_user(self.user_salesman)
            .with_context(**caught.exception.action["context"])
        )
        wizard.reason_id = reason
        wizard.reason = "Customer in a hurry"
        wizard.save().action_confirm()
        request = self.Request.search([("res_id", "=", lead.id)])
        request.with_user(self.user_leader).action_reject("Not this quarter")
        with self.assertRaises(UserError) as caught:
            reason.with_user(self.user_manager).unlink()
        self.assertIn("\nRush order: approval requests: 1", str(caught.exception))
        # given by a deviation too: one refusal names both
        self._lead().with_user(self.user_salesman).with_context(
            guide_override_reason="Rush", guide_override_reason_id=reason.id
        ).write({"stage_id": self.stage_proposal.id})
        with self.assertRaises(UserError) as caught:
            reason.with_user(self.user_manager).unlink()
        message = str(caught.exception)
        self.assertIn("\nRush order: deviations: 1 and approval requests: 1", message)
        self.assertIn("Archive it instead", message)
        reason.with_user(self.user_manager).action_archive()
        self.assertEqual(request.reason_id, reason)

    def test_reason_no_longer_offered_does_not_hold_the_approved_change(self):
        """A reason chosen for a request, then moved by a manager to another company the
        requester does not reach (or to another model), is left out of the deviations the
        approved change writes, as an archived one is: the change is applied all the same."""
        self.step_new.write(
            {
                "gate_mode": "override",
                "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})],
            }
        )
        other_company = self.env["res.company"].create({"name": "Elsewhere Ltd"})
        changes = [{"company_id": other_company.id}]
        if "helpdesk.ticket" in self.env:
            changes.append({"model_name": "helpdesk.ticket"})
        for change in changes:
            reason = self.env["guide.deviation.reason"].create({"name": "Rush", "model_name": "crm.lead"})
            lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
            with self.assertRaises(GuideDecisionRequired) as caught:
                lead.write({"stage_id": self.stage_proposal.id})
            wizard = Form(
                self.env["guide.override.wizard"]
                .with_user(self.user_salesman)
                .with_context(**caught.exception.action["context"])
            )
            wizard.reason_id = reason
            wizard.reason = "Customer in a hurry"
            wizard.save().action_confirm()
            request = self.Request.search([("res_id", "=", lead.id)])
            self.assertEqual(request.reason_id, reason)
            reason.write(change)
            request.with_user(self.user_leader).action_approve()
            request.with_user(self.user_director).action_approve()
            self.assertFalse(request.apply_error)
            self.assertEqual(lead.stage_id, self.stage_proposal, change)
            deviations = self.env["guide.deviation"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id), ("kind", "=", "approval")]
            )
            self.assertFalse(deviations.reason_id)
            self.assertEqual(deviations.reason, "Customer in a hurry")

    def test_gate_dialog_preview_tells_nothing_it_should_not(self):
        """The gate's dialog opened on a lead the user may not change (a client sending its
        ids) says nothing of its policies and holds nothing; a move a policy blocks is refused
        at confirmation: opening the dialog audited no refusal."""
        self.step_new.write(
            {
                "gate_mode": "override",
                "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})],
            }
        )
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.write({"stage_id": self.stage_proposal.id})
        context = caught.exception.action["context"]
        Wizard = self.env["guide.override.wizard"]
        wizard = Form(Wizard.with_user(self.user_salesman2).with_context(**context))
        self.assertFalse(wizard.approval_problems)
        self.assertFalse(self.Request.search([("res_id", "=", lead.id)]))
        # a policy blocking the move: the dialog is no audited attempt, its confirmation is
        self._policy(
            name="No empty proposals",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('expected_revenue', '<=', 1)]",
            message="Nothing to propose.",
            enforcement="block",
        )
        wizard = Form(Wizard.with_user(self.user_salesman).with_context(**context))
        self.assertFalse(self._logs(lead))
        wizard.reason = "Customer in a hurry"
        with self.assertRaises(UserError):
            wizard.save().action_confirm()
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_gate_dialog_moves_when_no_policy_holds(self):
        """The gate's dialog of a move no policy holds says nothing of approvals and moves."""
        self.step_new.write(
            {
                "gate_mode": "override",
                "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})],
            }
        )
        lead = self._lead(expected_revenue=10000).with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.write({"stage_id": self.stage_proposal.id})
        wizard = Form(
            self.env["guide.override.wizard"]
            .with_user(self.user_salesman)
            .with_context(**caught.exception.action["context"])
        )
        self.assertFalse(wizard.approval_problems)
        wizard.reason = "Customer in a hurry"
        self.assertEqual(wizard.save().action_confirm()["tag"], "soft_reload")
        self.assertEqual(lead.stage_id, self.stage_proposal)
        self.assertFalse(self.Request.search([("res_id", "=", lead.id)]))


@tagged("post_install", "-at_install")
class TestApprovalAcrossCompanies(ComplianceCommon):
    """A lead moved to another company while a change of it waits for approval."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = _large_proposals_policy(cls)

    def _held_lead(self):
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
        requests = lead._compliance_request_approval(
            {"stage_id": self.stage_proposal.id}, "Strategic account"
        )
        return lead, requests

    def test_pending_request_follows_its_lead_to_another_company(self):
        """A lead moved to another company while its change waits takes its pending request
        with it: the request is read and decided where the lead is, an approver who does not
        work for that company leaves its tiers (the others decide) and can neither read nor
        decide it any more; the requests already decided and the audit rows go with it too,
        read where the lead is (their content unchanged)."""
        company_a = self.env.company
        company_b = self.env["res.company"].create({"name": "Approvals B (moved)"})
        both = [(6, 0, (company_a | company_b).ids)]
        for user in (self.user_salesman, self.user_leader, self.user_officer):
            user.company_ids = both
        self.policy.tier_ids[1].user_ids = [(4, self.user_officer.id)]
        self.user_officer.groups_id = [(4, self.env.ref("sales_team.group_sale_manager").id)]
        lead, rejected = self._held_lead()
        rejected.with_user(self.user_leader).action_reject("Not this quarter")
        request = lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Now")
        self.assertEqual(request.line_ids[1].approver_ids, self.user_director | self.user_officer)
        lead.with_context(allowed_company_ids=(company_a | company_b).ids).company_id = company_b
        self.assertEqual(request.company_id, company_b)
        self.assertEqual(request.line_ids.company_id, company_b)
        self.assertEqual(rejected.company_id, company_b, "read where its lead is, as the audit rows")
        self.assertEqual(rejected.line_ids.company_id, company_b)
        logs = self.env["compliance.log"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertTrue(logs)
        self.assertEqual(logs.company_id, company_b)
        self.assertEqual(rejected.state, "rejected")
        # the director works for company A only: out of the tier, and the request out of sight
        self.assertEqual(request.line_ids[1].approver_ids, self.user_officer)
        self.assertFalse(self.Request.with_user(self.user_director).search([("id", "=", request.id)]))
        request.with_user(self.user_leader).action_approve()
        with self.assertRaises(AccessError):
            request.with_user(self.user_director).action_approve()
        request.with_user(self.user_officer).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.decided_by_id, self.user_officer)
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_change_applied_whatever_companies_the_approver_works_in(self):
        """An approver whose session has a company the requester does not work for (both
        companies chosen in the switcher, the other one first) approves: the change is
        applied as the requester in their own companies, with the reason they chose (the
        approval was refused, 'Access to unauthorized or invalid companies', or the change
        left waiting as if the requester had lost their access)."""
        self.step_new.write(
            {"gate_mode": "override", "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})]}
        )
        company_b = self.env["res.company"].create({"name": "Approvals B (approvers only)"})
        for user in (self.user_leader, self.user_director):
            user.company_ids = [(4, company_b.id)]
        session = {"allowed_company_ids": [company_b.id, self.env.company.id]}
        reason = self.env.ref("base_process_guide.guide_deviation_reason_customer")
        for chosen in (reason, reason.browse()):
            lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
            with self.assertRaises(GuideDecisionRequired) as caught:
                lead.write({"stage_id": self.stage_proposal.id})
            wizard = Form(
                self.env["guide.override.wizard"]
                .with_user(self.user_salesman)
                .with_context(**caught.exception.action["context"])
            )
            wizard.reason_id = chosen
            wizard.reason = "Customer in a hurry"
            wizard.save().action_confirm()
            request = self.Request.search([("res_id", "=", lead.id)])
            request.with_user(self.user_leader).with_context(**session).action_approve()
            request.with_user(self.user_director).with_context(**session).action_approve()
            self.assertEqual(request.state, "approved")
            self.assertFalse(request.apply_error, chosen)
            self.assertEqual(lead.stage_id, self.stage_proposal, chosen)
            deviations = self.env["guide.deviation"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
            )
            self.assertEqual(deviations.reason_id, chosen)

    def test_pending_request_nobody_of_the_new_company_approves_is_cancelled(self):
        """When nobody of the lead's new company can decide a tier of its pending request, the
        request is cancelled and the requester told: the change is not approved by someone
        who cannot read the lead."""
        company_b = self.env["res.company"].create({"name": "Approvals B (nobody)"})
        self.user_salesman.company_ids = [(4, company_b.id)]
        lead, request = self._held_lead()
        lead.with_context(allowed_company_ids=(self.env.company | company_b).ids).company_id = company_b
        self.assertEqual(request.state, "cancelled")
        self.assertIn("nobody can approve tier Team leader any more", request.apply_error)
        self.assertFalse(request.sudo().activity_ids)
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertFalse(lead.compliance_awaiting_approval)

    def test_pending_request_follows_its_lead_handed_to_another_company(self):
        """The lead's company changes without being written (Odoo computes it from a
        salesperson of company B only): its pending request goes there all the same, out of
        sight of an approver of company A only."""
        company_b = self.env["res.company"].create({"name": "Approvals B (handed)"})
        user_b = new_test_user(
            self.env,
            login="pol_salesman_b",
            groups="sales_team.group_sale_salesman",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        self.team.member_ids = [(4, user_b.id)]
        self.user_leader.company_ids = [(4, company_b.id)]
        self.policy.tier_ids[1].user_ids = [(4, self.user_officer.id)]
        self.user_officer.groups_id = [(4, self.env.ref("sales_team.group_sale_manager").id)]
        self.user_officer.company_ids = [(4, company_b.id)]
        lead, request = self._held_lead()
        lead.sudo().with_context(allowed_company_ids=(self.env.company | company_b).ids).user_id = user_b
        self.assertEqual(lead.sudo().company_id, company_b, "Odoo moved the lead with its salesperson")
        # the requester, of company A only, no longer reads it either: read as the engine
        self.assertEqual(request.sudo().company_id, company_b)
        self.assertEqual(request.sudo().line_ids[1].approver_ids, self.user_officer)
        self.assertFalse(self.Request.with_user(self.user_director).search([("id", "=", request.id)]))
