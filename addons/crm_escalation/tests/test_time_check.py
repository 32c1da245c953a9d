from odoo.tests import tagged

from odoo.addons.base_escalation.tests.time_check_common import TimeCheckEscalationCases

from .common import EscalationCommon


@tagged("post_install", "-at_install")
class TestTimeCheckEscalationLead(TimeCheckEscalationCases, EscalationCommon):
    @classmethod
    def _time_record(cls):
        return cls._lead()
