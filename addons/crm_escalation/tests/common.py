from odoo.tests import TransactionCase, new_test_user

from odoo.addons.base_escalation.tests.common import T0, EscalationTestHelpers  # noqa: F401 - T0 re-exported


class EscalationCommon(EscalationTestHelpers, TransactionCase):
    """A guided sales process, a team with a leader, users per role, rules built per test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env.ref("base.main_company")
        # rules of the database (demo data) stay out of the way
        cls.env["escalation.rule"].search([]).write({"active": False})
        cls.user_salesman = new_test_user(
            cls.env, login="esc_salesman", groups="sales_team.group_sale_salesman", name="Sam Salesman"
        )
        cls.user_salesman_all = new_test_user(
            cls.env,
            login="esc_salesman_all",
            groups="sales_team.group_sale_salesman_all_leads",
            name="Tess Team Leader",
        )
        cls.user_leader = cls.user_salesman_all
        cls.user_manager = new_test_user(
            cls.env, login="esc_manager", groups="sales_team.group_sale_manager", name="Mia Manager"
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Escalation Team",
                "user_id": cls.user_leader.id,
                "member_ids": [(4, cls.user_salesman.id)],
            }
        )
        cls.other_team = cls.env["crm.team"].create({"name": "Quiet Team"})
        Stage = cls.env["crm.stage"]
        cls.stage_new = Stage.create({"name": "E-New", "sequence": 2001})
        cls.stage_qualif = Stage.create({"name": "E-Qualified", "sequence": 2002})
        cls.stage_waiting = Stage.create({"name": "E-Waiting for Customer", "sequence": 2003})
        cls.stage_proposal = Stage.create({"name": "E-Proposal", "sequence": 2004})
        cls.stage_won = Stage.create({"name": "E-Won", "sequence": 2005, "is_won": True})
        cls.process = cls.env["guide.process"].create(
            {"name": "Escalated Sales", "model_name": "crm.lead", "crm_team_ids": [(6, 0, cls.team.ids)]}
        )
        Step = cls.env["guide.step"]

        def step(stage, **vals):
            return Step.create(
                {"process_id": cls.process.id, "crm_stage_id": stage.id, "gate_mode": "advisory", **vals}
            )

        cls.step_new = step(cls.stage_new)
        cls.step_qualif = step(cls.stage_qualif, expected_duration=8, expected_duration_unit="hours")
        cls.step_waiting = step(cls.stage_waiting)
        cls.step_proposal = step(cls.stage_proposal, expected_duration=1, expected_duration_unit="days")
        cls.step_won = step(cls.stage_won)
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Escalation 40h (UTC)", "tz": "UTC", "company_id": False}
        )
        cls.Clock = cls.env["escalation.clock"]
        cls.Log = cls.env["escalation.log"]

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------
    @classmethod
    def _rule_defaults(cls):
        return {
            "name": "Stale qualified",
            "model_name": "crm.lead",
            "process_id": cls.process.id,
            "crm_team_ids": [(6, 0, cls.team.ids)],
        }

    @classmethod
    def _lead(cls, **vals):
        values = {
            "name": "Escalated lead",
            "type": "opportunity",
            "team_id": cls.team.id,
            "user_id": cls.user_salesman.id,
            "stage_id": cls.stage_qualif.id,
        }
        values.update(vals)
        return cls.env["crm.lead"].create(values)
