from odoo.tests import TransactionCase, new_test_user


class GuideCommon(TransactionCase):
    """A B2B process on four dedicated stages, one team and users per role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=False))
        cls.company = cls.env.ref("base.main_company")
        cls.user_salesman = new_test_user(
            cls.env, login="guide_salesman", groups="sales_team.group_sale_salesman", name="Sam Salesman"
        )
        cls.user_salesman_all = new_test_user(
            cls.env,
            login="guide_salesman_all",
            groups="sales_team.group_sale_salesman_all_leads",
            name="Alice All Leads",
        )
        cls.user_manager = new_test_user(
            cls.env, login="guide_manager", groups="sales_team.group_sale_manager", name="Mia Manager"
        )
        cls.team = cls.env["crm.team"].create({"name": "Guided Team", "user_id": cls.user_manager.id})
        cls.other_team = cls.env["crm.team"].create({"name": "Unguided Team"})
        Stage = cls.env["crm.stage"]
        cls.stage_qualif = Stage.create({"name": "G-Qualification", "sequence": 1001})
        cls.stage_proposal = Stage.create({"name": "G-Proposal", "sequence": 1002})
        cls.stage_nego = Stage.create({"name": "G-Negotiation", "sequence": 1003})
        cls.stage_won = Stage.create({"name": "G-Won", "sequence": 1004, "is_won": True})
        cls.process = cls.env["guide.process"].create(
            {
                "name": "B2B Sales",
                "model_name": "crm.lead",
                "crm_team_ids": [(6, 0, cls.team.ids)],
                "lead_type": "both",
            }
        )
        Step = cls.env["guide.step"]
        cls.step_qualif = Step.create(
            {
                "process_id": cls.process.id,
                "crm_stage_id": cls.stage_qualif.id,
                "gate_mode": "block",
                "expected_duration": 2,
                "expected_duration_unit": "days",
                "instructions": "<p>Qualify the budget and the decision maker.</p>",
                "item_ids": [
                    (0, 0, {"name": "Budget confirmed", "sequence": 1}),
                    (0, 0, {"name": "Decision maker identified", "sequence": 2}),
                    (
                        0,
                        0,
                        {
                            "name": "Expected revenue set",
                            "sequence": 3,
                            "completion": "auto",
                            "auto_domain": "[('expected_revenue', '>', 0)]",
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "name": "Contact email known",
                            "sequence": 4,
                            "completion": "auto",
                            "auto_domain": "[('email_from', '!=', False)]",
                            "mandatory": False,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "name": "Tender rules checked",
                            "sequence": 5,
                            "apply_domain": "[('priority', '=', '3')]",
                        },
                    ),
                ],
            }
        )
        cls.step_proposal = Step.create(
            {
                "process_id": cls.process.id,
                "crm_stage_id": cls.stage_proposal.id,
                "gate_mode": "override",
                "expected_duration": 5,
                "expected_duration_unit": "hours",
                "item_ids": [(0, 0, {"name": "Proposal sent"})],
            }
        )
        cls.step_nego = Step.create(
            {
                "process_id": cls.process.id,
                "crm_stage_id": cls.stage_nego.id,
                "gate_mode": "advisory",
                "item_ids": [(0, 0, {"name": "Discount approved"})],
            }
        )
        cls.step_won = Step.create({"process_id": cls.process.id, "crm_stage_id": cls.stage_won.id})
        cls.step_qualif.allowed_step_ids = cls.step_proposal
        cls.reason = cls.env.ref("base_process_guide.guide_deviation_reason_customer")

    @classmethod
    def _lead(cls, **vals):
        values = {
            "name": "Guided lead",
            "type": "opportunity",
            "team_id": cls.team.id,
            "user_id": cls.user_salesman.id,
            "stage_id": cls.stage_qualif.id,
        }
        values.update(vals)
        # fixtures placed in a later step are loaded as an administrator's import
        records = cls.env["crm.lead"].with_context(guide_import_in_step=True).create(values)
        return records.with_env(cls.env)

    @staticmethod
    def _lines(record):
        return {line.name: line for line in record.guide_current_line_ids}

    def _tick(self, record, *names):
        lines = self.env["guide.line"]
        for name in names:
            lines |= self._lines(record)[name]
        lines.action_check()
