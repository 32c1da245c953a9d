"""Conditions that become true with time alone (issue 15) on a model no business app
knows, with nothing but ``base_process_guide``."""

from odoo.tests import tagged

from .test_generic_model import TestGenericModel
from .time_check_common import TimeCheckCases


@tagged("post_install", "-at_install")
class TestGenericTimeCheck(TimeCheckCases, TestGenericModel):
    @classmethod
    def _time_agent(cls):
        return cls.user

    @classmethod
    def _time_step(cls):
        return cls.step_new

    def _time_record(self, **vals):
        return (
            self.env["guide.test.record"]
            .with_user(self.user)
            .create({"name": "Doc", "stage_id": self.stage_new.id, **vals})
        )
