from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .common import ComplianceCommon

PROTOCOLS = ("xmlrpc", "jsonrpc")


class TestPolicyVersion(ComplianceCommon):
    """Audit rows and requests reference a frozen version of the policy, not a copy of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._policy(enforcement="warn")
        cls.Version = cls.env["compliance.policy.version"]

    def test_version_frozen_per_rule_change(self):
        first = self.policy.version_id
        self.assertEqual(
            (first.version, first.name, first.message), (1, "VAT before win", "Set the VAT number.")
        )
        self.assertIn("\"requirement\": \"[('partner_id.vat', '!=', False)]\"", first.snapshot)
        lead = self._lead()
        lead.action_set_won()
        log = self._logs(lead)
        self.assertEqual(log.policy_version_id, first)
        self.policy.write({"message": "New wording."})
        second = self.policy.version_id
        self.assertNotEqual(second, first)
        self.assertEqual((second.version, second.message), (2, "New wording."))
        # the old row and what the audit shows of it are unchanged
        self.assertEqual(first.message, "Set the VAT number.")
        self.assertEqual((log.policy_message, log.policy_version), ("Set the VAT number.", 1))
        # not part of the rule: no new version
        self.policy.sequence = 50
        self.assertEqual(self.policy.version_id, second)
        # tiers are part of it
        self.policy.write(
            {
                "enforcement": "approval",
                "tier_ids": [(0, 0, {"name": "Leader", "approver_type": "team_leader"})],
            }
        )
        self.assertGreater(self.policy.version_id.version, 2)
        self.assertEqual(self.policy.version_id.enforcement, "approval")
        self.assertEqual(
            self.Version.search([("policy_id", "=", self.policy.id)]).mapped("version"),
            list(range(self.policy.version, 0, -1)),
        )

    def test_version_named_in_the_readers_language(self):
        """A version worded as its policy is now reads the policy's name in the reader's
        language ("Большие сделки (v3)", where a Russian reader read the English name); one
        worded otherwise keeps the words of its time, and a version of a deleted policy too."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.policy.write({"name": "Old wording"})
        old = self.policy.version_id
        self.policy.write({"name": "VAT before win"})
        self.policy.update_field_translations("name", {"ru_RU": "ИНН до выигрыша"})
        current = self.policy.version_id
        russian = (old | current).with_context(lang="ru_RU")
        number = current.version
        self.assertEqual(russian.mapped("display_name"), ["Old wording (v2)", f"ИНН до выигрыша (v{number})"])
        self.assertEqual(current.with_context(lang="en_US").display_name, f"VAT before win (v{number})")
        first = self.Version.search([("policy_id", "=", self.policy.id), ("version", "=", 1)])
        self.assertEqual(first.with_context(lang="ru_RU").display_name, "ИНН до выигрыша (v1)")

    def test_version_conditions_in_words(self):
        """A version shows its requirement and scope in words in the reader's language, also
        once its policy is deleted (the snapshot names its model)."""
        first = self.policy.version_id
        self.policy.write({"domain": "[('expected_revenue', '>', 50000)]"})
        version = self.policy.version_id
        self.assertEqual(version.requirement_text, "Customer › Tax ID is set")
        self.assertEqual(version.scope_text, "Expected Revenue > 50,000")
        self.assertEqual(first.scope_text, "Every record")
        self.policy.unlink()
        version.invalidate_recordset()
        self.assertFalse(version.policy_id)
        self.assertEqual(version.requirement_text, "Customer › Tax ID is set")

    def test_version_shows_tiers_and_options(self):
        """A version shows the approval tiers and options that applied (changing them makes a
        new version): the earlier version keeps its own."""
        self.policy.write(
            {
                "enforcement": "approval",
                "allow_self_approval": True,
                "tier_ids": [
                    (0, 0, {"name": "Leader", "approver_type": "team_leader"}),
                    (
                        0,
                        0,
                        {
                            "name": "Board",
                            "approver_type": "users",
                            "user_ids": [(6, 0, self.user_director.ids)],
                        },
                    ),
                ],
            }
        )
        first = self.policy.version_id
        self.assertEqual(
            first.approval_text.splitlines(),
            [
                "1. Leader: Team Leader",
                f"2. Board: {self.user_director.name}",
                "Different Approver at Each Tier: Yes",
                "Allow Self Approval: Yes",
            ],
        )
        self.assertFalse(first.override_text)
        self.policy.tier_ids[1].write(
            {"approver_type": "group", "group_id": self.ref("sales_team.group_sale_manager")}
        )
        second = self.policy.version_id
        self.assertNotEqual(second, first)
        self.assertIn("2. Board: Members of Sales / Administrator", second.approval_text)
        self.assertIn(f"2. Board: {self.user_director.name}", first.approval_text)
        self.policy.write(
            {"enforcement": "override", "override_group_id": self.ref("sales_team.group_sale_manager")}
        )
        self.assertEqual(self.policy.version_id.override_text, "Sales / Administrator")
        self.assertFalse(self.policy.version_id.approval_text)
        # the policy's form lists its versions
        action = self.policy.with_user(self.user_manager).action_view_versions()
        versions = self.env[action["res_model"]].with_user(self.user_manager).search(action["domain"])
        self.assertIn(first, versions)
        self.assertEqual(versions.mapped("version"), list(range(self.policy.version, 0, -1)))
        # a version made before versions kept them says so
        old = self.Version.sudo().create(
            self.Version._compliance_version_vals('{"policy": "Old", "enforcement": "approval"}')
        )
        self.assertIn("Not recorded", old.approval_text)

    def test_request_references_version(self):
        self.policy.write(
            {
                "enforcement": "approval",
                "tier_ids": [(0, 0, {"name": "Leader", "approver_type": "team_leader"})],
            }
        )
        lead = self._lead(user_id=self.user_salesman.id)
        request = lead.with_user(self.user_salesman)._compliance_request_approval(
            {"stage_id": self.stage_won.id}, "Signed on paper", event="won"
        )
        self.assertEqual(request.policy_version_id, self.policy.version_id)
        self.assertIn("Set the VAT number.", request.policy_snapshot)
        log = self._logs(lead, outcome="approval_requested")
        self.assertEqual(log.policy_version_id, self.policy.version_id)

    def test_version_immutable(self):
        version = self.policy.version_id
        for user in (self.user_salesman, self.user_manager, self.user_officer):
            with self.assertRaises(AccessError):
                version.with_user(user).write({"message": "Rewritten"})
            with self.assertRaises(AccessError):
                version.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.Version.with_user(user).create({"version": 9, "name": "Forged", "snapshot": "{}"})
        with self.assertRefused(UserError, "cannot be modified"):
            version.sudo().write({"message": "Rewritten"})
        with self.assertRefused(UserError, "cannot be deleted"):
            version.sudo().unlink()
        with self.assertRefused(UserError, "cannot be modified"):
            self.policy.sudo().version_id.write({"snapshot": "{}"})
        # nor by pointing the policy at another version, or renumbering it
        for vals in ({"version_id": False}, {"version": 7}):
            with self.assertRefused(UserError, "kept by the engine"):
                self.policy.with_user(self.user_manager).write(vals)
        with self.assertRefused(UserError, "kept by the engine"):
            self._policy(name="Forged", version_id=version.id)
        self.assertEqual((version.message, self.policy.version_id), ("Set the VAT number.", version))

    def test_versions_read_where_policies_are(self):
        """A policy's versions (its wording, scope and requirement at each change) are read
        by the users who read the policies, not by every employee; an approver who is
        only an employee still reads the policy at the time on the request given to them."""
        employee = new_test_user(
            self.env, login="pol_employee", groups="base.group_user", name="Eve Employee"
        )
        version = self.policy.version_id
        for method in ("search", "read_group"):
            with self.assertRaises(AccessError, msg=method):
                if method == "search":
                    self.Version.with_user(employee).search([])
                else:
                    self.Version.with_user(employee).read_group([], ["version:max"], [])
        with self.assertRaises(AccessError):
            version.with_user(employee).read(["snapshot"])
        with self.assertRaises(AccessError):
            self.policy.with_user(employee).read(["requirement"])
        self.assertEqual(version.with_user(self.user_salesman).read(["version"])[0]["version"], 1)
        self.policy.write(
            {
                "enforcement": "approval",
                "tier_ids": [
                    (0, 0, {"name": "Employee", "approver_type": "users", "user_ids": employee.ids})
                ],
            }
        )
        lead = self._lead(user_id=self.user_salesman.id)
        request = lead.with_user(self.user_salesman)._compliance_request_approval(
            {"stage_id": self.stage_won.id}, "Signed on paper", event="won"
        )
        self.assertIn("Set the VAT number.", request.with_user(employee).policy_snapshot)


