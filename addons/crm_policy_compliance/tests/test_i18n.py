import importlib.util
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import file_path

from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired

from .common import ComplianceCommon
from .test_approval import _large_proposals_policy


@tagged("post_install", "-at_install")
class TestPolicyTranslatedTexts(ComplianceCommon):
    """A salesperson reads the policies that refuse a change in their language (the
    engine's configuration cache keeps the source texts)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("ru_RU")
        cls.user_salesman.lang = "ru_RU"

    def _translated_policy(self, **vals):
        policy = self._policy(**vals)
        # translated after the engine cached its configuration
        self.env["compliance.policy"]._get_policy_config("crm.lead")
        policy.update_field_translations("name", {"ru_RU": "ИНН до выигрыша"})
        policy.update_field_translations("message", {"ru_RU": "Укажите ИНН."})
        return policy

    def test_translation_reaches_the_engine_configuration(self):
        policy = self._translated_policy()
        texts = {
            p["id"]: p["texts"]
            for p in self.env["compliance.policy"]._get_policy_config("crm.lead")["policies"]
        }
        self.assertEqual(texts[policy.id]["ru_RU"], ("ИНН до выигрыша", "Укажите ИНН."))

    def test_block_in_the_user_language(self):
        self._translated_policy()
        lead = self._lead().with_user(self.user_salesman).with_context(lang="ru_RU")
        with self.assertRefused(UserError, "ИНН до выигрыша: Укажите ИНН.") as caught:
            lead.action_set_won()
        self.assertNotIn("VAT before win", str(caught.exception.args[0]))

    def test_override_wizard_in_the_user_language(self):
        self._translated_policy(enforcement="override")
        lead = self._lead().with_user(self.user_salesman).with_context(lang="ru_RU")
        with self.assertRaises(GuideDecisionRequired) as caught:
            lead.action_set_won()
        self.assertIn("ИНН до выигрыша: Укажите ИНН.", str(caught.exception.args[0]))
        problems = caught.exception.action["context"]["default_problems"]
        self.assertEqual(problems, f"{lead.display_name}: ИНН до выигрыша: Укажите ИНН.")

    def test_override_title_in_the_readers_language(self):
        """The deviation of a policy overridden by a Russian salesperson reads in each
        reader's language (its title was frozen in the salesperson's)."""
        self.env["res.lang"]._activate_lang("zh_CN")
        policy = self._translated_policy(enforcement="override")
        policy.update_field_translations("name", {"zh_CN": "赢单前填写税号"})
        lead = self._lead()
        lead.with_user(self.user_salesman).with_context(
            lang="ru_RU", guide_override_reason="Клиент ждёт"
        ).action_set_won()
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual(deviation.kind, "policy")
        for lang, title in (
            ("en_US", f"Policy {policy.with_context(lang='en_US').name}"),
            ("ru_RU", "Политика ИНН до выигрыша"),
            ("zh_CN", "政策 赢单前填写税号"),
        ):
            self.assertEqual(deviation.with_context(lang=lang).rule_name, title, lang)

    def test_override_title_read_in_a_language_installed_later(self):
        """A policy's deviation written before a language was installed reads in it once it
        is (Odoo loads its terms), as one written after does."""
        self.assertNotIn("zh_CN", dict(self.env["res.lang"].get_installed()))
        policy = self._translated_policy(enforcement="override")
        lead = self._lead()
        lead.with_context(guide_override_reason="Customer waits").action_set_won()
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual(deviation.kind, "policy")
        self.env["res.lang"]._activate_lang("zh_CN")
        policy.update_field_translations("name", {"zh_CN": "赢单前填写税号"})
        self.env["ir.module.module"].browse()._update_translations(["zh_CN"])
        self.assertEqual(deviation.with_context(lang="zh_CN").rule_name, "政策 赢单前填写税号")
        self.assertEqual(deviation.with_context(lang="ru_RU").rule_name, "Политика ИНН до выигрыша")

    def test_upgrade_titles_a_russian_agents_override_in_every_language(self):
        """Upgraded to 18.0.2.6.0, the title a Russian agent's override was given before
        (Russian words, the policy's English name: the configuration cache's) reads in each
        reader's language, as one written since does; a policy renamed since keeps it."""
        policy = self._translated_policy(enforcement="override")
        english = policy.with_context(lang="en_US").name
        deviations = self.env["guide.deviation"]
        for title in (f"Политика {english}", "Политика Old name"):
            lead = self._lead()
            lead.with_context(guide_override_reason="Customer waits").action_set_won()
            deviation = deviations.search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])
            self.env.cr.execute(
                "UPDATE guide_deviation SET rule_name = jsonb_build_object('en_US', %s) WHERE id = %s",
                [title, deviation.id],
            )
            deviations |= deviation
        self.env.invalidate_all()
        path = file_path("base_policy_compliance/migrations/18.0.2.6.0/post-migrate.py")
        spec = importlib.util.spec_from_file_location("post_migrate", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.2.5.0")
        self.env.invalidate_all()
        self.assertEqual(deviations[0].with_context(lang="en_US").rule_name, f"Policy {english}")
        self.assertEqual(deviations[0].with_context(lang="ru_RU").rule_name, "Политика ИНН до выигрыша")
        self.assertEqual(deviations[1].with_context(lang="en_US").rule_name, "Политика Old name")

    def test_warning_note_in_the_user_language(self):
        self._translated_policy(enforcement="warn")
        lead = self._lead()
        lead.with_user(self.user_salesman).with_context(lang="ru_RU").with_context(
            tracking_disable=False
        ).action_set_won()
        self.assertTrue(lead.stage_id.is_won)
        self.assertTrue(any("ИНН до выигрыша" in body for body in lead.message_ids.mapped("body")))

    def test_audit_enforcement_labels_translated(self):
        """The audit rows' enforcement reads as the policy's, in the user's language."""
        self.env["ir.module.module"]._load_module_terms(["base_policy_compliance"], ["ru_RU"], overwrite=True)
        russian = self.env(context=dict(self.env.context, lang="ru_RU"))
        log_labels = dict(russian["compliance.log"].fields_get(["enforcement"])["enforcement"]["selection"])
        policy_labels = dict(
            russian["compliance.policy"].fields_get(["enforcement"])["enforcement"]["selection"]
        )
        self.assertEqual(log_labels, policy_labels)
        self.assertNotEqual(log_labels["approval"], "Approval Required")

    def test_request_owner_named_as_of_the_request(self):
        """A request names the record's owner when it was made, who may no longer own it:
        its label says so, in every language."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["base_policy_compliance"], ["ru_RU", "zh_CN"], overwrite=True
        )
        labels = {
            lang: self.env["compliance.approval.request"]
            .with_context(lang=lang)
            .fields_get(["owner_id"])["owner_id"]["string"]
            for lang in ("en_US", "ru_RU", "zh_CN")
        }
        self.assertEqual(
            labels,
            {
                "en_US": "Owner When Requested",
                "ru_RU": "Ответственный на момент запроса",
                "zh_CN": "申请时负责人",
            },
        )


@tagged("post_install", "-at_install")
class TestReminderLanguage(ComplianceCommon):
    """The scheduler has no language (English): a reminder reads in its approvers'."""

    def test_reminder_in_the_approvers_language(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        _large_proposals_policy(self)
        self.user_leader.lang = "ru_RU"
        start = datetime(2031, 5, 5, 9, 0)
        with freeze_time(start):
            lead = self._lead(expected_revenue=80000).with_user(self.user_salesman)
            request = lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Strategic")
        self.assertEqual(request.current_line_id.approver_ids, self.user_leader)
        with freeze_time(start + timedelta(hours=5)):
            self.env["compliance.approval.request"].with_context(lang=None)._cron_remind()
        bodies = request.message_ids.mapped("body")
        self.assertTrue(any("Напоминание 1/2" in body for body in bodies), bodies)
        self.assertFalse(any("Reminder 1/2" in body for body in bodies))
        # the change it names too (the request keeps its requester's words)
        move = f"Перевести «{lead.display_name}» на этап «{self.stage_proposal.name}»"
        self.assertTrue(any(move in body for body in bodies), bodies)
        self.assertEqual(request.change, f"Move {lead.display_name} to {self.stage_proposal.name}")

    def test_todo_in_the_approvers_language(self):
        """Each approver's to-do names the change in their own language, with the values the
        requester saw (the request keeps its requester's words as its evidence)."""
        self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"]._load_module_terms(["base_policy_compliance"], ["ru_RU"], overwrite=True)
        _large_proposals_policy(self)
        self.user_salesman.lang = "ru_RU"
        self.user_leader.lang = "en_US"
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman).with_context(lang="ru_RU")
        request = lead._compliance_request_approval(
            {"stage_id": self.stage_proposal.id, "expected_revenue": 90000.0}, "Strategic"
        )
        self.assertTrue(request.change.startswith(f"Перевести «{lead.display_name}»"), request.change)
        summary = request.sudo().activity_ids.filtered(lambda a: a.user_id == self.user_leader).summary
        self.assertEqual(
            summary,
            f"Approve: Move {lead.display_name} to {self.stage_proposal.name} (Expected Revenue: 90,000)",
        )

    def test_change_not_applied_read_in_the_readers_language(self):
        """The lead went to another salesperson before the English director's approval: why
        the change of the Russian salesperson was not applied reads in each reader's language
        (Russian to her, English to the director, Chinese to a Chinese reader), and the
        notices the requester is sent on the request are in her Russian."""
        for lang in ("ru_RU", "zh_CN"):
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(
            ["base_policy_compliance"], ["ru_RU", "zh_CN"], overwrite=True
        )
        _large_proposals_policy(self)
        self.user_salesman.lang = "ru_RU"
        self.user_leader.lang = self.user_director.lang = "en_US"
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman).with_context(lang="ru_RU")
        request = lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Strategic")
        request.with_user(self.user_leader).with_context(lang="en_US").action_approve()
        lead.sudo().user_id = self.user_salesman2
        request.with_user(self.user_director).with_context(lang="en_US").action_approve()
        self.assertFalse(request.applied)
        name = self.user_salesman.name
        for lang, words in (
            ("ru_RU", f"{name} больше не может изменять"),
            ("en_US", f"{name} may no longer change"),
            ("zh_CN", name),
        ):
            error = request.with_context(lang=lang).apply_error
            self.assertIn(words, error, lang)
        self.assertNotIn("may no longer", request.with_context(lang="zh_CN").apply_error)
        told = (
            request.sudo()
            .message_ids.filtered(lambda m: self.user_salesman.partner_id in m.partner_ids)
            .mapped("body")
        )
        self.assertTrue(any("Согласованное изменение не удалось применить" in body for body in told), told)
        self.assertTrue(any("согласовано пользователем" in body for body in told), told)
        self.assertFalse(any("could not be applied" in body or "approved by" in body for body in told), told)

    def test_request_read_in_the_readers_language(self):
        """A request made in Russian reads in English to an English approver and in Chinese to a
        Chinese one (its name, the change, the policy's name and message), and in the requester's
        Russian words to the requester."""
        for lang in ("ru_RU", "zh_CN"):
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(
            ["base_policy_compliance"], ["ru_RU", "zh_CN"], overwrite=True
        )
        policy = _large_proposals_policy(self)
        policy.update_field_translations("name", {"ru_RU": "Крупные предложения", "zh_CN": "大额报价"})
        policy.update_field_translations("message", {"zh_CN": "超过 50,000 的报价需要审批。"})
        self.user_salesman.lang = "ru_RU"
        lead = self._lead(expected_revenue=80000).with_user(self.user_salesman).with_context(lang="ru_RU")
        request = lead._compliance_request_approval({"stage_id": self.stage_proposal.id}, "Strategic")
        stage = self.stage_proposal.name
        in_english = request.with_user(self.user_leader).with_context(lang="en_US")
        self.assertEqual(in_english.change, f"Move {lead.display_name} to {stage}")
        self.assertEqual(in_english.policy_name, "Large proposals")
        self.assertEqual(in_english.name, f"Large proposals: {lead.display_name}")
        self.assertEqual(in_english.message, "Proposals above 50,000 need approval.")
        in_chinese = request.with_context(lang="zh_CN")
        self.assertEqual(in_chinese.policy_name, "大额报价")
        self.assertEqual(in_chinese.message, "超过 50,000 的报价需要审批。")
        self.assertNotEqual(in_chinese.change, in_english.change)
        self.assertIn(lead.display_name, in_chinese.change)
        in_russian = request.with_context(lang="ru_RU")
        # the names quoted, apart from the sentence around them
        self.assertTrue(
            in_russian.change.startswith(f"Перевести «{lead.display_name}» на этап «"), in_russian.change
        )
        self.assertTrue(in_chinese.change.startswith(f"将“{lead.display_name}”移至“"), in_chinese.change)
        self.assertEqual(in_russian.policy_name, "Крупные предложения")
