from unittest.mock import patch

from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.models import guide_rule_language as rule_language
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError
from odoo.addons.base_process_guide.tests.rule_language_common import (
    MEMORY_BOMB,
    RuleLanguageAttack,
    domain_text,
    hostile_conditions,
    install_probe,
    is_plain,
    literal_domain,
    valid_domains,
)

from .common import GuideCommon

FAST = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@tagged("post_install", "-at_install")
class TestRuleLanguage(GuideCommon):
    """Conditions are data: parsed, bounded, resolved at evaluation time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Hint = cls.env["guide.hint"]
        cls.user_salesman.tz = "Europe/Brussels"

    def _domain(self, text, user=None):
        return self.Hint.with_user(user or self.user_salesman)._guide_parse_domain(text, "crm.lead")

    def _refusal(self, text, rule_name="Probe rule"):
        """Check ``text`` as saving a hint would; return the refusal or None."""
        hint = self.Hint.new({"name": rule_name, "model_name": "crm.lead", "domain": text})
        try:
            hint._check_guide_domains()
        except ValidationError as exc:
            return str(exc)
        return None

    def test_value_that_is_none_of_a_choice_fields_choices_refused(self):
        """A choice field compared with a value that is none of its choices (its label, as a
        careless manager types it) is refused at save, naming the criterion, the value and
        the choices: the condition would never hold (an automatic item never done)."""
        for text, value in (
            ("[('priority', '=', 'High')]", "High"),
            ("[('type', 'in', ['opportunity', 'Opportunity'])]", "Opportunity"),
            ("[('partner_id.type', '!=', 'Invoice')]", "Invoice"),
            ("[('priority', '<>', 'High')]", "High"),
            ("[('priority', '=?', 'High')]", "High"),
            ("[('partner_id', 'any', [('type', '=', 'Contact')])]", "Contact"),
            ("[('partner_id', 'not any', [('user_id.share', '=', True), ('type', 'in', ['x'])])]", "x"),
        ):
            with self.subTest(condition=text):
                refusal = self._refusal(text)
                self.assertIn("Probe rule", refusal)
                self.assertIn(f"'{value}' is none of the choices of", refusal)
        self.assertIn("'2' (High)", self._refusal("[('priority', '=', 'High')]"))
        for text in (
            "[('priority', '=', '2')]",
            "[('type', 'in', ['lead', 'opportunity'])]",
            "[('priority', '!=', False)]",
            "[('priority', '>', '1')]",
            "[('priority', '=?', False)]",
            "[('partner_id', 'any', [('type', '=', 'contact')])]",
        ):
            with self.subTest(condition=text):
                self.assertIsNone(self._refusal(text))

    # named values -----------------------------------------------------
    @freeze_time("2026-03-10 23:30:00")
    def test_named_values(self):
        user = self.user_salesman
        cases = {
            "[('user_id', '=', uid)]": [("user_id", "=", user.id)],
            "[('user_id', '=', user_id)]": [("user_id", "=", user.id)],
            "[('company_id', '=', company_id)]": [("company_id", "=", user.company_id.id)],
            "[('company_id', 'in', company_ids + [False])]": [
                ("company_id", "in", [*user.company_ids.ids, False])
            ],
            # the user's date: 23:30 UTC is already the 11th in Brussels
            "[('date_deadline', '>=', today)]": [("date_deadline", ">=", "2026-03-11")],
            "[('date_deadline', '>=', today(-7))]": [("date_deadline", ">=", "2026-03-04")],
            "[('date_deadline', '<', today(months=1, days=-1))]": [("date_deadline", "<", "2026-04-10")],
            "[('date_open', '<', now)]": [("date_open", "<", "2026-03-10 23:30:00")],
            "[('date_open', '<', now(hours=-4))]": [("date_open", "<", "2026-03-10 19:30:00")],
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(self._domain(text), expected)

    @freeze_time("2026-03-10 23:30:00")
    def test_earlier_syntax_kept(self):
        """Conditions of earlier versions and of Odoo's domain editor keep their meaning."""
        user = self.user_salesman
        cases = {
            "[('user_id', '=', user.id)]": [("user_id", "=", user.id)],
            "[('company_id', 'in', user.company_ids.ids)]": [("company_id", "in", user.company_ids.ids)],
            "[('date_deadline', '<=', context_today().strftime('%Y-%m-%d'))]": [
                ("date_deadline", "<=", "2026-03-11")
            ],
            "[('date_deadline', '>=', (context_today() - relativedelta(days=7)).strftime('%Y-%m-%d'))]": [
                ("date_deadline", ">=", "2026-03-04")
            ],
            "[('date_deadline', '>=', context_today() + relativedelta(weeks=1))]": [
                ("date_deadline", ">=", "2026-03-18")
            ],
            '[("date_open", ">=", datetime.datetime.combine(context_today(), datetime.time(0, 0, 0))'
            '.to_utc().strftime("%Y-%m-%d %H:%M:%S"))]': [("date_open", ">=", "2026-03-10 23:00:00")],
            "[('date_deadline', '=', time.strftime('%Y-%m-%d'))]": [("date_deadline", "=", "2026-03-10")],
            "[('date_open', '<', datetime.datetime.now() - datetime.timedelta(hours=2))]": [
                ("date_open", "<", "2026-03-10 21:30:00")
            ],
        }
        for text, expected in cases.items():
            with self.subTest(text=text):
                self.assertEqual(self._domain(text), expected)
                self.assertIsNone(self._refusal(text))

    def test_values_recomputed_at_evaluation(self):
        """The parse is cached on the text; today and the user are not frozen in it."""
        self.process.domain = "['|', ('date_deadline', '>=', today), ('user_id', '=', uid)]"
        with freeze_time("2026-01-05 12:00:00"):
            first = self._domain(self.process.domain)
        with freeze_time("2026-02-07 12:00:00"):
            second = self._domain(self.process.domain, user=self.user_manager)
        self.assertEqual(
            first, ["|", ("date_deadline", ">=", "2026-01-05"), ("user_id", "=", self.user_salesman.id)]
        )
        self.assertEqual(
            second, ["|", ("date_deadline", ">=", "2026-02-07"), ("user_id", "=", self.user_manager.id)]
        )
        # and the engine evaluates with the values of the moment
        lead = self._lead(date_deadline="2026-01-20", user_id=self.user_manager.id)
        with freeze_time("2026-01-10 12:00:00"):
            self.assertTrue(self.Hint.with_user(self.user_salesman)._guide_filter(lead, self.process.domain))
        with freeze_time("2026-01-25 12:00:00"):
            self.assertFalse(self.Hint.with_user(self.user_salesman)._guide_filter(lead, self.process.domain))

    def test_parse_cached(self):
        text = "[('expected_revenue', '>', 123456)]"
        leads = self._lead() | self._lead(expected_revenue=200000)
        with patch.object(rule_language._Parser, "parse", wraps=rule_language._Parser().parse) as parser:
            for _i in range(5):
                self.Hint._guide_filter_many(leads, [text])
        self.assertLessEqual(parser.call_count, 1)

    # refusals -------------------------------------------------------
    def test_code_refused_naming_rule_and_field(self):
        group = self.env.ref("base.group_system")
        for text in (
            f"[('id', '!=', user.sudo().write({{'groups_id': [(4, {group.id})]}}))]",
            "[('name', 'ilike', 'x' * 10**9)]",
            "[('name', '=', __import__('os').system('true'))]",
            "[('name', '=', ().__class__.__mro__[1].__subclasses__())]",
            "[('name', '=', [c for c in 'abc'])]",
            "[('name', '=', f'{uid}')]",
            "[('name', '=', (lambda: 1)())]",
            "[('name', '=', context_today)]",
            "[('name', '=', context_today().replace(year=1))]",
            "[('name', '=', datetime.datetime.combine(context_today(), datetime.time(25)))]",
            "[('name', '=', relativedelta(days=1))]",
            "[('name', '=', today(years=10**6))]",
            "[('name', '=', today(days=uid))]",
            "[('name', '=', uid + 1)]",
            "[('name', '=', -uid)]",
            "{'a': 1}",
            "42",
            "[('name', 'like-ish', 'x')]",
            "[('name', '=')]",
            "['&', ('name', '=', 'x')]",
            "[('no_such_field', '=', 1)]",
        ):
            with self.subTest(text=text):
                refusal = self._refusal(text, rule_name="Hostile hint")
                self.assertIsNotNone(refusal, text)
                self.assertIn("Hostile hint", refusal)
                self.assertIn("Condition", refusal)
        self.assertFalse(self.user_salesman.has_group("base.group_system"))

    def test_size_bounds(self):
        cases = {
            "text": "[('name', '=', 'x')]" + " " * rule_language.MAX_TEXT,
            "string": f"[('name', '=', '{'x' * (rule_language.MAX_STRING + 1)}')]",
            "leaves": repr([("name", "=", str(i)) for i in range(rule_language.MAX_LEAVES + 1)]),
            "depth": "[('partner_id', 'any', " * 8 + "[('name', '=', 1)]" + ")]" * 8,
            "integer": f"[('expected_revenue', '>', {2**53 + 1})]",
            "float": "[('expected_revenue', '>', 1e300)]",
            "list": repr([("name", "in", list(range(rule_language.MAX_ITEMS + 1)))]),
        }
        for bound, text in cases.items():
            with self.subTest(bound=bound):
                refusal = self._refusal(text, rule_name="Oversized hint")
                self.assertIsNotNone(refusal)
                self.assertIn("Oversized hint", refusal)
        # at the bounds: accepted
        self.assertIsNone(self._refusal(f"[('name', '=', '{'x' * rule_language.MAX_STRING}')]"))
        self.assertIsNone(self._refusal(f"[('expected_revenue', '>', {2**53})]"))

    def test_refused_on_every_rule_field(self):
        """Process scope, checklist item conditions and hints refuse code when saved."""
        payload = "[('name', '=', user.sudo().write({'name': 'pwned'}))]"
        with self.assertRaisesRegex(ValidationError, "B2B Sales"):
            self.process.with_user(self.user_manager).domain = payload
        Item = self.env["guide.item"].with_user(self.user_manager)
        for fname in ("apply_domain", "auto_domain"):
            item = Item.create(
                {"step_id": self.step_qualif.id, "name": f"Item {fname}", "completion": "auto"}
                | {"auto_domain": "[('name', '!=', False)]"}
            )
            with (
                self.subTest(field=fname),
                self.assertRaisesRegex(ValidationError, item._fields[fname].string),
            ):
                item.write({fname: payload})
        with self.assertRaisesRegex(ValidationError, "Pwn hint"):
            self.Hint.with_user(self.user_manager).create(
                {"name": "Pwn hint", "model_name": "crm.lead", "domain": payload}
            )
        self.assertNotEqual(self.user_manager.name, "pwned")

    def test_broken_condition_skipped_with_warning(self):
        """A rule broken by a later schema change is skipped, logged and does not abort the transaction."""
        hint = self.Hint.create(
            {"name": "Stale hint", "model_name": "crm.lead", "domain": "[('name', '!=', False)]"}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE guide_hint SET domain = %s WHERE id = %s", ("[('x_removed_field', '=', 1)]", hint.id)
        )
        self.env.invalidate_all()
        lead = self._lead()
        with self.assertLogs(
            "odoo.addons.base_process_guide.models.guide_condition_mixin", "WARNING"
        ) as logs:
            hints = self.Hint.with_user(self.user_salesman)._guide_hints_for(lead)
        self.assertNotIn(hint, hints[lead.id])
        self.assertIn("Stale hint", "\n".join(logs.output))
        # the transaction goes on
        self.assertTrue(self.env["crm.lead"].search([("id", "=", lead.id)]))

    # property-based ----------------------------------------------------
    @FAST
    @given(
        text=st.one_of(
            st.text(max_size=300),
            st.text(alphabet="[]()',\"=!&|<>-+*/.0123456789 _abdeinortuwy", max_size=200),
        )
    )
    def test_random_text(self, text):
        self._check_text(text)

    @FAST
    @given(text=hostile_conditions)
    def test_random_expressions(self, text):
        self._check_text(text)

    @FAST
    @given(domain=valid_domains, as_lists=st.booleans())
    def test_random_valid_domains(self, domain, as_lists):
        text = domain_text(domain, as_lists)
        self.assertIsNone(self._refusal(text))
        self.assertEqual(self._domain(text), literal_domain(text))
        self.assertEqual(
            literal_domain(text), [tuple(item) if isinstance(item, list) else item for item in domain]
        )

    def _check_text(self, text):
        """Refused naming the rule, or a plain domain meaning what it says; never run."""
        if not hasattr(self, "_probe"):
            self._probe = install_probe(self)
        refusal = self._refusal(text)
        if refusal is not None:
            self.assertIn("Probe rule", refusal)
            self.assertIn("Condition", refusal)
        else:
            domain = self._domain(text)
            self.assertTrue(is_plain(domain), domain)
            expected = literal_domain(text)
            if expected is not None:
                self.assertEqual(domain, expected)
        self.assertEqual(self._probe.calls, 0, "a condition was executed")


