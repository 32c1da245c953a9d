"""Bounds of the policies, as their administrator, through the ORM and over XML-RPC and
JSON-RPC. A bridge's test class mixes ``RpcCase`` and its fixture class in before
``PolicyBoundsCases`` and sets the hooks below."""

from odoo.addons.base_process_guide.tests.bounds_common import BoundsAsserts


class PolicyBoundsCases(BoundsAsserts):
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    @classmethod
    def _bounds_manager(cls):
        """The user who configures the policies."""
        raise NotImplementedError

    @classmethod
    def _bounds_policy_vals(cls):
        """The values of a policy on the bridge's model, approved by one tier."""
        raise NotImplementedError

    def _bounds_policy(self, **vals):
        return self.env["compliance.policy"].create({**self._bounds_policy_vals(), **vals})

    def test_reminder_non_finite_refused(self):
        """The reminder delay and count of "NaN", "inf" or "-inf" are refused naming the
        policy and the field, as written, created or sent as a default."""
        policy = self._bounds_policy()
        manager = self._bounds_manager()
        for fname in ("reminder_hours", "reminder_max"):
            self._assert_non_finite_refused(
                manager, policy, fname, {**self._bounds_policy_vals(), "name": "Bounds new"}
            )
        self.assertEqual((policy.reminder_hours, policy.reminder_max), (24, 2))
