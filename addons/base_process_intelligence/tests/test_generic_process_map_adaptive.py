"""The process intelligence of alternate steps and branches on the engine's test-only
model, with nothing but the engines installed."""

from odoo.tests import tagged

from .pi_adaptive_common import AdaptiveCaseMixin
from .test_generic_process_map import GenericHandCase


@tagged("post_install", "-at_install")
class TestGenericProcessMapAdaptive(AdaptiveCaseMixin, GenericHandCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.agent
        cls.setup_adaptive_case()

    @classmethod
    def create_adaptive_record(cls, key, name):
        return cls.env["guide.test.record"].create({"name": name, "user_id": cls.agent.id})

    def test_adaptive_case(self):
        data = self.pi_map(user=self.agent)
        self.check_adaptive_nodes(data)
        self.check_adaptive_edges(data)
        self.check_adaptive_variants(data)
        self.check_detour_records()
        self.check_milestones(data)

    def test_branch_target_is_designed(self):
        self.check_branch_is_designed()
