from lxml import etree

from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestViews(TransactionCase):
    def test_forecast_kanban_keeps_its_revenue_and_shows_the_pill(self):
        """crm's forecast kanban replaces the card's first div: the approval pill
        must not be that div, or the card reads a revenue field it no longer loads."""
        view = self.env.ref("crm.crm_lead_view_kanban_forecast")
        arch = self.env["crm.lead"].get_view(view.id, "kanban")["arch"]
        self.assertIn("Awaiting approval", arch)
        self.assertIn("prorated_revenue", arch)
        self.assertNotIn("record.expected_revenue.raw_value", arch)

    def test_empty_approval_and_compliance_lists_say_what_appears_there(self):
        """The approval lists, the compliance reports and the engines' own lists and reports
        (escalation clocks and logs, stage history, optional tasks added, milestones reached,
        deviations, step visits, step effectiveness by record), empty, tell what fills them
        (Odoo's default is 'Create a new document' or 'No data to display', wrong for lists
        nobody creates in), in the user's language."""
        xmlids = [
            "base_escalation.escalation_clock_action",
            "crm_escalation.escalation_clock_action",
            "helpdesk_escalation.escalation_clock_action_helpdesk",
            "base_escalation.escalation_log_action",
            "base_escalation.escalation_log_action_report",
            "crm_escalation.escalation_log_action_report",
            "helpdesk_escalation.escalation_log_action_helpdesk_report",
            "base_process_guide.guide_history_action",
            "base_process_guide.guide_task_log_action",
            "base_process_guide.guide_milestone_reached_action",
            "base_process_guide.guide_deviation_action",
            "crm_process_guide.guide_deviation_action",
            "helpdesk_process_guide.guide_deviation_action_helpdesk",
            "base_process_intelligence.guide_step_visit_action",
            "base_process_intelligence.guide_effectiveness_report_action",
            "crm_process_intelligence.guide_effectiveness_report_action_crm",
            "helpdesk_process_intelligence.guide_effectiveness_report_action_helpdesk",
            "base_policy_compliance.compliance_approval_request_action",
            "base_policy_compliance.compliance_approval_request_action_report",
            "base_policy_compliance.compliance_log_action",
            "crm_policy_compliance.compliance_approval_request_action",
            "crm_policy_compliance.compliance_approval_request_action_report",
            "crm_policy_compliance.compliance_log_action",
            "helpdesk_policy_compliance.compliance_approval_request_action_helpdesk",
            "helpdesk_policy_compliance.compliance_log_action_helpdesk",
        ]
        # the escalation, intelligence and helpdesk modules may not be installed
        actions = {xmlid: self.env.ref(xmlid, raise_if_not_found=False) for xmlid in xmlids}
        actions = {xmlid: action for xmlid, action in actions.items() if action}
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(
            sorted({xmlid.split(".")[0] for xmlid in actions}), ["ru_RU"], overwrite=True
        )
        for xmlid, action in actions.items():
            with self.subTest(action=xmlid):
                self.assertIn("o_view_nocontent", action.help or "")
                russian = action.with_context(lang="ru_RU").help
                self.assertNotEqual(russian, action.with_context(lang="en_US").help)
                self.assertNotRegex(russian, r">[^<]*[A-Za-z]{3,}[^<]*<", "no English left")

    def test_deviations_list_shows_the_approver(self):
        """An approved exception's approver is the key fact: *Approved By* shows by default,
        beside *By* (who deviated)."""
        arch = self.env["guide.deviation"].get_views([(False, "list")])["views"]["list"]["arch"]
        columns = {node.get("name"): node for node in etree.fromstring(arch).xpath("/list/field")}
        self.assertNotEqual(columns["approver_id"].get("optional"), "hide")
        self.assertNotEqual(columns["user_id"].get("optional"), "hide")


@tagged("post_install", "-at_install")
class TestPolicyStepsPicker(ComplianceCommon):
    def test_policy_steps_of_its_process(self):
        """A policy's Steps picker offers the steps of its process when one is set (any
        process's otherwise), and creates none."""
        domain = self.env["compliance.policy"].fields_get(["step_ids"])["step_ids"]["domain"]
        Step = self.env["guide.step"]
        other_process = self.env["guide.process"].create(
            {"name": "Renewals", "model_name": "crm.lead", "crm_team_ids": [(6, 0, self.other_team.ids)]}
        )
        other = Step.create({"process_id": other_process.id, "crm_stage_id": self.stage_new.id})
        offered = Step.search(safe_eval(domain, {"model_name": "crm.lead", "process_id": self.process.id}))
        self.assertEqual(offered, self.process.step_ids)
        offered = Step.search(safe_eval(domain, {"model_name": "crm.lead", "process_id": False}))
        self.assertIn(other, offered)
        arch = self.env["compliance.policy"].get_views([(False, "form")])["views"]["form"]["arch"]
        node = etree.fromstring(arch).xpath("//field[@name='step_ids']")[0]
        self.assertIs(safe_eval(node.get("options") or "{}").get("no_create"), True)

    def test_approval_list_leaves_its_width_to_the_change(self):
        """The approval requests' list gives its short columns a width of their own, so that
        the requested change and the policy are not cut while they have room to spare."""
        arch = self.env["compliance.approval.request"].get_views([(False, "list")])["views"]["list"]["arch"]
        unsized = [
            node.get("name")
            for node in etree.fromstring(arch).xpath("field")
            if not node.get("width") and node.get("optional") != "hide" and not node.get("column_invisible")
        ]
        self.assertEqual(unsized, ["change", "policy_name"])
