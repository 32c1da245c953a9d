from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .common import HelpdeskGuideCommon

DECISION = "odoo.addons.base_process_guide.exceptions.GuideDecisionRequired"


@tagged("post_install", "-at_install")
class TestTrustRpc(RpcCase, HelpdeskGuideCommon):
    """Ticket gates over XML-RPC and JSON-RPC as a helpdesk user of personal tickets."""

    def test_search_by_a_field_computed_when_shown_refused(self):
        """Odoo logs an error and ignores such a condition, answering every ticket."""
        self._ticket(user_id=self.user_own.id)
        label = self.env["helpdesk.ticket"]._fields["guide_missing_items"].string
        with self.assertNoLogs("odoo.osv.expression", "ERROR"), self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in ("xmlrpc", "jsonrpc"):
                fault = self.rpc_fault(
                    self.user_own,
                    "helpdesk.ticket",
                    "search",
                    [[("guide_missing_items", "=", "Solution proposed")]],
                    protocol=protocol,
                )
                self.assertIn(f"cannot be searched by {label}", fault)

    def test_gate_override_over_rpc_not_logged_as_error(self):
        ticket = self._ticket(stage_id=self.stage_progress.id, user_id=self.user_own.id)
        with self.assertNoLogs("odoo.http", "ERROR"):
            for call in (self.xmlrpc, self.jsonrpc):
                with self.assertRaises(RpcError) as caught:
                    call(
                        self.user_own,
                        "helpdesk.ticket",
                        "write",
                        [[ticket.id], {"stage_id": self.stage_waiting.id}],
                    )
                self.assertIn("Solution proposed", caught.exception.message)
                self.assertNotIn("guide_override_reason", caught.exception.message)
            self.assertEqual(caught.exception.name, DECISION)
            self.assertIs(
                self.xmlrpc(
                    self.user_own,
                    "helpdesk.ticket",
                    "write",
                    [[ticket.id], {"stage_id": self.stage_waiting.id}],
                    {"context": {"guide_override_reason": "Known issue, fix sent"}},
                ),
                True,
            )
        self.assertEqual(ticket.stage_id, self.stage_waiting)
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(deviation.reason, "Known issue, fix sent")

    def test_actions_on_ids_naming_no_record_refused(self):
        """The ticket's guidance buttons and dialogs, called on id 0, are refused as a
        ticket that does not exist, and on two tickets as actions of one ticket."""
        self.assert_ids_refused(
            self.env.ref("base.user_admin"),
            [
                ("helpdesk.ticket", "action_guide_open_history", True),
                ("helpdesk.ticket", "action_guide_open_deviations", True),
                ("helpdesk.ticket", "action_guide_open_checklist_history", True),
                ("helpdesk.ticket", "action_guide_feedback", True),
                ("helpdesk.ticket", "action_guide_open_alternate_wizard", True),
                ("helpdesk.ticket", "action_guide_open_add_task", True),
                ("helpdesk.ticket", "action_guide_open_reach_milestone", True),
                ("helpdesk.ticket", "action_guide_complete_alternate", False),
            ],
        )

    def test_feedback_accept_over_rpc(self):
        ticket = self._ticket(user_id=self.user_own.id)
        feedback_id = self.jsonrpc(
            self.user_own,
            "guide.feedback",
            "create",
            [{"name": "Ask for the serial number", "process_id": self.process.id}],
            {"context": {"default_res_model": "helpdesk.ticket", "default_res_id": ticket.id}},
        )
        self.assertIs(
            self.xmlrpc(self.user_manager, "guide.feedback", "action_accept", [[feedback_id]]), True
        )
        self.assertEqual(self.env["guide.feedback"].browse(feedback_id).state, "accepted")

    def test_record_named_by_the_context_of_the_wrong_type(self):
        """As on leads: a ticket named by the client's context with a model name or an id
        of the wrong type is no record: the hints' state is empty, *Add* of a suggested task
        a UserError naming the value, never a traceback logged at ERROR."""
        ticket = self._ticket(user_id=self.user_own.id)
        hint = self.env["guide.hint"].create(
            {"name": "Ours", "model_name": "helpdesk.ticket", "process_id": self.process.id}
        )
        task = self.env["guide.task"].create({"step_id": ticket.guide_step_id.id, "name": "Context check"})
        for call in (self.xmlrpc, self.jsonrpc):
            for context in (
                {"guide_res_model": "helpdesk.ticket", "guide_res_id": "abc"},
                {"guide_res_model": ["helpdesk.ticket"], "guide_res_id": ticket.id},
                {"guide_res_model": "helpdesk.ticket", "guide_res_id": [ticket.id]},
            ):
                with self.subTest(call=call.__name__, context=context):
                    with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
                        [state] = call(
                            self.user_own,
                            "guide.hint",
                            "read",
                            [hint.ids, ["context_acknowledged"]],
                            {"context": context},
                        )
                        self.assertFalse(state["context_acknowledged"])
                        with self.assertRaises(RpcError) as caught:
                            call(
                                self.user_own,
                                "guide.task",
                                "action_guide_open_add",
                                [task.ids],
                                {"context": context},
                            )
                        self.assertNotIn("Traceback", caught.exception.message)
                        self.assertIn("is not", caught.exception.message)
