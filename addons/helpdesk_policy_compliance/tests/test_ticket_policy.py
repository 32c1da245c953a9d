from lxml import etree
from markupsafe import Markup

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base_process_guide.tests.perf_common import created_earlier
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


class TestTicketPolicy(HelpdeskGuideCommon):
    """Tickets are policed as leads are: block, override, approval, audit, access."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["compliance.policy"].search([]).write({"active": False})
        cls.team.user_id = cls.user_manager
        cls.policy = cls.env["compliance.policy"].create(
            {
                "name": "Resolution note",
                "model_name": "helpdesk.ticket",
                "helpdesk_team_ids": [(6, 0, cls.team.ids)],
                "trigger": "stage",
                "step_ids": [(6, 0, cls.step_resolved.ids)],
                "requirement": "[('compliance_has_note', '=', True)]",
                "message": "Write how it was solved.",
                "enforcement": "block",
            }
        )

    def _waiting_ticket(self, **vals):
        return self._ticket(stage_id=self.stage_waiting.id, **vals)

    def test_company_policy_is_limited_to_its_companys_teams(self):
        """A company's policy cannot be limited to another company's helpdesk teams (it would
        police no ticket, shown as policing every team to whoever may not read them)."""
        company_b = self.env["res.company"].create({"name": "Policy Company B"})
        team_b = self.env["helpdesk.ticket.team"].create({"name": "Team B", "company_id": company_b.id})
        self.policy.company_id = self.env.company
        with self.assertRaisesRegex(
            ValidationError, "Helpdesk Teams must be of .* or of no company.*“Team B”"
        ):
            self.policy.helpdesk_team_ids = team_b

    def test_customer_cannot_search_their_tickets_by_approval_state(self):
        """A customer (portal) reads none of the approval fields of their ticket, nor finds
        out by searching which of their tickets await approval or have an internal note: the
        search is refused as the read is; agents search as before."""
        customer = new_test_user(self.env, login="hd_pol_customer", groups="base.group_portal")
        ticket = self._waiting_ticket(partner_id=customer.partner_id.id)
        Ticket = self.env["helpdesk.ticket"].with_user(customer)
        self.assertEqual(Ticket.search([("id", "=", ticket.id)]), ticket, "the customer reads their ticket")
        for fname in ("compliance_awaiting_approval", "compliance_has_note", "guide_step_id"):
            for value in (True, False):
                with self.assertRaises(AccessError, msg=f"{fname} = {value}"):
                    Ticket.search([(fname, "=", value)])
        agent = self.env["helpdesk.ticket"].with_user(self.user_agent)
        self.assertIn(ticket, agent.search([("compliance_awaiting_approval", "=", False)]))

    def test_list_shows_the_pending_approval_as_a_pill(self):
        """The ticket list shows a held change as the kanban does: a pill ("Approval":
        "Pending"), not a checkbox under a cut header."""
        Ticket = self.env["helpdesk.ticket"].with_user(self.user_agent)
        view = Ticket.get_view(self.env.ref("helpdesk_mgmt.ticket_view_tree").id, "list")
        arch = etree.fromstring(view["arch"])
        self.assertEqual(arch.xpath("//field[@name='compliance_approval_badge']")[0].get("widget"), "badge")
        self.assertFalse(arch.xpath("//field[@name='compliance_awaiting_approval']"))
        self.assertFalse(self._waiting_ticket().with_user(self.user_agent).compliance_approval_badge)

    def test_close_needs_resolution_note(self):
        ticket = self._waiting_ticket().with_user(self.user_agent)
        with self.assertRaises(UserError) as caught:
            ticket.stage_id = self.stage_resolved
        self.assertIn("Resolution note: Write how it was solved.", str(caught.exception.args[0]))
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        # an empty note (markup or blanks only, as a client can post one) says nothing
        for body in ("", " ", Markup("<p><br></p>"), Markup("<p>&nbsp; </p>")):
            ticket.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
            self.assertFalse(ticket.compliance_has_note, repr(body))
            self.assertFalse(ticket.filtered_domain([("compliance_has_note", "=", True)]), repr(body))
            with self.assertRaises(UserError):
                ticket.stage_id = self.stage_resolved
        # a "Log note" of the chatter
        ticket.message_post(body="Replaced the cable.", message_type="comment", subtype_xmlid="mail.mt_note")
        self.assertTrue(ticket.compliance_has_note)
        ticket.stage_id = self.stage_resolved
        log = self.env["compliance.log"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(log.outcome, "passed")
        self.assertEqual(log.helpdesk_team_id, self.team)
        # no sales team column here: this bridge does not need CRM
        self.assertFalse("crm_team_id" in log._fields and log.crm_team_id)

    def test_bridge_does_not_depend_on_crm(self):
        module = self.env["ir.module.module"].search([("name", "=", "helpdesk_policy_compliance")])
        seen = todo = module.dependencies_id.depend_id
        while todo:
            todo = todo.dependencies_id.depend_id - seen
            seen |= todo
        names = set(seen.mapped("name"))
        self.assertTrue({"base_policy_compliance", "helpdesk_process_guide"} <= names, names)
        self.assertFalse(names & {"crm", "sales_team", "crm_policy_compliance"}, names)

    def test_policy_info_is_frozen(self):
        config = self.env["compliance.policy"]._get_policy_config("helpdesk.ticket")
        policy_info = next(info for info in config["policies"] if info["id"] == self.policy.id)
        self.assertEqual(policy_info["helpdesk_team_ids"], frozenset(self.team.ids))
        with self.assertRaises(TypeError):
            policy_info["helpdesk_team_ids"] = frozenset()
        domain = self.env["helpdesk.ticket"]._policy_scope_domain(policy_info)
        self.assertIn(("team_id", "in", self.team.ids), domain)

    def test_other_team_not_checked(self):
        ticket = self._ticket(team_id=self.other_team.id, stage_id=self.stage_waiting.id)
        ticket.stage_id = self.stage_resolved
        self.assertEqual(ticket.stage_id, self.stage_resolved)

    def test_override_on_ticket(self):
        self.policy.enforcement = "override"
        ticket = self._waiting_ticket().with_user(self.user_agent)
        ticket.with_context(guide_override_reason="Duplicate of another ticket").write(
            {"stage_id": self.stage_resolved.id}
        )
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(deviation.kind, "policy")
        self.assertEqual(deviation.reason, "Duplicate of another ticket")

    def test_approval_by_team_leader(self):
        self.policy.write(
            {
                "enforcement": "approval",
                "tier_ids": [(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
            }
        )
        ticket = self._waiting_ticket().with_user(self.user_agent)
        request = ticket._compliance_request_approval(
            {"stage_id": self.stage_resolved.id}, "Customer unreachable"
        )
        self.assertEqual(request.current_approver_ids, self.user_manager)
        self.assertEqual(request.helpdesk_team_id, self.team)
        self.assertTrue(ticket.compliance_awaiting_approval)
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        # the approver sees the checklist gate the move also passes
        self.assertEqual(request.with_user(self.user_manager).guide_bypassed_items, "Customer confirmed")
        request.with_user(self.user_manager).action_approve()
        self.assertEqual(ticket.stage_id, self.stage_resolved)
        self.assertEqual(request.deviation_id.approver_id, self.user_manager)
        self.assertFalse(request.guide_bypassed_items)

    def test_approval_keeps_the_reason_of_the_gate_overridden(self):
        """A ticket's move past an overridden gate that a policy holds: the reason picked in
        the gate's dialog goes with the request and onto the deviations of the approved move."""
        self.policy.write(
            {
                "enforcement": "approval",
                "step_ids": [(6, 0, self.step_waiting.ids)],
                "tier_ids": [(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
            }
        )
        ticket = self._ticket(stage_id=self.stage_progress.id).with_user(self.user_agent)
        context = {"guide_override_reason": "Customer called", "guide_override_reason_id": self.reason.id}
        request = ticket.with_context(**context)._compliance_request_approval(
            {"stage_id": self.stage_waiting.id}, "Customer called"
        )
        # decided by the approver in their own session (not the requester's context)
        request = self.env["compliance.approval.request"].with_user(self.user_manager).browse(request.id)
        self.assertEqual(request.reason_id, self.reason)
        request.action_approve()
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        deviations = self.env["guide.deviation"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(sorted(deviations.mapped("kind")), ["approval", "gate"])
        self.assertEqual(deviations.reason_id, self.reason)

    def test_decision_rows_carry_the_team(self):
        """The audit rows of an approval's decisions (approved, rejected) carry the ticket's
        team, as the rows of the check that held the change do."""
        self.policy.write(
            {
                "enforcement": "approval",
                "tier_ids": [(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
            }
        )
        for decision in ("approved", "rejected"):
            with self.subTest(decision=decision):
                ticket = self._waiting_ticket().with_user(self.user_agent)
                request = ticket._compliance_request_approval(
                    {"stage_id": self.stage_resolved.id}, "Customer unreachable"
                )
                as_leader = request.with_user(self.user_manager)
                if decision == "approved":
                    as_leader.action_approve()
                else:
                    as_leader.action_reject("Call the customer again")
                rows = self.env["compliance.log"].search([("request_id", "=", request.id)])
                self.assertIn(decision, rows.mapped("outcome"))
                for row in rows:
                    self.assertEqual(row.helpdesk_team_id, self.team, f"{row.event} {row.outcome}")

    def test_smart_buttons_open_the_ticket_columns_under_their_name(self):
        """The ticket's "Policy Violations" button opens its violations under that name (the
        filter taken off: every check), in the helpdesk's columns: the helpdesk team, no
        sales team; the policy form's button and list use the same name."""
        self.policy.enforcement = "override"
        ticket = self._waiting_ticket().with_user(self.user_agent)
        ticket.with_context(guide_override_reason="Duplicate").write({"stage_id": self.stage_resolved.id})
        form = etree.fromstring(ticket.get_view(view_type="form")["arch"])
        (button,) = form.xpath("//button[@name='action_compliance_open_logs']/field")
        self.assertEqual(button.get("string"), "Policy Violations")
        policy_form = etree.fromstring(self.policy.get_view(view_type="form")["arch"])
        (policy_button,) = policy_form.xpath("//button[@name='action_view_violations']/field")
        self.assertEqual(policy_button.get("string"), "Policy Violations")
        for action in (ticket.action_compliance_open_logs(), self.policy.action_view_violations()):
            self.assertEqual(action["name"], "Policy Violations")
            context = action["context"]
            self.assertEqual(context["compliance_app_model"], "helpdesk.ticket")
            Log = self.env["compliance.log"].with_user(self.user_manager).with_context(**context)
            domain = action["domain"]
            if context.get("search_default_violations"):
                domain = [*domain, ("violation", "=", 1)]
            self.assertEqual(Log.search_count(domain), ticket.compliance_violation_count)
            arch = etree.fromstring(Log.get_view(view_type="list")["arch"])
            hidden = {
                field.get("name"): safe_eval(field.get("column_invisible") or "False", {"context": context})
                for field in arch.xpath("//field")
            }
            self.assertIs(hidden["helpdesk_team_id"], False)
            self.assertIs(hidden.get("crm_team_id", True), True)
        requests = ticket.action_compliance_open_requests()
        self.assertEqual(requests["context"]["compliance_app_model"], "helpdesk.ticket")

    def test_ticket_policy_form_speaks_of_no_opportunity(self):
        """A ticket policy's form suggests no sale ("won", "opportunity"), and its version sits
        with the wording it freezes, not under When."""
        arch = etree.fromstring(self.policy.get_view(view_type="form")["arch"])
        placeholders = " ".join(arch.xpath("//field/@placeholder")).lower()
        for word in ("win", "won", "opportunity", "vat"):
            self.assertNotIn(word, placeholders.split())
        self.assertFalse(arch.xpath("//group[@string='When']//field[starts-with(@name, 'version')]"))
        self.assertTrue(arch.xpath("//group[@string='Requirement']/field[@name='version_id']"))

    def test_configuration(self):
        Policy = self.env["compliance.policy"]
        # another guided model (leads, when CRM is installed too) has no helpdesk teams
        for model_name, _label in Policy._selection_guide_models():
            if model_name == "helpdesk.ticket":
                continue
            with self.assertRaises(ValidationError):
                Policy.create(
                    {
                        "name": "Other policy with helpdesk teams",
                        "model_name": model_name,
                        "helpdesk_team_ids": [(6, 0, self.team.ids)],
                        "trigger": "create",
                        "requirement": "[]",
                        "message": "x",
                    }
                )
        with self.assertRaises(ValidationError):
            self.env["compliance.policy"].create(
                {
                    "name": "Won on tickets",
                    "model_name": "helpdesk.ticket",
                    "trigger": "won",
                    "requirement": "[]",
                    "message": "x",
                }
            )
        # helpdesk managers configure ticket policies, agents do not
        self.policy.with_user(self.user_manager).write({"message": "Write the resolution."})
        with self.assertRaises(AccessError):
            self.policy.with_user(self.user_agent).write({"message": "Mine"})


@tagged("post_install", "-at_install")
class TestTicketPolicyPerformance(HelpdeskGuideCommon):
    """Guided tickets obey the leads' budget: at most +8 queries per write() call with policies."""

    def _count(self, tickets, stage):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        tickets.write({"stage_id": stage.id})
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _tickets(self, count):
        with created_earlier():
            # placed in a later step: loaded as an administrator's import
            Ticket = self.env["helpdesk.ticket"].with_context(guide_import_in_step=True)
            return Ticket.create(
                [
                    {
                        "name": f"Perf {i}",
                        "description": "<p>x</p>",
                        "team_id": self.team.id,
                        "stage_id": self.stage_waiting.id,
                        "priority": "1",
                    }
                    for i in range(count)
                ]
            ).with_env(self.env)

    def test_stage_write_budget(self):
        self.env["compliance.policy"].search([]).write({"active": False})
        base_1 = self._count(self._tickets(1), self.stage_resolved)
        base_50 = self._count(self._tickets(50), self.stage_resolved)
        self.env["compliance.policy"].create(
            {
                "name": "Priority set before closing",
                "model_name": "helpdesk.ticket",
                "trigger": "stage",
                "step_ids": [(6, 0, self.step_resolved.ids)],
                "requirement": "[('priority', '!=', False)]",
                "message": "Set the priority.",
                "enforcement": "block",
            }
        )
        with_1 = self._count(self._tickets(1), self.stage_resolved)
        with_50 = self._count(self._tickets(50), self.stage_resolved)
        self.assertLessEqual(with_1 - base_1, 8, f"1 ticket: {with_1} queries vs {base_1}")
        self.assertLessEqual(with_50 - base_50, 8, f"50 tickets: {with_50} queries vs {base_50}")

    def _count_as(self, user, tickets, stage):
        """Queries of a stage write as ``user``, counted as ``assertQueryCount`` does (the
        precommit hooks, e.g. mail tracking, included)."""
        tickets = tickets.with_user(user)
        self.env.flush_all()
        self.env.cr.flush()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        tickets.write({"stage_id": stage.id})
        self.env.flush_all()
        self.env.cr.flush()
        return self.env.cr.sql_log_count - before

    def test_policed_stage_write_query_count(self):
        """As a helpdesk user: two triggered policies (a block and a warning, both met) cost the
        same queries at 1 and at 50 tickets — one evaluation query, one audit INSERT."""
        self.env["compliance.policy"].search([]).write({"active": False})
        self._count_as(self.user_agent, self._tickets(1), self.stage_resolved)  # caches warm
        base = {
            count: self._count_as(self.user_agent, self._tickets(count), self.stage_resolved)
            for count in (1, 50)
        }
        common = {
            "model_name": "helpdesk.ticket",
            "trigger": "stage",
            "helpdesk_team_ids": [(6, 0, self.team.ids)],
            "step_ids": [(6, 0, self.step_resolved.ids)],
        }
        self.env["compliance.policy"].create(
            [
                {
                    **common,
                    "name": "Priority set before closing",
                    "requirement": "[('priority', '!=', False)]",
                    "message": "Set the priority.",
                    "enforcement": "block",
                },
                {
                    **common,
                    "name": "Described before closing",
                    "requirement": "[('description', '!=', False)]",
                    "message": "Describe it.",
                    "enforcement": "warn",
                },
            ]
        )
        self._count_as(self.user_agent, self._tickets(1), self.stage_resolved)  # policy cache warm
        for count in (1, 50):
            tickets = self._tickets(count).with_user(self.user_agent)
            self.env.invalidate_all()
            with self.assertQueryCount(base[count] + 2):
                tickets.write({"stage_id": self.stage_resolved.id})
            logs = self.env["compliance.log"].search(
                [("res_model", "=", "helpdesk.ticket"), ("res_id", "in", tickets.ids)]
            )
            self.assertEqual(len(logs), 2 * count)
            self.assertEqual(set(logs.mapped("outcome")), {"passed"})
            self.assertEqual(logs.helpdesk_team_id, self.team)
            self.assertEqual(logs.user_id, self.user_agent)
            self.assertEqual(
                set(logs.policy_version_id.mapped("name")),
                {"Described before closing", "Priority set before closing"},
            )
