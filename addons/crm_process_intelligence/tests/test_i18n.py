from odoo.tests import tagged

from odoo.addons.base_process_intelligence.tests.i18n_common import IntelligenceTranslatedCases

from .common import LeadHandCase


@tagged("post_install", "-at_install")
class TestLeadIntelligenceTranslated(IntelligenceTranslatedCases, LeadHandCase):
    """A salesperson working in Russian or Chinese reads the process intelligence of
    leads in their language."""

    bridge_module = "crm_process_intelligence"
    action_suffix = "crm"
    team_field = "crm_team_id"
    outcome_texts = {"ru_RU": ("Выиграно", "Проиграно"), "zh_CN": ("赢单", "丢单")}
    team_text_ru = "Команда продаж"
    effectiveness_title_ru = "Эффективность шагов по лидам"
    demo_item_xmlid = "crm_process_intelligence.guide_item_handover_demo"
    demo_item_names = {
        "en_US": "Handover to delivery planned",
        "ru_RU": "Передача в исполнение запланирована",
        "zh_CN": "已安排交付交接",
    }
