from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.version_common import VersionEngineMixin

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestLeadProcessVersion(VersionEngineMixin, GuideCommon):
    def version_fixture(self):
        lead = self._lead(stage_id=self.stage_nego.id)
        return self.user_manager, self.user_salesman, lead, self.stage_won, self.step_won

    def test_one_version_per_transaction(self):
        self.check_one_version_per_transaction()

    def test_new_process_has_v1(self):
        self.check_new_process_has_v1()

    def test_history_names_version(self):
        self.check_history_names_version()

    def test_scope_change_is_a_version(self):
        """The bridge's scope (the sales teams) is part of the design."""
        self.env.cr.flush()
        self.process.with_user(self.user_manager).write({"crm_team_ids": [(4, self.other_team.id)]})
        self.env.cr.flush()
        v2 = self.process.version_ids[0]
        self.assertEqual(v2.version, 2)
        self.assertIn("+ Scope, Sales Teams: Guided Team, Unguided Team", v2.changes)
        # other bridges' scope keys (unset on a lead process) are no part of it
        self.assertNotIn("helpdesk", v2.summary)
        self.process.with_user(self.user_manager).write({"lead_type": "opportunity"})
        self.env.cr.flush()
        v3 = self.process.version_ids[0]
        self.assertIn("+ Scope, Lead Type: Opportunities", v3.changes)

    def test_another_company_s_hint_is_no_part_of_the_design(self):
        """A hint of another company applies to its records only: it is no part of the
        design of this company's processes, nor of a shared one (whose versions every
        company reads); creating it makes no version of them. It is of its own company's
        processes."""
        self.env.cr.flush()
        company_b = self.env["res.company"].create({"name": "Version Company B"})
        shared = self.env["guide.process"].create({"name": "Shared", "model_name": "crm.lead"})
        own_b = self.env["guide.process"].create(
            {"name": "B only", "model_name": "crm.lead", "company_id": company_b.id}
        )
        self.env.cr.flush()
        counts = {process: len(process.version_ids) for process in (self.process, shared, own_b)}
        self.env["guide.hint"].create(
            {"name": "Secret discount of B", "model_name": "crm.lead", "company_id": company_b.id}
        )
        self.env.cr.flush()
        for process in (self.process, shared):
            process.invalidate_recordset()
            self.assertEqual(len(process.version_ids), counts[process], process.name)
            self.assertNotIn("Secret discount of B", process.version_ids[0].summary)
        own_b.invalidate_recordset()
        self.assertEqual(len(own_b.version_ids), counts[own_b] + 1)
        self.assertIn("Secret discount of B", own_b.version_ids[0].summary)

    def test_version_texts_in_the_reader_language(self):
        """The screens word a version from its snapshot in the reader's language; the
        lines kept in source terms (what versions are compared by) do not change."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env.cr.flush()
        self.process.with_user(self.user_manager).write({"lead_type": "opportunity"})
        self.env.cr.flush()
        v2, v1 = self.process.version_ids[:2]
        self.assertEqual((v2.version, v1.version), (2, 1))
        self.assertEqual(v2.summary_text, v2.summary, "in English, the lines as written")
        self.assertEqual(v2.changes_text, v2.changes)
        self.assertFalse(v1.changes_text)
        russian = v2.with_user(self.user_manager).with_context(lang="ru_RU")
        self.assertIn("Область, ", russian.summary_text)
        self.assertNotIn("Scope, ", russian.summary_text)
        self.assertIn("+ Область, ", russian.changes_text)
        self.assertEqual(len(russian.summary_text.splitlines()), len(v2.summary.splitlines()))
        self.assertIn("+ Scope, Lead Type: Opportunities", v2.changes, "stored in source terms")

    def test_conditions_in_words(self):
        """A version's design words its conditions for the people who read it: field labels,
        the names of the records named, "is set", the named values and the logic."""
        tag = self.env["crm.tag"].create({"name": "Key account"})
        self.env.cr.flush()
        self.env["guide.step.branch"].with_user(self.user_manager).create(
            {
                "step_id": self.step_qualif.id,
                "to_step_id": self.step_proposal.id,
                "domain": repr(
                    [
                        ("expected_revenue", ">=", 50000),
                        "|",
                        ("partner_id.vat", "=", False),
                        ("tag_ids", "in", [tag.id]),
                        ("user_id", "=", "uid"),
                        ("date_deadline", "<", "today(-7)"),
                    ]
                )
                .replace("'uid'", "uid")
                .replace("'today(-7)'", "today(days=-7)"),
            }
        )
        self.env.cr.flush()
        version = self.process.version_ids[0]
        expected = (
            "Branch to G-Proposal when Expected Revenue ≥ 50,000 and (Customer › Tax ID is not set "
            "or Tags is one of (“Key account”)) and Salesperson = the current user "
            "and Expected Closing < today − 7 days"
        )
        self.assertIn(expected, version.summary_text)
        self.assertIn("+   " + expected, version.changes_text)
        self.assertNotIn("expected_revenue", version.summary_text)
        self.env["res.lang"]._activate_lang("ru_RU")
        russian = version.with_context(lang="ru_RU").summary_text
        for words in (" и (", " не задано или ", "текущий пользователь", "сегодня − 7 дн."):
            self.assertIn(words, russian)

    def test_names_in_the_reader_language(self):
        """A version's parts read in the reader's language while they keep the name the
        version was made with; a part renamed since keeps the name it had."""
        self.env["res.lang"]._activate_lang("ru_RU")
        budget = self.step_qualif.item_ids.filtered(lambda item: item.name == "Budget confirmed")
        budget.update_field_translations("name", {"ru_RU": "Бюджет подтвержден"})
        self.stage_qualif.update_field_translations("name", {"ru_RU": "Г-Квалификация"})
        self.env.cr.flush()
        self.process.with_user(self.user_manager).write({"lead_type": "opportunity"})
        self.env.cr.flush()
        version = self.process.version_ids[0]
        russian = version.with_context(lang="ru_RU").summary_text
        self.assertIn("Бюджет подтвержден", russian)
        self.assertIn("Г-Квалификация", russian)
        self.assertNotIn("Budget confirmed", russian)
        self.assertIn("Budget confirmed", version.summary_text, "in English, as written")
        decision = self.step_qualif.item_ids.filtered(lambda item: item.name == "Decision maker identified")
        decision.with_context(lang="en_US").name = "Decision maker met"
        version.invalidate_recordset()
        self.assertIn("Decision maker identified", version.with_context(lang="ru_RU").summary_text)

    def test_item_task_and_hint_conditions_in_words(self):
        """A version words the conditions of its items (applies when, done when), of its
        optional tasks (gates once added, suggested when) and of its hints: a changed
        condition is a change between versions."""
        self.env.cr.flush()
        manager = self.user_manager
        item = (
            self.env["guide.item"]
            .with_user(manager)
            .create(
                {
                    "name": "Email known",
                    "step_id": self.step_qualif.id,
                    "completion": "auto",
                    "apply_domain": "[('expected_revenue', '>', 100)]",
                    "auto_domain": "[('email_from', '!=', False)]",
                }
            )
        )
        self.env["guide.task"].with_user(manager).create(
            {
                "name": "Security questionnaire",
                "step_id": self.step_qualif.id,
                "mandatory": True,
                "suggest_domain": "[('expected_revenue', '>=', 50000)]",
            }
        )
        self.env["guide.hint"].with_user(manager).create(
            {
                "name": "Call before noon",
                "model_name": "crm.lead",
                "process_id": self.process.id,
                "domain": "[('phone', '!=', False)]",
            }
        )
        self.env.cr.flush()
        summary = self.process.version_ids[0].summary
        self.assertIn(
            "Item Email known (Automatic, mandatory), applies when Expected Revenue > 100, "
            "done when Email is set",
            summary,
        )
        self.assertIn(
            "Task Security questionnaire (Checklist item), gates the step once added, "
            "suggested when Expected Revenue ≥ 50,000",
            summary,
        )
        self.assertIn("Hint Call before noon (every step), shown when Phone is set", summary)
        item.with_user(manager).auto_domain = "[('phone', '!=', False)]"
        self.env.cr.flush()
        changes = self.process.version_ids[0].changes
        self.assertIn(
            "+   Item Email known (Automatic, mandatory), applies when Expected Revenue > 100, "
            "done when Phone is set",
            changes,
        )

    def test_shared_hint_named_in_the_reader_language(self):
        """A hint shared by every process of the model is named in the reader's language,
        as the process's own parts are."""
        self.env["res.lang"]._activate_lang("ru_RU")
        hint = self.env["guide.hint"].create({"name": "Smile on the phone", "model_name": "crm.lead"})
        hint.update_field_translations("name", {"ru_RU": "Улыбайтесь по телефону"})
        self.env.cr.flush()
        version = self.process.version_ids[0]
        self.assertIn("Smile on the phone", version.summary)
        self.assertIn("Улыбайтесь по телефону", version.with_context(lang="ru_RU").summary_text)
