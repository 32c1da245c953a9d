import json
from datetime import date, timedelta

from odoo.exceptions import UserError
from odoo.tests import Form

from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired

from .common import ComplianceCommon


class TestOverride(ComplianceCommon):
    """Override with a justification: a deviation record, optionally restricted, optionally standing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._policy(
            name="Offer attached",
            trigger="stage",
            step_ids=[(6, 0, cls.step_negotiation.ids)],
            requirement="[('guide_has_attachment', '=', True)]",
            message="Attach the offer.",
            enforcement="override",
        )
        cls.reason = cls.env.ref("base_policy_compliance.deviation_reason_compliance_exception")

    def test_needs_justification(self):
        lead = self._lead().with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.stage_id = self.stage_negotiation
        self.assertIn("Offer attached: Attach the offer.", str(caught.exception.args[0]))
        action_context = caught.exception.action["context"]
        self.assertEqual(action_context["default_mode"], "override")
        self.assertEqual(json.loads(action_context["default_vals"]), {"stage_id": self.stage_negotiation.id})
        self.assertEqual(lead.stage_id, self.stage_new)

    def test_gate_dialog_names_the_policies_its_justification_overrides(self):
        """A move past a gate that a policy asks to justify takes one dialog: the gate's names
        the policy, and its justification is recorded as the policy's override too."""
        self.step_new.write(
            {
                "gate_mode": "override",
                "item_ids": [(0, 0, {"name": "NDA signed", "mandatory": True})],
            }
        )
        lead = self._lead().with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.stage_id = self.stage_negotiation
        action = caught.exception.action
        self.assertEqual(action["res_model"], "guide.override.wizard")
        wizard = Form(
            self.env["guide.override.wizard"].with_user(self.user_salesman).with_context(**action["context"])
        )
        self.assertEqual(wizard.policy_problems, f"{lead.display_name}: Offer attached: Attach the offer.")
        self.assertFalse(wizard.approval_problems)
        self.assertFalse(self.Deviation.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]))
        wizard.reason = "Offer sent by post"
        self.assertEqual(wizard.save().action_confirm()["tag"], "soft_reload")
        self.assertEqual(lead.stage_id, self.stage_negotiation)
        deviations = self.Deviation.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual(set(deviations.mapped("reason")), {"Offer sent by post"})
        self.assertIn(self.policy, deviations.mapped("policy_id"))

    def test_mass_edit_keeps_the_change_of_the_records_not_held(self):
        """Two leads moved at once, one needing a justification: the dialog takes the whole
        write, and once justified both are moved (the lead that needed nothing kept its old
        stage, its change lost without a word); only the held one has a deviation."""
        held = self._lead(name="No offer").with_user(self.user_salesman)
        fine = self._lead(name="Offer attached").with_user(self.user_salesman)
        self.env["ir.attachment"].create(
            {"name": "offer.txt", "res_model": "crm.lead", "res_id": fine.id, "raw": b"offer"}
        )
        leads = held | fine
        with self.assertRaises(GuideDecisionRequired) as caught:
            leads.write({"stage_id": self.stage_negotiation.id})
        ctx = caught.exception.action["context"]
        self.assertEqual(sorted(json.loads(ctx["default_res_ids"])), sorted(leads.ids))
        self.assertIn("No offer", ctx["default_problems"])
        self.assertNotIn("Offer attached", ctx["default_problems"].replace("Offer attached: Attach", ""))
        wizard = Form(self.env["compliance.policy.wizard"].with_user(self.user_salesman).with_context(**ctx))
        wizard.reason = "Offer sent by post"
        wizard.save().action_confirm()
        self.assertEqual(leads.mapped("stage_id"), self.stage_negotiation)
        deviations = self.Deviation.search([("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)])
        self.assertEqual(deviations.mapped("res_id"), held.ids)

    def test_override_refusal_names_the_group_in_the_readers_language(self):
        """The group named by the refusal is in the reader's language, even when its name was
        read in another one earlier in the same request (Odoo's full name of a group is not
        kept per language: a Russian salesperson was told "Sales / Administrator")."""
        group = self.env.ref("sales_team.group_sale_manager")
        self.policy.override_group_id = group
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["base", "sales_team"], ["ru_RU"], overwrite=True)
        russian = group.with_context(lang="ru_RU")
        expected = f"{russian.category_id.name} / {russian.name}"
        self.assertNotEqual(expected, "Sales / Administrator", "the group has a Russian name")
        self.assertTrue(group.with_context(lang="en_US").full_name)
        lead = self._lead()
        with self.assertRefused(UserError, f"{expected}"):
            lead.with_user(self.user_salesman).with_context(
                lang="ru_RU", guide_override_reason="Because"
            ).write({"stage_id": self.stage_negotiation.id})

    def test_override_through_api_creates_deviation(self):
        lead = self._lead().with_user(self.user_salesman)
        lead.with_context(
            guide_override_reason="Sent from the portal", guide_override_reason_id=self.reason.id
        ).write({"stage_id": self.stage_negotiation.id})
        self.assertEqual(lead.stage_id, self.stage_negotiation)
        deviation = self.Deviation.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual(deviation.kind, "policy")
        self.assertEqual(deviation.policy_id, self.policy)
        self.assertEqual(deviation.user_id, self.user_salesman)
        self.assertEqual(deviation.reason, "Sent from the portal")
        self.assertEqual(deviation.reason_id, self.reason)
        self.assertEqual(deviation.history_id.to_stage_name, self.stage_negotiation.name)
        self.assertIn("Attach the offer.", deviation.rule_snapshot)
        self.assertIn("Message: Attach the offer.", deviation.rule_details.splitlines())
        log = self._logs(lead)
        self.assertEqual(log.outcome, "overridden")
        self.assertEqual(log.deviation_id, deviation)
        self.assertTrue(lead.guide_overridden)

    def test_override_wizard(self):
        lead = self._lead().with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.stage_id = self.stage_negotiation
        ctx = caught.exception.action["context"]
        wizard = Form(self.env["compliance.policy.wizard"].with_user(self.user_salesman).with_context(**ctx))
        wizard.reason = "Customer signs on paper at the meeting"
        wizard.reason_id = self.reason
        wizard.save().action_confirm()
        self.assertEqual(lead.stage_id, self.stage_negotiation)
        self.assertEqual(self._logs(lead).reason, "Customer signs on paper at the meeting")

    def test_dialog_names_the_stage_the_change_moves_to(self):
        """The policy's dialog says where the record goes, as the gate's does ("Moving to
        Negotiation ..."): opened by *Complete* on an alternate step, it said "This change"
        only. A change that moves no stage keeps the general wording."""
        lead = self._lead().with_user(self.user_salesman)
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.stage_id = self.stage_negotiation
        Wizard = self.env["compliance.policy.wizard"].with_user(self.user_salesman)
        wizard = Form(Wizard.with_context(**caught.exception.action["context"]))
        self.assertEqual(wizard.stage_name, "P-Negotiation")
        arch = Wizard.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('Moving to <strong><field name="stage_name"', arch)
        fields_only = Wizard.new({"res_model": "crm.lead", "vals": json.dumps({"description": "x"})})
        self.assertFalse(fields_only.stage_name)
        for made_up in ("[1]", json.dumps({"stage_id": "P-Won"}), json.dumps({"stage_id": 2**40}), "{"):
            self.assertFalse(Wizard.new({"res_model": "crm.lead", "vals": made_up}).stage_name, made_up)

    def test_override_restricted_to_group(self):
        self.policy.override_group_id = self.env.ref("sales_team.group_sale_manager")
        lead = self._lead()
        with self.assertRefused(UserError, "not allowed to override"):
            lead.with_user(self.user_salesman).with_context(guide_override_reason="Because").write(
                {"stage_id": self.stage_negotiation.id}
            )
        # the refusal says whom to ask
        with self.assertRefused(UserError, "Only the members of Sales / Administrator may override it"):
            lead.with_user(self.user_salesman).with_context(guide_override_reason="Because").write(
                {"stage_id": self.stage_negotiation.id}
            )
        lead.with_user(self.user_manager).with_context(guide_override_reason="Manager call").write(
            {"stage_id": self.stage_negotiation.id}
        )
        self.assertEqual(lead.stage_id, self.stage_negotiation)

    def test_standing_override_until_date(self):
        lead = self._lead().with_user(self.user_salesman)
        until = date.today() + timedelta(days=7)
        lead.with_context(guide_override_reason="Framework contract", compliance_override_until=until).write(
            {"stage_id": self.stage_negotiation.id}
        )
        deviation = self.Deviation.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
        self.assertEqual(deviation.valid_until, until)
        self.assertFalse(deviation.is_expired)
        # back and forth: the standing deviation covers it, no new justification asked
        lead.stage_id = self.stage_new
        lead.stage_id = self.stage_negotiation
        logs = self._logs(lead)
        self.assertEqual(logs.mapped("outcome"), ["overridden", "overridden"])
        self.assertEqual(logs.mapped("deviation_id"), deviation)
        self.assertEqual(self.Deviation.search_count([("res_id", "=", lead.id), ("kind", "=", "policy")]), 1)
        # once expired, the policy asks again
        deviation.sudo().write({"valid_until": date.today() - timedelta(days=1)})
        self.assertTrue(deviation.is_expired)
        lead.stage_id = self.stage_new
        with self.assertRaises(GuideDecisionRequired):
            lead.stage_id = self.stage_negotiation

    def test_standing_override_stands_for_its_policy_version(self):
        """A standing override was given under a version of the policy: once the policy
        changes (who may override, its requirement), it asks again, and a user no longer
        allowed to override is refused."""
        lead = self._lead().with_user(self.user_salesman)
        until = date.today() + timedelta(days=30)
        lead.with_context(guide_override_reason="Framework contract", compliance_override_until=until).write(
            {"stage_id": self.stage_negotiation.id}
        )
        lead.stage_id = self.stage_new
        self.policy.override_group_id = self.env.ref("sales_team.group_sale_manager")
        for reason in (None, "Still the framework"):
            with self.assertRaises(UserError) as caught:
                lead.with_context(guide_override_reason=reason).write({"stage_id": self.stage_negotiation.id})
            self.assertIn("not allowed to override", str(caught.exception))
        self.assertEqual(lead.stage_id, self.stage_new)
        # the requirement changed: a member of the group justifies again
        self.policy.requirement = "[('guide_has_attachment', '=', True), ('email_from', '!=', False)]"
        manager_lead = lead.with_user(self.user_manager)
        with self.assertRaises(GuideDecisionRequired):
            manager_lead.stage_id = self.stage_negotiation
        manager_lead.with_context(guide_override_reason="Manager call").write(
            {"stage_id": self.stage_negotiation.id}
        )
        self.assertEqual(self.Deviation.search_count([("res_id", "=", lead.id), ("kind", "=", "policy")]), 2)

    def test_attachment_satisfies(self):
        lead = self._lead()
        self.env["ir.attachment"].create(
            {"name": "offer.pdf", "res_model": "crm.lead", "res_id": lead.id, "raw": b"%PDF-1.4"}
        )
        lead.stage_id = self.stage_negotiation
        self.assertEqual(self._logs(lead).outcome, "passed")
