"""Bounds of the process configuration, as its administrator, through the ORM and over
XML-RPC and JSON-RPC. A bridge's test class mixes ``RpcCase`` and its fixture class in
before ``ConfigBoundsCases`` and sets the hooks below; ``BoundsAsserts`` serves the
escalation and policy cases too."""

import re

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user

from ..tools import MAX_NAME, MAX_TEXT, MAX_URL
from .rpc_common import RpcError

PROTOCOLS = ("xmlrpc", "jsonrpc")
NON_FINITE = ("NaN", "inf", "-inf", float("nan"), float("-inf"))
# what a client sends instead of a name: a megabyte
HUGE = "x" * 2**20
# a refusal is read by a person: far below the megabyte it is about
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

    def _assert_texts_bounded(self, user, cases):
        """Each ``(record, field)`` of ``cases`` refuses a megabyte over both protocols
        with a short refusal naming the kind of record and the field."""
        for protocol in PROTOCOLS:
            for record, fname in cases:
                with self.subTest(protocol=protocol, model=record._name, field=fname):
                    fault = self._refusal(user, protocol, record._name, "write", [record.ids, {fname: HUGE}])
                    self.assertIn("too long", fault)
                    self.assertIn(self.env["ir.model"]._get(record._name).name, fault)
                    self.assertIn(record._fields[fname].string, fault)


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
        cls.env["res.lang"]._activate_lang("fr_FR")
        step = cls._bounds_step()
        cls.bounds_manager = new_test_user(
            cls.env,
            login=f"bounds_{step.process_id.model_name}",
            groups="base.group_user,base_process_guide.group_guide_manager",
        )
        other_step = cls.env["guide.step"].search(
            [("process_id", "=", step.process_id.id), ("id", "!=", step.id)], limit=1
        )
        cls.bounds_configs = {
            "guide.process": step.process_id,
            "guide.step": step,
            "guide.item": cls.env["guide.item"].create({"step_id": step.id, "name": "Bounds item"}),
            "guide.task": cls.env["guide.task"].create({"step_id": step.id, "name": "Bounds call"}),
            "guide.milestone": cls.env["guide.milestone"].create(
                {"process_id": step.process_id.id, "name": "Bounds signed", "reach_mode": "manual"}
            ),
            "guide.hint": cls.env["guide.hint"].create(
                {"name": "Bounds hint", "model_name": step.process_id.model_name}
            ),
            "guide.step.branch": cls.env["guide.step.branch"].create(
                {"step_id": step.id, "to_step_id": other_step.id, "name": "Bounds branch"}
            ),
            "guide.deviation.reason": cls.env["guide.deviation.reason"].create({"name": "Bounds reason"}),
        }

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
        task = self.bounds_configs["guide.task"]
        self._assert_non_finite_refused(
            manager, task, "deadline_days", {"step_id": step.id, "name": "Bounds new"}
        )
        fault = self._refusal(manager, "jsonrpc", "guide.task", "write", [task.ids, {"deadline_days": 2**40}])
        self.assertIn("Deadline (days)", fault)
        record = self._bounds_record().with_user(self._bounds_agent())
        record.invalidate_recordset()
        self.assertTrue(record.guide_deadline)
        self.assertEqual(record.search([("id", "=", record.id), ("guide_overdue", "=", False)]), record)

    def test_references_that_name_no_row_refused(self):
        """An id of a configuration's link that names no row (deleted, never made, beyond an
        ``integer`` column, a text, a malformed command) is refused naming the field, as
        written, created or sent as a default, over XML-RPC and JSON-RPC: the database's
        foreign keys never see it (their violation was a logged ERROR)."""
        step = self._bounds_step()
        manager = self.bounds_manager
        item = self.bounds_configs["guide.item"]
        label = item._fields["step_id"].string
        Item = self.env["guide.item"].with_user(manager)
        for value in (99_999_999, 2**40, "abc", -3, [1, 2]):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValidationError, re.escape(label)):
                    item.with_user(manager).write({"step_id": value})
                with self.assertRaisesRegex(ValidationError, re.escape(label)):
                    Item.create({"step_id": value, "name": "Bounds ghost"})
                with self.assertRaisesRegex(ValidationError, re.escape(label)):
                    Item.with_context(default_step_id=value).create({"name": "Bounds ghost"})
        allowed = step._fields["allowed_step_ids"].string
        for command in ([(6, 0, [99_999_999])], [(4, 99_999_999)], [(4, "x")], ["x"], 5, [(0, 0, "x")]):
            with self.subTest(command=command), self.assertRaisesRegex(ValidationError, re.escape(allowed)):
                step.with_user(manager).write({"allowed_step_ids": command})
        # the lines of a configuration: commands the ORM does not take are refused naming the
        # field (a number, a text, a line's values that are none, an id that is a text)
        process = step.process_id.with_user(manager)
        steps = process._fields["step_ids"].string
        for command in (5, "abc", [(0, 0, "abc")], [(4, "abc")], [(2, "x")], [(1, step.id, "x")], [(9, 1)]):
            with self.subTest(command=command), self.assertRaisesRegex(ValidationError, re.escape(steps)):
                process.write({"step_ids": command})
        for protocol in PROTOCOLS:
            message = self._refusal(
                manager, protocol, "guide.item", "write", [item.ids, {"step_id": 99_999_999}]
            )
            self.assertIn(label, message)
            self.assertIn("99999999", message)
            message = self._refusal(
                manager,
                protocol,
                "guide.hint",
                "create",
                # XML-RPC carries 32-bit integers only
                [{"name": "Ghost", "process_id": 2**40 if protocol == "jsonrpc" else 88_888_888}],
            )
            self.assertIn(self.env["guide.hint"]._fields["process_id"].string, message)
        # an existing id, a record, a (id, name) pair, an empty link: accepted
        item.with_user(manager).write({"step_id": step.id})
        item.with_user(manager).write({"step_id": (step.id, step.name)})
        self.env["guide.hint"].with_user(manager).create(
            {
                "name": "Bounds real",
                "model_name": step.process_id.model_name,
                "process_id": step.process_id.id,
            }
        )
        step.with_user(manager).write({"allowed_step_ids": [(6, 0, [])]})
        self.assertEqual(item.step_id, step)

    def test_choices_that_are_none_refused(self):
        """A value of a choice field that is none of its choices (a step's gate, a checklist
        item's completion, a step's unit), written, created or sent as a default, is refused
        naming the field and its choices, over XML-RPC and JSON-RPC: the ORM's conversion
        raised a ValueError, logged as an ERROR."""
        step = self._bounds_step()
        manager = self.bounds_manager
        item = self.bounds_configs["guide.item"]
        gate = step._fields["gate_mode"]
        Item = self.env["guide.item"].with_user(manager)
        for value in ("evil", 3, ["block"]):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValidationError, re.escape(gate.string)):
                    step.with_user(manager).write({"gate_mode": value})
                with self.assertRaisesRegex(ValidationError, "Automatic"):
                    Item.create({"step_id": step.id, "name": "Bounds choice", "completion": value})
                with self.assertRaisesRegex(ValidationError, "Automatic"):
                    Item.with_context(default_completion=value).create(
                        {"step_id": step.id, "name": "Bounds choice"}
                    )
        for protocol in PROTOCOLS:
            message = self._refusal(
                manager, protocol, "guide.step", "write", [step.ids, {"expected_duration_unit": "weeks"}]
            )
            self.assertIn(step._fields["expected_duration_unit"].string, message)
            self.assertIn("'weeks'", message)
            self.assertIn(step.display_name, message)
        # a choice, or none on a field that may be empty: accepted
        item.with_user(manager).write({"completion": "manual"})
        step.with_user(manager).write({"gate_mode": step.gate_mode, "expected_duration_unit": "hours"})
        self.assertEqual(step.expected_duration_unit, "hours")

    def test_required_values_left_empty_refused(self):
        """A required value left empty (a checklist item created without its step, a process
        created without a name, an item's title emptied) is refused naming the field, over
        XML-RPC and JSON-RPC: the database's NOT NULL constraint refused it, logged as an
        ERROR."""
        step = self._bounds_step()
        manager = self.bounds_manager
        item = self.bounds_configs["guide.item"]
        for protocol in PROTOCOLS:
            with self.subTest(protocol=protocol), self.assertNoLogs("odoo.sql_db", "ERROR"):
                message = self._refusal(manager, protocol, "guide.item", "create", [{"name": "Orphan item"}])
                self.assertIn(f"{item._fields['step_id'].string} is required", message)
                self.assertIn("Orphan item", message)
                message = self._refusal(manager, protocol, "guide.process", "create", [{"name": False}])
                self.assertIn(f"{step.process_id._fields['name'].string} is required", message)
                message = self._refusal(manager, protocol, "guide.item", "write", [item.ids, {"name": False}])
                self.assertIn(item.display_name, message)
                self.assertIn(f"{item._fields['name'].string} is required", message)
        # a default fills what is not sent: accepted
        created = self.env["guide.item"].with_user(manager).with_context(default_step_id=step.id)
        self.assertEqual(created.create({"name": "Defaulted item"}).step_id, step)

    def test_links_to_another_company_refused_in_words(self):
        """A hint of one company (or of every company) on a process of another company is
        refused naming the hint, the field and the process, in the screens' words, not with
        Odoo's wording (the field's technical name, "company False")."""
        step = self._bounds_step()
        other = self.env["res.company"].create({"name": "Bounds Other Co"})
        process = self.env["guide.process"].create(
            {"name": "Bounds foreign", "model_name": step.process_id.model_name, "company_id": other.id}
        )
        label = self.env["guide.hint"]._fields["process_id"].string
        Hint = self.env["guide.hint"]
        cases = (
            (self.env.company.id, f"must be of {self.env.company.name} or of no company, not of another"),
            (False, "must be of no company, not of a company"),
        )
        for company_id, wording in cases:
            with self.subTest(company=company_id), self.assertRaises(UserError) as caught:
                Hint.create(
                    {
                        "name": "Bounds crossing",
                        "model_name": step.process_id.model_name,
                        "company_id": company_id,
                        "process_id": process.id,
                    }
                )
            message = str(caught.exception)
            self.assertIn("Bounds crossing", message)
            self.assertIn(f"{label} {wording}", message)
            self.assertIn("“Bounds foreign”", message)
            self.assertNotIn("process_id", message)
            self.assertNotIn("False", message)

    def test_config_texts_bounded_over_rpc(self):
        """A name of a megabyte on any process configuration (a process, step, checklist
        item, task, milestone, hint and its link, branch, deviation reason) is refused,
        written or created, with a short refusal naming the kind of record and the field;
        long texts beyond 10,000 characters too; a name at the bound is saved."""
        manager = self.bounds_manager
        configs = self.bounds_configs
        self._assert_texts_bounded(
            manager, [*((config, "name") for config in configs.values()), (configs["guide.hint"], "url")]
        )
        long_text = "y" * (MAX_TEXT + 1)
        for model, fname in [
            ("guide.step", "instructions"),
            ("guide.step", "goal"),
            ("guide.process", "description"),
            ("guide.item", "description"),
            ("guide.hint", "body"),
        ]:
            with self.subTest(model=model, field=fname):
                fault = self._refusal(
                    manager, "xmlrpc", model, "write", [configs[model].ids, {fname: long_text}]
                )
                self.assertIn("too long", fault)
        model_name = configs["guide.process"].model_name
        for model, vals in [
            ("guide.process", {"name": HUGE, "model_name": model_name}),
            ("guide.hint", {"name": "Bounds link", "url": HUGE, "model_name": model_name}),
            ("guide.deviation.reason", {"name": HUGE}),
        ]:
            with self.subTest(model=model, create=True):
                self.assertIn("too long", self._refusal(manager, "jsonrpc", model, "create", [vals]))
        # at the bound
        at_bound = "z" * MAX_NAME
        for model, config in configs.items():
            self.xmlrpc(manager, model, "write", [config.ids, {"name": at_bound}])
            config.invalidate_recordset()
            self.assertEqual(config.name, at_bound, model)
        hint = configs["guide.hint"]
        self.jsonrpc(manager, "guide.hint", "write", [hint.ids, {"url": "h" * MAX_URL}])
        hint.invalidate_recordset()
        self.assertEqual(len(hint.url), MAX_URL)

    def test_translations_bounded(self):
        """A translated name is bounded in the language written, by a write in that language
        and by the translation dialogs; the source text is left as it was."""
        manager = self.bounds_manager
        process = self.bounds_configs["guide.process"]
        name = process.name
        fault = self._refusal(
            manager,
            "xmlrpc",
            "guide.process",
            "write",
            [process.ids, {"name": HUGE}],
            {"context": {"lang": "fr_FR"}},
        )
        self.assertIn("too long", fault)
        for protocol in PROTOCOLS:
            fault = self._refusal(
                manager,
                protocol,
                "guide.process",
                "update_field_translations",
                [process.ids, "name", {"fr_FR": HUGE}],
            )
            self.assertIn("too long", fault)
        fault = self._refusal(
            manager, "jsonrpc", "guide.process", "web_override_translations", [process.ids, {"name": HUGE}]
        )
        self.assertIn("too long", fault)
        self.jsonrpc(
            manager,
            "guide.process",
            "update_field_translations",
            [process.ids, "name", {"fr_FR": "Processus"}],
        )
        process.invalidate_recordset()
        self.assertEqual(process.with_context(lang="fr_FR").name, "Processus")
        self.assertEqual(process.with_context(lang="en_US").name, name)

    def test_translations_malformed_or_with_nul_refused(self):
        """What the translation dialogs send is checked as a write's texts are: a NUL
        character, in a text or a term, and translations of the wrong shape (a text for a
        field translated term by term, a number, a list) are refused naming the record and
        the field, not failed on by the database or by Odoo with an error logged."""
        manager = self.bounds_manager
        process = self.bounds_configs["guide.process"]
        step = self.bounds_configs["guide.step"]
        step.instructions = "<p>Call the customer</p>"
        cases = [
            ("guide.process", process, "name", {"en_US": "a\x00b"}, "NUL character"),
            ("guide.process", process, "name", {"fr_FR": 5}, "must give each language its text"),
            ("guide.process", process, "name", ["fr_FR"], "must give each language its text"),
            ("guide.step", step, "goal", {"fr_FR": "x\x00"}, "NUL character"),
            ("guide.step", step, "instructions", {"en_US": "plain text"}, "its terms and their translations"),
            ("guide.step", step, "instructions", {"fr_FR": {"Call the customer": 7}}, "its terms"),
            (
                "guide.step",
                step,
                "instructions",
                {"fr_FR": {"Call the customer": "Appeler\x00"}},
                "NUL character",
            ),
        ]
        for protocol in PROTOCOLS:
            for model, record, fname, translations, expected in cases:
                if protocol == "xmlrpc" and "\\x00" in repr(translations):
                    continue  # XML carries no NUL character
                with self.subTest(protocol=protocol, model=model, fname=fname, translations=translations):
                    fault = self._refusal(
                        manager,
                        protocol,
                        model,
                        "update_field_translations",
                        [record.ids, fname, translations],
                    )
                    self.assertIn(expected, fault)
        # term by term, as the dialog sends it
        self.jsonrpc(
            manager,
            "guide.step",
            "update_field_translations",
            [step.ids, "instructions", {"fr_FR": {"Call the customer": "Appeler le client"}}],
        )
        self.assertIn("Appeler le client", step.with_context(lang="fr_FR").instructions)

    def test_model_name_sent_is_shortened(self):
        """A process created on a "model" of a megabyte is refused naming it shortened."""
        fault = self._refusal(
            self.bounds_manager,
            "jsonrpc",
            "guide.process",
            "create",
            [{"name": "Bounds", "model_name": HUGE}],
        )
        self.assertIn("not a guided model", fault)

    def test_step_name_left_empty_refused(self):
        """A step's name (filled from its stage, and typed) left empty is refused naming the
        field, over XML-RPC and JSON-RPC: emptied, duplicated without one, or created with
        neither a name nor a stage (an alternate step). The database's NOT NULL refused it,
        logged as an ERROR; an empty text was taken, refusals then naming a step "" ."""
        step = self._bounds_step()
        manager = self.bounds_manager
        label = step._fields["name"].string
        for protocol in PROTOCOLS:
            with self.subTest(protocol=protocol):
                for value in (False, ""):
                    message = self._refusal(
                        manager, protocol, "guide.step", "write", [step.ids, {"name": value}]
                    )
                    self.assertIn(f"{label} is required", message)
                    self.assertIn(step.display_name, message)
                default = {"name": False, step._guide_stage_fields()[step.model_name]: False}
                message = self._refusal(
                    manager, protocol, "guide.step", "copy", [step.ids], {"default": default}
                )
                self.assertIn(f"{label} is required", message)
                message = self._refusal(
                    manager,
                    protocol,
                    "guide.step",
                    "create",
                    [{"process_id": step.process_id.id, "kind": "alternate"}],
                )
                self.assertIn(f"{label} is required", message)
        # a name sent, or a default one: accepted
        Step = self.env["guide.step"].with_user(manager)
        vals = {"process_id": step.process_id.id, "kind": "alternate"}
        self.assertEqual(Step.create({**vals, "name": "Bounds detour"}).name, "Bounds detour")
        self.assertEqual(Step.with_context(default_name="Bounds default").create(vals).name, "Bounds default")

    def test_stage_sent_that_is_no_id_refused(self):
        """A step's stage sent as a text or an ``[id, name]`` pair is refused naming the
        field, before the stages of the process are compared (a ValueError or TypeError,
        logged as an ERROR)."""
        step = self._bounds_step()
        fname = step._guide_stage_fields()[step.model_name]
        label = step._fields[fname].string
        for protocol in PROTOCOLS:
            for value in ("abc", [step.stage_res_id, "x"]):
                with self.subTest(protocol=protocol, value=value):
                    vals = {"process_id": step.process_id.id, "name": "Bounds stage", fname: value}
                    message = self._refusal(self.bounds_manager, protocol, "guide.step", "create", [vals])
                    self.assertIn(label, message)
                    message = self._refusal(
                        self.bounds_manager, protocol, "guide.step", "write", [step.ids, {fname: value}]
                    )
                    self.assertIn(label, message)

    def test_process_of_a_model_not_guided_refused_with_its_steps(self):
        """A process created with its steps, or duplicated, on a model that is not guided is
        refused as such, before its steps are made (their stage was read on that model: an
        AttributeError, logged as an ERROR)."""
        step = self._bounds_step()
        manager = self.bounds_manager
        for protocol in PROTOCOLS:
            with self.subTest(protocol=protocol):
                vals = {
                    "name": "Bounds forged",
                    "model_name": "res.partner",
                    "step_ids": [(0, 0, {"name": "S"})],
                }
                message = self._refusal(manager, protocol, "guide.process", "create", [vals])
                self.assertIn("is not a guided model", message)
                message = self._refusal(
                    manager,
                    protocol,
                    "guide.process",
                    "copy",
                    [step.process_id.ids],
                    {"default": {"model_name": "res.partner"}},
                )
                self.assertIn("is not a guided model", message)

    def test_duplicate_keeps_the_name_given(self):
        """*Duplicate* with a name given (``copy`` with a default) names the copy so; without
        one, the copy is the original's name and "(copy)"."""
        process = self._bounds_step().process_id
        self.assertEqual(process.copy({"name": "Bounds renamed copy"}).name, "Bounds renamed copy")
        self.assertEqual(process.copy().name, f"{process.name} (copy)")

    def test_feedback_without_summary_refused(self):
        """Feedback without a summary (not sent, ``False``, empty) is refused naming the
        field, over XML-RPC and JSON-RPC: the database's NOT NULL refused it, logged as an
        ERROR."""
        process = self._bounds_step().process_id
        agent = self._bounds_agent()
        label = self.env["guide.feedback"]._fields["name"].string
        for protocol in PROTOCOLS:
            for vals in ({}, {"name": False}, {"name": ""}):
                with self.subTest(protocol=protocol, vals=vals):
                    message = self._refusal(
                        agent, protocol, "guide.feedback", "create", [{"process_id": process.id, **vals}]
                    )
                    self.assertIn(f"{label} is required", message)
