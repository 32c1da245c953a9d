"""Bounds of the escalation rules, as their administrator, through the ORM and over XML-RPC
and JSON-RPC. A bridge's test class mixes ``RpcCase`` and its fixture class (with
``EscalationTestHelpers``) in before ``EscalationBoundsCases`` and sets the hooks below."""

from odoo.addons.base_process_guide.tests.bounds_common import PROTOCOLS, BoundsAsserts

from .common import T0


class EscalationBoundsCases(BoundsAsserts):
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    @classmethod
    def _bounds_record(cls):
        """A record in the scope of the rules of ``_rule()``, watched by an agent."""
        raise NotImplementedError

    def test_level_non_finite_numbers_refused(self):
        """A level's delay, warning percentage or activity deadline of "NaN", "inf" or
        "-inf" is refused naming the level and the field, as written, created or sent as a
        default; a rule created with such a level too, as a ValidationError with no ERROR
        logged; the clocks of the rule's records are still scheduled."""
        rule = self._rule()
        level = rule.level_ids[0]
        manager = self.user_manager
        for fname in ("delay", "warning_percent", "activity_deadline_days"):
            self._assert_non_finite_refused(
                manager, level, fname, {"rule_id": rule.id, "name": "Bounds level", "sequence": 99}
            )
        for protocol in PROTOCOLS:
            vals = {
                **self._rule_defaults(),
                "name": f"Bounds {protocol}",
                "level_ids": [(0, 0, {"name": "Bounds L1", "delay": "nan", "assign_to": "none"})],
            }
            fault = self._refusal(manager, protocol, "escalation.rule", "create", [vals])
            self.assertIn("Delay", fault)
        self.assertFalse(self.env["escalation.rule"].search([("name", "like", "Bounds")]))
        with self._at(T0):
            record = self._bounds_record()
        self.assertEqual(self._clock(record, rule).next_escalation_at, self._h(4))
