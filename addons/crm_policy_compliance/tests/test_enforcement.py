from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, users

from .common import ComplianceCommon


class TestEnforcement(ComplianceCommon):
    """Block and warn policies, on every path a change can take."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy_vat = cls._policy()

    @users("pol_salesman")
    def test_won_blocked_by_action(self):
        lead = self._lead().with_user(self.env.user)
        with self.assertRefused(UserError, "Compliance lead: VAT before win: Set the VAT number."):
            lead.action_set_won()
        self.assertEqual(lead.stage_id, self.stage_new)
        lead.partner_id = self.partner_vat
        lead.action_set_won()
        self.assertEqual(lead.stage_id, self.stage_won)
        log = self._logs(lead)
        self.assertEqual(log.mapped("outcome"), ["passed"])
        self.assertEqual(log.event, "won")
        self.assertEqual(log.user_id, self.user_salesman)
        self.assertEqual(log.crm_team_id, self.team)
        self.assertIn("\"requirement\": \"[('partner_id.vat', '!=', False)]\"", log.policy_snapshot)

    def test_won_blocked_by_rpc_write_and_mass_edit(self):
        leads = (
            self._lead(name="Mass A")
            | self._lead(name="Mass B")
            | self._lead(name="Mass C", partner_id=self.partner_vat.id)
        )
        with self.assertRaises(UserError) as caught:
            leads.with_user(self.user_leader).write({"stage_id": self.stage_won.id})
        message = str(caught.exception)
        self.assertIn("Mass A", message)
        self.assertIn("Mass B", message)
        self.assertNotIn("Mass C", message)
        self.assertEqual(set(leads.mapped("stage_id").ids), {self.stage_new.id})
        # the ones that comply can go alone
        leads[2].with_user(self.user_leader).write({"stage_id": self.stage_won.id})
        self.assertEqual(leads[2].stage_id, self.stage_won)

    def test_won_blocked_by_import(self):
        lead = self._lead(name="Imported")
        xmlid = lead.export_data(["id"])["datas"][0][0]
        result = self.env["crm.lead"].load(["id", "stage_id/.id"], [[xmlid, self.stage_won.id]])
        self.assertFalse(result["ids"])
        self.assertTrue(any("VAT before win" in msg["message"] for msg in result["messages"]))
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_created_or_imported_directly_won(self):
        with self.assertRefused(UserError, "VAT before win: Set the VAT number."):
            self._lead(name="Born won", stage_id=self.stage_won.id)
        result = self.env["crm.lead"].load(
            ["name", "type", "team_id/.id", "stage_id/.id", "partner_id/.id"],
            [["Imported won", "opportunity", self.team.id, self.stage_won.id, self.partner_novat.id]],
        )
        self.assertFalse(result["ids"])
        self.assertTrue(any("VAT before win" in msg["message"] for msg in result["messages"]))
        lead = self._lead(
            name="Born won with VAT", stage_id=self.stage_won.id, partner_id=self.partner_vat.id
        )
        self.assertEqual(self._logs(lead).mapped("outcome"), ["passed"])

    def test_refused_import_rows_audited_once(self):
        """Odoo's import tries the rows as a batch, then each row again: a refused row is one
        audit row (two identical rows two), a test import none."""
        refusals = []
        Log = type(self.env["compliance.log"])
        # the refusals' rows are written by a transaction of their own: captured, not committed
        self.startPatcher(
            patch.object(
                Log, "_compliance_commit_refusals", lambda log, rows, infos=None: refusals.append(rows)
            )
        )
        rows = [
            ["Refused import", "opportunity", self.team.id, self.stage_won.id, self.partner_novat.id],
            ["Complying import", "opportunity", self.team.id, self.stage_won.id, self.partner_vat.id],
            ["Refused import", "opportunity", self.team.id, self.stage_won.id, self.partner_novat.id],
        ]
        fields = ["name", "type", "team_id/.id", "stage_id/.id", "partner_id/.id"]
        result = self.env["crm.lead"].with_user(self.user_leader).load(fields, rows)
        self.assertFalse(result["ids"])
        self.assertTrue(any("VAT before win" in msg["message"] for msg in result["messages"]))
        self.assertEqual(len(refusals), 1, "recorded once, when the import ends")
        self.assertEqual(
            [(row["record_name"], row["outcome"], row["user_id"]) for row in refusals[0]],
            [("Refused import", "blocked", self.user_leader.id)] * 2,
        )
        # through the import dialog: its test (rolled back) audits nothing, the import itself once
        importer = (
            self.env["base_import.import"]
            .with_user(self.user_leader)
            .create(
                {
                    "res_model": "crm.lead",
                    "file": f"{','.join(fields)}\n"
                    f"Refused upload,opportunity,{self.team.id},{self.stage_won.id},"
                    f"{self.partner_novat.id}\n",
                    "file_type": "text/csv",
                }
            )
        )
        options = {"quoting": '"', "separator": ",", "has_headers": True}
        result = importer.execute_import(fields, fields, options, dryrun=True)
        self.assertTrue(any("VAT before win" in msg["message"] for msg in result["messages"]))
        self.assertEqual(len(refusals), 1)
        result = importer.execute_import(fields, fields, options)
        self.assertTrue(any("VAT before win" in msg["message"] for msg in result["messages"]))
        self.assertEqual([row["record_name"] for row in refusals[1]], ["Refused upload"])
        # leads created by another model's import (a partner's opportunities): once as well
        result = self.env["res.partner"].load(
            ["name", "opportunity_ids/name", "opportunity_ids/type", "opportunity_ids/team_id/.id"]
            + ["opportunity_ids/stage_id/.id"],
            [["Nested partner", "Nested refused", "opportunity", self.team.id, self.stage_won.id]],
        )
        self.assertFalse(result["ids"])
        self.assertEqual(len(refusals), 3)
        self.assertEqual([row["record_name"] for row in refusals[2]], ["Nested refused"])

    def test_created_in_a_checked_step(self):
        self._policy(
            name="Proposal needs revenue",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('expected_revenue', '>', 0)]",
            message="Estimate the revenue.",
            enforcement="override",
        )
        with self.assertRefused(UserError, "Create the record in an earlier step"):
            self._lead(stage_id=self.stage_proposal.id)
        lead = self._lead(stage_id=self.stage_new.id)  # not a checked step
        self.assertFalse(self._logs(lead))
        justified = self.env["crm.lead"].with_context(guide_override_reason="Migrated from the old CRM")
        lead = justified.create(
            {
                "name": "Migrated",
                "type": "opportunity",
                "team_id": self.team.id,
                "stage_id": self.stage_proposal.id,
            }
        )
        self.assertEqual(self._logs(lead).outcome, "overridden")

    def test_copy_is_archived(self):
        """A duplicated policy is archived until reviewed: it does not check every change twice."""
        copy = self.policy_vat.copy()
        self.assertEqual((copy.name, copy.active), ("VAT before win (copy)", False))
        lead = self._lead(partner_id=self.partner_vat.id)
        lead.action_set_won()
        self.assertEqual(len(self._logs(lead)), 1)
        policy = self.policy_vat
        self.assertTrue(policy.copy({"active": True}).active, "unless asked")

    def test_out_of_scope_not_checked(self):
        other = self._lead(team_id=self.other_team.id)  # not guided by the process
        other.action_set_won()
        self.assertTrue(other.stage_id.is_won)
        self.assertFalse(self._logs(other))

    def test_lost_needs_reason(self):
        self._policy(
            name="Lost reason",
            trigger="lost",
            requirement="[('lost_reason_id', '!=', False)]",
            message="Say why.",
        )
        lead = self._lead(partner_id=self.partner_vat.id)
        with self.assertRefused(UserError, "Lost reason: Say why."):
            lead.action_set_lost()
        self.assertTrue(lead.active)
        with self.assertRefused(UserError, "Lost reason"):
            lead.write({"active": False})
        # the lost wizard of the CRM sets the reason in the same change
        wizard = Form(self.env["crm.lead.lost"].with_context(default_lead_ids=lead.ids))
        wizard.lost_reason_id = self.lost_reason
        wizard.save().action_lost_reason_apply()
        self.assertFalse(lead.active)
        self.assertEqual(lead.lost_reason_id, self.lost_reason)
        self.assertEqual(self._logs(lead).mapped("outcome"), ["passed"])
        lead2 = self._lead()
        lead2.action_set_lost(lost_reason_id=self.lost_reason.id)
        self.assertFalse(lead2.active)

    def test_created_copied_or_imported_lost_needs_reason(self):
        """A lead created, duplicated or imported already lost (archived) is a lead marked
        lost: the lost policies check it, as a lead created won is checked by the won ones."""
        self._policy(
            name="Lost reason",
            trigger="lost",
            requirement="[('lost_reason_id', '!=', False)]",
            message="Say why.",
        )
        Lead = self.env["crm.lead"].with_user(self.user_salesman)
        born_lost = {"name": "Born lost", "type": "opportunity", "team_id": self.team.id, "active": False}
        with self.assertRefused(UserError, "Lost reason: Say why."):
            Lead.create(born_lost)
        lead = self._lead(name="Original").with_user(self.user_salesman)
        with self.assertRefused(UserError, "Lost reason: Say why."):
            lead.copy({"active": False})
        result = Lead.load(
            ["name", "type", "team_id/.id", "active"], [["Imported lost", "opportunity", self.team.id, "0"]]
        )
        self.assertFalse(result["ids"])
        self.assertTrue(any("Lost reason: Say why." in msg["message"] for msg in result["messages"]))
        lost = Lead.create(
            {
                "name": "Born lost with a reason",
                "type": "opportunity",
                "team_id": self.team.id,
                "active": False,
                "lost_reason_id": self.lost_reason.id,
            }
        )
        self.assertEqual(self._logs(lost).mapped("outcome"), ["passed"])
        self.assertEqual(self._logs(lost).event, "lost")

    def test_lost_dialog_asks_for_the_reason_a_policy_requires(self):
        """The Mark Lost dialog shows the policy and requires the reason up front
        (one dialog, no refusal after it), for the leads the policy holds only."""
        self._policy(
            name="Lost reason",
            trigger="lost",
            requirement="[('lost_reason_id', '!=', False)]",
            message="Say why.",
        )
        self._policy(
            name="Lost with a note",
            trigger="lost",
            requirement="[('description', '!=', False)]",
            message="Write down what the customer said.",
            enforcement="warn",
        )
        Wizard = self.env["crm.lead.lost"].with_user(self.user_salesman)
        lead = self._lead().with_user(self.user_salesman)
        wizard = Form(Wizard.with_context(default_lead_ids=lead.ids))
        self.assertTrue(wizard.compliance_reason_required)
        self.assertEqual(wizard.compliance_message, "Say why.\nWrite down what the customer said.")
        with self.assertRaisesRegex(AssertionError, "lost_reason_id"):
            wizard.save()  # the client refuses it before any server call
        wizard.lost_reason_id = self.lost_reason
        wizard.save().action_lost_reason_apply()
        self.assertFalse(lead.active)
        # a lead the policy does not hold (other team, or meeting the requirement already)
        for other in (
            self._lead(team_id=self.other_team.id, description="<p>Noted</p>"),
            self._lead(lost_reason_id=self.lost_reason.id, description="<p>Noted</p>"),
        ):
            wizard = Form(Wizard.with_context(default_lead_ids=other.ids))
            self.assertFalse(wizard.compliance_reason_required)
            self.assertFalse(wizard.compliance_message)
        # a warning alone tells, but does not require the reason
        wizard = Form(
            Wizard.with_context(default_lead_ids=self._lead(lost_reason_id=self.lost_reason.id).ids)
        )
        self.assertFalse(wizard.compliance_reason_required)
        self.assertEqual(wizard.compliance_message, "Write down what the customer said.")

    def test_warn_records_violation(self):
        self.policy_vat.enforcement = "warn"
        lead = self._lead()
        lead.with_context(tracking_disable=False).action_set_won()
        self.assertTrue(lead.stage_id.is_won)
        log = self._logs(lead)
        self.assertEqual(log.outcome, "warned")
        self.assertEqual(log.violation, 1)
        self.assertEqual(lead.compliance_violation_count, 1)
        self.assertTrue(any("VAT before win" in body for body in lead.message_ids.mapped("body")))

    def test_stage_trigger_only_entering_given_steps(self):
        self._policy(
            name="Proposal needs revenue",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('expected_revenue', '>', 0)]",
            message="Estimate the revenue.",
        )
        lead = self._lead(partner_id=self.partner_vat.id)
        lead.stage_id = self.stage_negotiation  # not a checked step
        lead.stage_id = self.stage_new
        with self.assertRefused(UserError, "Estimate the revenue."):
            lead.stage_id = self.stage_proposal
        lead.write({"stage_id": self.stage_proposal.id, "expected_revenue": 1000})
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_fields_trigger_and_scope_condition(self):
        self._policy(
            name="Big deals have a customer",
            trigger="fields",
            field_ids=[(6, 0, self.env["ir.model.fields"]._get("crm.lead", "expected_revenue").ids)],
            domain="[('expected_revenue', '>', 10000)]",
            requirement="[('partner_id', '!=', False)]",
            message="Link the customer.",
        )
        lead = self._lead(partner_id=False)
        lead.expected_revenue = 500  # outside the scope condition
        lead.name = "Renamed"  # field not watched
        with self.assertRefused(UserError, "Link the customer."):
            lead.expected_revenue = 20000
        self.assertEqual(lead.expected_revenue, 500)

    def test_policy_of_no_process_applies_outside_processes(self):
        """A policy of no process judges the leads no process guides: their writes are not
        short-cut past the engines (``guide.mixin._guide_write_outside_processes``), with
        or without rules of other engines there."""
        if "escalation.rule" in self.env:
            # the demo's escalation rules of no process would keep every write on the long path
            self.env["escalation.rule"].search([("process_id", "=", False)]).active = False
        self._policy(
            name="Big deals have a customer",
            process_id=False,
            trigger="fields",
            field_ids=[(6, 0, self.env["ir.model.fields"]._get("crm.lead", "expected_revenue").ids)],
            requirement="[('partner_id', '!=', False)]",
            message="Link the customer.",
        )
        lead = self._lead(team_id=self.other_team.id, partner_id=False)
        self.assertFalse(lead.guide_process_id)
        self.assertIsNone(lead._guide_outside_processes_scope())
        with self.assertRefused(UserError, "Link the customer."):
            lead.with_user(self.user_salesman).expected_revenue = 20000
        self.assertEqual(lead.expected_revenue, 0)

    def test_creation_trigger(self):
        self._policy(
            name="Leads have an email",
            trigger="create",
            process_id=False,
            crm_team_ids=[(6, 0, self.team.ids)],
            requirement="[('email_from', '!=', False)]",
            message="Give the contact email.",
        )
        with self.assertRefused(UserError, "Give the contact email."):
            self._lead(email_from=False)
        lead = self._lead(email_from="buyer@example.com")
        self.assertEqual(self._logs(lead).outcome, "passed")
        self._lead(team_id=self.other_team.id, email_from=False)  # other team: not checked

    def test_invalid_configuration_refused(self):
        with self.assertRefused(ValidationError, "Invalid condition"):
            self._policy(name="Broken", requirement="[('no_such_field', '=', 1)]")
        with self.assertRefused(ValidationError, "choose the fields"):
            self._policy(name="No fields", trigger="fields")
        with self.assertRefused(ValidationError, "add at least one approval tier"):
            self._policy(name="No tiers", enforcement="approval")
        with self.assertRefused(ValidationError, "cannot wait for an approval"):
            self._policy(
                name="Approve creation",
                trigger="create",
                enforcement="approval",
                tier_ids=[
                    (0, 0, {"name": "T", "approver_type": "users", "user_ids": [(4, self.user_manager.id)]})
                ],
            )
        with self.assertRefused(ValidationError, "choose the approving users"):
            self._policy(
                name="Empty tier",
                trigger="stage",
                enforcement="approval",
                tier_ids=[(0, 0, {"name": "T", "approver_type": "users"})],
            )


class TestConfigurationForms(ComplianceCommon):
    """A sales manager designs policies through the forms."""

    def test_manager_creates_an_approval_policy(self):
        form = Form(self.env["compliance.policy"].with_user(self.user_manager))
        form.name = "Discount above 20% needs the director"
        form.process_id = self.process
        form.trigger = "fields"
        form.field_ids.add(self.env["ir.model.fields"]._get("crm.lead", "expected_revenue"))
        form.requirement = "[('expected_revenue', '>=', 1000)]"
        form.message = "Below 1,000 the director decides."
        form.enforcement = "approval"
        with form.tier_ids.new() as tier:
            tier.name = "Director"
            tier.approver_type = "users"
            tier.user_ids.add(self.user_director)
        policy = form.save()
        self.assertEqual(policy.version, 1)
        lead = self._lead(expected_revenue=5000).with_user(self.user_salesman)
        request = lead._compliance_request_approval({"expected_revenue": 500}, "Loss leader")
        self.assertEqual(request.current_approver_ids, self.user_director)
        self.assertEqual(lead.expected_revenue, 5000)
        # the approvers see the value they decide on
        self.assertEqual(
            request.change, f"Change Expected Revenue of {lead.display_name} (Expected Revenue: 500)"
        )


class TestPolicyInfo(ComplianceCommon):
    """The configuration cache hands hooks frozen ``policy_info`` values, shared by every
    transaction: a hook cannot change what the next check reads."""

    def test_policy_info_is_frozen(self):
        policy = self._policy(crm_team_ids=[(6, 0, self.team.ids)])
        config = self.env["compliance.policy"]._get_policy_config("crm.lead")
        policy_info = next(info for info in config["policies"] if info["id"] == policy.id)
        for mapping, key in (
            (config, "fields"),
            (policy_info, "requirement"),
            (policy_info["texts"], "en_US"),
        ):
            with self.assertRaises(TypeError):
                mapping[key] = "[]"
        self.assertIsInstance(config["policies"], tuple)
        self.assertIsInstance(policy_info["step_ids"], frozenset)
        self.assertEqual(policy_info["crm_team_ids"], frozenset(self.team.ids))
        # the hooks get the frozen values, and still scope the check
        domain = self.env["crm.lead"]._policy_scope_domain(policy_info)
        self.assertIn(("team_id", "in", self.team.ids), domain)
