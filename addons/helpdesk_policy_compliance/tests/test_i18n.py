from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.base_process_guide.exceptions import GuideDecisionRequired
from odoo.addons.helpdesk_process_guide.tests.common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestTicketPolicyTranslatedTexts(HelpdeskGuideCommon):
    """An agent reads the policies that refuse closing a ticket in their language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["compliance.policy"].search([]).write({"active": False})
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["base_process_guide"], ["zh_CN"], overwrite=True)
        cls.user_agent.lang = "zh_CN"
        cls.policy = cls.env["compliance.policy"].create(
            {
                "name": "Resolution note",
                "model_name": "helpdesk.ticket",
                "helpdesk_team_ids": [(6, 0, cls.team.ids)],
                "trigger": "stage",
                "step_ids": [(6, 0, cls.step_resolved.ids)],
                "requirement": "[('compliance_has_note', '=', True)]",
                "message": "Write how it was solved.",
                "enforcement": "block",
            }
        )
        cls.policy.update_field_translations("name", {"zh_CN": "解决备注"})
        cls.policy.update_field_translations("message", {"zh_CN": "请写明如何解决。"})

    def test_block_in_the_user_language(self):
        ticket = (
            self._ticket(stage_id=self.stage_waiting.id).with_user(self.user_agent).with_context(lang="zh_CN")
        )
        with self.assertRaises(UserError) as caught:
            ticket.stage_id = self.stage_resolved
        message = str(caught.exception.args[0])
        # the language's separators (full-width in Chinese), as every other line
        self.assertIn("解决备注：请写明如何解决。", message)
        self.assertNotIn("Resolution note", message)

    def test_override_wizard_in_the_user_language(self):
        self.policy.enforcement = "override"
        ticket = (
            self._ticket(stage_id=self.stage_waiting.id).with_user(self.user_agent).with_context(lang="zh_CN")
        )
        with self.assertRaises(GuideDecisionRequired) as caught:
            ticket.stage_id = self.stage_resolved
        problems = caught.exception.action["context"]["default_problems"]
        self.assertEqual(problems, f"{ticket.display_name}：解决备注：请写明如何解决。")
