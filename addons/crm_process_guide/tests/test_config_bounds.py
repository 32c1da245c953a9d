from odoo.tests import tagged

from odoo.addons.base_process_guide.tests.bounds_common import ConfigBoundsCases
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestConfigBoundsLead(RpcCase, ConfigBoundsCases, GuideCommon):
    """The bounds of the sales processes' configuration, as a process administrator."""

    @classmethod
    def _bounds_agent(cls):
        return cls.user_salesman

    @classmethod
    def _bounds_record(cls):
        return cls._lead(name="Bounded lead")

    @classmethod
    def _bounds_step(cls):
        return cls.step_qualif
