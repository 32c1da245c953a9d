from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTicketLifecycle(RpcCase, HelpdeskGuideCommon):
    """Deleting configuration loses nothing silently on tickets either: a step or process
    tickets use is refused (archived instead)."""

    def test_step_and_process_in_use_are_not_deleted(self):
        """A helpdesk manager deleting the step a ticket is in, or its process, over RPC
        (Odoo's uninstall flag sent too), is refused; the ticket keeps its step and history."""
        ticket = self._ticket()
        history = self.env["guide.history"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(history.to_step_id, self.step_triage)
        for model, records, expected in (
            ("guide.step", self.step_triage, "Support / G-Triage: 1 record(s) in it, 1 stage history row(s)"),
            ("guide.process", self.process, "Support: 1 record(s) following it, 1 stage history row(s)"),
        ):
            for context in ({}, {"_force_unlink": True}):
                with self.assertRaises(RpcError) as caught:
                    self.xmlrpc(self.user_manager, model, "unlink", [records.ids], {"context": context})
                self.assertIn(expected, caught.exception.message)
        self.assertEqual(ticket.guide_step_id, self.step_triage)
        self.assertEqual(history.exists().to_step_id, self.step_triage)

    def test_stage_of_a_step_in_use_is_not_deleted(self):
        """Deleting a ticket stage deletes its steps: refused while tickets are in one."""
        ticket = self._ticket()
        stage = self.step_triage.helpdesk_stage_id
        fault = self.rpc_fault(self.user_manager, "helpdesk.ticket.stage", "unlink", [stage.ids])
        self.assertIn("G-Triage: 1 record(s) in it", fault)
        self.assertEqual(ticket.guide_step_id, self.step_triage)

    def test_sole_team_of_a_process_archived_or_deleted(self):
        """Archiving the only helpdesk team of a process leaves the process on that team, not
        on every team; deleting the team over RPC is refused naming the process."""
        self.assertIs(
            self.xmlrpc(
                self.user_manager, "helpdesk.ticket.team", "write", [self.team.ids, {"active": False}]
            ),
            True,
        )
        self.env.registry.clear_cache()  # as after a restart
        other = self._ticket(team_id=self.other_team.id)
        self.assertFalse(other.guide_process_id)
        fault = self.rpc_fault(
            self.user_manager, "helpdesk.ticket.team", "unlink", [self.team.ids], protocol="jsonrpc"
        )
        self.assertIn(
            "Guided Support cannot be deleted: the following name nothing else in their field "
            "“Helpdesk Teams”",
            fault,
        )
        self.assertIn("or first change “Helpdesk Teams” of these, or delete them.", fault)
        self.assertTrue(self.team.exists())

    def test_parent_of_the_sole_category_of_a_process_is_not_deleted(self):
        """Deleting the parent of the only category a process is limited to deletes that
        category too (the database's cascade): refused naming the process, as deleting the
        category itself is."""
        parent = self.env["helpdesk.ticket.category"].create({"name": "G-Hardware"})
        child = self.env["helpdesk.ticket.category"].create({"name": "G-Printers", "parent_id": parent.id})
        self.process.helpdesk_category_ids = child
        for records in (child, parent):
            fault = self.rpc_fault(self.user_manager, "helpdesk.ticket.category", "unlink", [records.ids])
            self.assertIn("cannot be deleted", fault)
            self.assertIn("G-Printers", fault)
        self.assertTrue(child.exists())
        self.assertEqual(self.process.helpdesk_category_ids, child)
