"""Optional tasks and milestones on a guided model of a bridge, as its agents, through the
ORM and over XML-RPC and JSON-RPC (issue 15). A bridge's test class mixes ``RpcCase`` and
its fixture class in before ``AdaptiveCases`` and sets the hooks below."""

import json
import re

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user
from odoo.tools.safe_eval import safe_eval

from .rpc_common import RpcError

PROTOCOLS = ("xmlrpc", "jsonrpc")


class AdaptiveCases:
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    # hooks set by the bridge's class: the agent's record in the first step, a record the
    # agent may not edit, the stage after the first one, an automatic milestone's condition
    # and the write meeting it, the group an agent is not in
    auto_condition = None
    auto_vals = None
    restricted_group_xmlid = None

    @classmethod
    def _adaptive_agent(cls):
        raise NotImplementedError

    @classmethod
    def _adaptive_record(cls, **vals):
        raise NotImplementedError

    @classmethod
    def _adaptive_outsider_record(cls):
        raise NotImplementedError

    @classmethod
    def _adaptive_outsider_record_in_step(cls):
        """A record the agent may not edit, in the first step of the agent's process."""
        return cls._adaptive_outsider_record()

    @classmethod
    def _adaptive_first_step(cls):
        raise NotImplementedError

    @classmethod
    def _adaptive_next_stage(cls):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        restricted = cls.env.ref(cls.restricted_group_xmlid)
        step = cls._adaptive_first_step()
        Task = cls.env["guide.task"]
        cls.task_mandatory = Task.create(
            {"step_id": step.id, "name": "Adaptive questionnaire", "mandatory": True}
        )
        cls.task_restricted = Task.create(
            {"step_id": step.id, "name": "Adaptive legal review", "group_ids": [(6, 0, restricted.ids)]}
        )
        Milestone = cls.env["guide.milestone"]
        cls.ms_auto = Milestone.create(
            {"process_id": step.process_id.id, "name": "Adaptive auto", "condition": cls.auto_condition}
        )
        cls.ms_manual = Milestone.create(
            {"process_id": step.process_id.id, "name": "Adaptive signed", "reach_mode": "manual"}
        )
        cls.ms_restricted = Milestone.create(
            {
                "process_id": step.process_id.id,
                "name": "Adaptive approved",
                "reach_mode": "manual",
                "group_ids": [(6, 0, restricted.ids)],
            }
        )

    def _rows(self, model, record):
        return self.env[model].search([("res_model", "=", record._name), ("res_id", "=", record.id)])

    def test_agent_adds_a_task_from_the_panel(self):
        agent = self._adaptive_agent()
        record = self._adaptive_record().with_user(agent)
        action = record.action_guide_open_add_task()
        wizard = (
            self.env["guide.task.wizard"]
            .with_user(agent)
            .with_context(**action["context"])
            .create({"task_id": self.task_mandatory.id, "note": "Asked by the customer's CISO"})
        )
        wizard.action_confirm()
        log = self._rows("guide.task.log", record)
        self.assertEqual(
            (log.user_id, log.note, log.task_id), (agent, "Asked by the customer's CISO", self.task_mandatory)
        )
        self.assertIn("Adaptive questionnaire", record.guide_current_line_ids.mapped("name"))
        self.assertTrue(record.guide_blocked)
        with self.assertRaises(UserError) as err:
            record.write({record._guide_stage_field: self._adaptive_next_stage().id})
        self.assertIn("Adaptive questionnaire", str(err.exception))
        # the agent reads what was added, in the record's chatter too
        self.assertEqual(
            self.env["guide.task.log"].with_user(agent).search([("res_id", "=", record.id)]),
            log.with_user(agent),
        )
        self.assertIn("Adaptive questionnaire", record.message_ids[:1].body)
        # the smart button lists the record's rows
        action = record.action_guide_open_task_logs()
        self.assertEqual(self.env[action["res_model"]].with_user(agent).search(action["domain"]), log)

    def test_agent_reaches_milestones(self):
        agent = self._adaptive_agent()
        record = self._adaptive_record().with_user(agent)
        self.assertTrue(record.guide_milestone_manual)
        record.write(dict(self.auto_vals))
        self.assertEqual(record.guide_milestone_ids, self.ms_auto)
        action = record.action_guide_open_reach_milestone()
        self.env["guide.milestone.wizard"].with_user(agent).with_context(**action["context"]).create(
            {"milestone_id": self.ms_manual.id, "note": "Signed copy received"}
        ).action_confirm()
        rows = self._rows("guide.milestone.reached", record)
        self.assertEqual(set(rows.mapped("milestone_id.name")), {"Adaptive auto", "Adaptive signed"})
        self.assertEqual(set(rows.mapped("user_id")), {agent})
        self.assertIn("Adaptive signed", record.guide_milestone_timeline)
        # when, as the web client writes it: the language's date and time, without seconds
        from odoo.tools import format_datetime

        reached = rows.filtered(lambda row: row.milestone_id == self.ms_manual)
        lang = self.env["res.lang"]._get_data(code="en_US")
        self.assertEqual((lang.date_format, lang.time_format), ("%m/%d/%Y", "%H:%M:%S"))
        when = format_datetime(self.env, reached.date, tz=agent.tz or "UTC", dt_format="MM/dd/yyyy HH:mm")
        self.assertIn(when, record.with_context(lang="en_US").guide_milestone_timeline)
        action = record.action_guide_open_milestones()
        self.assertEqual(self.env[action["res_model"]].with_user(agent).search(action["domain"]), rows)
        with self.assertRaises(AccessError):
            record.action_guide_reach_milestone(self.ms_restricted.id)

    def test_panel_says_when_no_milestone_is_reached(self):
        """The guidance panel's Milestones heading keeps a line under it on a record that
        reached none (on a narrow screen it stood alone over the optional tasks' heading),
        and the line goes once a milestone is reached."""
        agent = self._adaptive_agent()
        record = self._adaptive_record().with_user(agent)
        self.assertEqual(self._panel_milestone_lines(record), ["Milestones", "No milestone reached yet"])
        record.action_guide_reach_milestone(self.ms_manual.id)
        record.invalidate_recordset()
        lines = self._panel_milestone_lines(record)
        self.assertEqual(lines[0], "Milestones")
        self.assertNotIn("No milestone reached yet", lines)

    def test_panel_lists_automatic_milestones_before_one_is_reached(self):
        """A process whose milestones are all reached automatically: the panel shows its
        Milestones column before any is reached (it showed only for a milestone marked by
        hand), without the button to mark one."""
        (self.ms_manual | self.ms_restricted).write({"reach_mode": "auto", "condition": "[('id', '=', 0)]"})
        record = self._adaptive_record().with_user(self._adaptive_agent())
        self.assertFalse(record.guide_milestone_manual)
        self.assertTrue(record.guide_milestone_available)
        self.assertEqual(self._panel_milestone_lines(record), ["Milestones", "No milestone reached yet"])
        # a process without milestones shows no column
        self.env["guide.milestone"].search([("process_id", "=", record.guide_process_id.id)]).with_context(
            _force_unlink=True
        ).unlink()
        record.invalidate_recordset()
        self.assertFalse(record.guide_milestone_available)
        self.assertEqual(self._panel_milestone_lines(record), [])

    def _panel_milestone_lines(self, record):
        """The texts of the panel's milestones column the form shows for ``record``: its
        nodes' ``invisible`` expressions evaluated on the record's values."""
        arch = etree.fromstring(record.get_view(view_type="form")["arch"])
        (column,) = arch.xpath("//div[@name='guide_milestones']")

        def visible(node):
            for element in (node, *node.iterancestors()):
                expr = element.get("invisible")
                if expr:
                    names = set(re.findall(r"[a-z_]+", expr)) & set(record._fields)
                    if safe_eval(expr, {name: record[name] for name in names}):
                        return False
            return True

        lines = []
        for node in column.iter():
            if node.tag == "field" and visible(node) and record[node.get("name")]:
                lines.append(f"field:{node.get('name')}")
            elif node.tag != "field" and (node.text or "").strip() and visible(node):
                lines.append(node.text.strip())
        return lines

    def test_activity_done_ticks_only_what_its_user_may_edit(self):
        """A mandatory activity task's line is ticked when its activity is done, by a user
        who may edit the record. The agent it was assigned to, once the record went to
        someone else, may still mark the activity done (Odoo lets an assignee do so) but no
        longer ticks the line: that would open the gate of a record they may not edit; nor
        does its message record the activity done that conditions, milestones and clocks
        count (``guide_done_activity_type_ids``), though it stays in the chatter."""
        agent = self._adaptive_agent()
        call = self.env.ref("mail.mail_activity_data_call")
        outsider = self._adaptive_outsider_record()
        task = self.env["guide.task"].create(
            {
                "step_id": self._adaptive_first_step().id,
                "name": "Adaptive call",
                "kind": "activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "mandatory": True,
            }
        )
        for protocol in PROTOCOLS:
            record = self._adaptive_record()
            self.assertIs(
                getattr(self, protocol)(agent, record._name, "action_guide_add_task", [record.ids, task.id]),
                True,
            )
            log = self._rows("guide.task.log", record)
            self.assertEqual(log.activity_id.user_id, agent)
            owner = record._guide_owner_field
            record.write({owner: outsider[owner].id, "team_id": outsider.team_id.id})
            record.message_unsubscribe(partner_ids=agent.partner_id.ids)
            with self.assertRaises(AccessError):
                record.with_user(agent).check_access("write")
            getattr(self, protocol)(agent, "mail.activity", "action_done", [log.activity_id.ids])
            self.assertFalse(log.activity_id.exists(), "the activity is done")
            self.assertFalse(log.line_id.checked, protocol)
            self.assertFalse(log.line_id.checked_by_id)
            record.invalidate_recordset()
            self.assertNotIn(call, record.guide_done_activity_type_ids, protocol)
            done = record.message_ids.filtered(lambda m: m.subtype_id == self.env.ref("mail.mt_activities"))
            self.assertEqual(done.author_id, agent.partner_id, "its message stays in the chatter")
            self.assertFalse(done.mail_activity_type_id)
        # done by whoever may edit the record, it ticks the line and counts
        record = self._adaptive_record()
        record.with_user(agent).action_guide_add_task(task.id)
        log = self._rows("guide.task.log", record)
        log.activity_id.with_user(agent).action_feedback("Called")
        self.assertEqual((log.line_id.checked, log.line_id.checked_by_id), (True, agent))
        record.invalidate_recordset()
        self.assertIn(call, record.guide_done_activity_type_ids)

    def test_activity_task_line_is_not_ticked_by_hand(self):
        """The line of a mandatory activity task is done when its activity is marked done:
        ticking (or unticking) it by hand is refused, over every path, and the gate holds
        until the activity is done."""
        agent = self._adaptive_agent()
        task = self.env["guide.task"].create(
            {
                "step_id": self._adaptive_first_step().id,
                "name": "Adaptive remote session",
                "kind": "activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "mandatory": True,
            }
        )
        record = self._adaptive_record()
        record.with_user(agent).action_guide_add_task(task.id)
        log = self._rows("guide.task.log", record)
        line = log.line_id
        # the panel offers no box to tick: it says the line is done with its activity
        self.assertEqual(line.completion, "activity")
        self.assertIn("Adaptive remote session", record.guide_missing_items)
        for method in ("action_check", "action_toggle"):
            for protocol in PROTOCOLS:
                with self.assertRaises(RpcError) as caught:
                    getattr(self, protocol)(agent, "guide.line", method, [line.ids])
                self.assertIn(
                    "Adaptive remote session is done when its activity is marked done",
                    caught.exception.message,
                )
        with self.assertRaises(UserError) as caught:
            line.with_user(agent).write({"checked": True})
        self.assertIn("is done when its activity is marked done", str(caught.exception))
        self.assertFalse(line.checked)
        with self.assertRaises(UserError) as caught:
            record.with_user(agent).write({record._guide_stage_field: self._adaptive_next_stage().id})
        self.assertIn("Adaptive remote session", str(caught.exception))
        log.activity_id.with_user(agent).action_feedback("Session held")
        self.assertEqual((line.checked, line.checked_by_id), (True, agent))
        with self.assertRaises(UserError) as caught:
            line.with_user(agent).action_uncheck()
        self.assertIn("is done when its activity is marked done", str(caught.exception))

    def test_task_activity_is_not_moved_to_another_record(self):
        """The activity of an activity task is not moved to another record (where, done, it
        would tick the first record's line), over every path: the line stays to do."""
        agent = self._adaptive_agent()
        task = self.env["guide.task"].create(
            {
                "step_id": self._adaptive_first_step().id,
                "name": "Adaptive moved session",
                "kind": "activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "mandatory": True,
            }
        )
        record, other = self._adaptive_record(), self._adaptive_record()
        record.with_user(agent).action_guide_add_task(task.id)
        log = self._rows("guide.task.log", record)
        for protocol in PROTOCOLS:
            with self.assertRaises(RpcError) as caught:
                getattr(self, protocol)(
                    agent, "mail.activity", "write", [log.activity_id.ids, {"res_id": other.id}]
                )
            self.assertIn("cannot be moved to another record", caught.exception.message)
        self.assertEqual(log.activity_id.res_id, record.id)
        self.assertFalse(log.line_id.checked)

    def test_task_activity_move_refused_first_to_who_may_not_change_it(self):
        """Who may not change an optional task's activity (on a record they may not edit)
        is refused by Odoo's access check, told nothing of it: the refusal of its move named
        the activity, the record and the task, read as the superuser."""
        agent = self._adaptive_agent()
        task = self.env["guide.task"].create(
            {
                "step_id": self._adaptive_first_step().id,
                "name": "Adaptive hidden session",
                "kind": "activity",
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
            }
        )
        outsider = self._adaptive_outsider_record_in_step()
        self.assertFalse(outsider.with_user(agent).has_access("write"))
        outsider.action_guide_add_task(task.id)
        activity = self._rows("guide.task.log", outsider).activity_id
        self.assertTrue(activity)
        mine = self._adaptive_record()
        with self.assertRaises(AccessError) as caught:
            activity.with_user(agent).write({"res_id": mine.id})
        for secret in (outsider.display_name, "Adaptive hidden session"):
            self.assertNotIn(secret, str(caught.exception))
        self.assertEqual(activity.res_id, outsider.id)

    def test_record_refused_before_the_task_or_milestone_it_is_sent(self):
        """A task or milestone added to a record the agent may not edit is refused for the
        record, whatever task or milestone is sent (one of no id, or none): Odoo's refusal,
        not "no longer exists", which told them nothing of the record but answered first."""
        agent = self._adaptive_agent()
        outsider = self._adaptive_outsider_record().with_user(agent)
        for method in ("action_guide_add_task", "action_guide_reach_milestone"):
            for sent in (2**31 - 1, False):
                with self.subTest(method=method, sent=sent), self.assertRaises(AccessError):
                    getattr(outsider, method)(sent)

    def test_agent_writing_as_the_customer_records_no_customer_message(self):
        """Odoo lets whoever posts name another author (``message_post``'s ``author_id``, the
        composer's author): an agent's message in the customer's name is the agent's, not a
        message from the customer that conditions, milestones and clocks would count. The
        customer's own messages (incoming email, portal) still are."""
        agent = self._adaptive_agent()
        customer = self.env["res.partner"].create({"name": "Adaptive customer", "email": "ac@example.com"})
        for protocol in PROTOCOLS:
            record = self._adaptive_record()
            getattr(self, protocol)(
                agent,
                record._name,
                "message_post",
                [record.ids],
                {"body": "I am the customer", "author_id": customer.id, "message_type": "email"},
            )
            record.invalidate_recordset()
            self.assertTrue(record.message_ids.filtered(lambda m: m.author_id == customer), protocol)
            self.assertFalse(record.guide_last_customer_message_date, protocol)
        # the engine receiving the customer's email (as the mail gateway does) counts it
        record.message_post(body="Really me", author_id=customer.id, message_type="email")
        self.assertTrue(record.guide_last_customer_message_date)

    def test_rpc_task_attacks(self):
        agent = self._adaptive_agent()
        for protocol in PROTOCOLS:
            record = self._adaptive_record()
            model = record._name
            # a task of a group the agent is not in
            message = self.rpc_fault(
                agent,
                model,
                "action_guide_add_task",
                [[record.id], self.task_restricted.id],
                protocol=protocol,
            )
            self.assertIn("Adaptive legal review", message)
            # a record the agent may not edit
            outsider = self._adaptive_outsider_record()
            self.rpc_fault(
                agent,
                model,
                "action_guide_add_task",
                [[outsider.id], self.task_mandatory.id],
                protocol=protocol,
            )
            # the rows are the engine's: neither created nor changed by a client
            self.rpc_fault(
                agent,
                "guide.task.log",
                "create",
                [
                    {
                        "res_model": model,
                        "res_id": record.id,
                        "task_id": self.task_mandatory.id,
                        "kind": "checklist",
                    }
                ],
                protocol=protocol,
            )
            self.assertFalse(self._rows("guide.task.log", record) | self._rows("guide.task.log", outsider))
            # the agent's own addition, with a forged author in the context
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            self.assertIs(
                call(
                    agent,
                    model,
                    "action_guide_add_task",
                    [[record.id], self.task_mandatory.id, "why"],
                    {"context": {"default_user_id": self.env.ref("base.user_admin").id}},
                ),
                True,
            )
            log = self._rows("guide.task.log", record)
            self.assertEqual(log.user_id, agent)
            self.rpc_fault(agent, "guide.task.log", "write", [log.ids, {"note": "forged"}], protocol=protocol)
            self.rpc_fault(agent, "guide.task.log", "unlink", [log.ids], protocol=protocol)
            # added once
            self.rpc_fault(
                agent,
                model,
                "action_guide_add_task",
                [[record.id], self.task_mandatory.id],
                protocol=protocol,
            )

    def test_rpc_milestone_attacks(self):
        agent = self._adaptive_agent()
        admin = self.env.ref("base.user_admin")
        for protocol in PROTOCOLS:
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            record = self._adaptive_record()
            model = record._name
            self.rpc_fault(
                agent,
                "guide.milestone.reached",
                "create",
                [
                    {
                        "res_model": model,
                        "res_id": record.id,
                        "milestone_id": self.ms_manual.id,
                        "date": "2020-01-01 00:00:00",
                        "user_id": admin.id,
                    }
                ],
                protocol=protocol,
            )
            self.rpc_fault(
                agent,
                model,
                "write",
                [[record.id], {"guide_milestone_ids": [(6, 0, self.ms_manual.ids)]}],
                protocol=protocol,
            )
            self.rpc_fault(
                agent,
                model,
                "write",
                [[record.id], {"guide_last_customer_message_date": "2020-01-01 00:00:00"}],
                protocol=protocol,
            )
            self.rpc_fault(
                agent,
                model,
                "action_guide_reach_milestone",
                [[record.id], self.ms_restricted.id],
                protocol=protocol,
            )
            self.rpc_fault(
                agent,
                model,
                "action_guide_reach_milestone",
                [[record.id], self.ms_auto.id],
                protocol=protocol,
            )
            outsider = self._adaptive_outsider_record()
            self.rpc_fault(
                agent,
                model,
                "action_guide_reach_milestone",
                [[outsider.id], self.ms_manual.id],
                protocol=protocol,
            )
            self.assertFalse(
                self._rows("guide.milestone.reached", record)
                | self._rows("guide.milestone.reached", outsider)
            )
            # reached by the agent, whatever the context claims
            self.assertIs(
                call(
                    agent,
                    model,
                    "action_guide_reach_milestone",
                    [[record.id], self.ms_manual.id],
                    {"context": {"default_user_id": admin.id, "default_date": "2020-01-01 00:00:00"}},
                ),
                True,
            )
            row = self._rows("guide.milestone.reached", record)
            self.assertEqual(row.user_id, agent)
            self.assertNotEqual(str(row.date)[:4], "2020")
            self.rpc_fault(
                agent, "guide.milestone.reached", "write", [row.ids, {"user_id": admin.id}], protocol=protocol
            )
            self.rpc_fault(agent, "guide.milestone.reached", "unlink", [row.ids], protocol=protocol)
            # an automatic milestone reached by the agent's write over RPC
            call(agent, model, "write", [[record.id], dict(self.auto_vals)])
            row = self._rows("guide.milestone.reached", record).filtered(
                lambda r: r.milestone_id == self.ms_auto
            )
            self.assertEqual((row.user_id, row.mode), (agent, "auto"))
            # the rule language reads the milestones reached
            found = call(
                agent,
                model,
                "search",
                [[("guide_milestone_ids.name", "=", "Adaptive signed"), ("id", "=", record.id)]],
            )
            self.assertEqual(found, [record.id])

    def test_dialogs_are_their_authors(self):
        """The dialogs of the guidance panel (add a task, mark a milestone, enter an
        alternate step, override) hold what their author typed: another user of the same
        role does not find, read, change or confirm them, over RPC."""
        agent = self._adaptive_agent()
        other = self.env["res.users"].create(
            {
                "name": "Other Agent (dialogs)",
                "login": "adaptive_other_agent",
                "password": "adaptive_other_agent",
                "groups_id": [(6, 0, agent.groups_id.ids)],
            }
        )
        record = self._adaptive_record()
        alternate = self.env["guide.step"].create(
            {
                "process_id": self._adaptive_first_step().process_id.id,
                "kind": "alternate",
                "name": "Adaptive hold",
            }
        )
        dialogs = {
            "guide.task.wizard": {"task_id": self.task_mandatory.id, "note": "Customer asked for it"},
            "guide.milestone.wizard": {"milestone_id": self.ms_manual.id, "note": "Signed in person"},
            "guide.alternate.wizard": {"step_id": alternate.id, "reason": "Legal asked"},
            "guide.override.wizard": {
                "res_ids": json.dumps(record.ids),
                "stage_res_id": self._adaptive_next_stage().id,
                "reason": "Signed today",
            },
        }
        for protocol in PROTOCOLS:
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            for model, vals in dialogs.items():
                fields = self.env[model]._fields
                vals = {"res_model": record._name, "res_id": record.id, **vals}
                vals = {name: value for name, value in vals.items() if name in fields}
                wizard_id = call(agent, model, "create", [vals])
                with self.subTest(protocol=protocol, model=model), self.assertNoLogs("odoo.http", "ERROR"):
                    self.assertEqual(call(other, model, "search", [[("id", "=", wizard_id)]]), [])
                    for method, args in (
                        ("read", [[wizard_id], ["display_name"]]),
                        ("write", [[wizard_id], {"res_model": record._name}]),
                        ("action_confirm", [[wizard_id]]),
                    ):
                        with self.assertRaises(RpcError):
                            call(other, model, method, args)
                    [values] = call(agent, model, "read", [[wizard_id], ["create_uid"]])
                    self.assertEqual(values["create_uid"][0], agent.id)
        self.assertFalse(self._rows("guide.task.log", record))
        self.assertFalse(self._rows("guide.milestone.reached", record))

    def test_dialogs_refuse_another_company_s_configuration(self):
        """The dialogs of the guidance panel name the task, milestone or alternate step they
        are for: one of another company (or of another step or process) is refused in
        words, over RPC, and its name, description or instructions are not shown."""
        agent = self._adaptive_agent()
        record = self._adaptive_record()
        company = self.env["res.company"].create({"name": "Adaptive Other Company"})
        process = self.env["guide.process"].create(
            {"name": "Secret process", "model_name": record._name, "company_id": company.id}
        )
        step = self.env["guide.step"].create(
            {
                "process_id": process.id,
                "kind": "alternate",
                "name": "Secret alternate",
                "instructions": "SECRET",
            }
        )
        stage_field = self.env["guide.step"]._guide_stage_fields()[record._name]
        # a stage of that company where stages have one (a company's steps are on its stages)
        Stage = self.env[self.env["guide.step"]._fields[stage_field].comodel_name]
        stage = Stage.create(
            {"name": "Secret stage", **({"company_id": company.id} if "company_id" in Stage._fields else {})}
        )
        stage_step = self.env["guide.step"].create(
            {"process_id": process.id, "name": "Secret step", stage_field: stage.id}
        )
        task = self.env["guide.task"].create(
            {"step_id": stage_step.id, "name": "Secret task", "description": "SECRET description"}
        )
        milestone = self.env["guide.milestone"].create(
            {"process_id": process.id, "name": "Secret milestone", "reach_mode": "manual"}
        )
        dialogs = [
            ("guide.task.wizard", {"task_id": task.id}, "This optional task is not one of the current step"),
            (
                "guide.task.wizard",
                {"task_id": self.task_restricted.id + 10**6},
                "is not the id of an existing",
            ),
            (
                "guide.milestone.wizard",
                {"milestone_id": milestone.id},
                "This milestone is not one of the process",
            ),
            (
                "guide.alternate.wizard",
                {"step_id": step.id},
                "This step is not an alternate step of the process",
            ),
            (
                "guide.alternate.wizard",
                {"step_id": self._adaptive_first_step().id},
                "This step is not an alternate step of the process",
            ),
        ]
        for protocol in PROTOCOLS:
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            for model, vals, expected in dialogs:
                with (
                    self.subTest(protocol=protocol, model=model, vals=vals),
                    self.assertNoLogs("odoo.http", "ERROR"),
                ):
                    with self.assertRaises(RpcError) as caught:
                        call(
                            agent, model, "create", [{"res_model": record._name, "res_id": record.id, **vals}]
                        )
                    self.assertIn(expected, caught.exception.message)
                    self.assertNotIn("Secret", caught.exception.message)
                    self.assertNotIn("SECRET", caught.exception.message)
        # nor does the dialog's page show the texts of another company's task or step
        for model, fname, value in (
            ("guide.task.wizard", "task_id", task.id),
            ("guide.alternate.wizard", "step_id", step.id),
        ):
            with self.assertRaises(RpcError):
                self.jsonrpc(
                    agent,
                    model,
                    "onchange",
                    [
                        [],
                        {"res_model": record._name, "res_id": record.id, fname: value},
                        [fname],
                        {"task_description": {}, "instructions": {}, fname: {}, "res_model": {}, "res_id": {}}
                        if model == "guide.task.wizard"
                        else {
                            "instructions": {},
                            "reason_required": {},
                            fname: {},
                            "res_model": {},
                            "res_id": {},
                        },
                    ],
                )

    def test_dialog_ids_out_of_range_refused(self):
        """A record id no integer column holds, sent over JSON-RPC to a dialog of the
        guidance panel, is a ValidationError naming the field, not a database error."""
        agent = self._adaptive_agent()
        record = self._adaptive_record()
        dialogs = {
            "guide.task.wizard": {"task_id": self.task_mandatory.id},
            "guide.milestone.wizard": {"milestone_id": self.ms_manual.id},
            "guide.alternate.wizard": {"step_id": self._adaptive_first_step().id},
        }
        with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertNoLogs("odoo.http", "ERROR"):
            for model, vals in dialogs.items():
                for value in (2**40, "NaN", "abc"):
                    with self.subTest(model=model, value=value):
                        with self.assertRaises(RpcError) as caught:
                            self.jsonrpc(
                                agent, model, "create", [{"res_model": record._name, "res_id": value, **vals}]
                            )
                        self.assertIn("must be a whole number", caught.exception.message)
                        self.assertEqual(caught.exception.name, "odoo.exceptions.ValidationError")

    def test_rpc_wrong_types_refused(self):
        """Ids and notes of the wrong type, or no id at all, are refused as UserErrors naming
        what is wrong, never tracebacks logged at ERROR; nothing is recorded. The dialog
        adding a task opens on a task that exists, or none."""
        agent = self._adaptive_agent()
        record = self._adaptive_record()
        model = record._name
        calls = [
            ("action_guide_add_task", ["abc"], "'abc' is not an id of"),
            ("action_guide_add_task", ["\u00b2"], "is not an id of"),
            # more digits than Python converts (a ValueError logged at ERROR) or an id holds
            ("action_guide_add_task", ["9" * 5000], "9…' is not an id of"),
            ("action_guide_add_task", ["9" * 11], "'99999999999' is not an id of"),
            ("action_guide_add_task", [[self.task_mandatory.id]], "is not an id of"),
            ("action_guide_add_task", [self.task_mandatory.id, {"x": 1}], "The note must be text"),
            ("action_guide_add_task", [self.task_mandatory.id, 5], "The note must be text"),
            ("action_guide_reach_milestone", ["abc"], "'abc' is not an id of"),
            ("action_guide_reach_milestone", ["9" * 5000], "is not an id of"),
            ("action_guide_reach_milestone", [self.ms_manual.id, ["x"]], "The note must be text"),
            # no id at all: refused as an id naming nothing (it was a TypeError logged at ERROR)
            ("action_guide_add_task", [], "This optional task no longer exists"),
            ("action_guide_reach_milestone", [], "This milestone no longer exists"),
            ("action_guide_enter_alternate", [], "This is not an alternate step"),
            ("action_guide_enter_alternate", ["abc"], "'abc' is not an id of"),
            ("action_guide_enter_alternate", [[1]], "is not an id of"),
            ("action_guide_enter_alternate", ["9" * 5000], "is not an id of"),
            (
                "action_guide_enter_alternate",
                [str(self._adaptive_first_step().id)],
                "This is not an alternate step",
            ),
            # the dialog opened on a task a client names: one that is a task (it opened on
            # an error, reading task -1)
            ("action_guide_open_add_task", ["abc"], "'abc' is not an id of"),
            ("action_guide_open_add_task", ["9" * 5000], "is not an id of"),
            ("action_guide_open_add_task", [-1], "This optional task no longer exists"),
            ("action_guide_open_add_task", [2**31 - 1], "This optional task no longer exists"),
        ]
        for protocol in PROTOCOLS:
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            for method, args, expected in calls:
                with self.subTest(protocol=protocol, method=method, args=args):
                    with self.assertRaises(RpcError) as caught:
                        call(agent, model, method, [[record.id], *args])
                    self.assertIn(expected, caught.exception.message)
                    self.assertNotIn("Traceback", caught.exception.message)
                    if protocol == "jsonrpc":
                        self.assertEqual(caught.exception.name, "odoo.exceptions.UserError")
        self.assertFalse(self._rows("guide.task.log", record))
        self.assertFalse(self._rows("guide.milestone.reached", record))

    def test_rpc_search_on_reached_milestones_and_done_activities(self):
        """The searches a condition reads (milestones reached, activity types done) take
        set or not set, an id, a name or a list of them; any other value a client sends is
        a UserError naming the field and the value, never a query PostgreSQL refuses
        (logged at ERROR)."""
        agent = self._adaptive_agent()
        record = self._adaptive_record()
        model = record._name
        record.with_user(agent).action_guide_reach_milestone(self.ms_manual.id)
        for protocol in PROTOCOLS:
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            for fname in ("guide_milestone_ids", "guide_done_activity_type_ids"):
                for value in ([True], [[1]], 1.5, {"x": 1}, [1, [2]]):
                    with self.subTest(protocol=protocol, field=fname, value=value):
                        with self.assertRaises(RpcError) as caught:
                            call(agent, model, "search_count", [[(fname, "in", value)]])
                        self.assertIn("is not an id, a name or a list of them", caught.exception.message)
                        self.assertNotIn("Traceback", caught.exception.message)
                        if protocol == "jsonrpc":
                            self.assertEqual(caught.exception.name, "odoo.exceptions.UserError")
            for domain in (
                [("guide_milestone_ids", "=", True)],
                [("guide_milestone_ids", "in", [self.ms_manual.id])],
                [("guide_milestone_ids", "=", self.ms_manual.id)],
                [("guide_milestone_ids", "!=", False)],
            ):
                with self.subTest(protocol=protocol, domain=domain):
                    ids = call(agent, model, "search", [[("id", "=", record.id), *domain]])
                    self.assertEqual(ids, record.ids)
            self.assertEqual(
                call(agent, model, "search", [[("id", "=", record.id), ("guide_milestone_ids", "=", False)]]),
                [],
            )

    def test_recorded_configuration_is_not_deleted(self):
        """A process manager deleting over XML-RPC and JSON-RPC (Odoo's uninstall flag sent
        too) a milestone records reached, an optional task added to records or a hint agents
        acknowledged is refused naming it and its uses: the immutable rows saying who did it
        and when went with it (their foreign key cascades), with no word. The rows stay; an
        unused milestone, task or hint is deleted, a used hint archived."""
        manager = new_test_user(
            self.env,
            login=f"adaptive_del_{self._adaptive_agent().login}",
            groups="base.group_user,base_process_guide.group_guide_manager",
        )
        agent = self._adaptive_agent()
        record = self._adaptive_record().with_user(agent)
        record.action_guide_add_task(self.task_mandatory.id, note="Asked by the customer")
        record.action_guide_reach_milestone(self.ms_manual.id)
        hint = self.env["guide.hint"].create({"name": "Adaptive hint", "model_name": record._name})
        hint.with_user(agent).with_context(
            guide_res_model=record._name, guide_res_id=record.id
        ).action_acknowledge()
        process = self.ms_manual.process_id.display_name
        cases = [
            (
                "guide.milestone",
                self.ms_manual,
                "guide.milestone.reached",
                "A milestone records have reached cannot be deleted",
                f"{process} / Adaptive signed: reached by 1 record(s)",
            ),
            (
                "guide.task",
                self.task_mandatory,
                "guide.task.log",
                "An optional task added to records cannot be deleted",
                f"{self.task_mandatory.step_id.display_name} / Adaptive questionnaire: added 1 time(s)",
            ),
            (
                "guide.hint",
                hint,
                "guide.hint.feedback",
                "A hint agents acknowledged or marked not helpful cannot be deleted",
                "Adaptive hint (acknowledged or marked not helpful 1 time(s))",
            ),
        ]
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            for model, config, rows_model, refusal, named in cases:
                rows = config.feedback_ids if model == "guide.hint" else self._rows(rows_model, record)
                self.assertEqual(len(rows), 1, model)
                for protocol in ("xmlrpc", "jsonrpc"):
                    for context in ({}, {"_force_unlink": True}):
                        fault = self.rpc_fault(
                            manager, model, "unlink", [config.ids], {"context": context}, protocol=protocol
                        )
                        self.assertIn(refusal, fault)
                        self.assertIn(named, fault)
                self.assertTrue(config.exists(), model)
                self.assertTrue(rows.exists(), model)
        self.assertIs(self.xmlrpc(manager, "guide.hint", "write", [hint.ids, {"active": False}]), True)
        self.assertTrue(hint.feedback_ids)
        # what no record used is deleted as before
        spare_task = self.env["guide.task"].create(
            {"step_id": self.task_mandatory.step_id.id, "name": "Spare"}
        )
        spare_hint = self.env["guide.hint"].create({"name": "Spare hint", "model_name": record._name})
        for config in (self.ms_restricted, spare_task, spare_hint):
            self.assertIs(self.xmlrpc(manager, config._name, "unlink", [config.ids]), True)
            self.assertFalse(config.exists())

    def test_recorded_configuration_stays_in_its_process(self):
        """A process manager moving over XML-RPC a milestone records reached to another
        process, or an optional task added to records to a step of another process, is
        refused naming it and its uses (their figures would count in neither process's map
        nor Step Effectiveness); an unused milestone moves."""
        manager = new_test_user(
            self.env,
            login=f"adaptive_move_{self._adaptive_agent().login}",
            groups="base.group_user,base_process_guide.group_guide_manager",
        )
        record = self._adaptive_record().with_user(self._adaptive_agent())
        record.action_guide_add_task(self.task_mandatory.id, note="Asked by the customer")
        record.action_guide_reach_milestone(self.ms_manual.id)
        step = self._adaptive_first_step()
        other = self.env["guide.process"].create(
            {
                "name": "Adaptive other",
                "model_name": step.process_id.model_name,
                "domain": "[('name', '=', 'No record is named so')]",
            }
        )
        other_step = step.copy({"process_id": other.id})
        cases = [
            (
                self.ms_manual,
                {"process_id": other.id},
                "A milestone records have reached cannot move to another process",
                "Adaptive signed: reached by 1 record(s)",
            ),
            (
                self.task_mandatory,
                {"step_id": other_step.id},
                "An optional task added to records cannot move to a step of another process",
                "Adaptive questionnaire: added 1 time(s)",
            ),
        ]
        for config, vals, refusal, named in cases:
            fault = self.rpc_fault(manager, config._name, "write", [config.ids, vals])
            self.assertIn(refusal, fault)
            self.assertIn(named, fault)
        self.assertEqual(self.ms_manual.process_id, step.process_id)
        self.assertEqual(self.task_mandatory.step_id, step)
        # nor with its step, which the record is in (the step stays, as it is not deleted), to a
        # process without a step at its stage
        empty = other.copy({"name": "Adaptive empty", "step_ids": False, "milestone_ids": False})
        self.assertFalse(empty.step_ids)
        step.allowed_step_ids = False  # the next steps it names are of its process
        fault = self.rpc_fault(manager, "guide.step", "write", [step.ids, {"process_id": empty.id}])
        self.assertIn("A step that records are in or that their history names cannot move", fault)
        self.assertIn(f"{step.display_name}: 1 record(s) in it", fault)
        self.assertEqual(self.task_mandatory.process_id, step.process_id)
        unused = self.ms_restricted
        self.assertIs(
            self.xmlrpc(manager, unused._name, "write", [unused.ids, {"process_id": other.id}]), True
        )
        self.assertEqual(unused.process_id, other)

    def test_rpc_configuration_conditions(self):
        """A process manager configuring over XML-RPC and JSON-RPC: a rule set to work
        automatically without its condition, or holding a condition that does not parse, is
        refused as a ValidationError naming the rule and the condition (one validation in
        ``guide.condition.mixin`` for items, milestones, tasks and branches); a new rule is
        read by the engine at once (its cached configuration is cleared)."""
        manager = new_test_user(
            self.env,
            login=f"adaptive_cfg_{self._adaptive_agent().login}",
            groups="base.group_user,base_process_guide.group_guide_manager",
        )
        step = self._adaptive_first_step()
        model = step.process_id.model_name
        other_step = self.env["guide.step"].search(
            [("process_id", "=", step.process_id.id), ("id", "!=", step.id)], limit=1
        )
        bad = "[('no_such_field', '=', 1)]"
        cases = [
            ("guide.item", {"step_id": step.id, "name": "Cfg auto", "completion": "auto"}, "Done When"),
            ("guide.item", {"step_id": step.id, "name": "Cfg bad", "apply_domain": bad}, "Applies When"),
            ("guide.milestone", {"process_id": step.process_id.id, "name": "Cfg auto"}, "Condition"),
            (
                "guide.milestone",
                {"process_id": step.process_id.id, "name": "Cfg bad", "condition": bad},
                "Condition",
            ),
            ("guide.task", {"step_id": step.id, "name": "Cfg bad", "suggest_domain": bad}, "Suggest When"),
            (
                "guide.step.branch",
                {"step_id": step.id, "to_step_id": other_step.id, "name": "Cfg bad", "domain": bad},
                "Condition",
            ),
        ]
        for protocol in PROTOCOLS:
            call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
            for rule_model, vals, field in cases:
                with self.subTest(protocol=protocol, model=rule_model, vals=vals):
                    with self.assertRaises(RpcError) as caught, self.assertNoLogs("odoo.http", "ERROR"):
                        call(manager, rule_model, "create", [vals])
                    message = caught.exception.message
                    self.assertIn(f'"{field}"', message)
                    name = vals["name"] if rule_model != "guide.step.branch" else f"{step.name} → "
                    self.assertIn(name, message)
                    self.assertNotIn("Traceback", message)
                    if protocol == "jsonrpc":
                        self.assertEqual(caught.exception.name, "odoo.exceptions.ValidationError")
            # an automatic milestone emptied of its condition by a write
            with self.assertRaises(RpcError) as caught:
                call(manager, "guide.milestone", "write", [[self.ms_auto.id], {"condition": False}])
            self.assertIn('"Adaptive auto"', caught.exception.message)
        self.assertEqual(self.ms_auto.condition, self.auto_condition)
        self.assertFalse(self.env["guide.item"].search([("name", "like", "Cfg")]))
        # the task configuration is cached per model: a task created over RPC is read at once
        other_step_config = self.env["guide.task"]._get_task_config(model)["steps"]
        self.assertNotIn(other_step.id, other_step_config)
        self.xmlrpc(manager, "guide.task", "create", [{"step_id": other_step.id, "name": "Cfg new"}])
        self.assertIn(other_step.id, self.env["guide.task"]._get_task_config(model)["steps"])

    def _write_cost(self, record, vals):
        """Queries of a write of ``vals`` as the agent, caches warm (one write before)."""
        record.write(vals)
        record.env.flush_all()
        record.env.invalidate_all()
        start = self.cr.sql_log_count
        record.write(vals)
        record.env.flush_all()
        return self.cr.sql_log_count - start

    def test_no_cost_without_milestones(self):
        """A write no milestone reads, and any write of a record whose process has no
        milestone or task, costs what it cost before milestones existed."""
        agent = self._adaptive_agent()
        record = self._adaptive_record().with_user(agent)
        field = next(iter(self.auto_vals))
        with_config = self._write_cost(record, {"name": "Renamed once"})
        with_config_field = self._write_cost(record, {field: self.auto_vals[field]})
        process = self._adaptive_first_step().process_id
        # the milestone the write reached is deleted as an uninstallation would (refused else)
        self.env["guide.milestone"].search([("process_id", "=", process.id)]).with_context(
            _force_unlink=True
        ).unlink()
        self.env["guide.task"].search([("process_id", "=", process.id)]).unlink()
        # milestones on another process of the model only
        other = self.env["guide.process"].create(
            {"name": "Other", "model_name": record._name, "active": True}
        )
        self.env["guide.milestone"].create(
            {"process_id": other.id, "name": "Elsewhere", "condition": self.auto_condition}
        )
        without_config = self._write_cost(record, {"name": "Renamed again"})
        without_config_field = self._write_cost(record, {field: self.auto_vals[field]})
        self.assertEqual(with_config, without_config)
        self.assertEqual(without_config_field, self._write_cost(record, {field: self.auto_vals[field]}))
        self.assertLessEqual(without_config_field, with_config_field)
