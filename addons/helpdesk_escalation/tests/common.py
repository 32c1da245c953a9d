from odoo.tests import TransactionCase, new_test_user

from odoo.addons.base_escalation.tests.common import T0, EscalationTestHelpers

__all__ = ["T0", "HelpdeskEscalationCommon"]


class HelpdeskEscalationCommon(EscalationTestHelpers, TransactionCase):
    """A guided support process on dedicated ticket stages, a helpdesk team with
    a leader, one user per helpdesk role; rules are built per test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.company = cls.env.ref("base.main_company")
        # rules of the database (demo data) stay out of the way
        cls.env["escalation.rule"].search([]).write({"active": False})
        cls.user_own = new_test_user(
            cls.env, login="hd_esc_own", groups="helpdesk_mgmt.group_helpdesk_user_own", name="Olga Own"
        )
        cls.user_agent = new_test_user(
            cls.env, login="hd_esc_agent", groups="helpdesk_mgmt.group_helpdesk_user", name="Alan Agent"
        )
        cls.user_leader = new_test_user(
            cls.env, login="hd_esc_leader", groups="helpdesk_mgmt.group_helpdesk_user", name="Lea Leader"
        )
        cls.user_manager = new_test_user(
            cls.env,
            login="hd_esc_manager",
            groups="helpdesk_mgmt.group_helpdesk_manager",
            name="Mona Manager",
        )
        Team = cls.env["helpdesk.ticket.team"]
        cls.team = Team.create(
            {
                "name": "Escalated Support",
                "user_id": cls.user_leader.id,
                "user_ids": [(6, 0, (cls.user_own | cls.user_agent | cls.user_leader).ids)],
            }
        )
        cls.other_team = Team.create({"name": "Second Line", "user_ids": [(6, 0, cls.user_agent.ids)]})
        cls.category = cls.env["helpdesk.ticket.category"].create({"name": "E-Hardware"})
        Stage = cls.env["helpdesk.ticket.stage"]
        cls.stage_triage = Stage.create({"name": "E-Triage", "sequence": 3001})
        cls.stage_progress = Stage.create({"name": "E-In Progress", "sequence": 3002})
        cls.stage_waiting = Stage.create({"name": "E-Waiting for Customer", "sequence": 3003})
        cls.stage_resolved = Stage.create({"name": "E-Resolved", "sequence": 3004, "closed": True})
        cls.stage_cancelled = Stage.create({"name": "E-Cancelled", "sequence": 3005, "closed": True})
        cls.process = cls.env["guide.process"].create(
            {
                "name": "Escalated Support",
                "model_name": "helpdesk.ticket",
                "helpdesk_team_ids": [(6, 0, (cls.team | cls.other_team).ids)],
            }
        )
        Step = cls.env["guide.step"]

        def step(stage):
            return Step.create(
                {"process_id": cls.process.id, "helpdesk_stage_id": stage.id, "gate_mode": "advisory"}
            )

        cls.step_triage = step(cls.stage_triage)
        cls.step_progress = step(cls.stage_progress)
        cls.step_waiting = step(cls.stage_waiting)
        cls.step_resolved = step(cls.stage_resolved)
        cls.step_cancelled = step(cls.stage_cancelled)
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Support 40h (UTC)", "tz": "UTC", "company_id": False}
        )
        cls.tag = cls.env["helpdesk.ticket.tag"].create({"name": "E-Escalated"})
        cls.Clock = cls.env["escalation.clock"]
        cls.Log = cls.env["escalation.log"]

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------
    def _requires_crm_escalation(self):
        """The tests of tickets next to leads run where ``crm_escalation`` is installed too
        (``./dev test``); this bridge alone knows no other guided model."""
        if "crm_team_ids" not in self.env["escalation.rule"]._fields:
            self.skipTest("crm_escalation is not installed")

    @classmethod
    def _rule_defaults(cls):
        return {
            "name": "Ticket SLA",
            "model_name": "helpdesk.ticket",
            "process_id": cls.process.id,
            "helpdesk_team_ids": [(6, 0, cls.team.ids)],
        }

    @classmethod
    def _ticket(cls, **vals):
        values = {
            "name": "Escalated ticket",
            "description": "<p>The printer is on fire.</p>",
            "team_id": cls.team.id,
            "user_id": cls.user_agent.id,
            "stage_id": cls.stage_triage.id,
        }
        values.update(vals)
        return cls.env["helpdesk.ticket"].create(values)
