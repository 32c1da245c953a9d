from contextlib import contextmanager
from datetime import datetime, timedelta

from freezegun import freeze_time

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
