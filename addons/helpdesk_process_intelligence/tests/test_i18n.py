from odoo.tests import tagged

from odoo.addons.base_process_intelligence.tests.i18n_common import IntelligenceTranslatedCases

from .common import TicketHandCase


@tagged("post_install", "-at_install")
class TestTicketIntelligenceTranslated(IntelligenceTranslatedCases, TicketHandCase):
    """An agent working in Russian or Chinese reads the process intelligence of
    tickets in their language."""

    bridge_module = "helpdesk_process_intelligence"
    action_suffix = "helpdesk"
    team_field = "helpdesk_team_id"
    outcome_texts = {"ru_RU": ("Решено", "Отменено"), "zh_CN": ("已解决", "已取消")}
    team_text_ru = "Команда службы поддержки"
    effectiveness_title_ru = "Эффективность шагов по заявкам"
    demo_item_xmlid = "helpdesk_process_intelligence.guide_item_satisfaction_demo"
    demo_item_names = {
        "en_US": "Customer satisfaction asked",
        "ru_RU": "Удовлетворённость клиента запрошена",
        "zh_CN": "已征询客户满意度",
    }
