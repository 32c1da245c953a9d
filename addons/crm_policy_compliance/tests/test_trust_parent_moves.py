"""Sales managers configure the lead policies, helpdesk managers the ticket policies: an
approval tier moved into a policy of the other model (its author would approve the other
model's changes), or a policy turned to the other model, is judged where it goes, not where
it was (Odoo's record rules judge a write by the rows before it)."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestTrustParentMovesPolicy(ComplianceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Module = cls.env["ir.module.module"]
        cls.helpdesk = Module.search(
            [("name", "=", "helpdesk_policy_compliance"), ("state", "=", "installed")]
        )
        if not cls.helpdesk:
            return
        cls.user_hd_manager = new_test_user(
            cls.env,
            login="pol_hd_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            name="Hal Helpdesk",
        )

        def policy(model_name, name, approver, **vals):
            tiers = [
                (
                    0,
                    0,
                    {
                        "sequence": seq,
                        "name": f"Tier {seq}",
                        "approver_type": "users",
                        "user_ids": [(6, 0, approver.ids)],
                    },
                )
                for seq in (1, 2)
            ]
            values = {
                "name": name,
                "model_name": model_name,
                "trigger": "stage",
                "requirement": "[('id', '=', 0)]",
                "message": "Ask first.",
                "enforcement": "approval",
                "active": False,
                "tier_ids": tiers,
                **vals,
            }
            return cls.env["compliance.policy"].create(values)

        cls.lead_policy = policy("crm.lead", "Lead approvals", cls.user_director)
        cls.lead_policy_2 = policy("crm.lead", "Lead approvals 2", cls.user_director)
        cls.ticket_policy = policy("helpdesk.ticket", "Ticket approvals", cls.user_hd_manager)
        cls.ticket_policy_2 = policy("helpdesk.ticket", "Ticket approvals 2", cls.user_hd_manager)

    def setUp(self):
        super().setUp()
        if not self.helpdesk:
            self.skipTest("helpdesk_policy_compliance is not installed")

    def _refused(self, user, record, vals):
        before = {fname: record[fname] for fname in vals}
        with self.assertRaises(AccessError):
            record.with_user(user).write(vals)
        self.env.invalidate_all()
        for fname, value in before.items():
            self.assertEqual(record[fname], value, f"{record._name}.{fname} moved")

    def test_sales_manager_moves_no_tier_into_a_ticket_policy(self):
        tier = self.lead_policy.tier_ids[0]
        self._refused(self.user_manager, tier, {"policy_id": self.ticket_policy.id})
        self.assertEqual(self.ticket_policy.tier_ids.user_ids, self.user_hd_manager)
        tier.with_user(self.user_manager).write({"policy_id": self.lead_policy_2.id})
        self.assertEqual(tier.policy_id, self.lead_policy_2)

    def test_helpdesk_manager_moves_no_tier_into_a_lead_policy(self):
        tier = self.ticket_policy.tier_ids[0]
        self._refused(self.user_hd_manager, tier, {"policy_id": self.lead_policy.id})
        tier.with_user(self.user_hd_manager).write({"policy_id": self.ticket_policy_2.id})
        self.assertEqual(tier.policy_id, self.ticket_policy_2)

    def test_policy_not_turned_to_the_other_model(self):
        self._refused(self.user_manager, self.lead_policy, {"model_name": "helpdesk.ticket"})

    def test_policy_that_checked_records_keeps_its_model(self):
        values = {
            "model_name": "crm.lead",
            "process_id": False,
            "trigger": "stage",
            "requirement": "[('name', '!=', False)]",
            "enforcement": "block",
        }
        unused = self._policy(name="Never checked", **values)
        unused.write({"model_name": "helpdesk.ticket"})
        self.assertEqual(unused.model_name, "helpdesk.ticket")
        used = self._policy(name="Checked the leads", **values)
        lead = self._lead()
        lead.write({"stage_id": self.stage_proposal.id})
        self.assertTrue(self.Log.search([("policy_id", "=", used.id)]))
        with self.assertRefused(ValidationError, "cannot be changed") as caught:
            used.write({"model_name": "helpdesk.ticket"})
        self.assertIn("Checked the leads", str(caught.exception))
        self.assertNotIn("crm.lead", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(used.model_name, "crm.lead")
