from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import HelpdeskGuideCommon


class TicketDetourCommon(HelpdeskGuideCommon):
    """The support process with *Waiting on a third party* (entered by hand, returns
    where it came from), an automatic *Security incident* and a branch after triage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Step = cls.env["guide.step"]
        cls.alt_third_party = Step.create(
            {
                "process_id": cls.process.id,
                "kind": "alternate",
                "name": "Waiting on a third party",
                "gate_mode": "block",
                "instructions": "<p>Chase the supplier every day.</p>",
                "item_ids": [(0, 0, {"name": "Supplier answered"})],
            }
        )
        cls.alt_security = Step.create(
            {
                "process_id": cls.process.id,
                "kind": "alternate",
                "name": "Security incident",
                "alt_auto_domain": "[('priority', '=', '3')]",
                "alt_return_step_id": cls.step_progress.id,
                "alt_group_ids": [(6, 0, cls.env.ref("helpdesk_mgmt.group_helpdesk_manager").ids)],
            }
        )

    def _history(self, ticket, direction):
        return self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id), ("direction", "=", direction)]
        )


@tagged("post_install", "-at_install")
class TestTicketDetour(TicketDetourCommon):
    def test_enter_gate_complete(self):
        ticket = self._ticket(name="Printer down", stage_id=self.stage_progress.id).with_user(self.user_own)
        ticket.action_guide_enter_alternate(self.alt_third_party.id, "Waiting for the printer vendor")
        self.assertEqual(ticket.guide_alt_step_id, self.alt_third_party)
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(ticket.guide_alt_missing_items, "Supplier answered")
        ticket.guide_current_line_ids.action_check()
        with self.assertRaisesRegex(UserError, "Printer down.*Waiting on a third party.*Supplier answered"):
            ticket.write({"stage_id": self.stage_waiting.id})
        with self.assertRaisesRegex(UserError, "Supplier answered"):
            ticket.action_guide_complete_alternate()
        ticket.guide_alt_line_ids.action_check()
        ticket.action_guide_complete_alternate()
        self.assertFalse(ticket.guide_alt_step_id)
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(self._history(ticket, "return").detour_count, 1)
        ticket.write({"stage_id": self.stage_waiting.id})
        self.assertEqual(ticket.stage_id, self.stage_waiting)

    def test_detour_sent_behind_its_entry_step_has_a_way_on(self):
        """A ticket in an alternate step moved back behind the step it entered it from, to a
        step that does not lead to the step it returns to: completing it leaves the ticket
        where it is, the detour done; never a dead end."""
        self.step_triage.allowed_step_ids = self.step_progress
        alt = self.env["guide.step"].create(
            {
                "process_id": self.process.id,
                "kind": "alternate",
                "name": "Vendor fix",
                "gate_mode": "block",
                "alt_from_step_ids": [(6, 0, self.step_waiting.ids)],
                "alt_return_step_id": self.step_resolved.id,
                "item_ids": [(0, 0, {"name": "Fix delivered"})],
            }
        )
        ticket = self._ticket(name="Printer down", stage_id=self.stage_waiting.id).with_user(self.user_own)
        ticket.action_guide_enter_alternate(alt.id, "Vendor patch")
        ticket.write({"stage_id": self.stage_triage.id})
        self.assertEqual(ticket.guide_alt_step_id, alt)
        ticket.guide_alt_line_ids.action_check()
        ticket.action_guide_complete_alternate()
        self.assertEqual(ticket.stage_id, self.stage_triage)
        self.assertFalse(ticket.guide_alt_step_id)

    def test_round_trip_out_of_the_process_passes_the_detour_gate(self):
        """A ticket waiting on a third party (gate Block, its item not done), handed to an
        unguided team, moved on and handed back, is refused as the direct move is; handed
        back where it was, it is waiting on the third party again."""
        ticket = self._ticket(name="Printer down", stage_id=self.stage_progress.id).with_user(self.user_own)
        ticket.action_guide_enter_alternate(self.alt_third_party.id, "Waiting for the printer vendor")
        ticket.guide_current_line_ids.action_check()
        ticket.write({"team_id": self.other_team.id})
        self.assertFalse(ticket.guide_alt_step_id)
        ticket.write({"stage_id": self.stage_waiting.id})
        with self.assertRaises(UserError) as caught:
            ticket.write({"team_id": self.team.id})
        self.assertIn("in the alternate step Waiting on a third party", str(caught.exception))
        ticket.write({"team_id": self.team.id, "stage_id": self.stage_progress.id})
        self.assertEqual(ticket.guide_alt_step_id, self.alt_third_party)
        ticket.guide_alt_line_ids.action_check()
        ticket.action_guide_complete_alternate()
        ticket.write({"stage_id": self.stage_waiting.id})
        self.assertEqual(ticket.stage_id, self.stage_waiting)

    def test_panel_shows_the_checklist_the_gate_judges(self):
        """The alternate step's checklist first, under a heading naming where it returns;
        the step's checklist told for what it counts, as the gate judges the return."""
        ticket = self._ticket(name="Printer down", stage_id=self.stage_progress.id).with_user(self.user_own)
        ticket.action_guide_enter_alternate(self.alt_third_party.id, "Waiting for the printer vendor")
        progress = self.step_progress.name
        self.assertEqual(
            ticket.guide_alt_heading, f"Alternate step: Waiting on a third party · returns to {progress}"
        )
        self.assertEqual(ticket.guide_alt_stage_role, "after_return")
        self.assertEqual(
            ticket.guide_alt_stage_note,
            f"Checklist of {progress} below: not needed to complete the alternate step; "
            "needed afterwards to move on.",
        )
        self.assertEqual((ticket.guide_alt_item_done, ticket.guide_alt_item_total), (0, 1))
        ticket.guide_alt_line_ids.action_check()
        self.assertEqual(ticket.guide_missing_items, "Solution proposed")
        self.assertIs(ticket.action_guide_complete_alternate(), True)
        self.assertEqual(ticket.stage_id, self.stage_progress)
        # entered in triage, returns to In Progress: the triage checklist is needed too
        manager_ticket = self._ticket(name="Breach", stage_id=self.stage_triage.id)
        manager_ticket.write({"priority": "3"})
        self.assertEqual(manager_ticket.guide_alt_step_id, self.alt_security)
        self.assertEqual(manager_ticket.guide_alt_stage_role, "with_return")
        self.assertIn(
            f"needed too, as completing the alternate step moves on to {progress}",
            manager_ticket.guide_alt_stage_note,
        )
        with self.assertRaises(UserError) as err:
            manager_ticket.action_guide_complete_alternate()
        self.assertIn("Impact assessed", str(err.exception))

    def test_form_puts_the_alternate_checklist_first(self):
        view = self.env["helpdesk.ticket"].with_user(self.user_own).get_views([(False, "form")])
        panel = etree.fromstring(view["views"]["form"]["arch"]).xpath("//div[@name='guide_panel']")[0]
        names = [child.get("name") or child.get("class") for child in panel]
        self.assertLess(names.index("guide_alternate"), names.index("card-body"))
        body = panel.xpath("div[@class='card-body']")[0]
        self.assertEqual(
            [body[0].get("name"), body[1].get("name")], ["guide_alt_stage_note", "guide_move_on"]
        )
        self.assertIn("guide_alt_stage_role", body[1].get("invisible"))

    def test_form_puts_the_hints_under_their_own_heading(self):
        """The panel's hints read as tips under a heading of their own, after the milestones
        and optional tasks."""
        view = self.env["helpdesk.ticket"].with_user(self.user_own).get_views([(False, "form")])
        hints = etree.fromstring(view["views"]["form"]["arch"]).xpath("//div[@name='guide_hints']")[0]
        self.assertEqual((hints[0].get("class"), hints[0].text), ("fw-bold mb-1", "Tips"))
        self.assertTrue(hints.xpath("field[@name='guide_hint_ids']"))
        self.assertEqual(hints.getprevious().get("name"), "guide_adaptive")

    def test_list_shows_the_checklist_red_while_blocked(self):
        """The ticket list's *Checklist* progress bar turns red while mandatory items are
        missing, as the kanban's pill."""
        Ticket = self.env["helpdesk.ticket"].with_user(self.user_own)
        view = Ticket.get_view(self.env.ref("helpdesk_mgmt.ticket_view_tree").id, "list")
        arch = etree.fromstring(view["arch"])
        progress = arch.xpath("//field[@name='guide_progress']")[0]
        self.assertEqual(progress.get("widget"), "guide_progressbar")
        self.assertIn("'danger_field': 'guide_blocked'", progress.get("options"))

    def test_automatic_entry_and_restricted_manual_entry(self):
        ticket = self._ticket(stage_id=self.stage_triage.id).with_user(self.user_own)
        with self.assertRaisesRegex(AccessError, "Security incident"):
            ticket.action_guide_enter_alternate(self.alt_security.id, "x")
        ticket.write({"priority": "3"})
        self.assertEqual(ticket.guide_alt_step_id, self.alt_security)
        self.assertEqual(ticket.guide_alt_return_step_id, self.step_progress)
        with self.assertRaises(AccessError):
            ticket.write({"guide_alt_step_id": False})
        with self.assertRaises(AccessError):
            ticket.write({"guide_alt_entered_at": False})

    def test_validation(self):
        with self.assertRaisesRegex(ValidationError, "cycle"):
            self.alt_security.alt_return_step_id = self.alt_third_party
        with self.assertRaisesRegex(ValidationError, "no_such_field"):
            self.env["guide.step.branch"].create(
                {
                    "step_id": self.step_triage.id,
                    "to_step_id": self.step_progress.id,
                    "domain": "[('no_such_field', '=', 1)]",
                }
            )

    def test_branch(self):
        self.env["guide.step.branch"].create(
            [
                {
                    "step_id": self.step_progress.id,
                    "sequence": 1,
                    "to_step_id": self.step_resolved.id,
                    "domain": "[('category_id', '!=', False)]",
                    "name": "Categorised tickets are solved directly",
                },
                {"step_id": self.step_progress.id, "sequence": 2, "to_step_id": self.step_waiting.id},
            ]
        )
        ticket = self._ticket(stage_id=self.stage_progress.id, category_id=self.category.id)
        ticket = ticket.with_user(self.user_own)
        self.assertEqual(ticket.guide_next_step_id, self.step_resolved)
        ticket.guide_current_line_ids.action_check()
        with self.assertRaisesRegex(Exception, "Categorised tickets are solved directly"):
            ticket.write({"stage_id": self.stage_waiting.id})
        ticket.write({"stage_id": self.stage_resolved.id})
        self.assertEqual(ticket.stage_id, self.stage_resolved)


