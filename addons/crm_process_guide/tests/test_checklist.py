from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestChecklist(GuideCommon):
    def test_tick_records_who_and_when_and_logs(self):
        lead = self._lead()
        line = self._lines(lead)["Budget confirmed"]
        line.with_user(self.user_salesman).action_check()
        self.assertTrue(line.checked)
        self.assertTrue(line.is_done)
        self.assertEqual(line.checked_by_id, self.user_salesman)
        self.assertTrue(line.checked_date)
        self.assertIn("Budget confirmed done", lead.message_ids[0].body)
        line.with_user(self.user_salesman).action_uncheck()
        self.assertFalse(line.checked)
        self.assertFalse(line.checked_by_id)
        self.assertIn("Budget confirmed no longer done", lead.message_ids[0].body)

    def test_progress(self):
        lead = self._lead(email_from="buyer@example.com")
        # 4 applicable items: 2 manual, 2 automatic, of which the email one is done
        self.assertEqual((lead.guide_item_done, lead.guide_item_total), (1, 4))
        self._tick(lead, "Budget confirmed")
        lead.invalidate_recordset(["guide_item_done"])
        self.assertEqual(lead.guide_item_done, 2)
        self.assertEqual(lead.guide_progress, 50.0)

    def test_lists_show_the_checklist_red_while_blocked(self):
        """The lead lists' *Checklist* progress bar turns red while mandatory items are
        missing, as the kanban's pill (``guide_progressbar`` reading ``guide_blocked``)."""
        Lead = self.env["crm.lead"].with_user(self.user_salesman)
        for xmlid in ("crm.crm_case_tree_view_oppor", "crm.crm_case_tree_view_leads"):
            arch = etree.fromstring(Lead.get_view(self.env.ref(xmlid).id, "list")["arch"])
            progress = arch.xpath("//field[@name='guide_progress']")[0]
            self.assertEqual(progress.get("widget"), "guide_progressbar", xmlid)
            self.assertIn("'danger_field': 'guide_blocked'", progress.get("options"), xmlid)

    def test_panel_hides_an_empty_checklist(self):
        """A step without checklist items (or a record not saved yet) shows no *Checklist
        0 / 0* block with an empty table in the guidance panel: the rest of the panel stays."""
        Model = self.env["crm.lead"].with_user(self.user_salesman)
        arch = etree.fromstring(Model.get_views([(False, "form")])["views"]["form"]["arch"])
        for lines in ("guide_current_line_ids", "guide_alt_line_ids"):
            [block] = arch.xpath(f"//div[@name='guide_panel']//div[field[@name='{lines}']]")
            self.assertTrue(safe_eval(block.get("invisible") or "False", {lines: []}), lines)
            self.assertFalse(safe_eval(block.get("invisible") or "False", {lines: [1]}), lines)
        self.assertTrue(arch.xpath("//div[@name='guide_panel']//field[@name='guide_instructions']"))

    def test_move_on_lists_every_item_alike(self):
        """*To move on* (and *To complete it*) lists the missing items one a line, under the
        heading: not the first one inline after it and the others below."""
        Model = self.env["crm.lead"].with_user(self.user_salesman)
        arch = etree.fromstring(Model.get_views([(False, "form")])["views"]["form"]["arch"])
        for missing in ("guide_missing_items", "guide_alt_missing_items"):
            [field] = arch.xpath(f"//div[@name='guide_panel']//field[@name='{missing}']")
            classes = (field.get("class") or "").split()
            self.assertIn("d-block", classes, missing)
            self.assertNotIn("d-inline", classes, missing)

    def test_automatic_items_cannot_be_ticked(self):
        lead = self._lead()
        with self.assertRaisesRegex(UserError, "completed automatically"):
            self._lines(lead)["Expected revenue set"].action_check()

    def test_lines_cannot_be_edited_otherwise(self):
        lead = self._lead()
        line = self._lines(lead)["Budget confirmed"].with_user(self.user_salesman)
        with self.assertRaises(AccessError):
            line.write({"mandatory": False})
        with self.assertRaises(AccessError):
            line.unlink()

    def test_tick_needs_write_access_on_record(self):
        other = self.env["res.users"].create(
            {
                "name": "Other salesman",
                "login": "guide_other_salesman",
                "groups_id": [(6, 0, self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        lead = self._lead(user_id=other.id)
        with self.assertRaises(AccessError):
            self._lines(lead)["Budget confirmed"].with_user(self.user_salesman).action_check()
        self._lines(lead)["Budget confirmed"].with_user(other).action_check()

    def test_records_in_flight_keep_their_rules(self):
        lead = self._lead()
        self.step_qualif.item_ids.filtered(lambda i: i.name == "Budget confirmed").name = "Budget signed off"
        self.env["guide.item"].create({"step_id": self.step_qualif.id, "name": "NDA signed"})
        lead.invalidate_recordset()
        self.assertIn("Budget confirmed", self._lines(lead))
        self.assertNotIn("NDA signed", self._lines(lead))
        # a record entering the step now gets the new configuration
        fresh = self._lead()
        self.assertIn("Budget signed off", self._lines(fresh))
        self.assertIn("NDA signed", self._lines(fresh))
        # the administrator applies the new configuration to records in flight
        self.process.action_apply_to_open_records()
        lead.invalidate_recordset()
        self.assertIn("Budget signed off", self._lines(lead))
        self.assertIn("NDA signed", self._lines(lead))

    def test_reentering_step_keeps_ticks(self):
        lead = self._lead(expected_revenue=1)
        self._tick(lead, "Budget confirmed", "Decision maker identified")
        lead.write({"stage_id": self.stage_proposal.id})
        lead.write({"stage_id": self.stage_qualif.id})
        self.assertTrue(self._lines(lead)["Budget confirmed"].checked)
        self.assertFalse(lead.guide_blocked)

    def test_blocked_filter(self):
        blocked = self._lead(name="blocked")
        free = self._lead(name="free", expected_revenue=3)
        self._tick(free, "Budget confirmed", "Decision maker identified")
        found = self.env["crm.lead"].search([("guide_blocked", "=", True), ("team_id", "=", self.team.id)])
        self.assertIn(blocked, found)
        self.assertNotIn(free, found)
        not_blocked = self.env["crm.lead"].search(
            [("guide_blocked", "=", False), ("team_id", "=", self.team.id)]
        )
        self.assertIn(free, not_blocked)
        self.assertNotIn(blocked, not_blocked)