@tagged("post_install", "-at_install")
class TestRuleLanguageAttacks(RuleLanguageAttack, RpcCase, GuideCommon):
    """The reported attack, over XML-RPC and JSON-RPC as real users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_sales_admin = new_test_user(
            cls.env, login="guide_sales_admin", groups="sales_team.group_sale_manager", name="Sal Admin"
        )

    def _salesperson_creates_lead(self, protocol):
        call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
        vals = {
            "name": "After the attack",
            "type": "opportunity",
            "team_id": self.team.id,
            "stage_id": self.stage_qualif.id,
        }
        lead_id = call(self.user_salesman, "crm.lead", "create", [vals])
        call(
            self.user_salesman,
            "crm.lead",
            "read",
            [[lead_id], ["guide_hint_ids", "guide_current_line_ids", "guide_progress"]],
        )
        call(self.user_salesman, "crm.lead", "write", [[lead_id], {"expected_revenue": 10}])
        return lead_id

    def test_process_condition(self):
        for protocol in ("xmlrpc", "jsonrpc"):
            with self.subTest(protocol=protocol):
                self.assertConditionRefused(
                    self.user_sales_admin,
                    "guide.process",
                    "write",
                    [self.process.ids, {"domain": self.escalation_payload()}],
                    "B2B Sales",
                    "Condition",
                    protocol,
                )
                self.assertTrue(self._salesperson_creates_lead(protocol))
                self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)

    def test_checklist_item_conditions(self):
        for protocol, fname, label in (
            ("xmlrpc", "apply_domain", "Applies When"),
            ("jsonrpc", "auto_domain", "Done When"),
        ):
            with self.subTest(protocol=protocol, field=fname):
                vals = {
                    "step_id": self.step_qualif.id,
                    "name": "Pwn item",
                    "completion": "auto",
                    "auto_domain": "[]",
                }
                vals[fname] = self.escalation_payload()
                self.assertConditionRefused(
                    self.user_sales_admin, "guide.item", "create", [vals], "Pwn item", label, protocol
                )
                self._salesperson_creates_lead(protocol)
                self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)

    def test_hint_condition(self):
        for protocol in ("xmlrpc", "jsonrpc"):
            with self.subTest(protocol=protocol):
                vals = {"name": "Pwn hint", "model_name": "crm.lead", "domain": self.escalation_payload()}
                self.assertConditionRefused(
                    self.user_sales_admin, "guide.hint", "create", [vals], "Pwn hint", "Condition", protocol
                )
                self._salesperson_creates_lead(protocol)
                self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)

    def test_unknown_fields_named_as_the_screens_do(self):
        """A criterion naming a field its model does not have (on a path, in a sub-domain) is
        refused naming the model as the screens do and the field, not with the ORM's
        technical wording (the model's technical name and the whole criterion)."""
        cases = (
            ("[('x_gone', '=', 1)]", "Lead/Opportunity has no field 'x_gone'"),
            ("[('partner_id.signup_token', '!=', False)]", "Contact has no field 'signup_token'"),
            ("[('partner_id', 'any', [('x_gone', '=', 1)])]", "Contact has no field 'x_gone'"),
        )
        for protocol in ("xmlrpc", "jsonrpc"):
            for text, wording in cases:
                with self.subTest(protocol=protocol, condition=text):
                    refusal = self.assertConditionRefused(
                        self.user_sales_admin,
                        "guide.hint",
                        "create",
                        [{"name": "Unknown hint", "model_name": "crm.lead", "domain": text}],
                        "Unknown hint",
                        "Condition",
                        protocol,
                    )
                    self.assertIn(wording, refusal)
                    self.assertNotIn("Invalid field", refusal)
                    self.assertNotIn("res.partner", refusal)

    def test_refusals_name_fields_in_the_authors_language(self):
        """A condition's refusal names the field and its model as the author's screens do, in
        their language (it named them in English whatever the language)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        Fields = self.env["ir.model.fields"].with_context(lang="fr_FR")
        Fields._get("crm.lead", "guide_missing_items").field_description = "Éléments manquants"
        self.env["ir.model"].with_context(lang="fr_FR")._get("crm.lead").name = "Piste"
        self.env.registry.clear_cache()
        with self.assertRaises(RpcError) as caught:
            self.jsonrpc(
                self.user_sales_admin,
                "guide.hint",
                "create",
                [
                    {
                        "name": "French hint",
                        "model_name": "crm.lead",
                        "domain": "[('guide_missing_items', '!=', 0)]",
                    }
                ],
                {"context": {"lang": "fr_FR"}},
            )
        self.assertIn("Éléments manquants (Piste)", caught.exception.message)

    def test_sub_domain_fields_checked_like_paths(self):
        """The criteria inside ``any`` / ``not any`` are checked as a dotted path is: a field
        no search can use or of a model the author may not read is refused at save (it was
        accepted, then each evaluation logged an ERROR and dropped the criterion)."""
        cases = (
            ("[('user_id', 'any', [('password', '!=', False)])]", "cannot be searched"),
            (
                "[('partner_id', 'any', [('opportunity_ids', 'not any', "
                "[('guide_missing_items', '!=', False)])])]",
                "cannot be searched",
            ),
            (
                "[('partner_id', 'any', [('user_ids', 'any', [('log_ids.create_date', '!=', False)])])]",
                "may not read",
            ),
        )
        for protocol in ("xmlrpc", "jsonrpc"):
            for text, wording in cases:
                with self.subTest(protocol=protocol, condition=text):
                    with self.assertNoLogs("odoo.osv.expression", "ERROR"):
                        refusal = self.assertConditionRefused(
                            self.user_sales_admin,
                            "guide.hint",
                            "create",
                            [{"name": "Nested hint", "model_name": "crm.lead", "domain": text}],
                            "Nested hint",
                            "Condition",
                            protocol,
                        )
                    self.assertIn(wording, refusal)
        self.assertFalse(self.env["guide.hint"].search([("name", "=", "Nested hint")]))
        # what the author may search is accepted, nested or not
        hint_id = self.xmlrpc(
            self.user_sales_admin,
            "guide.hint",
            "create",
            [
                {
                    "name": "Fine nested",
                    "model_name": "crm.lead",
                    "domain": "[('partner_id', 'any', [('country_id', 'any', [('code', '=', 'BE')])])]",
                }
            ],
        )
        self.assertTrue(hint_id)

    def test_values_that_do_not_fit_their_field_refused(self):
        """A value PostgreSQL cannot compare with its field is refused at save, naming the
        criterion; it was accepted (building the query does not check it), then every
        change judged with the condition failed with a database error logged as an ERROR."""
        cases = (
            ("[('date_deadline', '<', 'notadate')]", "date_deadline"),
            ("[('email_from', '=', 'a\\x00b')]", "email_from"),
            ("[('email_from', '!=', False), ('id', '=', 'abc')]", "id"),
        )
        for protocol, (text, fname) in zip(("xmlrpc", "jsonrpc", "jsonrpc"), cases, strict=True):
            with self.subTest(protocol=protocol, condition=text):
                vals = {
                    "step_id": self.step_qualif.id,
                    "name": "Typed item",
                    "completion": "auto",
                    "auto_domain": text,
                }
                with self.assertNoLogs("odoo.sql_db", "ERROR"):
                    refusal = self.assertConditionRefused(
                        self.user_sales_admin,
                        "guide.item",
                        "create",
                        [vals],
                        "Typed item",
                        "Done When",
                        protocol,
                    )
                self.assertIn(f"('{fname}'", refusal)
                self.assertIn("does not fit its field", refusal)
        self.assertFalse(self.env["guide.item"].search([("name", "=", "Typed item")]))
        # the salesperson's changes are judged as before
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            lead_id = self._salesperson_creates_lead("xmlrpc")
            self.xmlrpc(self.user_salesman, "crm.lead", "write", [[lead_id], {"date_deadline": "2030-01-01"}])
        # values of the right type are accepted
        item_id = self.xmlrpc(
            self.user_sales_admin,
            "guide.item",
            "create",
            [
                {
                    "step_id": self.step_qualif.id,
                    "name": "Fine item",
                    "completion": "auto",
                    "auto_domain": "[('date_deadline', '<', today(30)), ('priority', 'in', ['2', '3'])]",
                }
            ],
        )
        self.assertTrue(item_id)

    def test_process_condition_on_a_property_refused(self):
        """A process condition is tested on the leads' values in memory, which cannot read a
        property: ``lead_properties.x`` was accepted while no lead was in scope, then every
        change of a lead in scope failed with an ``AttributeError`` logged as an ERROR."""
        for protocol, text in (
            ("xmlrpc", "[('lead_properties.x', '=', 1)]"),
            (
                "jsonrpc",
                "[('partner_id', 'any', [('opportunity_ids', 'any', [('lead_properties.x', '!=', False)])])]",
            ),
        ):
            with self.subTest(protocol=protocol):
                refusal = self.assertConditionRefused(
                    self.user_sales_admin,
                    "guide.process",
                    "write",
                    [self.process.ids, {"domain": text}],
                    "B2B Sales",
                    "Condition",
                    protocol,
                )
                self.assertIn("property", refusal)
        self.assertFalse(self.process.domain)
        # stored before the refusal: the process is skipped with a warning, the change goes on
        self.store_legacy_condition(self.process, "domain", "[('lead_properties.x', '=', 1)]")
        with self.assertLogs("odoo.addons.base_process_guide", "WARNING") as logs:
            lead_id = self._salesperson_creates_lead("jsonrpc")
        self.assertFalse(self.env["crm.lead"].browse(lead_id).guide_process_id)
        self.assertIn(f"process {self.process.id} skipped", "\n".join(logs.output))

    def test_memory_bomb(self):
        self.assertBombRefusedQuickly(
            self.user_sales_admin,
            "guide.process",
            "write",
            [self.process.ids, {"domain": MEMORY_BOMB}],
            "B2B Sales",
            "Condition",
        )
        self.assertBombRefusedQuickly(
            self.user_sales_admin,
            "guide.hint",
            "create",
            [{"name": "Bomb hint", "model_name": "crm.lead", "domain": MEMORY_BOMB}],
            "Bomb hint",
            "Condition",
            protocol="jsonrpc",
        )

    def test_stored_code_never_runs(self):
        """Checklist and hint conditions saved by an earlier version never run: skipped, with a warning."""
        payload = self.escalation_payload()
        item = self.step_qualif.item_ids.filtered(lambda i: i.completion == "auto")[0]
        hint = self.env["guide.hint"].create(
            {"name": "Legacy hint", "model_name": "crm.lead", "domain": "[]"}
        )
        self.store_legacy_condition(item, "auto_domain", payload)
        self.store_legacy_condition(hint, "domain", payload)
        with self.assertLogs("odoo.addons.base_process_guide", "WARNING") as logs:
            for protocol in ("xmlrpc", "jsonrpc"):
                self._salesperson_creates_lead(protocol)
        self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)
        output = "\n".join(logs.output)
        self.assertIn("Legacy hint", output)
        self.assertIn(item.name, output)

    def test_stored_process_code_never_runs(self):
        self.store_legacy_condition(self.process, "domain", self.escalation_payload())
        with self.assertLogs("odoo.addons.base_process_guide", "WARNING") as logs:
            lead_id = self._salesperson_creates_lead("jsonrpc")
        self.assertNotSettingsAdmin(self.user_sales_admin, self.user_salesman)
        self.assertFalse(
            self.env["crm.lead"].browse(lead_id).guide_process_id, "the broken process is skipped"
        )
        self.assertIn(f"process {self.process.id} skipped", "\n".join(logs.output))
