"""Configuration and companies: a manager of one company configures that company's
processes and policies, never what applies to every company, and names no user or
record of another company in them."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ComplianceCommon


@tagged("post_install", "-at_install")
class TestMultiCompanyConfig(ComplianceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Company B (config)"})
        cls.manager_b = new_test_user(
            cls.env,
            login="pol_manager_b",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
            name="Bea B-Manager",
        )
        cls.manager_ab = new_test_user(
            cls.env,
            login="pol_manager_ab",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, (cls.company_a | cls.company_b).ids)],
            name="Abe AB-Manager",
        )
        cls.user_a = new_test_user(
            cls.env, login="pol_user_a", groups="sales_team.group_sale_salesman", name="Ann A-User"
        )

    def _policy_vals(self, **vals):
        return {
            "name": "B says no",
            "model_name": "crm.lead",
            "trigger": "won",
            "requirement": "[('id', '=', 0)]",
            "enforcement": "block",
            "message": "No.",
            **vals,
        }

    def test_conditions_reaching_other_companies_need_every_company(self):
        """The engine evaluates conditions reading every company's records: a manager of one
        company writes none through a field that can lead to another company's records (the
        customer's other opportunities), which would tell them, by where it applies, values
        they may not read."""
        Hint = self.env["guide.hint"].with_user(self.manager_b).with_company(self.company_b)
        Policy = self.env["compliance.policy"].with_user(self.manager_b).with_company(self.company_b)
        hint = {"name": "Big elsewhere", "model_name": "crm.lead", "company_id": self.company_b.id}
        elsewhere = "[('partner_id.opportunity_ids.expected_revenue', '=', 777777)]"
        with self.assertRaisesRegex(ValidationError, "companies you do not work for"):
            Hint.create({**hint, "domain": elsewhere})
        with self.assertRaisesRegex(ValidationError, "companies you do not work for"):
            Policy.create(self._policy_vals(company_id=self.company_b.id, requirement=elsewhere))
        nested = "[('partner_id', 'any', [('opportunity_ids.expected_revenue', '>', 0)])]"
        with self.assertRaisesRegex(ValidationError, "companies you do not work for"):
            Hint.create({**hint, "domain": nested})
        # fields keeping to the record's company, or to records of no company: theirs to use
        kept = (
            "[('partner_id.country_id.code', '=', 'BE'), ('user_id.name', '!=', False),"
            " ('tag_ids.name', '=', 'VIP')]"
        )
        Hint.create({**hint, "domain": kept})
        # a user of every company may read every company's records
        self.env["guide.hint"].with_user(self.manager_ab).create(
            {**hint, "company_id": self.company_a.id, "domain": elsewhere}
        )

    def test_shared_process_applied_by_a_user_of_every_company(self):
        """*Apply to Open Records* of a process of no company changes the checklists of every
        company's records: a manager of one company may no more run it than change it."""
        process = self.process.with_user(self.manager_b).with_company(self.company_b)
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            process.action_apply_to_open_records()
        self.process.with_user(self.manager_ab).action_apply_to_open_records()

    def test_shared_configuration_needs_every_company(self):
        Policy = self.env["compliance.policy"].with_user(self.manager_b).with_company(self.company_b)
        Process = self.env["guide.process"].with_user(self.manager_b).with_company(self.company_b)
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            Policy.create(self._policy_vals(company_id=False))
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            Process.create({"name": "B everywhere", "model_name": "crm.lead", "company_id": False})
        # their own company's: fine
        policy = Policy.create(self._policy_vals(company_id=self.company_b.id))
        process = Process.create(
            {"name": "B only", "model_name": "crm.lead", "company_id": self.company_b.id}
        )
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            policy.company_id = False
        # nor change what applies to every company: the shared process and its steps
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            self.process.with_user(self.manager_b).with_company(self.company_b).name = "Renamed by B"
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            self.step_new.with_user(self.manager_b).with_company(self.company_b).expected_duration = 2
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            self.env["guide.step"].with_user(self.manager_b).with_company(self.company_b).create(
                {
                    "process_id": self.process.id,
                    "crm_stage_id": self.env["crm.stage"].create({"name": "B-Extra"}).id,
                }
            )
        self.assertEqual(self.process.name, "Compliant Sales")
        # a manager of every company configures them
        shared = (
            self.env["compliance.policy"]
            .with_user(self.manager_ab)
            .create(self._policy_vals(company_id=False))
        )
        self.process.with_user(self.manager_ab).name = "Compliant Sales (all companies)"
        self.assertTrue(shared)
        self.assertTrue(process)

    def test_adaptive_configuration_of_a_shared_process_needs_every_company(self):
        """The optional tasks, milestones and branches of a process of no company apply to
        the records of every company like its steps: a manager of one company neither
        adds, changes nor deletes them; a manager of every company does."""
        env_b = self.env(
            user=self.manager_b, context=dict(self.env.context, allowed_company_ids=self.company_b.ids)
        )
        values = {
            "guide.task": {"step_id": self.step_new.id, "name": "B's task"},
            "guide.milestone": {
                "process_id": self.process.id,
                "name": "B's milestone",
                "reach_mode": "manual",
            },
            "guide.step.branch": {
                "step_id": self.step_new.id,
                "to_step_id": self.step_proposal.id,
                "domain": "[('expected_revenue', '>', 1)]",
            },
        }
        for model, vals in values.items():
            with self.subTest(model=model):
                with self.assertRaisesRegex(AccessError, "applies to every company"):
                    env_b[model].create(vals)
                row = self.env[model].with_user(self.manager_ab).create(vals)
                for change in ({"sequence": 99}, None):
                    with self.assertRaisesRegex(AccessError, "applies to every company"):
                        if change:
                            row.with_env(env_b).write(change)
                        else:
                            row.with_env(env_b).unlink()
                self.assertTrue(row.exists())
                row.with_user(self.manager_ab).unlink()

    def test_no_user_of_another_company_in_a_company_policy(self):
        Policy = self.env["compliance.policy"].with_user(self.manager_b).with_company(self.company_b)
        vals = self._policy_vals(
            company_id=self.company_b.id,
            enforcement="approval",
            tier_ids=[
                (
                    0,
                    0,
                    {"name": "A approves", "approver_type": "users", "user_ids": [(6, 0, self.user_a.ids)]},
                )
            ],
        )
        with self.assertRaisesRegex(UserError, "[Ii]ncompatible companies"):
            Policy.create(vals)
