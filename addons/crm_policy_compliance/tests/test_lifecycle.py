from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from ..hooks import uninstall_hook
from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestLeadDeletion(RpcCase, ComplianceCommon):
    """A deleted lead leaves nothing to approve: its pending requests are cancelled, the
    requester told, the approvers' activities closed; the audit trail stays."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.approval = cls._policy(
            name="Large proposals",
            trigger="stage",
            step_ids=[(6, 0, cls.step_proposal.ids)],
            requirement="[('expected_revenue', '<=', 50000)]",
            message="Proposals above 50,000 need approval.",
            enforcement="approval",
            tier_ids=[(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        )

    def test_policy_that_checked_records_is_archived_not_deleted(self):
        """A policy that checked records is not deleted, over RPC either: its audit rows would
        lose it (the reports grouped them under no policy); the refusal names it and how
        many checks, and says to archive it. One that never checked anything is deleted."""
        lead = self._lead(name="Big deal", expected_revenue=80000)
        self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [lead.ids, {"stage_id": self.stage_proposal.id}, "Strategic account"],
        )
        with self.assertRaises(RpcError) as caught:
            self.xmlrpc(self.user_manager, "compliance.policy", "unlink", [self.approval.ids])
        self.assertIn("Large proposals (1 check(s) in the audit trail)", str(caught.exception))
        self.assertIn("Archive the policy instead", str(caught.exception))
        with self.assertRaises(UserError):
            # a client's uninstall flag is no uninstallation
            self.approval.with_user(self.user_manager).with_context(_force_unlink=True).unlink()
        self.assertTrue(self.approval.exists())
        self.assertEqual(self._logs(lead).policy_id, self.approval)
        unused = self._policy(name="Never checked")
        self.assertIs(self.xmlrpc(self.user_manager, "compliance.policy", "unlink", [unused.ids]), True)
        self.assertFalse(unused.exists())

    def test_archived_policy_cancels_its_pending_requests(self):
        """A policy archived holds nothing more: its pending requests are cancelled, the
        approvers' to-dos closed and the requester told; its decided requests and audit rows
        stay, named."""
        lead = self._lead(name="Big deal", expected_revenue=80000)
        request = self.Request.browse(
            self.xmlrpc(
                self.user_salesman,
                "crm.lead",
                "compliance_request_approval",
                [lead.ids, {"stage_id": self.stage_proposal.id}, "Strategic account"],
            )
        )
        policy = request.policy_id
        self.assertIs(
            self.xmlrpc(self.user_manager, "compliance.policy", "write", [policy.ids, {"active": False}]),
            True,
        )
        request.invalidate_recordset()
        self.assertEqual((request.state, request.decided_by_id), ("cancelled", self.user_manager))
        self.assertIn("was archived by Mia Manager, and nothing is left to approve", request.apply_error)
        self.assertFalse(request.sudo().activity_ids, "the approvers have nothing left to do")
        told = request.message_ids.filtered(lambda msg: "nothing is left to approve" in str(msg.body))
        self.assertEqual(told.partner_ids, self.user_salesman.partner_id, "the requester is told")
        self.assertEqual(request.policy_id, policy)
        self.assertEqual(lead.stage_id, self.stage_new, "nothing applied")
        # archived, it holds the move no more: the requester makes it
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_proposal.id})
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_uninstall_hook_removes_lead_policies_and_cancels_requests(self):
        """Uninstalled, the bridge leaves no lead policy and no request nobody could decide;
        the audit rows stay, naming the policy."""
        lead = self._lead(name="Big deal", expected_revenue=80000)
        request = self.Request.browse(
            lead.with_user(self.user_salesman).compliance_request_approval(
                {"stage_id": self.stage_proposal.id}, "Strategic account"
            )
        )
        policy = request.policy_id
        logs = self.env["compliance.log"].search([("policy_id", "=", policy.id)])
        uninstall_hook(self.env)
        self.assertFalse(policy.exists())
        self.assertFalse(
            self.env["compliance.policy"]
            .with_context(active_test=False)
            .search([("model_name", "=", "crm.lead")])
        )
        request.invalidate_recordset()
        self.assertEqual(request.state, "cancelled")
        self.assertIn("was removed with the module that applied it", request.apply_error)
        self.assertFalse(request.sudo().activity_ids)
        self.assertTrue(logs and all(logs.exists().mapped("policy_name")))

    def test_deleted_lead_cancels_its_pending_requests(self):
        lead = self._lead(name="Big deal", expected_revenue=80000)
        request = self.Request.browse(
            self.xmlrpc(
                self.user_salesman,
                "crm.lead",
                "compliance_request_approval",
                [lead.ids, {"stage_id": self.stage_proposal.id}, "Strategic account"],
            )
        )
        self.assertEqual(request.state, "pending")
        self.assertEqual(request.sudo().activity_ids.user_id, self.user_leader)
        logs = self._logs(lead)
        self.assertEqual(logs.mapped("outcome"), ["approval_requested"])
        self.assertIs(self.xmlrpc(self.user_manager, "crm.lead", "unlink", [lead.ids]), True)
        self.assertFalse(lead.exists())
        request.invalidate_recordset()
        self.assertEqual(
            (request.state, request.decided_by_id, request.applied),
            ("cancelled", self.user_manager, False),
        )
        self.assertEqual(
            request.apply_error,
            "Move Big deal to P-Proposal was not applied: Big deal was deleted by Mia Manager; "
            "the request is cancelled.",
        )
        self.assertFalse(request.sudo().activity_ids, "the approvers have nothing left to do")
        told = request.message_ids.filtered(lambda msg: "was deleted by Mia Manager" in str(msg.body))
        self.assertEqual(told.partner_ids, self.user_salesman.partner_id, "the requester is told")
        # nothing left to decide, for the approver either
        self.assertFalse(
            self.Request.with_user(self.user_leader).search(
                [("can_decide", "=", True), ("id", "=", request.id)]
            )
        )
        with self.assertRaises(RpcError) as caught:
            self.xmlrpc(self.user_leader, "compliance.approval.request", "action_approve", [request.ids])
        self.assertIn("is already decided", caught.exception.message)
        self.assertEqual(request.state, "cancelled")
        # the audit trail stays
        self.assertEqual(self.Log.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]), logs)

    def test_requester_is_archived_not_deleted(self):
        """An administrator deleting over RPC a user who requested an approval is refused in
        words (the database's foreign key error was logged as an ERROR): the request keeps
        its requester."""
        admin = new_test_user(
            self.env, login="compliance_admin_rpc", groups="base.group_system,base.group_user"
        )
        lead = self._lead(name="Big deal", expected_revenue=80000)
        self.xmlrpc(
            self.user_salesman,
            "crm.lead",
            "compliance_request_approval",
            [lead.ids, {"stage_id": self.stage_proposal.id}, "Strategic account"],
        )
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            fault = self.rpc_fault(admin, "res.users", "unlink", [self.user_salesman.ids], protocol="jsonrpc")
        self.assertIn("A user the audit trail names cannot be deleted", fault)
        self.assertIn(f"{self.user_salesman.name}: approvals requested: 1", fault)
        self.assertTrue(self.user_salesman.exists())

    def test_user_who_deleted_a_lead_with_a_request_is_archived_not_deleted(self):
        """The request a deleted lead cancelled names who deleted it: that user is archived,
        not deleted (the request's "decided by" was emptied silently)."""
        admin = new_test_user(
            self.env, login="compliance_admin_rpc", groups="base.group_system,base.group_user"
        )
        remover = new_test_user(
            self.env, login="compliance_remover", groups="sales_team.group_sale_manager", name="Rex Remover"
        )
        lead = self._lead(name="Big deal", expected_revenue=80000)
        request = self.Request.browse(
            self.xmlrpc(
                self.user_salesman,
                "crm.lead",
                "compliance_request_approval",
                [lead.ids, {"stage_id": self.stage_proposal.id}, "Strategic account"],
            )
        )
        self.assertIs(self.xmlrpc(remover, "crm.lead", "unlink", [lead.ids]), True)
        self.assertEqual(request.decided_by_id, remover)
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            fault = self.rpc_fault(admin, "res.users", "unlink", [remover.ids])
        self.assertIn("Rex Remover: approval requests closed: 1", fault)
        self.assertEqual(request.decided_by_id, remover)

    def test_sole_team_of_a_policy_archived_or_deleted(self):
        """A policy limited to a sales team that gets archived stays on that team (it applied
        to every team: a lead of another team lost without a reason was blocked); deleting
        the team over RPC is refused naming the policy."""
        solo = self.env["crm.team"].create({"name": "Solo Team"})
        self.env["compliance.policy"].create(
            {
                "name": "Solo lost reason",
                "model_name": "crm.lead",
                "crm_team_ids": [(6, 0, solo.ids)],
                "trigger": "lost",
                "requirement": "[('lost_reason_id', '!=', False)]",
                "message": "Say why.",
                "enforcement": "block",
            }
        )
        admin = new_test_user(
            self.env, login="compliance_team_admin", groups="base.group_system,sales_team.group_sale_manager"
        )
        self.assertIs(self.xmlrpc(admin, "crm.team", "write", [solo.ids, {"active": False}]), True)
        self.env.registry.clear_cache()  # as after a restart
        lead = self.env["crm.lead"].create({"name": "Elsewhere", "team_id": self.other_team.id})
        lead.with_user(self.user_manager).action_set_lost()
        self.assertFalse(lead.active)
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            fault = self.rpc_fault(admin, "crm.team", "unlink", [solo.ids])
        self.assertIn("Solo Team cannot be deleted", fault)
        self.assertIn("Solo lost reason", fault)

    def test_company_of_a_policy_is_not_deleted(self):
        """Deleting the company a policy is limited to is refused naming it: the policy then
        judged the leads of every company (a company's blocking policy on every company)."""
        admin = new_test_user(
            self.env, login="compliance_admin_co", groups="base.group_system,base.group_user"
        )
        company = self.env["res.company"].create({"name": "Branch Co"})
        policy = self._policy(name="Branch wins", trigger="won", company_id=company.id)
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            fault = self.rpc_fault(admin, "res.company", "unlink", [company.ids], protocol="jsonrpc")
        self.assertIn("Branch Co cannot be deleted", fault)
        self.assertIn("Branch wins", fault)
        self.assertEqual(policy.company_id, company)

    def test_policy_an_uninstallation_emptied_is_not_restored_as_it_is(self):
        """A policy a module's uninstallation archived, deleting the process or the only step
        it was limited to, is not made active again with its scope emptied (it would judge
        every lead's moves), by any path: a write or Unarchive over RPC, a copy, an import;
        the refusal names it and says to set its process or steps. Restored in the same save
        as its new steps, it is; one a user archived with an empty scope is restored."""
        process = self.env["guide.process"].create(
            {"name": "Pilot process", "model_name": "crm.lead", "crm_team_ids": [(6, 0, self.team.ids)]}
        )
        stage = self.env["crm.stage"].create({"name": "P-Pilot", "sequence": 1008})
        step = self.env["guide.step"].create({"process_id": process.id, "crm_stage_id": stage.id})
        by_process = self._policy(name="Pilot policy", trigger="stage", process_id=process.id)
        by_step = self._policy(name="Pilot step policy", trigger="stage", process_id=False, step_ids=step.ids)
        everywhere = self._policy(name="Every lead", trigger="stage", process_id=False, active=False)
        uninstalling = self.env(su=True, context={**self.env.context, MODULE_UNINSTALL_FLAG: True})
        process.with_env(uninstalling).unlink()
        emptied = by_process | by_step
        self.assertEqual(emptied.mapped("active"), [False, False])
        self.assertEqual(emptied.mapped("scope_emptied"), [True, True])
        self.assertFalse(everywhere.scope_emptied)
        manager = self.user_manager
        with self.assertNoLogs("odoo.http", "ERROR"):
            fault = self.rpc_fault(manager, "compliance.policy", "write", [by_step.ids, {"active": True}])
            for vals in ({"active": True, "scope_emptied": False}, {"active": True, "process_id": False}):
                self.rpc_fault(manager, "compliance.policy", "write", [by_step.ids, vals])
            self.rpc_fault(
                manager, "compliance.policy", "action_unarchive", [by_process.ids], protocol="jsonrpc"
            )
        self.assertIn("Compliance Policy “Pilot step policy” cannot be restored as it is", fault)
        self.assertIn("Set its “Process” or “Steps” again first.", fault)
        # a copy keeps the mark
        copied = by_step.with_user(manager).copy()
        self.assertTrue(copied.scope_emptied)
        with self.assertRaises(UserError):
            copied.with_user(manager).action_unarchive()
        with self.assertRaises(UserError):
            by_step.with_user(manager).copy({"active": True})
        # an import restoring it
        xmlid = by_process.export_data(["id"])["datas"][0][0]
        result = self.env["compliance.policy"].with_user(manager).load(["id", "active"], [[xmlid, "True"]])
        self.assertFalse(result["ids"])
        self.assertIn("cannot be restored as it is", result["messages"][0]["message"])
        self.assertFalse(any(emptied.mapped("active")))
        # restored with its new steps in the same save, or once its process is set again
        vals = {"active": True, "step_ids": [(6, 0, self.step_proposal.ids)]}
        self.assertIs(self.xmlrpc(manager, "compliance.policy", "write", [by_step.ids, vals]), True)
        by_process.with_user(manager).process_id = self.process
        by_process.with_user(manager).action_unarchive()
        self.assertEqual(emptied.mapped("active"), [True, True])
        self.assertEqual(emptied.mapped("scope_emptied"), [False, False])
        everywhere.with_user(manager).action_unarchive()
        self.assertTrue(everywhere.active)

    def test_process_or_step_a_policy_is_limited_to_is_not_deleted(self):
        """A sales manager deleting over RPC a process nothing follows yet, or its only step a
        policy is limited to, is refused naming the policy: its process or steps emptied, it
        judged every lead's moves. Once the policy's scope is changed, they are deleted."""
        process = self.env["guide.process"].create(
            {"name": "Pilot process", "model_name": "crm.lead", "crm_team_ids": [(6, 0, self.team.ids)]}
        )
        stage = self.env["crm.stage"].create({"name": "P-Pilot", "sequence": 1008})
        step = self.env["guide.step"].create({"process_id": process.id, "crm_stage_id": stage.id})
        by_process = self._policy(name="Pilot policy", trigger="stage", process_id=process.id)
        by_step = self._policy(name="Pilot step policy", trigger="stage", process_id=False, step_ids=step.ids)
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            fault = self.rpc_fault(self.user_manager, "guide.step", "unlink", [step.ids])
            self.assertIn(
                "cannot be deleted: the following name nothing else in their field “Steps”, and with "
                "that field empty they would apply in every step",
                fault,
            )
            self.assertIn("Compliance Policy: Pilot step policy", fault)
            self.assertIn("First change “Steps” of these, or delete them.", fault)
            fault = self.rpc_fault(
                self.user_manager, "guide.process", "unlink", [process.ids], protocol="jsonrpc"
            )
            self.assertIn("Pilot process cannot be deleted", fault)
            self.assertIn("Compliance Policy: Pilot policy", fault)
        self.assertEqual((by_process.process_id, by_step.step_ids), (process, step))
        by_process.process_id = False
        by_step.step_ids = False
        self.assertIs(self.xmlrpc(self.user_manager, "guide.process", "unlink", [process.ids]), True)
        self.assertFalse(step.exists())
