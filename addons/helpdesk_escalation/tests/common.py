from contextlib import contextmanager
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import TransactionCase, new_test_user

# a Monday, far from any demo data
T0 = datetime(2031, 3, 3, 9, 0, 0)


class HelpdeskEscalationCommon(TransactionCase):
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
    @classmethod
    def _rule(cls, levels=None, **vals):
        values = {
            "name": "Ticket SLA",
            "model_name": "helpdesk.ticket",
            "process_id": cls.process.id,
            "helpdesk_team_ids": [(6, 0, cls.team.ids)],
            "trigger_type": "step_time",
            "delay_unit": "hours",
        }
        values.update(vals)
        if levels is None:
            levels = [
                {"name": "L1 team leader", "delay": 4, "assign_to": "team_leader"},
                {
                    "name": "L2 manager",
                    "delay": 8,
                    "assign_to": "user",
                    "assign_user_id": cls.user_manager.id,
                },
            ]
        values["level_ids"] = [(0, 0, dict(level, sequence=index)) for index, level in enumerate(levels)]
        return cls.env["escalation.rule"].create(values)

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

    def _clock(self, ticket, rule):
        return self.Clock.search(
            [("res_model", "=", ticket._name), ("res_id", "=", ticket.id), ("rule_id", "=", rule.id)]
        )

    def _logs(self, ticket, **filters):
        domain = [("res_model", "=", ticket._name), ("res_id", "=", ticket.id)]
        domain += [(key, "=", value) for key, value in filters.items()]
        return self.Log.search(domain, order="id")

    def _cron(self):
        self.env.invalidate_all()
        done = self.Clock._cron_escalate()
        self.env.invalidate_all()
        return done

    @contextmanager
    def _at(self, moment):
        with freeze_time(moment):
            yield

    def _run_at(self, moment):
        with freeze_time(moment):
            return self._cron()

    @staticmethod
    def _h(hours):
        return T0 + timedelta(hours=hours)
