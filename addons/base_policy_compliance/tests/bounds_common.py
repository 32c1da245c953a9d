"""Bounds of the policies, as their administrator, through the ORM and over XML-RPC and
JSON-RPC. A bridge's test class mixes ``RpcCase`` and its fixture class in before
``PolicyBoundsCases`` and sets the hooks below."""

from odoo.addons.base_process_guide.tests.bounds_common import PROTOCOLS, BoundsAsserts


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

    def test_negative_reminders_refused_before_the_database(self):
        """A policy created with negative reminders (in its values or as a default) is a
        ValidationError naming it, not the database's check constraint: no ERROR logged."""
        manager = self._bounds_manager()
        vals = self._bounds_policy_vals()
        for protocol in PROTOCOLS:
            for create_vals, kwargs in [
                ({**vals, "name": "Bounds hours", "reminder_hours": -5}, None),
                ({**vals, "name": "Bounds hours", "reminder_max": -1}, None),
                ({**vals, "name": "Bounds hours"}, {"context": {"default_reminder_hours": -5}}),
            ]:
                with self.subTest(protocol=protocol, vals=create_vals, kwargs=kwargs):
                    fault = self._refusal(
                        manager, protocol, "compliance.policy", "create", [create_vals], kwargs
                    )
                    self.assertIn("Policy Bounds hours: reminders come after", fault)
            policy = self._bounds_policy(name=f"Bounds {protocol}")
            fault = self._refusal(
                manager, protocol, "compliance.policy", "write", [policy.ids, {"reminder_hours": -5}]
            )
            self.assertIn(f"Policy Bounds {protocol}: reminders come after", fault)
        self.assertFalse(self.env["compliance.policy"].search([("name", "=", "Bounds hours")]))
