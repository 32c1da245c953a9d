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

    def test_shared_configuration_refusal_in_the_readers_language(self):
        """The refusal names the kind of configuration as the screens do, in the reader's
        language (it said "Escalation Rule", "Compliance Policy" in English to a Russian
        manager)."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["base_policy_compliance"], ["ru_RU"], overwrite=True)
        kind = self.env["ir.model"].with_context(lang="ru_RU")._get("compliance.policy").name
        self.assertNotEqual(kind, "Compliance Policy", "the model has a Russian name")
        Policy = (
            self.env["compliance.policy"]
            .with_user(self.manager_b)
            .with_company(self.company_b)
            .with_context(lang="ru_RU")
        )
        with self.assertRaisesRegex(AccessError, f"^{kind} "):
            Policy.create(self._policy_vals(company_id=False))

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
        # nor through the translation dialogs, which change a text without a write()
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            self.process.with_user(self.manager_b).with_company(self.company_b).update_field_translations(
                "name", {"en_US": "Renamed by B"}
            )
        item = self.env["guide.item"].create({"name": "Shared item", "step_id": self.step_new.id})
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            item.with_user(self.manager_b).with_company(self.company_b).update_field_translations(
                "name", {"en_US": "Renamed by B"}
            )
        self.assertEqual(item.name, "Shared item")
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

    def test_shared_configuration_refused_to_users_without_access_as_odoo_refuses(self):
        """A salesperson, who changes no configuration, changing or deleting a process,
        policy, step or item of no company is refused by Odoo's access check, not told to
        set a company of theirs (as if they could change one of their company)."""
        item = self.env["guide.item"].create({"name": "Shared item", "step_id": self.step_new.id})
        policy = self.env["compliance.policy"].create(self._policy_vals(company_id=False))
        user = self.user_a
        self.assertNotIn(self.company_b, user.company_ids)
        for record, vals in (
            (self.process, {"name": "Renamed"}),
            (policy, {"name": "Renamed"}),
            (self.step_new, {"expected_duration": 2}),
            (item, {"name": "Renamed"}),
        ):
            record = record.with_user(user)
            for operation, change in (
                ("write", lambda record=record, vals=vals: record.write(vals)),
                ("unlink", record.unlink),
                ("translate", lambda record=record: record.update_field_translations("name", {"en_US": "R"})),
            ):
                if operation == "translate" and "name" not in record._fields:
                    continue
                with self.subTest(model=record._name, operation=operation):
                    with self.assertRaises(AccessError) as caught:
                        change()
                    self.assertNotIn("applies to every company", str(caught.exception))
                    self.assertIn("You are not allowed to", str(caught.exception))
        self.assertEqual(
            (self.process.name, policy.name, item.name), ("Compliant Sales", "B says no", "Shared item")
        )

    def test_own_configuration_not_moved_to_another_company(self):
        """A manager of one company cannot move its configuration into a company they do
        not work for (Odoo's record rules judge the rows as they were before the write): a
        process would take that company's leads and gate them, a hint reach its agents."""
        env_b = self.env(
            user=self.manager_b, context=dict(self.env.context, allowed_company_ids=self.company_b.ids)
        )
        # owned by a manager of both companies (an owner works for the process's company)
        process = env_b["guide.process"].create(
            {
                "name": "B only",
                "model_name": "crm.lead",
                "company_id": self.company_b.id,
                "owner_id": self.manager_ab.id,
            }
        )
        step = env_b["guide.step"].create(
            {"process_id": process.id, "crm_stage_id": self.stage_new.id, "gate_mode": "block"}
        )
        item = env_b["guide.item"].create({"step_id": step.id, "name": "Ask B first", "mandatory": True})
        hint = env_b["guide.hint"].create(
            {"name": "B's hint", "model_name": "crm.lead", "company_id": self.company_b.id}
        )
        policy = env_b["compliance.policy"].create(self._policy_vals(company_id=self.company_b.id))
        process_a = self.env["guide.process"].create(
            {"name": "A only", "model_name": "crm.lead", "company_id": self.company_a.id}
        )
        step_a = self.env["guide.step"].create(
            {"process_id": process_a.id, "crm_stage_id": self.stage_new.id}
        )
        rule = (
            env_b["escalation.rule"].create(
                {
                    "name": "B's rule",
                    "model_name": "crm.lead",
                    "company_id": self.company_b.id,
                    "level_ids": [(0, 0, {"name": "Tell", "delay": 1})],
                }
            )
            if "escalation.rule" in self.env
            else None
        )
        moves = [
            (process, {"company_id": self.company_a.id}),
            (hint, {"company_id": self.company_a.id}),
            (policy, {"company_id": self.company_a.id}),
            (step, {"process_id": process_a.id}),
            (item, {"step_id": step_a.id}),
        ]
        if rule is not None:
            moves.append((rule, {"company_id": self.company_a.id}))
        for row, vals in moves:
            with (
                self.subTest(model=row._name),
                # (a step or item moved into another company's process: Odoo's own refusal)
                self.assertRaisesRegex(AccessError, "a company you do not work for|multi-company issue"),
                self.env.cr.savepoint(),
            ):
                row.write(vals)
        self.env.invalidate_all()
        self.assertEqual(process.company_id | hint.company_id | policy.company_id, self.company_b)
        self.assertEqual((step.process_id, item.step_id), (process, step))
        # a manager of both companies may move them
        process.with_user(self.manager_ab).with_company(self.company_a).company_id = self.company_a
        self.assertEqual(process.company_id, self.company_a)

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
        with self.assertRaisesRegex(
            UserError,
            "Approving Users must be of Company B .config. or of no company, not of another company",
        ):
            Policy.create(vals)

    def test_group_tier_approvers_work_for_the_records_company(self):
        """A tier of a group's members takes those who work for the record's company: a
        sales manager of another company only is neither listed on the request nor given
        its to-do (they could never open it)."""
        policy = self._policy(
            name="Group approves",
            trigger="stage",
            step_ids=[(6, 0, self.step_proposal.ids)],
            requirement="[('expected_revenue', '<=', 1000)]",
            message="Big deals need a sales manager.",
            enforcement="approval",
            tier_ids=[
                (
                    0,
                    0,
                    {
                        "name": "Sales managers",
                        "approver_type": "group",
                        "group_id": self.env.ref("sales_team.group_sale_manager").id,
                    },
                )
            ],
        )
        lead = self._lead(name="Company A deal", expected_revenue=50_000, company_id=self.company_a.id)
        request = lead.with_user(self.user_salesman)._compliance_request_approval(
            {"stage_id": self.stage_proposal.id}, "Strategic"
        )
        self.assertEqual(request.policy_id, policy)
        approvers = request.line_ids.approver_ids
        self.assertIn(self.manager_ab, approvers)
        self.assertNotIn(self.manager_b, approvers)
        self.assertFalse(
            self.env["mail.activity"].search(
                [("user_id", "=", self.manager_b.id), ("res_id", "=", request.id)]
            )
        )

    def test_condition_editor_counts_the_policys_scope(self):
        """The scope condition's editor counts the leads of the policy's scope only (company,
        process, steps, teams), as the form stands, saved or not."""
        from ast import literal_eval

        from odoo.tests import Form

        form = Form(self.env["compliance.policy"].with_user(self.manager_ab))
        form.name = "Being written"
        form.model_name = "crm.lead"
        form.company_id = self.company_a
        form.process_id = self.process
        form.crm_team_ids.add(self.team)
        form.step_ids.add(self.step_proposal)
        form.requirement = "[('id', '!=', 0)]"
        form.message = "Shown."
        scope = literal_eval(form.scope_domain)
        self.assertIn(("guide_process_id", "=", self.process.id), scope)
        self.assertIn(("team_id", "in", self.team.ids), scope)
        self.assertIn(("guide_step_id", "in", self.step_proposal.ids), scope)
        self.assertIn(("company_id", "in", [self.company_a.id, False]), scope)
        policy = form.save()
        self.assertEqual(literal_eval(policy.scope_domain), scope)
        self.env["crm.lead"].search(scope)  # plain ids: a domain the client can count with
