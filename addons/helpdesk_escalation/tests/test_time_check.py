from odoo.tests import tagged

from odoo.addons.base_escalation.tests.time_check_common import TimeCheckEscalationCases

from .common import HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestTimeCheckEscalationTicket(TimeCheckEscalationCases, HelpdeskEscalationCommon):
    @classmethod
    def _time_record(cls):
        return cls._ticket()
