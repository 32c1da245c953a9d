"""Bounds of the policies, as their administrator, through the ORM and over XML-RPC and
JSON-RPC. A bridge's test class mixes ``RpcCase`` and its fixture class in before
``PolicyBoundsCases`` and sets the hooks below."""

from odoo.tests import new_test_user

from odoo.addons.base_process_guide.tests.bounds_common import HUGE, PROTOCOLS, BoundsAsserts
from odoo.addons.base_process_guide.tools import MAX_NAME, MAX_TEXT


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

    def test_portal_approvers_refused(self):
        """Portal users never decide a request: a tier of them, or of a portal group, is
        refused at save naming the policy, the tier and them (it left every request made
        under it refused, or waiting for ever)."""
        manager = self._bounds_manager()
        portal = new_test_user(self.env, login="bounds_portal", groups="base.group_portal", name="Pia Portal")
        vals = self._bounds_policy_vals()
        user_tier = {"name": "Customer", "approver_type": "users", "user_ids": [(6, 0, portal.ids)]}
        group_tier = {
            "name": "Customer",
            "approver_type": "group",
            "group_id": self.env.ref("base.group_portal").id,
        }
        for protocol in PROTOCOLS:
            for tier in (user_tier, group_tier):
                with self.subTest(protocol=protocol, tier=tier["approver_type"]):
                    fault = self._refusal(
                        manager,
                        protocol,
                        "compliance.policy",
                        "create",
                        [{**vals, "name": "Bounds portal", "tier_ids": [(0, 0, tier)]}],
                    )
                    self.assertIn("Policy Bounds portal, tier Customer:", fault)
                    self.assertIn("cannot approve: approvers are internal users", fault)
        policy = self._bounds_policy(name="Bounds internal")
        fault = self._refusal(
            manager,
            "xmlrpc",
            "compliance.policy.tier",
            "write",
            [policy.tier_ids.ids, {"approver_type": "users", "user_ids": [(6, 0, portal.ids)]}],
        )
        self.assertIn("Pia Portal cannot approve", fault)
        self.assertFalse(self.env["compliance.policy"].search([("name", "=", "Bounds portal")]))

    def test_policy_texts_bounded_over_rpc(self):
        """A name of a megabyte on a policy or a tier (or a message beyond 10,000
        characters) is refused, written or created, with a short refusal naming the kind of
        record and the field, before any other check quotes it; at the bound it is saved."""
        policy = self._bounds_policy()
        tier = policy.tier_ids[0]
        manager = self._bounds_manager()
        self._assert_texts_bounded(manager, [(policy, "name"), (policy, "message"), (tier, "name")])
        fault = self._refusal(
            manager, "xmlrpc", "compliance.policy", "write", [policy.ids, {"message": "y" * (MAX_TEXT + 1)}]
        )
        self.assertIn("too long", fault)
        for vals in [
            {"name": HUGE, "reminder_hours": -5},
            {"name": HUGE, "trigger": "fields"},
            {"tier_ids": [(0, 0, {"name": HUGE, "approver_type": "users"})]},
        ]:
            with self.subTest(vals=list(vals)):
                fault = self._refusal(
                    manager,
                    "jsonrpc",
                    "compliance.policy",
                    "create",
                    [{**self._bounds_policy_vals(), **vals}],
                )
                self.assertIn("too long", fault)
        at_bound = "z" * MAX_NAME
        self.xmlrpc(
            manager, "compliance.policy", "write", [policy.ids, {"name": at_bound, "message": "m" * MAX_TEXT}]
        )
        self.xmlrpc(manager, "compliance.policy.tier", "write", [tier.ids, {"name": at_bound}])
        self.env.invalidate_all()
        self.assertEqual((policy.name, tier.name, len(policy.message)), (at_bound, at_bound, MAX_TEXT))

    def test_model_name_sent_is_shortened(self):
        """A policy created on a "model" of a megabyte, by an administrator of every
        process, is refused naming it shortened."""
        administrator = new_test_user(
            self.env,
            login="bounds_pol_admin",
            groups="base.group_user,base_process_guide.group_guide_manager",
        )
        vals = {
            "name": "Bounds policy",
            "model_name": HUGE,
            "requirement": "[]",
            "message": "Comply.",
        }
        fault = self._refusal(administrator, "jsonrpc", "compliance.policy", "create", [vals])
        self.assertIn("not a guided model", fault)
