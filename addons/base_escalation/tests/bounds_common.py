"""Bounds of the escalation rules, as their administrator, through the ORM and over XML-RPC
and JSON-RPC. A bridge's test class mixes ``RpcCase`` and its fixture class (with
``EscalationTestHelpers``) in before ``EscalationBoundsCases`` and sets the hooks below."""

from odoo.tests import new_test_user

from odoo.addons.base_process_guide.tests.bounds_common import HUGE, PROTOCOLS, BoundsAsserts
from odoo.addons.base_process_guide.tools import MAX_NAME, MAX_TEXT

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

    def test_rule_texts_bounded_over_rpc(self):
        """A name of a megabyte on a rule or a level (and a level's activity summary, or a
        message or description beyond 10,000 characters) is refused, written or created,
        with a short refusal naming the kind of record and the field; at the bound it is
        saved."""
        rule = self._rule()
        level = rule.level_ids[0]
        manager = self.user_manager
        self._assert_texts_bounded(
            manager, [(rule, "name"), (level, "name"), (level, "activity_summary"), (level, "message")]
        )
        long_text = "y" * (MAX_TEXT + 1)
        for record, fname in ((rule, "description"), (level, "message")):
            fault = self._refusal(manager, "xmlrpc", record._name, "write", [record.ids, {fname: long_text}])
            self.assertIn("too long", fault)
        vals = {
            **self._rule_defaults(),
            "name": "Bounds rule",
            "level_ids": [(0, 0, {"name": HUGE, "delay": 2, "assign_to": "none"})],
        }
        self.assertIn("too long", self._refusal(manager, "jsonrpc", "escalation.rule", "create", [vals]))
        at_bound = "z" * MAX_NAME
        self.xmlrpc(manager, "escalation.rule", "write", [rule.ids, {"name": at_bound}])
        self.xmlrpc(
            manager,
            "escalation.level",
            "write",
            [level.ids, {"name": at_bound, "activity_summary": at_bound}],
        )
        self.jsonrpc(manager, "escalation.level", "write", [level.ids, {"message": "m" * MAX_TEXT}])
        self.env.invalidate_all()
        self.assertEqual((rule.name, level.name, level.activity_summary), (at_bound,) * 3)
        self.assertEqual(len(level.message), MAX_TEXT)

    def test_model_name_sent_is_shortened(self):
        """A rule created on a "model" of a megabyte, by an administrator of every process,
        is refused naming it shortened."""
        administrator = new_test_user(
            self.env,
            login="bounds_esc_admin",
            groups="base.group_user,base_process_guide.group_guide_manager",
        )
        vals = {
            "name": "Bounds rule",
            "model_name": HUGE,
            "level_ids": [(0, 0, {"name": "Bounds L1", "delay": 2, "assign_to": "none"})],
        }
        fault = self._refusal(administrator, "jsonrpc", "escalation.rule", "create", [vals])
        self.assertIn("not a guided model", fault)