@tagged("post_install", "-at_install")
class TestTicketDetourRpc(RpcCase, TicketDetourCommon):
    def test_ticket_detour_over_rpc(self):
        ticket = self._ticket(stage_id=self.stage_progress.id)
        ticket.guide_current_line_ids.action_check()  # Solution proposed: the stage gate passes
        for protocol in ("xmlrpc", "jsonrpc"):
            call = getattr(self, protocol)
            message = self.rpc_fault(
                self.user_own,
                "helpdesk.ticket",
                "write",
                [ticket.ids, {"guide_alt_step_id": self.alt_third_party.id}],
                protocol=protocol,
            )
            self.assertIn("process engine", message)
            message = self.rpc_fault(
                self.user_own,
                "helpdesk.ticket",
                "action_guide_enter_alternate",
                [ticket.ids, self.alt_security.id, "hostile"],
                protocol=protocol,
            )
            self.assertIn("Security incident", message)
            self.assertIs(
                call(
                    self.user_own,
                    "helpdesk.ticket",
                    "action_guide_enter_alternate",
                    [ticket.ids, self.alt_third_party.id, "Vendor"],
                ),
                True,
            )
            message = self.rpc_fault(
                self.user_own,
                "helpdesk.ticket",
                "write",
                [ticket.ids, {"stage_id": self.stage_waiting.id}],
                protocol=protocol,
            )
            self.assertIn("Waiting on a third party", message)
            self.env["guide.line"].search(
                [
                    ("res_model", "=", "helpdesk.ticket"),
                    ("res_id", "=", ticket.id),
                    ("step_id", "=", self.alt_third_party.id),
                ]
            ).with_user(self.user_own).action_check()
            self.assertIs(
                call(self.user_own, "helpdesk.ticket", "action_guide_complete_alternate", [ticket.ids]), True
            )
        self.assertEqual(len(self._history(ticket, "return")), 2)

    def test_wizard_on_unknown_record_refused(self):
        """The alternate step wizard names a ticket that does not exist: refused when the
        dialog is made, not a silent success."""
        missing = self._ticket()
        missing_id = missing.id
        missing.unlink()
        for protocol in ("xmlrpc", "jsonrpc"):
            message = self.rpc_fault(
                self.user_own,
                "guide.alternate.wizard",
                "create",
                [
                    {
                        "res_model": "helpdesk.ticket",
                        "res_id": missing_id,
                        "step_id": self.alt_third_party.id,
                        "reason": "x",
                    }
                ],
                protocol=protocol,
            )
            self.assertIn("no longer exists", message)
