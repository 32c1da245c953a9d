from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.base_process_guide.tools import view_spec

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestHints(GuideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only the hints of this test (demo data may hold others)
        cls.env["guide.hint"].search([]).active = False
        cls.hint_big = cls.env["guide.hint"].create(
            {
                "name": "Large deal: involve an architect",
                "model_name": "crm.lead",
                "domain": "[('expected_revenue', '>=', 50000)]",
                "priority": "2",
                "requires_ack": True,
            }
        )
        cls.hint_step = cls.env["guide.hint"].create(
            {
                "name": "Send the proposal template",
                "model_name": "crm.lead",
                "process_id": cls.process.id,
                "step_ids": [(6, 0, cls.step_proposal.ids)],
            }
        )

    def test_form_puts_the_hints_under_their_own_heading(self):
        """The panel's hints read as tips under a heading of their own, after the milestones
        and optional tasks (they read as one of them, with no heading)."""
        arch = etree.fromstring(
            self.env["crm.lead"]
            .with_user(self.user_salesman)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        hints = arch.xpath("//div[@name='guide_hints']")[0]
        self.assertEqual(hints.get("invisible"), "not guide_hint_ids")
        self.assertEqual(hints[0].get("class"), "fw-bold mb-1")
        self.assertEqual(hints[0].text, "Tips")
        self.assertTrue(hints.xpath("field[@name='guide_hint_ids']"))
        self.assertEqual(hints.getprevious().get("name"), "guide_adaptive")

    def test_hints_follow_condition_and_step(self):
        lead = self._lead(expected_revenue=1000)
        self.assertFalse(lead.guide_hint_ids)
        lead.expected_revenue = 80000
        lead.invalidate_recordset(["guide_hint_ids"])
        self.assertEqual(lead.guide_hint_ids, self.hint_big)
        lead.write({"stage_id": self.stage_qualif.id})
        other = self._lead(stage_id=self.stage_proposal.id, expected_revenue=90000)
        self.assertEqual(
            other.guide_hint_ids.ids, [self.hint_big.id, self.hint_step.id], "ordered by priority"
        )

    def test_acknowledge_and_unhelpful(self):
        lead = self._lead(expected_revenue=60000)
        hint = self.hint_big.with_user(self.user_salesman).with_context(
            guide_res_model="crm.lead", guide_res_id=lead.id
        )
        self.assertFalse(hint.context_acknowledged)
        hint.action_acknowledge()
        hint.action_acknowledge()  # idempotent
        hint.invalidate_recordset(["context_acknowledged"])
        self.assertTrue(hint.context_acknowledged)
        hint.action_mark_unhelpful()
        feedback = self.env["guide.hint.feedback"].search([("hint_id", "=", self.hint_big.id)])
        self.assertEqual(sorted(feedback.mapped("kind")), ["ack", "unhelpful"])
        self.assertEqual(feedback.user_id, self.user_salesman)
        self.assertEqual(self.hint_big.ack_count, 1)
        # another user has not acknowledged it
        self.assertFalse(hint.with_user(self.user_manager).context_acknowledged)

    def test_feedback_list_of_a_deleted_lead_opens(self):
        """The acknowledgements of a deleted lead stay: the list reads their link to it as
        the empty link (0), not Odoo's False, which the web client took for a link to a
        record of no model and failed to open the list ("Oops!")."""
        lead = self._lead(expected_revenue=60000)
        self.hint_big.with_user(self.user_salesman).with_context(
            guide_res_model="crm.lead", guide_res_id=lead.id
        ).action_acknowledge()
        kept = self._lead(expected_revenue=60000)
        self.hint_big.with_user(self.user_salesman).with_context(
            guide_res_model="crm.lead", guide_res_id=kept.id
        ).action_acknowledge()
        lead_id = lead.id
        lead.unlink()
        Feedback = self.env["guide.hint.feedback"].with_user(self.user_manager)
        # the list's fields, the record's link with its name as the link's widget reads it
        spec = {**view_spec(Feedback, "list"), "res_id": {"fields": {"display_name": {}}}}
        self.assertIn("res_model", spec)
        rows = Feedback.web_search_read([("res_id", "in", [lead_id, kept.id])], spec)["records"]
        by_link = {row["res_id"]["id"] if row["res_id"] else row["res_id"]: row for row in rows}
        self.assertEqual(set(by_link), {0, kept.id})
        self.assertIs(type(by_link[0]["res_id"]), int)
        self.assertEqual(by_link[kept.id]["res_id"]["display_name"], kept.display_name)

    def test_acknowledge_needs_record(self):
        with self.assertRaises(UserError):
            self.hint_big.action_acknowledge()

    def test_feedback_shows_on_the_record_per_user_and_unhelpful_undone(self):
        """The form reads what the agent said about the hints from the record
        itself: the web client sends no record id in the hints' context."""
        lead = self._lead(expected_revenue=60000)
        spec = {"guide_hint_ack_ids": {}, "guide_hint_unhelpful_ids": {}}
        hint = self.hint_big.with_user(self.user_salesman).with_context(
            guide_res_model="crm.lead", guide_res_id=lead.id
        )
        hint.action_acknowledge()
        hint.action_mark_unhelpful()
        # the manager marks it unhelpful too: their mark is theirs
        self.hint_big.with_user(self.user_manager).with_context(
            guide_res_model="crm.lead", guide_res_id=lead.id
        ).action_mark_unhelpful()
        [values] = lead.with_user(self.user_salesman).web_read(spec)
        self.assertEqual(values["guide_hint_ack_ids"], self.hint_big.ids)
        self.assertEqual(values["guide_hint_unhelpful_ids"], self.hint_big.ids)
        [other] = lead.with_user(self.user_salesman_all).web_read(spec)
        self.assertEqual(other["guide_hint_ack_ids"], [], "stored per user")

        self.assertIs(hint.action_undo_unhelpful(), True)
        [values] = lead.with_user(self.user_salesman).web_read(spec)
        self.assertEqual(values["guide_hint_unhelpful_ids"], [])
        self.assertEqual(values["guide_hint_ack_ids"], self.hint_big.ids, "the acknowledgement stays")
        self.assertEqual(self.hint_big.unhelpful_count, 1, "the manager's mark is untouched")

    def test_undo_unhelpful_needs_a_readable_record(self):
        lead = self._lead(expected_revenue=60000, user_id=self.user_manager.id)
        hint = self.hint_big.with_user(self.user_salesman).with_context(
            guide_res_model="crm.lead", guide_res_id=lead.id
        )
        with self.assertRaises(AccessError):
            hint.action_undo_unhelpful()
        with self.assertRaises(UserError):
            self.hint_big.with_user(self.user_salesman).action_undo_unhelpful()

    def test_process_feedback_is_confirmed(self):
        lead = self._lead()
        action = lead.with_user(self.user_salesman).action_guide_feedback()
        feedback = (
            self.env["guide.feedback"]
            .with_user(self.user_salesman)
            .with_context(**action["context"])
            .create({"name": "The budget item is unclear"})
        )
        result = feedback.action_send()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(result["params"]["next"], {"type": "ir.actions.act_window_close"})
        self.assertEqual(feedback.res_id, lead.id)

    def test_feedback_form_names_its_record(self):
        """The feedback's form and list name the record it was given on (the form showed a
        *Record* button only), as the reader may read it; nothing once it is deleted."""
        lead = self._lead(name="Feedback deal")
        action = lead.with_user(self.user_salesman).action_guide_feedback()
        feedback = (
            self.env["guide.feedback"]
            .with_user(self.user_salesman)
            .with_context(**action["context"])
            .create({"name": "The budget item is unclear"})
        )
        reviewed = feedback.with_user(self.user_manager)
        self.assertEqual(reviewed.record_name, "Feedback deal")
        self.assertEqual(feedback.record_name, "Feedback deal", "its author reads it too")
        Feedback = self.env["guide.feedback"].with_user(self.user_manager)
        for view_type in ("form", "list"):
            arch = etree.fromstring(Feedback.get_view(view_type=view_type)["arch"])
            self.assertTrue(arch.xpath("//field[@name='record_name']"), view_type)
        lead.unlink()
        reviewed.invalidate_recordset()
        self.assertFalse(reviewed.record_name)

    def test_hint_counters_open_the_rows(self):
        lead = self._lead(expected_revenue=60000)
        self.hint_big.with_user(self.user_salesman).with_context(
            guide_res_model="crm.lead", guide_res_id=lead.id
        ).action_acknowledge()
        hint = self.hint_big.with_user(self.user_manager)
        action = hint.action_view_acknowledgements()
        rows = self.env["guide.hint.feedback"].with_user(self.user_manager).search(action["domain"])
        self.assertEqual((rows.kind, rows.user_id), ("ack", self.user_salesman))
        self.assertFalse(
            self.env["guide.hint.feedback"].search(hint.action_view_unhelpful()["domain"]),
        )

    def test_hint_counters_empty_say_what_fills_them(self):
        """A hint nobody acknowledged or marked: its counters open lists that, empty, say
        what fills them (Odoo's default 'No record found' is wrong for rows nobody creates
        there), in the user's language."""
        self.env["res.lang"]._activate_lang("ru_RU")
        hint = self.hint_big.with_user(self.user_manager)
        for action in (hint.action_view_acknowledgements(), hint.action_view_unhelpful()):
            self.assertFalse(self.env["guide.hint.feedback"].search(action["domain"]))
            self.assertIn("o_view_nocontent", action["help"])
            self.assertIn("this hint", action["help"])
        hint = hint.with_context(lang="ru_RU")
        for action in (hint.action_view_acknowledgements(), hint.action_view_unhelpful()):
            self.assertIn("o_view_nocontent", action["help"])
            self.assertNotRegex(action["help"], r">[^<]*[A-Za-z]{3,}[^<]*<", "no English left")

    def test_hint_changes_show_at_once(self):
        """The hints a record shows come from a cache: a hint created, changed, moved to
        another step or company, or archived shows (or not) at the next read."""
        salesman_lead = self._lead(expected_revenue=1000).with_user(self.user_salesman)
        self.assertFalse(salesman_lead.guide_hint_ids)
        hint = (
            self.env["guide.hint"]
            .with_user(self.user_manager)
            .create({"name": "New", "model_name": "crm.lead"})
        )
        salesman_lead.invalidate_recordset(["guide_hint_ids"])
        self.assertEqual(salesman_lead.guide_hint_ids, hint)
        hint.step_ids = self.step_proposal
        salesman_lead.invalidate_recordset(["guide_hint_ids"])
        self.assertFalse(salesman_lead.guide_hint_ids)
        hint.step_ids = self.step_qualif
        salesman_lead.invalidate_recordset(["guide_hint_ids"])
        self.assertEqual(salesman_lead.guide_hint_ids, hint)
        # a hint of a company the salesperson is not in: not shown, not readable
        other_company = self.env["res.company"].create({"name": "Other company"})
        hint.sudo().company_id = other_company
        salesman_lead.invalidate_recordset(["guide_hint_ids"])
        self.assertFalse(salesman_lead.guide_hint_ids)
        hint.sudo().company_id = False
        # a hint of every company: changed by a user of every company
        hint.sudo().active = False
        salesman_lead.invalidate_recordset(["guide_hint_ids"])
        self.assertFalse(salesman_lead.guide_hint_ids)

    def test_hint_link_is_never_a_script(self):
        """The link is rendered as the hint's href on every agent's guidance panel: a
        sales manager cannot make it run a script in the session of whoever opens it (an
        administrator included)."""
        Hint = self.env["guide.hint"].with_user(self.user_manager)
        values = {"name": "Pricing sheet", "model_name": "crm.lead", "company_id": self.company.id}
        for url in (
            "javascript:alert(1)",
            "JavaScript:alert(document.cookie)",
            " \x01javascript:alert(1)",
            "java\tscript:alert(1)",
            "jav\nascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
        ):
            with (
                self.subTest(url=url),
                self.assertRaisesRegex(ValidationError, "Hint Pricing sheet: the link must be a web address"),
            ):
                Hint.create({**values, "url": url})
        hint = Hint.create({**values, "url": "https://example.com/pricing"})
        with self.assertRaisesRegex(ValidationError, "the link must be a web address"):
            hint.url = "javascript:alert(1)"
        for url in (
            "http://example.com",
            "mailto:sales@example.com",
            "tel:+15550100",
            "/odoo/crm",
            "www.example.com",
        ):
            hint.url = url
            self.assertEqual(hint.url, url)