@tagged("post_install", "-at_install")
class TestPolicyVersionRpc(RpcCase, ComplianceCommon):
    """Nobody rewrites or deletes the wording an audit row shows, over XML-RPC or JSON-RPC,
    not even an administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls._policy(enforcement="warn")
        cls.user_admin = new_test_user(
            cls.env,
            login="pol_admin",
            groups="base.group_system,base.group_erp_manager,sales_team.group_sale_manager",
            name="Ada Admin",
        )

    def test_version_rpc_refused(self):
        version = self.policy.version_id
        for protocol in PROTOCOLS:
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            for user in (self.user_admin, self.user_manager, self.user_salesman):
                with self.assertRaises(RpcError, msg=f"{protocol} write as {user.login}"):
                    call(user, "compliance.policy.version", "write", [version.ids, {"message": "Forged"}])
                with self.assertRaises(RpcError, msg=f"{protocol} unlink as {user.login}"):
                    call(user, "compliance.policy.version", "unlink", [version.ids])
                with self.assertRaises(RpcError, msg=f"{protocol} create as {user.login}"):
                    call(
                        user,
                        "compliance.policy.version",
                        "create",
                        [{"version": 9, "name": "Forged", "snapshot": "{}"}],
                    )
                # nor through the policy: the current version is the engine's
                with self.assertRaises(RpcError, msg=f"{protocol} policy write as {user.login}"):
                    call(user, "compliance.policy", "write", [self.policy.ids, {"version_id": False}])
            # readable where the audit is
            read = call(self.user_salesman, "compliance.policy.version", "read", [version.ids, ["message"]])
            self.assertEqual(read[0]["message"], "Set the VAT number.")
        version.invalidate_recordset()
        self.assertEqual((version.message, version.exists()), ("Set the VAT number.", version))
        self.assertEqual(self.policy.version_id, version)
