from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.bounds_common import ConfigBoundsCases
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import HelpdeskGuideCommon


@tagged("post_install", "-at_install")
class TestConfigBoundsTicket(RpcCase, ConfigBoundsCases, HelpdeskGuideCommon):
    """The bounds of the support processes' configuration, as a process administrator."""

    @classmethod
    def _bounds_agent(cls):
        return cls.user_own

    @classmethod
    def _bounds_record(cls):
        return cls._ticket(name="Bounded ticket")

    @classmethod
    def _bounds_step(cls):
        return cls.step_triage
