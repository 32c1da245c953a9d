from unittest.mock import patch

from psycopg2 import errors

from odoo.tests import tagged

from odoo.addons.base_escalation.tests.bounds_common import EscalationBoundsCases
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import T0, HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestTrustBounds(RpcCase, HelpdeskEscalationCommon):
    """Ticket rules: absurd delays refused at save (helpdesk manager, over RPC); the cron goes on
    when another worker holds the batch."""

    def test_ticket_level_delay_bounded_over_rpc(self):
        rule = self._rule()
        level = rule.level_ids[0]
        for protocol in ("xmlrpc", "jsonrpc"):
            fault = self.rpc_fault(
                self.user_manager,
                "escalation.level",
                "write",
                [[level.id], {"delay": 1e12}],
                protocol=protocol,
            )
            self.assertIn(f"Escalation rule “{rule.display_name}”, level “{level.name}”", fault)
        self.assertEqual(level.delay, 4)

    def test_ticket_step_duration_bounded_over_rpc(self):
        fault = self.rpc_fault(
            self.user_manager,
            "guide.step",
            "write",
            [[self.step_progress.id], {"expected_duration": 1e9, "expected_duration_unit": "hours"}],
            protocol="jsonrpc",
        )
        self.assertIn(f"Step {self.step_progress.display_name}", fault)
        self.assertIn("at most 10 years", fault)

    def test_cron_goes_on_when_another_worker_holds_the_batch(self):
        rule = self._rule()
        with self._at(T0):
            ticket = self._ticket()
        execute = type(self.env.cr).execute

        def racing(self_cr, query, *args, **kwargs):
            if "SKIP LOCKED" in str(query):
                raise errors.LockNotAvailable("could not obtain lock")
            return execute(self_cr, query, *args, **kwargs)

        with self._at(self._h(5)), patch.object(type(self.env.cr), "execute", racing):
            self.assertEqual(self._cron(), 0)
        self.assertEqual(self._run_at(self._h(5)), 1)
        self.assertEqual(self._clock(ticket, rule).current_level_id, rule.level_ids[0])


@tagged("post_install", "-at_install")
class TestEscalationConfigBounds(RpcCase, EscalationBoundsCases, HelpdeskEscalationCommon):
    """The bounds of the ticket rules' configuration, as the helpdesk manager."""

    @classmethod
    def _bounds_record(cls):
        return cls._ticket()
