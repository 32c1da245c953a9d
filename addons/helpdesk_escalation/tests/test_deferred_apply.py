from odoo.tests import tagged

from odoo.addons.base_escalation.tests.deferred_common import DeferredEscalationCases

from .common import HelpdeskEscalationCommon


@tagged("post_install", "-at_install")
class TestDeferredTicketEscalation(DeferredEscalationCases, HelpdeskEscalationCommon):
    """Rule and level saves on many tickets are left to the scheduler (issue 12)."""

    def _records(self, count, **vals):
        return self.env["helpdesk.ticket"].browse([self._ticket(**vals).id for _i in range(count)])
