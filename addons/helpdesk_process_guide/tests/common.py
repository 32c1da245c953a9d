from odoo.tests import TransactionCase, new_test_user


class HelpdeskGuideCommon(TransactionCase):
    """A support process on four dedicated ticket stages, two teams, one user per helpdesk role."""

    def _require_crm(self):
        """Skip a test that compares tickets with leads when the CRM bridge is absent."""
        if not self.crm_guided:
            self.skipTest("crm_process_guide is not installed")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # leads are guided too when the CRM bridge is installed (not a dependency)
        cls.crm_guided = "crm.lead" in cls.env and "crm_stage_id" in cls.env["guide.step"]._fields
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=False))
        cls.company = cls.env.ref("base.main_company")
        cls.user_own = new_test_user(
            cls.env, login="hd_guide_own", groups="helpdesk_mgmt.group_helpdesk_user_own", name="Olga Own"
        )
        cls.user_agent = new_test_user(
            cls.env, login="hd_guide_agent", groups="helpdesk_mgmt.group_helpdesk_user", name="Alan Agent"
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="hd_guide_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            name="Mona Manager",
        )
        Team = cls.env["helpdesk.ticket.team"]
        cls.team = Team.create(
            {"name": "Guided Support", "user_ids": [(6, 0, (cls.user_own | cls.user_agent).ids)]}
        )
        cls.other_team = Team.create({"name": "Unguided Support", "user_ids": [(6, 0, cls.user_agent.ids)]})
        cls.category = cls.env["helpdesk.ticket.category"].create({"name": "G-Software"})
        Stage = cls.env["helpdesk.ticket.stage"]
        cls.stage_triage = Stage.create({"name": "G-Triage", "sequence": 1001})
        cls.stage_progress = Stage.create({"name": "G-In Progress", "sequence": 1002})
        cls.stage_waiting = Stage.create({"name": "G-Waiting", "sequence": 1003})
        cls.stage_resolved = Stage.create({"name": "G-Resolved", "sequence": 1004, "closed": True})
        cls.process = cls.env["guide.process"].create(
            {
                "name": "Support",
                "model_name": "helpdesk.ticket",
                "helpdesk_team_ids": [(6, 0, cls.team.ids)],
            }
        )
        Step = cls.env["guide.step"]
        cls.step_triage = Step.create(
            {
                "process_id": cls.process.id,
                "helpdesk_stage_id": cls.stage_triage.id,
                "gate_mode": "block",
                "expected_duration": 4,
                "expected_duration_unit": "hours",
                "instructions": "<p>Identify the customer and the category.</p>",
                "item_ids": [
                    (0, 0, {"name": "Impact assessed", "sequence": 1}),
                    (
                        0,
                        0,
                        {
                            "name": "Category set",
                            "sequence": 2,
                            "completion": "auto",
                            "auto_domain": "[('category_id', '!=', False)]",
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "name": "Customer identified",
                            "sequence": 3,
                            "completion": "auto",
                            "auto_domain": "[('partner_id', '!=', False)]",
                            "mandatory": False,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "name": "Escalation contact known",
                            "sequence": 4,
                            "apply_domain": "[('priority', '=', '3')]",
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "name": "Screenshot attached",
                            "sequence": 5,
                            "completion": "auto",
                            "auto_domain": "[('guide_has_attachment', '=', True)]",
                            "mandatory": False,
                        },
                    ),
                ],
            }
        )
        cls.step_progress = Step.create(
            {
                "process_id": cls.process.id,
                "helpdesk_stage_id": cls.stage_progress.id,
                "gate_mode": "override",
                "item_ids": [(0, 0, {"name": "Solution proposed"})],
            }
        )
        cls.step_waiting = Step.create(
            {
                "process_id": cls.process.id,
                "helpdesk_stage_id": cls.stage_waiting.id,
                "gate_mode": "advisory",
                "item_ids": [(0, 0, {"name": "Customer confirmed"})],
            }
        )
        cls.step_resolved = Step.create(
            {"process_id": cls.process.id, "helpdesk_stage_id": cls.stage_resolved.id}
        )
        cls.reason = cls.env.ref("base_process_guide.guide_deviation_reason_customer")

    @classmethod
    def _ticket(cls, **vals):
        values = {
            "name": "Guided ticket",
            "description": "<p>It does not work.</p>",
            "team_id": cls.team.id,
            "user_id": cls.user_own.id,
            "stage_id": cls.stage_triage.id,
        }
        values.update(vals)
        # fixtures placed in a later step are loaded as an administrator's import
        records = cls.env["helpdesk.ticket"].with_context(guide_import_in_step=True).create(values)
        return records.with_env(cls.env)

    @staticmethod
    def _lines(record):
        return {line.name: line for line in record.guide_current_line_ids}
