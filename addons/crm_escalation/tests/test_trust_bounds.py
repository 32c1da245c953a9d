from unittest.mock import patch

from psycopg2 import errors

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_escalation.tests.bounds_common import EscalationBoundsCases
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import T0, EscalationCommon


@tagged("post_install", "-at_install")
class TestTrustBounds(RpcCase, EscalationCommon):
    """Absurd delays are refused at save (as the Sales administrator, over RPC); the cron takes a
    serialization failure while claiming as another worker holding the batch."""

    def test_level_delay_bounded_over_rpc(self):
        rule = self._rule()
        level = rule.level_ids[-1]
        for protocol in ("xmlrpc", "jsonrpc"):
            fault = self.rpc_fault(
                self.user_manager,
                "escalation.level",
                "write",
                [[level.id], {"delay": 1e12}],
                protocol=protocol,
            )
            self.assertIn(f"Escalation rule “{rule.display_name}”, level “{level.name}”", fault)
            self.assertIn("at most 10 years", fault)
        self.assertEqual(level.delay, 8)
        # ten years in hours is accepted
        self.xmlrpc(self.user_manager, "escalation.level", "write", [[level.id], {"delay": 87000}])

    def test_level_delay_bounded_in_days_and_when_the_unit_changes(self):
        rule = self._rule(delay_unit="days", levels=[{"name": "L1", "delay": 3000, "assign_to": "none"}])
        with self.assertRaisesRegex(ValidationError, "at most 10 years"):
            rule.with_user(self.user_manager).level_ids.delay = 4000
        rule.level_ids.delay = 3000
        # 3,000 days fit; 3,000 hours too - but switching the unit re-checks the levels
        rule.delay_unit = "hours"
        rule.level_ids.delay = 80000
        with self.assertRaisesRegex(ValidationError, "at most 10 years"):
            rule.with_user(self.user_manager).delay_unit = "days"

    def test_activity_deadline_bounded(self):
        rule = self._rule()
        with self.assertRaisesRegex(ValidationError, "activity is due in 0 to"):
            rule.with_user(self.user_manager).level_ids[0].activity_deadline_days = 10**9

    def test_level_reassigns_to_internal_users_only(self):
        """A level reassigns to an internal user: a portal user sent over RPC is refused by
        name, as the form's choice list offers none."""
        portal = new_test_user(self.env, login="lvl_portal", groups="base.group_portal", name="Paula Portal")
        rule = self._rule()
        level = rule.level_ids[0]
        fault = self.rpc_fault(
            self.user_manager,
            "escalation.level",
            "write",
            [[level.id], {"assign_to": "user", "assign_user_id": portal.id}],
        )
        self.assertIn(f"Escalation level “{level.name}”: Paula Portal is not an internal user", fault)
        self.assertNotEqual(level.assign_user_id, portal)

    def test_cron_goes_on_when_another_worker_holds_the_batch(self):
        rule = self._rule()
        with self._at(T0):
            lead = self._lead()
        cr = self.env.cr
        execute = type(cr).execute

        def racing(self_cr, query, *args, **kwargs):
            if "SKIP LOCKED" in str(query):
                raise errors.SerializationFailure("could not serialize access due to concurrent update")
            return execute(self_cr, query, *args, **kwargs)

        with (
            self._at(self._h(5)),
            patch.object(type(cr), "execute", racing),
            self.assertNoLogs("odoo.sql_db", "ERROR"),
        ):
            done = self._cron()
        self.assertEqual(done, 0, "the batch is left to the other worker")
        self.assertFalse(self._logs(lead, outcome="done"))
        # the transaction is still usable, and the next run fires the level
        self.assertEqual(self._run_at(self._h(5)), 1)
        self.assertEqual(self._clock(lead, rule).current_level_id, rule.level_ids[0])


@tagged("post_install", "-at_install")
class TestEscalationConfigBounds(RpcCase, EscalationBoundsCases, EscalationCommon):
    """The bounds of the lead rules' configuration, as the Sales administrator."""

    @classmethod
    def _bounds_record(cls):
        return cls._lead(stage_id=cls.stage_qualif.id)
