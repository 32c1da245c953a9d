from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .common import EscalationCommon


@tagged("post_install", "-at_install")
class TestTrustRpc(RpcCase, EscalationCommon):
    """Escalation as real users over XML-RPC and JSON-RPC: manual escalation by an own-documents
    salesperson, internal context keys not taken from clients, RPC-safe returns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague = new_test_user(
            cls.env, login="esc_colleague_own", groups="sales_team.group_sale_salesman", name="Carl Colleague"
        )
        cls.team.member_ids = [(4, cls.colleague.id)]

    def _call(self, protocol):
        return self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc

    def test_actions_on_ids_naming_no_record_refused(self):
        """The escalation buttons and dialogs, called on id 0, are refused as a record that
        does not exist, and those of one record on two ids as such (nothing logged as an
        error)."""
        self.assert_ids_refused(
            self.env.ref("base.user_admin"),
            [
                ("escalation.rule", "action_view_clocks", True),
                ("escalation.rule", "action_view_logs", True),
                ("escalation.rule", "action_resync", False),
                ("escalation.clock", "action_retry", False),
                ("escalation.manual.wizard", "action_confirm", True),
                ("crm.lead", "action_escalation_open_wizard", True),
                ("crm.lead", "action_escalation_open_logs", True),
                ("crm.lead", "action_escalation_open_clocks", True),
                ("crm.lead", "action_escalation_acknowledge", False),
            ],
        )

    def test_search_by_the_escalation_state_refused(self):
        """Odoo logs an error and ignores a condition on a field worked out when shown,
        answering every lead; the search bar's filters (*Breached*...) search."""
        label = self.env["crm.lead"]._fields["escalation_state"].string
        with self.assertNoLogs("odoo.osv.expression", "ERROR"), self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in ("xmlrpc", "jsonrpc"):
                fault = self.rpc_fault(
                    self.user_salesman,
                    "crm.lead",
                    "search_count",
                    [[("escalation_state", "=", "breached")]],
                    protocol=protocol,
                )
                self.assertIn(f"cannot be searched by {label}", fault)
                # nor grouped or sorted by it (a ValueError logged)
                for method, args, kwargs in (
                    ("web_read_group", [[], ["id:count"], ["escalation_state"]], {}),
                    ("search", [[]], {"order": "escalation_state desc", "limit": 2}),
                ):
                    fault = self.rpc_fault(
                        self.user_salesman, "crm.lead", method, args, kwargs, protocol=protocol
                    )
                    self.assertIn(f"cannot be sorted or grouped by {label}", fault)
        self.assertIsInstance(
            self.xmlrpc(
                self.user_salesman, "crm.lead", "search_count", [[("escalation_breached", "=", True)]]
            ),
            int,
        )

    def test_manual_escalation_dialog_ids_that_name_no_row_refused(self):
        """A user, rule or level id that names no row, or a record id no integer column
        holds, sent to the *Escalate* dialog is refused naming the field before the
        database's foreign keys or its integer column are (no ERROR logged)."""
        lead = self._lead(name="Escalate nobody")
        base = {"res_model": "crm.lead", "res_id": lead.id, "reason": "Why not"}
        cases = [
            ({"user_id": 2**31 - 1}, "Escalate To"),
            ({"user_id": -5}, "Escalate To"),
            ({"rule_id": 2**31 - 1}, "Rule"),
            ({"level_id": 2**31 - 1}, "Level"),
            ({"res_id": 2**40}, "must be a whole number"),
            # a dialog for no record (no model, no id)
            ({"res_id": False}, "needs the record to escalate"),
            ({"res_model": False}, "needs the record to escalate"),
            # a model no process guides, or a text of a megabyte, is no record to escalate
            ({"res_model": "res.partner"}, "needs the record to escalate"),
            ({"res_model": "x" * 10**6}, "needs the record to escalate"),
            # the reason is bounded when typed, not only when the dialog is confirmed
            ({"reason": "r" * 10**6}, "The reason is too long"),
        ]
        with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in ("xmlrpc", "jsonrpc"):
                for vals, expected in cases:
                    if protocol == "xmlrpc" and vals.get("res_id", 0) >= 2**31:
                        continue  # XML-RPC carries no such integer
                    with self.subTest(protocol=protocol, vals=vals):
                        with self.assertRaises(RpcError) as caught:
                            values = {
                                key: value for key, value in {**base, **vals}.items() if value is not False
                            }
                            self._call(protocol)(
                                self.user_salesman, "escalation.manual.wizard", "create", [values]
                            )
                        self.assertIn(expected, caught.exception.message)
                        self.assertNotIn("Traceback", caught.exception.message)
        self.assertFalse(self._logs(lead, kind="manual"))

    def test_escalate_to_internal_users_only(self):
        """The *Escalate* dialog offers active internal users; a portal user, OdooBot or an
        archived user sent by a client is refused by name, and nothing changes."""
        portal = new_test_user(self.env, login="esc_portal", groups="base.group_portal", name="Paula Portal")
        archived = new_test_user(
            self.env, login="esc_gone", groups="sales_team.group_sale_salesman", name="Gus Gone"
        )
        archived.active = False
        odoobot = self.env.ref("base.user_root")
        lead = self._lead(name="Escalate outside")
        base = {"res_model": "crm.lead", "res_id": lead.id, "reason": "Why not"}
        with self.assertNoLogs("odoo.http", "ERROR"):
            for user in (portal, archived, odoobot):
                with self.subTest(user=user.name):
                    wizard_id = self.xmlrpc(
                        self.user_salesman,
                        "escalation.manual.wizard",
                        "create",
                        [{**base, "user_id": user.id}],
                    )
                    with self.assertRaises(RpcError) as caught:
                        self.xmlrpc(
                            self.user_salesman, "escalation.manual.wizard", "action_confirm", [[wizard_id]]
                        )
                    self.assertIn(f"{user.name} cannot be escalated to", caught.exception.message)
        lead.invalidate_recordset()
        self.assertEqual(lead.user_id, self.user_salesman)
        self.assertFalse(self._logs(lead, kind="manual"))

    def test_escalate_to_users_of_the_records_company(self):
        """A user who does not work for the lead's company is neither offered nor accepted
        (crm would empty the lead's company, showing it to every company)."""
        other_company = self.env["res.company"].create({"name": "Escalation Elsewhere"})
        outsider = new_test_user(
            self.env,
            login="esc_outsider",
            groups="sales_team.group_sale_salesman",
            name="Otto Outsider",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        lead = self._lead(name="Escalate in the company")
        company = lead.company_id
        self.assertTrue(company)
        action = self.xmlrpc(self.user_salesman, "crm.lead", "action_escalation_open_wizard", [[lead.id]])
        wizard_id = self.xmlrpc(
            self.user_salesman,
            "escalation.manual.wizard",
            "create",
            [{"user_id": outsider.id, "reason": "Otto knows them"}],
            {"context": action["context"]},
        )
        offered = self.xmlrpc(
            self.user_salesman,
            "res.users",
            "search",
            [
                [
                    ("share", "=", False),
                    ("company_ids", "in", company.ids),
                    ("id", "in", [outsider.id, self.colleague.id]),
                ]
            ],
        )
        wizard = self.env["escalation.manual.wizard"].browse(wizard_id)
        self.assertEqual(wizard.user_company_ids, company)
        self.assertEqual(offered, [self.colleague.id])
        with self.assertNoLogs("odoo.http", "ERROR"), self.assertRaises(RpcError) as caught:
            self.xmlrpc(self.user_salesman, "escalation.manual.wizard", "action_confirm", [[wizard_id]])
        self.assertIn("Otto Outsider cannot be escalated to: they do not work for", caught.exception.message)
        lead.invalidate_recordset()
        self.assertEqual((lead.user_id, lead.company_id), (self.user_salesman, company))
        self.assertFalse(self._logs(lead, kind="manual"))

    def test_escalate_dialog_on_a_lead_of_no_company(self):
        """On a lead of no company, the dialog of an own-documents salesperson offers every
        active internal user and holds no company: the web client's onchange and save read
        none the salesperson may not read (a second company exists)."""
        other_company = self.env["res.company"].create({"name": "Escalation Elsewhere"})
        outsider = new_test_user(
            self.env,
            login="esc_outsider_nc",
            groups="sales_team.group_sale_salesman",
            name="Otto Outsider",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        lead = self._lead(name="Escalate from no company", company_id=False)
        self.assertFalse(lead.company_id)
        action = self.jsonrpc(self.user_salesman, "crm.lead", "action_escalation_open_wizard", [[lead.id]])
        kwargs = {"context": action["context"]}
        spec = {"record_name": {}, "user_company_ids": {}, "user_id": {"fields": {"display_name": {}}}}
        with self.assertNoLogs("odoo.http", "ERROR"):
            values = self.jsonrpc(
                self.user_salesman, "escalation.manual.wizard", "onchange", [[], {}, [], spec], kwargs
            )["value"]
            self.assertFalse(values.get("user_company_ids"))
            saved = self.jsonrpc(
                self.user_salesman,
                "escalation.manual.wizard",
                "web_save",
                [[], {"reason": "Carl knows them", "user_id": self.colleague.id}],
                {**kwargs, "specification": spec},
            )
            self.assertEqual(saved[0]["user_company_ids"], [])
        wizard = self.env["escalation.manual.wizard"].browse(saved[0]["id"])
        domain = safe_eval(
            wizard._fields["user_id"].domain,
            {
                "user_company_ids": wizard.user_company_ids.ids,
                "user_group_ids": wizard.user_group_ids.ids,
                "owner_id": wizard.owner_id.id,
            },
        )
        offered = self.env["res.users"].search(domain + [("id", "in", [outsider.id, self.colleague.id])])
        self.assertEqual(offered, outsider | self.colleague)
        result = self.jsonrpc(self.user_salesman, "escalation.manual.wizard", "action_confirm", [[wizard.id]])
        self.assertEqual(result["tag"], "display_notification")
        lead.invalidate_recordset()
        self.assertEqual(lead.user_id, self.colleague)

    def _hand_over(self, protocol):
        call = self._call(protocol)
        lead = self._lead(name=f"Hand over {protocol}")
        action = call(self.user_salesman, "crm.lead", "action_escalation_open_wizard", [[lead.id]])
        wizard_id = call(
            self.user_salesman,
            "escalation.manual.wizard",
            "create",
            [{"user_id": self.colleague.id, "reason": "Carl speaks the customer's language"}],
            {"context": action["context"]},
        )
        with self.assertNoLogs("odoo.http", "ERROR"):
            result = call(self.user_salesman, "escalation.manual.wizard", "action_confirm", [[wizard_id]])
        lead.invalidate_recordset()
        self.assertEqual(lead.user_id, self.colleague, "reassigned")
        # the user can no longer read the lead: told to whom it went, then back to the leads
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn(self.colleague.name, result["params"]["message"])
        self.assertEqual(result["params"]["next"]["res_model"], "crm.lead")
        self.assertEqual(result["params"]["next"]["target"], "main")
        self.assertFalse(lead.with_user(self.user_salesman).has_access("read"))
        log = self._logs(lead, kind="manual")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.user_id, self.user_salesman)
        self.assertEqual(log.from_user_id, self.user_salesman)
        self.assertEqual(log.to_user_id, self.colleague)
        self.assertEqual(log.reason, "Carl speaks the customer's language")
        note = lead.message_ids.filtered(lambda m: "language" in (m.body or ""))
        self.assertEqual(note.author_id, self.user_salesman.partner_id)
        # the new owner acknowledges (documented API, RPC-safe return)
        self.assertTrue(call(self.colleague, "crm.lead", "action_escalation_acknowledge", [[lead.id]]))
        self.assertEqual(log.ack_user_id, self.colleague)

    def test_clock_list_opens_over_rpc(self):
        """The form's clock list is behind a button: an action dict over both protocols,
        whose list the salesperson reads."""
        self._rule()
        lead = self._lead(name="Clock list")
        clocks = lead.sudo().escalation_clock_ids
        self.assertTrue(clocks)
        for protocol in ("xmlrpc", "jsonrpc"):
            call = self._call(protocol)
            action = call(self.user_salesman, "crm.lead", "action_escalation_open_clocks", [[lead.id]])
            self.assertEqual(action["res_model"], "escalation.clock")
            # a row opens the clock (its state, failures, Retry)
            self.assertEqual([view[1] for view in action["views"]], ["list", "form"])
            clock_ids = call(self.user_salesman, "escalation.clock", "search", [action["domain"]])
            self.assertEqual(sorted(clock_ids), sorted(clocks.ids))

    def test_own_documents_salesperson_hands_lead_over_xmlrpc(self):
        self._hand_over("xmlrpc")

    def test_own_documents_salesperson_hands_lead_over_jsonrpc(self):
        self._hand_over("jsonrpc")

    def test_escalation_to_colleague_still_readable_reloads(self):
        lead = self._lead(name="Hand over to leader")
        action = self.jsonrpc(
            self.user_salesman_all, "crm.lead", "action_escalation_open_wizard", [[lead.id]]
        )
        wizard_id = self.jsonrpc(
            self.user_salesman_all,
            "escalation.manual.wizard",
            "create",
            [{"user_id": self.colleague.id, "reason": "Workload"}],
            {"context": action["context"]},
        )
        result = self.jsonrpc(
            self.user_salesman_all, "escalation.manual.wizard", "action_confirm", [[wizard_id]]
        )
        # said (the form only reloaded, nothing told the user it was done), then reloaded
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(
            result["params"]["message"],
            f"{lead.display_name} was escalated to {self.colleague.display_name}.",
        )
        self.assertEqual(result["params"]["next"], {"type": "ir.actions.client", "tag": "soft_reload"})

    def test_no_sync_context_key_ignored(self):
        """A client sending the engine's former ``escalation_no_sync`` key still gets the clock."""
        rule = self._rule(step_ids=[(6, 0, self.step_qualif.ids)])
        for protocol in ("xmlrpc", "jsonrpc"):
            lead = self._lead(name=f"No sync {protocol}", stage_id=self.stage_new.id)
            self._call(protocol)(
                self.user_salesman,
                "crm.lead",
                "write",
                [[lead.id], {"stage_id": self.stage_qualif.id}],
                {"context": {"escalation_no_sync": True}},
            )
            self.assertEqual(len(self._clock(lead, rule)), 1, protocol)
            self.assertEqual(self._clock(lead, rule).state, "running")

    def test_closed_lead_not_escalated_over_rpc(self):
        """The dialog and its confirmation sent for a lead in a closed stage are refused over
        XML-RPC and JSON-RPC naming it, no error logged, nothing escalated."""
        record = self._lead(name="Won over RPC", stage_id=self.stage_won.id)
        for protocol in ("xmlrpc", "jsonrpc"):
            with self.assertNoLogs("odoo.http", "ERROR"):
                fault = self.rpc_fault(
                    self.user_salesman,
                    "crm.lead",
                    "action_escalation_open_wizard",
                    [[record.id]],
                    protocol=protocol,
                )
                self.assertIn("Won over RPC is closed", fault)
                wizard_id = self._call(protocol)(
                    self.user_salesman,
                    "escalation.manual.wizard",
                    "create",
                    [
                        {
                            "res_model": "crm.lead",
                            "res_id": record.id,
                            "user_id": self.user_leader.id,
                            "reason": "Again",
                        }
                    ],
                )
                fault = self.rpc_fault(
                    self.user_salesman,
                    "escalation.manual.wizard",
                    "action_confirm",
                    [[wizard_id]],
                    protocol=protocol,
                )
                self.assertIn("Won over RPC is closed", fault)
        self.assertFalse(self._logs(record, kind="manual"))

    def test_level_move_step_of_another_process_refused(self):
        """A step of another process than the rule's, which the *Move to Step* picker does
        not offer, sent over XML-RPC or JSON-RPC is refused naming the level and the rule."""
        other = self.env["guide.process"].create({"name": "Renewals", "model_name": "crm.lead"})
        other_step = self.env["guide.step"].create(
            {"process_id": other.id, "crm_stage_id": self.stage_won.id}
        )
        rule = self.env["escalation.rule"].create(
            self._rule_defaults() | {"level_ids": [(0, 0, {"name": "Push", "delay": 1})]}
        )
        with self.assertNoLogs("odoo.http", "ERROR"):
            for protocol in ("xmlrpc", "jsonrpc"):
                fault = self.rpc_fault(
                    self.user_manager,
                    "escalation.level",
                    "write",
                    [rule.level_ids.ids, {"move_step_id": other_step.id}],
                    protocol=protocol,
                )
                self.assertIn("Escalation level “Push”: step “Renewals / ", fault)
                self.assertIn(f"of rule “{rule.display_name}”", fault)
        self.assertFalse(rule.level_ids.move_step_id)
