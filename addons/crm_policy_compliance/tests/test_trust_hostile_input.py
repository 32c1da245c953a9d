"""Values a hostile client sends over HTTP where the product expects its own: context
keys of an override, the approval API's arguments, the wizards' JSON fields, conditions
on fields their author may not search. Each is refused with a ``UserError`` naming the
value (shortened), never a server error logged as one, and nothing is written."""

import json
from datetime import date, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .common import ComplianceCommon

USER_ERROR = "odoo.exceptions.UserError"
MISSING_ERROR = "odoo.exceptions.MissingError"


@tagged("post_install", "-at_install")
class TestHostileInput(RpcCase, ComplianceCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.override = cls._policy(
            name="Offer attached",
            trigger="stage",
            step_ids=[(6, 0, cls.step_negotiation.ids)],
            requirement="[('guide_has_attachment', '=', True)]",
            message="Attach the offer.",
            enforcement="override",
        )
        cls.approval = cls._policy(
            name="Large proposals",
            trigger="stage",
            step_ids=[(6, 0, cls.step_proposal.ids)],
            requirement="[('expected_revenue', '<=', 50000)]",
            message="Proposals above 50,000 need approval.",
            enforcement="approval",
            tier_ids=[(0, 0, {"name": "Team leader", "approver_type": "team_leader"})],
        )

    def _refused(self, model, method, args, kwargs=None, user=None, error=USER_ERROR):
        """The message of a refusal that must be a ``UserError`` (or ``error``), with no error
        logged."""
        with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
            with self.assertRaises(RpcError) as caught:
                self.jsonrpc(user or self.user_salesman, model, method, args, kwargs)
        self.assertEqual(caught.exception.name, error, caught.exception.message)
        self.assertLess(len(caught.exception.message), 1_000)
        return caught.exception.message

    def _deviations(self, lead):
        return self.env["guide.deviation"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])

    def test_override_context_keys(self):
        lead = self._lead(name="Hostile override")
        move = [[lead.id], {"stage_id": self.stage_negotiation.id}]
        for reason_id in (999_999, [1, 2], "1", True, "x" * 5_000):
            message = self._refused(
                "crm.lead",
                "write",
                move,
                {"context": {"guide_override_reason": "ok", "guide_override_reason_id": reason_id}},
            )
            self.assertIn("override reason", message)
        for until in ("garbage", [1], {"a": 1}, 20301231, "9999-12-31", "2000-01-01"):
            message = self._refused(
                "crm.lead",
                "write",
                move,
                {"context": {"guide_override_reason": "ok", "compliance_override_until": until}},
            )
            self.assertIn("An override stands until", message)
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertFalse(self._deviations(lead))
        # a date within the year is what the dialog offers
        until = date.today() + timedelta(days=30)
        self.jsonrpc(
            self.user_salesman,
            "crm.lead",
            "write",
            move,
            {"context": {"guide_override_reason": "ok", "compliance_override_until": until.isoformat()}},
        )
        self.assertEqual(self._deviations(lead).valid_until, until)
        self.assertEqual(lead.stage_id, self.stage_negotiation)

    def test_approval_api_arguments(self):
        lead = self._lead(name="Hostile request", expected_revenue=80_000)
        for vals in (None, -1, "abc", [1, 2], True, 1.5, {}):
            message = self._refused("crm.lead", "compliance_request_approval", [[lead.id], vals, "note"])
            self.assertIn("set of field values", message)
        message = self._refused(
            "crm.lead",
            "compliance_request_approval",
            [[lead.id], {"no_such_field": 1, "y" * 5_000: 2}, "note"],
        )
        self.assertIn("has no field 'no_such_field'", message)
        # values their fields cannot hold
        for vals in (
            {"expected_revenue": "abc"},
            {"date_deadline": "not a date"},
            {"stage_id": "x"},
            # rows that do not exist, linked by a many2many's commands
            {"tag_ids": [(4, 2**31 - 1)]},
            {"tag_ids": [(6, 0, [2**31 - 1])]},
        ):
            with self.assertNoLogs("odoo.sql_db", "ERROR"):
                message = self._refused("crm.lead", "compliance_request_approval", [[lead.id], vals, "note"])
            self.assertIn("is not a value of", message)
        # an infinite number (JSON's 1e999, which the override dialog's held change may carry):
        # refused as NaN is, not an OverflowError logged as an error
        with self.assertRaisesRegex(UserError, "is not a value of"):
            lead.with_user(self.user_salesman).compliance_request_approval(
                {"expected_revenue": float("inf")}, "n"
            )
        # an id that names no lead (0: the ORM would read an empty new record)
        with self.assertNoLogs("odoo.http", "ERROR"), self.assertRaises(RpcError) as caught:
            self.jsonrpc(
                self.user_salesman,
                "crm.lead",
                "compliance_request_approval",
                [[0], {"stage_id": self.stage_proposal.id}, "note"],
            )
        self.assertIn("Lead/Opportunity 0 does not exist", caught.exception.message)
        for note in (-1, [1, 2], {"a": 1}, True, 1.5):
            message = self._refused(
                "crm.lead",
                "compliance_request_approval",
                [[lead.id], {"stage_id": self.stage_proposal.id}, note],
            )
            self.assertIn("must be text", message)
        for event in ("unknown", 3, ["stage"]):
            message = self._refused(
                "crm.lead",
                "compliance_request_approval",
                [[lead.id], {"stage_id": self.stage_proposal.id}, "note", event],
            )
            self.assertIn("not an event", message)
        self.assertFalse(self.env["compliance.approval.request"].search([("res_id", "=", lead.id)]))

    def test_wizards_json_fields(self):
        """The dialogs' JSON texts that are not what they should be are refused as malformed,
        JSON nested deeper than Python parses too (a RecursionError logged at ERROR): when the
        dialog is confirmed, and not shown (its target stage, the policies the move meets)."""
        lead = self._lead(name="Hostile wizard")
        stage = self.stage_negotiation.id
        deep = "[" * 200_000
        for res_ids in ("not json", '{"a": 1}', "[[1]]", '["1"]', "[]", "[true]", deep):
            wizard = self.jsonrpc(
                self.user_salesman,
                "guide.override.wizard",
                "create",
                [{"res_model": "crm.lead", "res_ids": res_ids, "stage_res_id": stage, "reason": "ok"}],
            )
            self.assertIn(
                "not a list of records", self._refused("guide.override.wizard", "action_confirm", [[wizard]])
            )
        wizard = self.jsonrpc(
            self.user_salesman,
            "guide.override.wizard",
            "create",
            [{"res_model": "crm.lead", "res_ids": f"[{lead.id}]", "stage_res_id": 999_999, "reason": "ok"}],
        )
        self.assertIn("does not exist", self._refused("guide.override.wizard", "action_confirm", [[wizard]]))
        context = {"default_res_model": "crm.lead", "default_res_ids": deep, "default_stage_res_id": stage}
        with self.assertNoLogs("odoo.http", "ERROR"):
            defaults = self.jsonrpc(
                self.user_salesman,
                "guide.override.wizard",
                "default_get",
                [["approval_problems", "policy_problems"]],
                {"context": context},
            )
            self.assertFalse(defaults.get("approval_problems") or defaults.get("policy_problems"))
            value = self.jsonrpc(
                self.user_salesman,
                "compliance.policy.wizard",
                "onchange",
                [[], {"res_model": "crm.lead", "vals": deep}, [], {"stage_name": {}}],
            )["value"]
            self.assertFalse(value.get("stage_name"))
        for vals in ("not json", "[1, 2]", "{}", '{"no_such_field": 1}', deep):
            for mode in ("override", "approval"):
                wizard = self.jsonrpc(
                    self.user_salesman,
                    "compliance.policy.wizard",
                    "create",
                    [
                        {
                            "mode": mode,
                            "res_model": "crm.lead",
                            "res_ids": f"[{lead.id}]",
                            "vals": vals,
                            "reason": "ok",
                        }
                    ],
                )
                with self.assertNoLogs("odoo.http", "ERROR"):
                    read = self.jsonrpc(
                        self.user_salesman, "compliance.policy.wizard", "read", [[wizard], ["stage_name"]]
                    )
                self.assertFalse(read[0]["stage_name"])
                self._refused("compliance.policy.wizard", "action_confirm", [[wizard]])
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertFalse(self._deviations(lead))

    def test_policy_wizard_on_records_that_do_not_exist(self):
        """The override or approval dialog confirmed on ids naming no record is refused naming
        them, not answered as done with nothing done (nor done on the records that exist)."""
        lead = self._lead(name="Ghost wizard")
        for res_ids in ("[999999999]", f"[{lead.id}, 999999999]"):
            for mode in ("override", "approval"):
                wizard = self.jsonrpc(
                    self.user_salesman,
                    "compliance.policy.wizard",
                    "create",
                    [
                        {
                            "mode": mode,
                            "res_model": "crm.lead",
                            "res_ids": res_ids,
                            "vals": json.dumps({"stage_id": self.stage_negotiation.id}),
                            "reason": "ok",
                        }
                    ],
                )
                message = self._refused(
                    "compliance.policy.wizard", "action_confirm", [[wizard]], error=MISSING_ERROR
                )
                self.assertIn("999999999 does not exist", message)
        self.assertEqual(lead.stage_id, self.stage_new)
        self.assertFalse(self.Request.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]))

    def test_reject_dialog_of_an_unreadable_request(self):
        lead = self._lead(name="Secret deal", expected_revenue=80_000)
        request = lead.with_user(self.user_salesman)._compliance_request_approval(
            {"stage_id": self.stage_proposal.id}, "Strategic customer"
        )
        self.assertTrue(request)
        outsider = self.user_salesman2
        with self.assertRaises(AccessError):
            request.with_user(outsider).read(["display_name"])
        with self.assertNoLogs("odoo.http", "ERROR"):
            fault = self.rpc_fault(
                outsider, "compliance.reject.wizard", "create", [{"request_id": request.id, "reason": "x"}]
            )
        self.assertNotIn("Secret deal", fault)
        # nor is the request rejected directly: refused for the request, whatever the reason
        for reason in ("", "No"):
            with self.subTest(reason=reason), self.assertRaises(AccessError):
                request.with_user(outsider).action_reject(reason)
        # its approver opens the dialog
        wizard = self.jsonrpc(
            self.user_leader,
            "compliance.reject.wizard",
            "create",
            [{"request_id": request.id, "reason": "No"}],
        )
        self.assertTrue(wizard)

    def test_policy_dialogs_ids_that_name_no_row_refused(self):
        """A request or reason id that names no row, sent to the rejection or the policy
        dialog, is refused naming the field before the database's foreign keys are (no
        ERROR logged)."""
        cases = [
            ("compliance.reject.wizard", {"request_id": 2**31 - 1, "reason": "No"}, "Request"),
            ("compliance.reject.wizard", {"request_id": -3, "reason": "No"}, "Request"),
            ("compliance.policy.wizard", {"reason_id": 2**31 - 1}, "Reason"),
        ]
        with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertNoLogs("odoo.http", "ERROR"):
            for call in (self.xmlrpc, self.jsonrpc):
                for model, vals, field in cases:
                    with self.subTest(call=call.__name__, model=model, vals=vals):
                        with self.assertRaises(RpcError) as caught:
                            call(self.user_salesman, model, "create", [vals])
                        self.assertIn(field, caught.exception.message)
                        self.assertIn("is not the id of an existing", caught.exception.message)

    def test_conditions_on_fields_their_author_may_not_search(self):
        Hint = self.env["guide.hint"].with_user(self.user_manager)
        for domain, wording in (
            ("[('user_id.password', '!=', False)]", "cannot be searched"),
            ("[('user_id.log_ids.create_date', '!=', False)]", "may not read"),
            ("[('user_id.groups_id.model_access.perm_read', '=', True)]", "may not read"),
            ("[('guide_missing_items', '!=', False)]", "cannot be searched"),
            # records a record rule lets the manager read only some of: the salesperson's
            # devices (where they log in from), API keys, settings
            ("[('user_id.device_ids.ip_address', '=', '10.9.8.7')]", "of which you may read only some"),
            ("[('user_id.api_key_ids.name', '!=', False)]", "of which you may read only some"),
            ("[('user_id.res_users_settings_ids', '!=', False)]", "of which you may read only some"),
        ):
            with self.assertNoLogs("odoo.osv.expression", "ERROR"):
                with self.assertRaisesRegex(ValidationError, wording):
                    Hint.create({"name": "Probe", "model_name": "crm.lead", "domain": domain})
        # nor in a policy's requirement or an escalation rule's scope, over RPC
        for model, vals in (
            (
                "compliance.policy",
                {
                    "name": "Probe",
                    "model_name": "crm.lead",
                    "trigger": "create",
                    "enforcement": "block",
                    "requirement": "[('user_id.device_ids.ip_address', '=', '10.9.8.7')]",
                    "message": "Probe",
                },
            ),
            (
                "escalation.rule",
                {
                    "name": "Probe",
                    "model_name": "crm.lead",
                    "trigger_type": "step_time",
                    "domain": "[('user_id.device_ids.ip_address', '=', '10.9.8.7')]",
                },
            ),
        ):
            if model not in self.env:
                continue
            with self.assertNoLogs("odoo.http", "ERROR"), self.assertRaises(RpcError) as caught:
                self.xmlrpc(self.user_manager, model, "create", [vals])
            self.assertIn("of which you may read only some", caught.exception.message)
        # what a manager may search is accepted
        hint = Hint.create(
            {
                "name": "Fine",
                "model_name": "crm.lead",
                "domain": "[('partner_id.country_id.code', '=', 'BE')]",
            }
        )
        self.assertTrue(hint)
