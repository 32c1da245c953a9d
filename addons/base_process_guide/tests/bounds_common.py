"""Bounds of the process configuration, as its administrator, through the ORM and over
XML-RPC and JSON-RPC. A bridge's test class mixes ``RpcCase`` and its fixture class in
before ``ConfigBoundsCases`` and sets the hooks below; ``BoundsAsserts`` serves the
escalation and policy cases too."""

import re

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user

from .rpc_common import RpcError

PROTOCOLS = ("xmlrpc", "jsonrpc")
NON_FINITE = ("NaN", "inf", "-inf", float("nan"), float("-inf"))
# a refusal is read by a person
SHORT = 1000


class BoundsAsserts:
    def _refusal(self, user, protocol, model, method, args, kwargs=None):
        """The message of a call ``user`` makes that must be refused: a ValidationError,
        short, with no ERROR logged."""
        call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
        with self.assertNoLogs("odoo", "ERROR"), self.assertRaises(RpcError) as caught:
            call(user, model, method, args, kwargs)
        message = caught.exception.message
        if protocol == "jsonrpc":
            self.assertEqual(caught.exception.name, "odoo.exceptions.ValidationError")
        self.assertNotIn("Traceback", message)
        self.assertLess(len(message), SHORT)
        return message

    def _assert_non_finite_refused(self, user, record, fname, create_vals=None):
        """NaN and the infinities written on ``fname`` of ``record`` as ``user`` (and sent
        on a creation of ``create_vals``, in the values and as a ``default_`` key) are
        refused naming the record and the field; the value stays."""
        label = record._fields[fname].string
        pattern = re.escape(label)
        before = record[fname]
        for value in NON_FINITE:
            with self.subTest(model=record._name, field=fname, value=value):
                with self.assertRaises(ValidationError) as caught:
                    record.with_user(user).write({fname: value})
                self.assertIn(label, str(caught.exception))
                self.assertIn(record.display_name, str(caught.exception))
                if create_vals is not None:
                    Model = self.env[record._name].with_user(user)
                    with self.assertRaisesRegex(ValidationError, pattern):
                        Model.create({**create_vals, fname: value})
                    with self.assertRaisesRegex(ValidationError, pattern):
                        Model.with_context(**{f"default_{fname}": value}).create(create_vals)
        record.invalidate_recordset()
        self.assertEqual(record[fname], before)
        for protocol in PROTOCOLS:
            self.assertIn(
                label, self._refusal(user, protocol, record._name, "write", [record.ids, {fname: "NaN"}])
            )


class ConfigBoundsCases(BoundsAsserts):
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    @classmethod
    def _bounds_agent(cls):
        """An agent working the guided record."""
        raise NotImplementedError

    @classmethod
    def _bounds_record(cls):
        """A guided record, in ``_bounds_step``."""
        raise NotImplementedError

    @classmethod
    def _bounds_step(cls):
        """A step with an expected duration, of a process with another step."""
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        step = cls._bounds_step()
        cls.bounds_manager = new_test_user(
            cls.env,
            login=f"bounds_{step.process_id.model_name}",
            groups="base.group_user,base_process_guide.group_guide_manager",
        )
        cls.bounds_task = cls.env["guide.task"].create({"step_id": step.id, "name": "Bounds call"})

    def test_non_finite_numbers_refused(self):
        """NaN and the infinities pass every comparison with a bound: a step's expected
        duration and a task's deadline of "NaN", "inf" or "-inf" are refused as written,
        created or sent as a default, naming the record and the field; a whole number no
        column holds too; the agents still read and search the records' step deadlines."""
        step = self._bounds_step()
        manager = self.bounds_manager
        self._assert_non_finite_refused(
            manager,
            step,
            "expected_duration",
            {"process_id": step.process_id.id, "kind": "alternate", "name": "Bounds alternate"},
        )
        task = self.bounds_task
        self._assert_non_finite_refused(
            manager, task, "deadline_days", {"step_id": step.id, "name": "Bounds new"}
        )
        fault = self._refusal(manager, "jsonrpc", "guide.task", "write", [task.ids, {"deadline_days": 2**40}])
        self.assertIn("Deadline (days)", fault)
        record = self._bounds_record().with_user(self._bounds_agent())
        record.invalidate_recordset()
        self.assertTrue(record.guide_deadline)
        self.assertEqual(record.search([("id", "=", record.id), ("guide_overdue", "=", False)]), record)
