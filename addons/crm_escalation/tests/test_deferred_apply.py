from odoo.tests import tagged

from odoo.addons.base_escalation.tests.deferred_common import DeferredEscalationCases

from .common import EscalationCommon


@tagged("post_install", "-at_install")
class TestDeferredEscalation(DeferredEscalationCases, EscalationCommon):
    def _records(self, count, **vals):
        return self.env["crm.lead"].browse([self._lead(**vals).id for _i in range(count)])
