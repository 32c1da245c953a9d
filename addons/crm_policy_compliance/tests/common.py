from contextlib import contextmanager

from odoo.tests import TransactionCase, new_test_user


class ComplianceCommon(TransactionCase):
    """A guided sales process, a team with a leader, one user per role, policies built per test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        # policies of the database (demo data) stay out of the way
        cls.env["compliance.policy"].search([]).write({"active": False})
        cls.user_salesman = new_test_user(
            cls.env, login="pol_salesman", groups="sales_team.group_sale_salesman", name="Sam Salesman"
        )
        cls.user_salesman2 = new_test_user(
            cls.env, login="pol_salesman2", groups="sales_team.group_sale_salesman", name="Sue Salesman"
        )
        cls.user_leader = new_test_user(
            cls.env,
            login="pol_leader",
            groups="sales_team.group_sale_salesman_all_leads",
            name="Tess Team Leader",
        )
        cls.user_manager = new_test_user(
            cls.env, login="pol_manager", groups="sales_team.group_sale_manager", name="Mia Manager"
        )
        cls.user_director = new_test_user(
            cls.env, login="pol_director", groups="sales_team.group_sale_manager", name="Dan Director"
        )
        cls.user_officer = new_test_user(
            cls.env,
            login="pol_officer",
            groups="crm_policy_compliance.group_compliance_officer",
            name="Olga Officer",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Compliance Team",
                "user_id": cls.user_leader.id,
                "member_ids": [(4, cls.user_salesman.id), (4, cls.user_salesman2.id)],
            }
        )
        cls.other_team = cls.env["crm.team"].create({"name": "Other Team"})
        Stage = cls.env["crm.stage"]
        cls.stage_new = Stage.create({"name": "P-New", "sequence": 3001})
        cls.stage_proposal = Stage.create({"name": "P-Proposal", "sequence": 3002})
        cls.stage_negotiation = Stage.create({"name": "P-Negotiation", "sequence": 3003})
        cls.stage_won = Stage.create({"name": "P-Won", "sequence": 3004, "is_won": True})
        cls.process = cls.env["guide.process"].create(
            {"name": "Compliant Sales", "model_name": "crm.lead", "crm_team_ids": [(6, 0, cls.team.ids)]}
        )
        Step = cls.env["guide.step"]

        def step(stage):
            return Step.create(
                {"process_id": cls.process.id, "crm_stage_id": stage.id, "gate_mode": "advisory"}
            )

        cls.step_new = step(cls.stage_new)
        cls.step_proposal = step(cls.stage_proposal)
        cls.step_negotiation = step(cls.stage_negotiation)
        cls.step_won = step(cls.stage_won)
        cls.partner_vat = cls.env["res.partner"].create({"name": "Vat Customer", "vat": "BE0477472701"})
        cls.partner_novat = cls.env["res.partner"].create({"name": "No-Vat Customer"})
        cls.lost_reason = cls.env["crm.lost.reason"].create({"name": "Too expensive"})
        cls.Log = cls.env["compliance.log"]
        cls.Request = cls.env["compliance.approval.request"]
        cls.Deviation = cls.env["guide.deviation"]

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------
    @classmethod
    def _policy(cls, **vals):
        values = {
            "name": "VAT before win",
            "model_name": "crm.lead",
            "process_id": cls.process.id,
            "trigger": "won",
            "requirement": "[('partner_id.vat', '!=', False)]",
            "message": "Set the VAT number.",
            "enforcement": "block",
        }
        values.update(vals)
        return cls.env["compliance.policy"].create(values)

    @classmethod
    def _lead(cls, **vals):
        values = {
            "name": "Compliance lead",
            "type": "opportunity",
            "team_id": cls.team.id,
            "user_id": cls.user_salesman.id,
            "stage_id": cls.stage_new.id,
            "partner_id": cls.partner_novat.id,
        }
        values.update(vals)
        return cls.env["crm.lead"].create(values)

    def _logs(self, lead, **filters):
        domain = [("res_model", "=", lead._name), ("res_id", "=", lead.id)]
        domain += [(key, "=", value) for key, value in filters.items()]
        return self.Log.search(domain, order="id")

    @contextmanager
    def assertRefused(self, exception, text):
        """assertRaises (which rolls the refused change back) plus the message check."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(text, str(caught.exception.args[0]))
