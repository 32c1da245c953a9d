import json
from datetime import datetime

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestHistory(GuideCommon):
    def test_bulk_write_history(self):
        # created beyond the first step's gate: an administrator's import
        leads = (
            self.env["crm.lead"]
            .with_context(guide_import_in_step=True)
            .create(
                [
                    {
                        "name": f"Bulk {i}",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "stage_id": self.stage_proposal.id,
                    }
                    for i in range(30)
                ]
            )
        )
        leads = leads.with_env(self.env)
        leads.write({"stage_id": self.stage_qualif.id})
        history = self.env["guide.history"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids), ("direction", "=", "backward")]
        )
        self.assertEqual(len(history), 30)
        self.assertEqual(set(history.mapped("res_id")), set(leads.ids))
        self.assertEqual(set(history.mapped("from_stage_name")), {"G-Proposal"})
        self.assertEqual(set(history.mapped("crm_team_id").ids), set(self.team.ids))
        self.assertEqual(set(history.mapped("checklist_total")), {1})

    def test_stage_names_in_the_readers_language(self):
        """A move by a Russian-speaking salesperson: its history row names the stages in
        English to an English reader and in Russian to a Russian one, as they were named at
        the time (a stage renamed later does not rename the history)."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.stage_qualif.update_field_translations("name", {"ru_RU": "Г-Квалификация"})
        self.stage_proposal.update_field_translations("name", {"ru_RU": "Г-Предложение"})
        self.user_salesman.lang = "ru_RU"
        lead = self._lead(stage_id=self.stage_proposal.id)
        lead.with_user(self.user_salesman).with_context(lang="ru_RU").write(
            {"stage_id": self.stage_qualif.id}
        )
        row = self.env["guide.history"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id), ("direction", "=", "backward")]
        )
        self.assertEqual(len(row), 1)
        english = row.with_context(lang="en_US")
        self.assertEqual((english.from_stage_name, english.to_stage_name), ("G-Proposal", "G-Qualification"))
        russian = row.with_context(lang="ru_RU")
        self.assertEqual(
            (russian.from_stage_name, russian.to_stage_name), ("Г-Предложение", "Г-Квалификация")
        )
        self.stage_proposal.name = "Renamed"
        row.invalidate_recordset()
        self.assertEqual(row.with_context(lang="en_US").from_stage_name, "G-Proposal")

    def test_deviation_names_its_stage_change_by_its_stages(self):
        """A deviation's *Stage Change* reads "From → To" (the deviation form names the
        record already); elsewhere a history row keeps the record's name."""
        lead = self._lead(stage_id=self.stage_proposal.id)
        lead.write({"stage_id": self.stage_qualif.id})
        row = self.env["guide.history"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id), ("direction", "=", "backward")]
        )
        self.assertEqual(row.display_name, lead.name)
        self.assertEqual(
            row.with_context(guide_history_stages=True).display_name, "G-Proposal → G-Qualification"
        )
        Deviation = self.env["guide.deviation"].with_user(self.user_manager)
        arch = etree.fromstring(Deviation.get_views([(False, "form")])["views"]["form"]["arch"])
        [field] = arch.xpath("//field[@name='history_id']")
        self.assertTrue(safe_eval(field.get("context"), {})["guide_history_stages"])

    def test_time_in_step_and_overdue(self):
        with freeze_time("2026-03-02 09:00:00"):
            lead = self._lead(stage_id=self.stage_proposal.id)
            self.assertEqual(lead.guide_deadline, datetime(2026, 3, 2, 14, 0))
        with freeze_time("2026-03-02 16:00:00"):
            lead.invalidate_recordset(["guide_overdue"])
            self.assertTrue(lead.guide_overdue)
            self.assertIn(lead, self.env["crm.lead"].search([("guide_overdue", "=", True)]))
            self.assertNotIn(lead, self.env["crm.lead"].search([("guide_overdue", "=", False)]))
            lead.write({"stage_id": self.stage_qualif.id})
        last = self.env["guide.history"].search([("res_id", "=", lead.id)], limit=1)
        self.assertAlmostEqual(last.duration_hours, 7.0, places=2)
        self.assertEqual(last.expected_hours, 5.0)
        self.assertTrue(last.overdue)
        with freeze_time("2026-03-02 17:00:00"):
            lead.invalidate_recordset(["guide_overdue"])
            self.assertFalse(lead.guide_overdue, "2 days expected in qualification")
            self.assertNotIn(lead, self.env["crm.lead"].search([("guide_overdue", "=", True)]))

    def test_history_is_read_only_for_agents(self):
        lead = self._lead(stage_id=self.stage_proposal.id)
        lead.write({"stage_id": self.stage_qualif.id})
        history = self.env["guide.history"].search([("res_id", "=", lead.id)], limit=1)
        for user in (self.user_salesman, self.user_manager):
            with self.assertRaises(AccessError):
                history.with_user(user).write({"gate_result": "passed"})
            with self.assertRaises(AccessError):
                history.with_user(user).unlink()
            with self.assertRaises(AccessError):
                self.env["guide.history"].with_user(user).create(
                    {"res_model": "crm.lead", "res_id": lead.id, "direction": "forward"}
                )
        deviation_model = self.env["guide.deviation"].with_user(self.user_manager)
        with self.assertRaises(AccessError):
            deviation_model.create(
                {"kind": "gate", "rule_name": "x", "res_model": "crm.lead", "res_id": lead.id, "reason": "x"}
            )

    def test_history_list_shows_completion_as_a_whole_percentage(self):
        """The stage history list shows the checklist completion as a whole percentage
        ("67", not "66.67" or "100.00"); reports keep their averages' decimals."""
        History = self.env["guide.history"].with_user(self.user_salesman)
        arch = etree.fromstring(History.get_views([(False, "list")])["views"]["list"]["arch"])
        [rate] = arch.xpath("//field[@name='checklist_rate']")
        self.assertEqual(json.loads(rate.get("digits")), [16, 0])

    def test_history_button_names_what_it_counts(self):
        """The form's button counts every row of the lead's history (an alternate step
        entered is one): it is named *History*, and the list it opens leaves out the
        columns naming the lead (its name, its process), its badges not cut."""
        lead = self._lead().with_user(self.user_salesman)
        arch = etree.fromstring(lead.get_views([(False, "form")])["views"]["form"]["arch"])
        [button] = arch.xpath("//button[@name='action_guide_open_history']")
        self.assertEqual(button.xpath(".//field/@string"), ["History"])
        action = lead.action_guide_open_history()
        self.assertEqual(action["name"], "History")
        History = self.env["guide.history"].with_user(self.user_salesman).with_context(**action["context"])
        arch = etree.fromstring(History.get_views([(False, "list")])["views"]["list"]["arch"])
        shown = [
            node.get("name")
            for node in arch.xpath("/list/field")
            if not safe_eval(node.get("column_invisible") or "False", {"context": action["context"]})
        ]
        self.assertNotIn("record_name", shown)
        self.assertNotIn("process_id", shown)
        self.assertIn("from_stage_name", shown)
        for fname in ("direction", "gate_result"):
            self.assertTrue(arch.xpath(f"/list/field[@name='{fname}']/@width"), fname)
