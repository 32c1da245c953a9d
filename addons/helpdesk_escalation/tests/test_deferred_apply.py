from odoo.tests import tagged

from odoo.addons.crm_escalation.tests.test_deferred_apply import DeferredEscalationCases

from .common import HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestDeferredTicketEscalation(DeferredEscalationCases, HelpdeskEscalationCommon):
    """Rule and level saves on many tickets are left to the scheduler (issue 12)."""

    def _records(self, count, **vals):
        return self.env["helpdesk.ticket"].browse([self._ticket(**vals).id for _i in range(count)])
