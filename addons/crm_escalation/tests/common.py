from contextlib import contextmanager
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import TransactionCase, new_test_user

# a Monday, far from any demo data
T0 = datetime(2031, 3, 3, 9, 0, 0)


class EscalationTestHelpers:
    """Helpers of the escalation tests, for any guided model (leads here, tickets in the
    helpdesk bridge): the test class provides ``_rule_defaults`` and ``user_manager``."""

    @classmethod
    def _rule_defaults(cls):
        raise NotImplementedError

    @classmethod
    def _rule(cls, levels=None, **vals):
        values = {**cls._rule_defaults(), "trigger_type": "step_time", "delay_unit": "hours"}
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

    def _count_queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - start

    def _unguided_write_cost(self, make_records, vals, user):
        """Extra queries of ``write(vals)`` as ``user`` on records no process or rule
        covers, with the processes and rules of the test active, against the same
        write once every process and rule is archived (what vanilla Odoo does)."""
        configured, bare, warm, warm_bare = make_records(), make_records(), make_records(), make_records()
        self._count_queries(lambda: warm.with_user(user).write(vals))
        with_config = self._count_queries(lambda: configured.with_user(user).write(vals))
        self.assertFalse(configured.guide_process_id)
        self.env["escalation.rule"].search([]).write({"active": False})
        self.env["guide.process"].search([]).write({"active": False})
        self._count_queries(lambda: warm_bare.with_user(user).write(vals))
        without_config = self._count_queries(lambda: bare.with_user(user).write(vals))
        return with_config - without_config

    def _clock(self, record, rule):
        return self.Clock.search(
            [("res_model", "=", record._name), ("res_id", "=", record.id), ("rule_id", "=", rule.id)]
        )

    def _logs(self, record, **filters):
        domain = [("res_model", "=", record._name), ("res_id", "=", record.id)]
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
