"""Hand-computed cases of step effectiveness and scorecards, run by each bridge on its
model (leads, tickets) as real users.

A bridge's test class provides: ``agent`` (owner of the records), ``colleague`` (same
role, reads only their own records), ``leader`` (leads the records' team, no manager
right), ``manager``, ``process``, ``item`` (a manual checklist item of the records'
first step) and the methods ``_records(n)`` (records owned by ``agent`` in that step)
and ``_close(record, success, hours)`` (won or lost, resolved or cancelled), and the
attributes ``effectiveness_actions`` (xmlids of its step-effectiveness actions),
``compare_action`` (xmlid of its Before and After menu's action) and ``success_label``
(its word for success: "Won", "Resolved").
"""

from lxml import etree

from odoo import SUPERUSER_ID, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from odoo.addons.base_process_guide.tests.rpc_common import RpcError

from .pi_common import policy_and_rule

MIN_SAMPLE = "base_process_intelligence.min_sample"


class IntelligenceFixture:
    def _scenario(self, before_close=None):
        """12 records; the item ticked on the first 6. Done: 4 won (10, 20, 30, 40 h),
        1 lost (50 h), 1 open. Not done: 1 won (100 h), 3 lost (100, 200, 200 h), 2 open.
        ``before_close(records)`` runs before the records are closed."""
        records = self._records(12)
        if before_close:
            before_close(records)
        lines = self.env["guide.line"].search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records[:6].ids),
                ("item_id", "=", self.item.id),
            ]
        )
        self.assertEqual(len(lines), 6)
        lines.with_user(self.agent).action_check()
        for record, success, hours in [
            (records[0], True, 10),
            (records[1], True, 20),
            (records[2], True, 30),
            (records[3], True, 40),
            (records[4], False, 50),
            (records[6], True, 100),
            (records[7], False, 100),
            (records[8], False, 200),
            (records[9], False, 200),
        ]:
            self._close(record, success, hours)
        self.env.invalidate_all()
        return records

    def _summary(self, user, domain):
        return self.env["guide.effectiveness.summary"].with_user(user).search(domain)

    def _scorecard_facts(self, records):
        """One override (with its reason), two escalations received (acknowledged after 2
        and 4 h), two policy checks (one passed, one blocked), two feedback (one accepted)."""
        record = records[0]
        common = {"res_model": record._name, "res_id": record.id, "company_id": self.company.id}
        self.env["guide.deviation"].sudo().create(
            dict(
                common,
                kind="gate",
                rule_name="Budget confirmed",
                process_id=self.process.id,
                step_id=self.item.step_id.id,
                user_id=self.agent.id,
                reason_id=self.reason.id,
                reason="The customer asked",
            )
        )
        self.env["escalation.log"].sudo().create(
            [
                dict(
                    common,
                    kind="escalation",
                    trigger="auto",
                    outcome="done",
                    to_user_id=self.agent.id,
                    ack_hours=hours,
                )
                for hours in (2.0, 4.0)
            ]
        )
        self.env["compliance.log"].sudo().create(
            [
                dict(common, policy_name="Discount", event="stage", outcome=outcome, user_id=self.agent.id)
                for outcome in ("passed", "blocked")
            ]
        )
        feedback = (
            self.env["guide.feedback"]
            .with_user(self.agent)
            .create([{"name": name, "process_id": self.process.id} for name in ("One", "Two")])
        )
        feedback[0].with_user(self.manager).write({"state": "accepted"})


class EffectivenessCases(IntelligenceFixture):
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    # ------------------------------------------------------------
    # STEP EFFECTIVENESS
    # ------------------------------------------------------------
    def test_effectiveness_figures(self):
        self._scenario()
        self.env["ir.config_parameter"].set_param(MIN_SAMPLE, "3")
        row = self._summary(self.agent, [("item_id", "=", self.item.id)])
        self.assertEqual(len(row), 1)
        self.assertEqual(
            (row.record_count, row.done_count, row.not_done_count, row.closed_done, row.closed_not_done),
            (12, 6, 6, 5, 4),
        )
        self.assertAlmostEqual(row.done_rate, 50.0)
        self.assertAlmostEqual(row.closed_rate_done, 500 / 6, places=4)
        self.assertAlmostEqual(row.closed_rate_not_done, 400 / 6, places=4)
        self.assertAlmostEqual(row.hours_done, 30.0, places=4)
        self.assertAlmostEqual(row.hours_not_done, 150.0, places=4)
        self.assertAlmostEqual(row.success_rate_done, 80.0)
        self.assertAlmostEqual(row.success_rate_not_done, 25.0)
        self.assertFalse(row.low_sample)
        # the same figures by record, grouped as a pivot would
        Report = self.env["guide.effectiveness.report"].with_user(self.agent)
        [(count, closed, hours_done, hours_not_done)] = Report._read_group(
            [("item_id", "=", self.item.id)],
            [],
            ["__count", "closed:sum", "hours_done:avg", "hours_not_done:avg"],
        )
        self.assertEqual((count, closed), (12, 9))
        self.assertAlmostEqual(hours_done, 30.0, places=4)
        self.assertAlmostEqual(hours_not_done, 150.0, places=4)

    def _check_done_vs_not_done(self, domain):
        """The figures of the scenario for the row of ``domain``, done on the first 6."""
        self.env["ir.config_parameter"].set_param(MIN_SAMPLE, "3")
        row = self._summary(self.agent, domain)
        self.assertEqual(len(row), 1)
        self.assertEqual(
            (row.record_count, row.done_count, row.not_done_count, row.closed_done, row.closed_not_done),
            (12, 6, 6, 5, 4),
        )
        self.assertAlmostEqual(row.done_rate, 50.0)
        self.assertAlmostEqual(row.hours_done, 30.0, places=4)
        self.assertAlmostEqual(row.hours_not_done, 150.0, places=4)
        self.assertAlmostEqual(row.success_rate_done, 80.0)
        self.assertAlmostEqual(row.success_rate_not_done, 25.0)
        return row

    def test_effectiveness_optional_task(self):
        """An optional task of the step, added by the agent on the first 6 records: how
        often it is added, and outcome and time with it and without it."""
        task = self.env["guide.task"].create(
            {"name": "Send a case study", "step_id": self.item.step_id.id, "kind": "checklist"}
        )
        self._scenario(lambda records: records[:6].with_user(self.agent).action_guide_add_task(task.id))
        row = self._check_done_vs_not_done([("task_id", "=", task.id)])
        self.assertEqual((row.kind, row.label, row.step_id), ("task", "Send a case study", self.item.step_id))
        by_record = (
            self.env["guide.effectiveness.report"]
            .with_user(self.agent)
            .search([("task_id", "=", task.id), ("done", "=", 1)])
        )
        self.assertEqual(len(by_record), 6)

    def test_effectiveness_alternate_step(self):
        """An alternate step of the process, entered and completed on the first 6 records:
        the records that took the detour against those that did not."""
        alternate = self.env["guide.step"].create(
            {
                "process_id": self.process.id,
                "kind": "alternate",
                "name": "Reference call",
                "alt_reason_required": False,
                "alt_from_step_ids": [(6, 0, self.item.step_id.ids)],
            }
        )

        def detour(records):
            records[:6].with_user(self.agent).action_guide_enter_alternate(alternate.id)
            records[:6].with_user(self.agent).action_guide_complete_alternate()

        self._scenario(detour)
        row = self._check_done_vs_not_done([("kind", "=", "alternate"), ("step_id", "=", alternate.id)])
        self.assertEqual(row.label, "Reference call")

    def test_effectiveness_names_in_the_reader_language(self):
        """Items, hints, tasks and alternate steps are named in the reader's language
        (English where they have no translation), by record and in the summary, and a
        pivot grouped by name groups the translated names; all in one query."""
        for lang in ("ru_RU", "zh_CN"):
            self.env["res.lang"]._activate_lang(lang)
        step = self.item.step_id
        hint = self.env["guide.hint"].create(
            {
                "name": "Call back within the hour",
                "model_name": self.process.model_name,
                "process_id": self.process.id,
            }
        )
        task = self.env["guide.task"].create(
            {"name": "Send a case study", "step_id": step.id, "kind": "checklist"}
        )
        alternate = self.env["guide.step"].create(
            {"process_id": self.process.id, "kind": "alternate", "name": "Reference call"}
        )
        russian = {
            self.item: "Бюджет подтверждён",
            hint: "Перезвонить в течение часа",
            task: "Отправить кейс",
            alternate: "Звонок референсу",
        }
        for record, name in russian.items():
            record.with_context(lang="ru_RU").name = name
        self.item.with_context(lang="zh_CN").name = "预算已确认"
        english = {record: record.with_context(lang="en_US").name for record in russian}
        records = self._scenario(
            lambda records: records[:6].with_user(self.agent).action_guide_add_task(task.id)
        )
        domain = [
            "|",
            "|",
            "|",
            ("item_id", "=", self.item.id),
            ("hint_id", "=", hint.id),
            ("task_id", "=", task.id),
            ("step_id", "=", alternate.id),
        ]
        keys = {"item": self.item, "hint": hint, "task": task, "alternate": alternate}

        def labels(rows):
            return {keys[row.kind]: row.label for row in rows}

        Summary = self.env["guide.effectiveness.summary"].with_user(self.agent)
        Report = self.env["guide.effectiveness.report"].with_user(self.agent)
        self.assertEqual(labels(Summary.with_context(lang="ru_RU").search(domain)), russian)
        self.assertEqual(labels(Summary.with_context(lang="en_US").search(domain)), english)
        # no Chinese for the hint, task and step: their English names
        self.assertEqual(
            labels(Summary.with_context(lang="zh_CN").search(domain)), {**english, self.item: "预算已确认"}
        )
        rows = Report.with_context(lang="ru_RU").search(domain)
        self.assertEqual(len(rows), 12 * 4)

        # the names come in the query of the rows' other columns: reading them costs
        # what searching the rows does, whatever their number
        def queries(function):
            self.env.flush_all()
            count = self.env.cr.sql_log_count
            function()
            return self.env.cr.sql_log_count - count

        russian_report = Report.with_context(lang="ru_RU")
        search_queries = queries(lambda: russian_report.search(domain))
        rows.invalidate_recordset()
        self.assertLessEqual(queries(lambda: self.assertEqual(labels(rows), russian)), search_queries)
        groups = dict(Report.with_context(lang="ru_RU")._read_group(domain, ["label"], ["__count"]))
        self.assertEqual(groups, {name: 12 for name in russian.values()})
        # the checklist lines of the task added to 6 records, named as the task
        task_lines = Report.with_context(lang="ru_RU").search(
            [("kind", "=", "item"), ("item_id", "=", False), ("res_id", "in", records.ids)]
        )
        self.assertEqual(task_lines.mapped("label"), [russian[task]] * 6)
        # a line whose snapshot is no longer the item's name keeps its snapshot
        self.item.with_context(lang="en_US").name = "Budget approved"
        self.env.invalidate_all()
        self.assertEqual(
            Summary.with_context(lang="ru_RU").search([("item_id", "=", self.item.id)]).label,
            english[self.item],
        )

    def test_effectiveness_hides_small_samples(self):
        """Under the minimum sample (10 by default) a figure is left empty and the row flagged."""
        self._scenario()
        row = self._summary(self.agent, [("item_id", "=", self.item.id)])
        self.assertTrue(row.low_sample)
        self.assertEqual((row.done_count, row.not_done_count), (6, 6))
        self.assertAlmostEqual(row.done_rate, 50.0)  # 12 records behind it
        for fname in ("closed_rate_done", "success_rate_done", "hours_done", "hours_not_done"):
            self.assertFalse(row[fname], fname)
        # the list shows those figures empty rather than 0 (flags per side)
        self.assertEqual(
            (row.total_few, row.done_few, row.not_done_few, row.closed_done_few, row.closed_not_done_few),
            (False, True, True, True, True),
        )

    def test_effectiveness_hint_acknowledged(self):
        records = self._scenario()
        hint = self.env["guide.hint"].create(
            {
                "name": "Call back within the hour",
                "model_name": records._name,
                "process_id": self.process.id,
                "requires_ack": True,
            }
        )
        for record in records[:3]:
            hint.with_user(self.agent).with_context(
                guide_res_model=record._name, guide_res_id=record.id
            ).action_acknowledge()
        hint.with_user(self.agent).with_context(
            guide_res_model=records._name, guide_res_id=records[11].id
        ).action_mark_unhelpful()
        self.env["ir.config_parameter"].set_param(MIN_SAMPLE, "3")
        row = self._summary(self.agent, [("hint_id", "=", hint.id)])
        self.assertEqual((row.record_count, row.done_count, row.not_done_count), (12, 3, 9))
        self.assertEqual(row.unhelpful_count, 1)
        # acknowledged: records 0-2, closed after 10, 20, 30 h
        self.assertAlmostEqual(row.hours_done, 20.0, places=4)
        # not acknowledged and closed: 40, 50, 100, 100, 200, 200 h
        self.assertAlmostEqual(row.hours_not_done, 690 / 6, places=4)

    def test_effectiveness_feedback_on_the_item(self):
        records = self._scenario()
        feedback = (
            self.env["guide.feedback"]
            .with_user(self.agent)
            .create(
                [
                    {
                        "name": "Ask for the budget earlier",
                        "process_id": self.process.id,
                        "step_id": self.item.step_id.id,
                        "item_id": self.item.id,
                        "res_model": records._name,
                        "res_id": records[0].id,
                    },
                    {
                        "name": "Useless item",
                        "process_id": self.process.id,
                        "step_id": self.item.step_id.id,
                        "item_id": self.item.id,
                    },
                ]
            )
        )
        feedback[0].with_user(self.manager).write({"state": "accepted"})
        row = self._summary(self.agent, [("item_id", "=", self.item.id)])
        self.assertEqual((row.feedback_count, row.feedback_accepted), (2, 1))

    def test_effectiveness_rows_follow_the_record(self):
        """Rows by record are readable where the record is; the aggregates by everybody."""
        records = self._scenario()
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        Report = self.env["guide.effectiveness.report"]
        self.assertTrue(Report.with_user(self.agent).search(domain))
        self.assertFalse(Report.with_user(self.colleague).search(domain))
        rows = Report.search(domain, limit=1)
        with self.assertRaises(AccessError):
            rows.with_user(self.colleague).read(["done"])
        row = self._summary(self.colleague, [("item_id", "=", self.item.id)])
        self.assertEqual(row.record_count, 12)

    # ------------------------------------------------------------
    # SCORECARDS
    # ------------------------------------------------------------
    def test_scorecard_figures(self):
        records = self._records(5)
        self._scorecard_facts(records)
        Scorecard = self.env["guide.scorecard.report"].with_user(self.agent)
        [row] = Scorecard._read_group(
            [("user_id", "=", self.agent.id)],
            [],
            [
                "record_key:count_distinct",
                "override_count:sum",
                "escalation_count:sum",
                "ack_hours:avg",
                "check_count:sum",
                "violation_count:sum",
                "compliance_rate:avg",
                "feedback_count:sum",
                "feedback_accepted:sum",
            ],
        )
        self.assertEqual(row[:3], (5, 1, 2))
        self.assertAlmostEqual(row[3], 3.0)
        self.assertEqual(row[4:6], (2, 1))
        self.assertAlmostEqual(row[6], 50.0)
        self.assertEqual(row[7:], (2, 1))
        reasons = Scorecard._read_group([("fact", "=", "override")], ["reason_id"], ["__count"])
        self.assertEqual(reasons, [(self.reason, 1)])

    def _policy_and_rule(self, model_name, process):
        """A policy and an escalation rule of ``process``, and a policy of no process."""
        return policy_and_rule(self.env, model_name, process)

    def test_scorecard_checks_and_escalations_of_their_process(self):
        """Policy checks and escalations are of the process their policy or rule names,
        else of the process the record was in (a manual escalation, a policy of every
        process): a process's scorecard counts them."""
        record = self._records(1)
        policy, anywhere, rule = self._policy_and_rule(record._name, self.process)
        common = {"res_model": record._name, "res_id": record.id, "company_id": self.company.id}
        self.env["compliance.log"].sudo().create(
            [
                dict(common, policy_id=policy.id, policy_name=policy.name, event="stage", outcome="passed"),
                dict(
                    common, policy_id=anywhere.id, policy_name=anywhere.name, event="stage", outcome="blocked"
                ),
            ]
        )
        self.env["escalation.log"].sudo().create(
            [
                dict(common, rule_id=rule.id, kind="escalation", trigger="auto", outcome="done"),
                dict(common, kind="manual", trigger="manual", outcome="done"),
            ]
        )
        Scorecard = self.env["guide.scorecard.report"].with_user(self.manager)
        [row] = Scorecard._read_group(
            [
                ("process_id", "=", self.process.id),
                ("res_id", "=", record.id),
                ("res_model", "=", record._name),
            ],
            [],
            ["check_count:sum", "violation_count:sum", "escalation_count:sum"],
        )
        self.assertEqual(row, (2, 1, 2))

    def test_scorecard_approved_exception_is_no_override(self):
        """An approved exception is the approver's decision, not the requester's override:
        the scorecard and the comparison count the agent's overrides only (of a gate, a
        move, a policy), as the process map does."""
        record = self._records(1)
        common = {
            "res_model": record._name,
            "res_id": record.id,
            "company_id": self.company.id,
            "process_id": self.process.id,
            "user_id": self.agent.id,
            "reason": "Because",
        }
        self.env["guide.deviation"].sudo().create(
            [
                dict(common, kind="gate", rule_name="Gate"),
                dict(common, kind="policy", rule_name="Policy"),
                dict(common, kind="approval", rule_name="Approved", approval_state="approved"),
            ]
        )
        Scorecard = self.env["guide.scorecard.report"].with_user(self.agent)
        domain = [("user_id", "=", self.agent.id), ("res_id", "=", record.id)]
        [(count, overrides)] = Scorecard._read_group(
            domain + [("fact", "=", "override")], [], ["__count", "override_count:sum"]
        )
        self.assertEqual((count, overrides), (2, 2))
        wizard = self.env["guide.compare.wizard"].with_user(self.agent).create({"res_model": record._name})
        wizard.action_compare()
        line = wizard.line_ids.filtered(lambda line: line.name == "Overrides")
        self.assertEqual(line.value_b, 2)

    def test_scorecard_ack_hours_of_whoever_acknowledged(self):
        """An escalation that did not reassign the record is its owner's; the hours to
        acknowledge it are those of whoever acknowledged it (a leader, for them), not
        the owner's, who acknowledged nothing; the process's average keeps them all."""
        record = self._records(1)
        common = {
            "res_model": record._name,
            "res_id": record.id,
            "company_id": self.company.id,
            "kind": "escalation",
            "trigger": "auto",
            "outcome": "done",
        }
        self.env["escalation.log"].sudo().create(
            [
                # the level did not reassign: the owner received it, the leader acknowledged it
                dict(common, from_user_id=self.agent.id, ack_user_id=self.leader.id, ack_hours=6.0),
                # reassigned to the agent, who acknowledged it
                dict(common, to_user_id=self.agent.id, ack_user_id=self.agent.id, ack_hours=2.0),
                # not acknowledged yet
                dict(common, to_user_id=self.agent.id),
            ]
        )
        Scorecard = self.env["guide.scorecard.report"]
        figures = ["escalation_count:sum", "ack_hours:avg"]
        domain = [("res_id", "=", record.id), ("res_model", "=", record._name)]
        [own] = Scorecard.with_user(self.agent)._read_group(
            domain + [("user_id", "=", self.agent.id)], [], figures
        )
        self.assertEqual(own, (3, 2.0))
        [leader] = Scorecard.with_user(self.leader)._read_group(
            domain + [("user_id", "=", self.leader.id)], [], figures
        )
        self.assertEqual(leader, (0, 6.0))
        [every] = Scorecard.with_user(self.manager)._read_group(domain, [], figures)
        self.assertEqual(every, (3, 4.0))

    def test_hours_to_close_never_negative(self):
        """A record closed in the second it was created (its closing date truncated to
        the second, its creation with microseconds) took 0 h, not a negative time."""
        records = self._records(1)
        self._close(records, False, -0.0001)
        [(hours, count)] = self.env["guide.effectiveness.report"]._read_group(
            [("res_model", "=", records._name), ("res_id", "=", records.id)],
            [],
            ["hours_not_done:min", "hours_not_done:count"],
        )
        self.assertTrue(count)
        self.assertEqual(hours, 0.0)

    def test_hint_unhelpful_marks_of_the_rows_records(self):
        """A row of the summary counts the *not helpful* marks on the records behind it: a
        mark on a record of another company is counted on that company's row only (not
        shown to this company's users, nor counted twice over the rows)."""
        records = self._records(2)
        hint = self.env["guide.hint"].create(
            {"name": "Call back within the hour", "model_name": records._name, "process_id": self.process.id}
        )
        hint.with_user(self.agent).with_context(
            guide_res_model=records._name, guide_res_id=records[1].id
        ).action_mark_unhelpful()
        other = self.env["res.company"].create({"name": "Other Company (hints)"})
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET company_id = %s WHERE id = %s",
                SQL.identifier(records._table),
                other.id,
                records[1].id,
            )
        )
        self.env.invalidate_all()
        rows = self.env["guide.effectiveness.summary"].search([("hint_id", "=", hint.id)])
        self.assertEqual(
            {row.company_id: row.unhelpful_count for row in rows}, {records[0].company_id: 0, other: 1}
        )
        own = self._summary(self.agent, [("hint_id", "=", hint.id)])
        self.assertEqual((own.company_id, own.unhelpful_count), (records[0].company_id, 0))

    def test_feedback_counted_on_its_records_company(self):
        """Feedback given on a record counts on the summary row of that record's company only
        (another company's feedback is not shown to this company's users, nor counted twice
        over the rows); feedback given on no record counts on every row of its item."""
        records = self._records(2)
        other = self.env["res.company"].create({"name": "Other Company (feedback)"})
        self.env.flush_all()
        for table, column, res_id in (
            (records._table, "id", records[1].id),
            ("guide_line", "res_id", records[1].id),
        ):
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET company_id = %s WHERE %s = %s",
                    SQL.identifier(table),
                    other.id,
                    SQL.identifier(column),
                    res_id,
                )
            )
        self.env.invalidate_all()
        feedback = self.env["guide.feedback"].create(
            [
                {
                    "name": "Budget asked too late",
                    "process_id": self.process.id,
                    "step_id": self.item.step_id.id,
                    "item_id": self.item.id,
                    "res_model": records._name,
                    "res_id": records[1].id,
                },
                {
                    "name": "Unclear item",
                    "process_id": self.process.id,
                    "step_id": self.item.step_id.id,
                    "item_id": self.item.id,
                },
            ]
        )
        self.assertEqual(feedback.mapped("record_company_id"), other)
        rows = self.env["guide.effectiveness.summary"].search([("item_id", "=", self.item.id)])
        self.assertEqual(
            {row.company_id: row.feedback_count for row in rows}, {records[0].company_id: 1, other: 2}
        )
        own = self._summary(self.agent, [("item_id", "=", self.item.id)])
        self.assertEqual((own.company_id, own.feedback_count), (records[0].company_id, 1))
        with self.assertRaises(AccessError):
            feedback[0].with_user(self.agent).write({"record_company_id": records[0].company_id.id})

    def test_compare_with_a_malformed_minimum_sample(self):
        """A minimum sample that is no whole number (a typo in the system parameter) is the
        default for the comparison, as for the step-effectiveness list, not a ValueError
        for every user who compares."""
        records = self._records(2)
        self.env["ir.config_parameter"].set_param(MIN_SAMPLE, "ten")
        wizard = self.env["guide.compare.wizard"].with_user(self.agent).create({})
        wizard.action_compare()
        handled = wizard.line_ids.filtered(lambda line: line.name == "Records handled")
        self.assertEqual((handled.value_b, handled.count_b), (len(records), 0))
        # a total is shown as a whole number (it read "2.00")
        self.assertEqual(handled.value_b_shown, str(len(records)))
        checked = wizard.line_ids.filtered(lambda line: line.section == "effectiveness")[:1]
        self.assertTrue(checked.low_sample, "fewer than the default 10 rows")

    def test_scorecard_detour_is_no_stage_change(self):
        """Entering an alternate step and completing it leaves the record in its stage:
        the agent's scorecard counts no stage change and no record handled for it, while
        the time spent in the alternate step still counts as hours in step."""
        record = self._records(1)
        alternate = self.env["guide.step"].create(
            {"process_id": self.process.id, "name": "Legal review", "kind": "alternate"}
        )
        Scorecard = self.env["guide.scorecard.report"].with_user(self.agent)
        domain = [("res_model", "=", record._name), ("res_id", "=", record.id)]
        figures = ["move_count:sum", "record_key:count_distinct"]
        before = Scorecard._read_group(domain, [], figures)
        record.with_user(self.agent).action_guide_enter_alternate(alternate.id, "Legal asked")
        record.with_user(self.agent).action_guide_complete_alternate()
        self.assertEqual(Scorecard._read_group(domain, [], figures), before)
        returned = Scorecard.search(domain + [("step_id", "=", alternate.id)])
        self.assertEqual((returned.fact, returned.move_count), ("move", 0))

    def test_compare_periods_of_the_users_days(self):
        """The periods compared are the user's days: a stage change at 20:00 UTC on the
        4th of January is on the 5th in Tokyo."""
        record = self._records(1)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE guide_history SET date = '2026-01-04 20:00:00' WHERE res_model = %s AND res_id = %s",
            (record._name, record.id),
        )
        self.agent.tz = "Asia/Tokyo"
        wizard = (
            self.env["guide.compare.wizard"]
            .with_user(self.agent)
            .create(
                {
                    "date_a_from": "2026-01-04",
                    "date_a_to": "2026-01-04",
                    "date_b_from": "2026-01-05",
                    "date_b_to": "2026-01-05",
                }
            )
        )
        wizard.action_compare()
        line = wizard.line_ids.filtered(lambda line: line.name == "Stage changes")
        self.assertEqual((line.value_a, line.value_b), (0, 1))

    def test_scorecard_milestones(self):
        """Milestones reached by the agent (two, on two records) and by the colleague
        (one): the agent's scorecard counts two, the colleague's row stays theirs."""
        records = self._records(3)
        milestone = self.env["guide.milestone"].create(
            {"process_id": self.process.id, "name": "Demo done", "reach_mode": "manual"}
        )
        records[:2].with_user(self.agent).action_guide_reach_milestone(milestone.id)
        records[2].with_user(self.manager).action_guide_reach_milestone(milestone.id)
        Scorecard = self.env["guide.scorecard.report"]
        [(count, reached)] = Scorecard.with_user(self.agent)._read_group(
            [("user_id", "=", self.agent.id), ("fact", "=", "milestone")],
            [],
            ["__count", "milestone_count:sum"],
        )
        self.assertEqual((count, reached), (2, 2))
        [(reached_all,)] = Scorecard.with_user(self.manager)._read_group(
            [("res_id", "in", records.ids), ("res_model", "=", records._name)], [], ["milestone_count:sum"]
        )
        self.assertEqual(reached_all, 3)

    def test_scorecard_access(self):
        """An agent reads their own figures, a team leader their team's, a manager all;
        a colleague nothing of the agent's."""
        records = self._records(2)
        self._scorecard_facts(records)
        domain = [("user_id", "=", self.agent.id), ("res_model", "=", records._name)]
        Scorecard = self.env["guide.scorecard.report"]
        own = Scorecard.with_user(self.agent).search(domain)
        self.assertTrue(own)
        self.assertEqual(Scorecard.with_user(self.leader).search(domain), own)
        self.assertEqual(Scorecard.with_user(self.manager).search(domain), own)
        self.assertFalse(Scorecard.with_user(self.colleague).search(domain))
        with self.assertRaises(AccessError):
            own.with_user(self.colleague).read(["fact"])

    def test_scorecard_only_for_users_who_work_the_model(self):
        """An employee who no longer works the model's records (a salesperson's overrides
        on tickets, a helpdesk agent's on leads: the figure groups of the model) reads none
        of their rows of that model, by search or read_group; given the model's figure
        group again, their own rows are back."""
        record = self._records(1)
        outsider = new_test_user(
            self.env, login="pi_sc_outsider", groups="base.group_user,base_process_guide.group_guide_user"
        )
        self.env["guide.deviation"].sudo().create(
            {
                "res_model": record._name,
                "res_id": record.id,
                "company_id": self.company.id,
                "kind": "gate",
                "rule_name": "Budget confirmed",
                "process_id": self.process.id,
                "step_id": self.item.step_id.id,
                "user_id": outsider.id,
                "reason_id": self.reason.id,
                "reason": "The customer asked",
            }
        )
        Report = self.env["guide.scorecard.report"]
        domain = [("user_id", "=", outsider.id), ("res_model", "=", record._name)]
        self.assertEqual(Report.search_count(domain), 1)
        self.assertFalse(Report.with_user(outsider).search(domain))
        [[count]] = Report.with_user(outsider)._read_group(
            [("res_model", "=", record._name)], [], ["__count"]
        )
        self.assertEqual(count, 0)
        groups = self.env[record._name]._pi_figure_groups()
        outsider.groups_id |= self.env.ref(groups[0])
        self.assertEqual(Report.with_user(outsider).search(domain).override_count, 1)

    def test_scorecard_no_system_or_portal_agent(self):
        """The superuser (OdooBot: crons, installs), the public user and portal users are no
        agents: their overrides and checks are no one's on the scorecards (counted in the
        totals, under no agent), whose agents are the internal users only."""
        record = self._records(1)
        portal = new_test_user(self.env, login="pi_portal_agent", groups="base.group_portal")
        bots = self.env.ref("base.user_root") | self.env.ref("base.public_user") | portal
        common = {"res_model": record._name, "res_id": record.id, "company_id": self.company.id}
        self.env["guide.deviation"].sudo().create(
            [
                dict(common, kind="gate", rule_name="PI system", reason="Automated", user_id=user.id)
                for user in bots | self.agent
            ]
        )
        self.env["compliance.log"].sudo().create(
            dict(common, policy_name="PI system", event="stage", outcome="passed", user_id=SUPERUSER_ID)
        )
        Scorecard = self.env["guide.scorecard.report"].with_user(self.manager)
        domain = [("res_model", "=", record._name), ("res_id", "=", record.id)]
        by_agent = dict(
            Scorecard._read_group(domain + [("fact", "in", ("override", "check"))], ["user_id"], ["__count"])
        )
        self.assertEqual(by_agent, {self.agent: 1, self.env["res.users"]: 4})
        self.assertFalse(Scorecard.search([("user_id", "in", bots.ids)]))
        [(overrides,)] = Scorecard._read_group(domain, [], ["override_count:sum"])
        self.assertEqual(overrides, 4)

    def test_scorecard_multi_company(self):
        records = self._records(1)
        other = self.env["res.company"].create({"name": "Other Company (scorecards)"})
        self.env["guide.deviation"].sudo().create(
            {
                "kind": "gate",
                "rule_name": "Elsewhere",
                "res_model": records._name,
                "res_id": records.id,
                "user_id": self.agent.id,
                "reason": "Elsewhere",
                "company_id": other.id,
            }
        )
        Scorecard = self.env["guide.scorecard.report"]
        domain = [("user_id", "=", self.agent.id), ("fact", "=", "override")]
        self.assertEqual(len(Scorecard.search(domain)), 1)
        self.assertFalse(Scorecard.with_user(self.agent).search(domain))
        self.assertFalse(Scorecard.with_user(self.manager).search(domain))

    # ------------------------------------------------------------
    # BEFORE AND AFTER
    # ------------------------------------------------------------
    def test_compare_is_a_page_of_its_menu(self):
        """Before and After opens as a page over its menu, not as a dialog (opened from a
        link or a reload, a dialog had an empty page behind it): its Compare button in the
        page's header, the page's title its name, comparing fills the page and opens no
        further screen."""
        action = self.env["ir.actions.actions"].with_user(self.agent)._for_xml_id(self.compare_action)
        self.assertEqual((action["target"], action["views"][0][1]), ("current", "form"))
        self.assertTrue(
            self.env["ir.ui.menu"]
            .with_user(self.agent)
            .search([("action", "=", f"ir.actions.act_window,{action['id']}")])
        )
        context = safe_eval(action["context"])
        Wizard = self.env["guide.compare.wizard"].with_user(self.agent).with_context(**context)
        arch = etree.fromstring(Wizard.get_views([(False, "form")])["views"]["form"]["arch"])
        self.assertEqual(arch.xpath("//header/button/@name"), ["action_compare"])
        self.assertFalse(arch.xpath("//footer"))
        wizard = Wizard.create({})
        self.assertEqual(wizard.res_model, self._records(1)._name)
        self.assertEqual(wizard.display_name, "Before and After")
        # a new comparison's title, as the web client asks for it
        values = Wizard.onchange({}, [], {"display_name": {}, "compare_mode": {}})["value"]
        self.assertEqual(values["display_name"], "Before and After")
        self.assertIs(wizard.action_compare(), True)
        self.assertTrue(wizard.line_ids)
        # the page is saved as it is when the user leaves it, versions not chosen yet included;
        # Compare asks for them
        wizard.write({"compare_mode": "version"})
        with self.assertRaisesRegex(UserError, "choose a process and two of its versions"):
            wizard.action_compare()

    def test_compare_two_periods(self):
        records = self._scenario()
        self.env["ir.config_parameter"].set_param(MIN_SAMPLE, "3")
        # the item's lines of the first 6 records entered in January, the others in March
        self.env.cr.execute(
            "UPDATE guide_line SET create_date = CASE WHEN res_id = ANY(%s) THEN timestamp '2026-01-15' "
            "ELSE timestamp '2026-03-15' END WHERE res_model = %s AND res_id = ANY(%s)",
            (records[:6].ids, records._name, records.ids),
        )
        self.env.invalidate_all()
        wizard = (
            self.env["guide.compare.wizard"]
            .with_user(self.agent)
            .create(
                {
                    "res_model": records._name,
                    "process_id": self.process.id,
                    "date_a_from": "2026-01-01",
                    "date_a_to": "2026-01-31",
                    "date_b_from": "2026-03-01",
                    "date_b_to": "2026-03-31",
                }
            )
        )
        self.assertIs(wizard.action_compare(), True)
        lines = {line.name: line for line in wizard.line_ids}
        line = lines[f"{self.item.name}: done (%)"]
        self.assertEqual((line.value_a, line.count_a, line.value_b, line.count_b), (100.0, 6, 0.0, 6))
        self.assertAlmostEqual(line.difference, -100.0)
        self.assertEqual((line.value_a_shown, line.difference_shown), ("100.00", "-100.00"))
        line = lines[f"{self.item.name}: hours to close when done"]
        self.assertAlmostEqual(line.value_a, 30.0, places=4)
        self.assertEqual((line.count_a, line.count_b), (5, 0))
        self.assertTrue(line.low_sample)
        # the side drawn from enough rows is shown, the other and the difference are empty
        # (the page hid the three, "Before" included, and would have read 0.00 for "After")
        self.assertEqual((line.value_a_shown, line.value_b_shown, line.difference_shown), ("30.00", "", ""))
        arch = etree.fromstring(
            self.env["guide.compare.wizard"].with_user(self.agent).get_view(view_type="form")["arch"]
        )
        for name in ("value_a_shown", "value_b_shown", "difference_shown"):
            self.assertFalse(
                arch.xpath(f"//field[@name='line_ids']//field[@name='{name}']")[0].get("invisible")
            )
        with self.assertRaises(ValidationError):
            wizard.write({"date_b_to": "2026-02-01"})
        # the outcome in the model's words
        # in lower case within the label, as "closed when done" ("Legal review: won when done")
        self.assertIn(f"{self.item.name}: {self.success_label.lower()} when done (%)", lines)
        self.assertFalse([name for name in lines if "success" in name.lower()])

    def test_row_ids_from_their_own_rows(self):
        """A row's id comes from its own row (the line; the record and the hint, task or
        alternate step), not from a numbering of all the rows (which kept every filter from
        reaching the tables: each read computed every row): a hint's row on a record keeps
        its id when other records leave, and is read by it."""
        records = self._records(3)
        hint = self.env["guide.hint"].create(
            {"name": "Call back within the hour", "model_name": records._name, "process_id": self.process.id}
        )
        Report = self.env["guide.effectiveness.report"]
        domain = [
            ("hint_id", "=", hint.id),
            ("res_model", "=", records._name),
            ("res_id", "=", records[2].id),
        ]
        row = Report.search(domain)
        self.assertEqual(len(row), 1)
        records[:2].sudo().unlink()
        self.env.flush_all()
        self.assertEqual(Report.search(domain), row)
        self.assertEqual(Report.browse(row.id).res_id, records[2].id)


class ScorecardRpcCases(IntelligenceFixture):
    """Over XML-RPC and JSON-RPC, as the users themselves (mixed in with ``RpcCase``)."""

    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    def test_hint_rows_over_xmlrpc(self):
        """The rows of a hint (one per hint and record) have ids XML-RPC carries (32-bit
        integers): the agent searches and reads them over both protocols."""
        records = self._records(2)
        hint = self.env["guide.hint"].create(
            {"name": "Call back within the hour", "model_name": records._name, "process_id": self.process.id}
        )
        domain = [("hint_id", "=", hint.id), ("res_id", "in", records.ids)]
        for call in (self.xmlrpc, self.jsonrpc):
            rows = call(
                self.agent,
                "guide.effectiveness.report",
                "search_read",
                [domain],
                {"fields": ["res_id", "done"]},
            )
            self.assertEqual(sorted(row["res_id"] for row in rows), sorted(records.ids))
            self.assertTrue(all(0 < row["id"] < 2**31 and row["id"] % 2 for row in rows))
            summary = call(
                self.agent, "guide.effectiveness.summary", "search_read", [[("hint_id", "=", hint.id)]]
            )
            self.assertEqual(len(summary), 1)

    def test_report_exported_as_figures_only(self):
        """The web client's import-compatible export asks for the rows' external ids, which
        a report's rows have none of: refused in words, no error logged; exported as figures,
        the rows are the user's."""
        records = self._records(2)
        ids = self.env["guide.effectiveness.report"].search([("res_id", "in", records.ids)]).ids
        self.assertTrue(ids)
        self.manager.groups_id = [(4, self.env.ref("base.group_allow_export").id)]
        with self.assertNoLogs("odoo.http", "ERROR"):
            for model, fname in (
                ("guide.effectiveness.report", "label"),
                ("guide.effectiveness.summary", "label"),
                ("guide.scorecard.report", "fact"),
            ):
                with self.subTest(model=model):
                    rows = self.env[model].search([], limit=2).ids
                    fault = self.rpc_fault(self.manager, model, "export_data", [rows, ["id", fname]])
                    self.assertIn("is a report: its rows cannot be imported back", fault)
            datas = self.xmlrpc(self.manager, "guide.effectiveness.report", "export_data", [ids, ["label"]])
        self.assertEqual(len(datas["datas"]), len(ids))

    def test_rows_of_a_deleted_record_in_the_web_client(self):
        """A deleted record's facts stay (its history is an audit trail): the web client's
        read of them gives the record as the empty link (0), never False for the record
        and its model, which the scorecard list read as a link to a record of no model
        and failed to open ("Oops!")."""
        records = self._records(2)
        deleted_id = records[0].id
        records[0].sudo().unlink()
        self.env.flush_all()
        spec = {"res_model": {}, "res_id": {"fields": {"display_name": {}}}}
        rows = self.jsonrpc(
            self.manager,
            "guide.scorecard.report",
            "web_search_read",
            [[("res_model", "=", records._name), ("res_id", "in", [deleted_id, records[1].id])]],
            {"specification": spec},
        )["records"]
        gone = [row for row in rows if not row["res_id"]]
        self.assertTrue(gone, "the deleted record's facts stay")
        # 0, not False (equal in Python, not to the web client)
        self.assertEqual({type(row["res_id"]) for row in gone}, {int})
        kept = [row for row in rows if row["res_id"]]
        self.assertTrue(kept)
        self.assertTrue(
            all(row["res_id"]["id"] == records[1].id and row["res_model"] == records._name for row in kept)
        )

    def test_compare_wizard_over_rpc(self):
        """The before-and-after wizard created over RPC without its dates compares the last
        30 days with the 30 days before; an empty or malformed date, a period ending before
        it starts, a process of another model or of another company (or a version of it, in
        either mode) are refused as
        ValidationErrors naming the field, never logged at ERROR (PostgreSQL's NOT NULL)."""
        today = fields.Date.context_today(self.env["guide.compare.wizard"].with_user(self.agent))
        other_company = self.env["res.company"].create({"name": "Other Company (compare)"})
        foreign = self.env["guide.process"].create(
            {"name": "Elsewhere", "model_name": self.process.model_name, "company_id": other_company.id}
        )
        foreign_version = self.env["guide.process.version"].search([("process_id", "=", foreign.id)], limit=1)
        self.assertTrue(foreign_version)
        # another guided model, when one is installed (not without helpdesk_mgmt)
        other_model = next(
            (
                name
                for name in self.env["guide.process"]._guide_model_names()
                if name != self.process.model_name
            ),
            None,
        )
        refusals = [
            ({"date_a_from": False}, '"Before: From" must be a date'),
            ({"date_b_to": "not a date"}, '"After: To" must be a date'),
            ({"date_b_from": ["2026-01-01"]}, '"After: From" must be a date'),
            ({"date_a_from": "2026-02-01", "date_a_to": "2026-01-01"}, '"Before: To" (2026-01-01) is before'),
            ({"process_id": foreign.id}, '"Process" is a process of a company you do not work in'),
            # a version of it, in either mode (the page would name it)
            (
                {"version_b_id": foreign_version.id},
                '"After: Version" is a version of a process of a company you do not work in',
            ),
            (
                {"compare_mode": "version", "version_a_id": foreign_version.id},
                '"Before: Version" is a version of a process of a company you do not work in',
            ),
            ({"process_id": 2**30}, f'"Process" {2**30} is not a process'),
            ({"process_id": "abc"}, "\"Process\" 'abc' is not a process"),
            ({"res_model": "res.users"}, "\"Model\" 'res.users' is not a guided model"),
        ]
        if other_model:
            refusals.append(
                ({"process_id": self.process.id, "res_model": other_model}, "guides another model")
            )
        for call in (self.xmlrpc, self.jsonrpc):
            with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertNoLogs("odoo.http", "ERROR"):
                wizard_id = call(self.agent, "guide.compare.wizard", "create", [{}])
                [values] = call(
                    self.agent,
                    "guide.compare.wizard",
                    "read",
                    [[wizard_id], ["date_a_from", "date_a_to", "date_b_from", "date_b_to"]],
                )
                self.assertEqual(
                    [values[name] for name in ("date_a_from", "date_a_to", "date_b_from", "date_b_to")],
                    [str(fields.Date.add(today, days=days)) for days in (-59, -30, -29, 0)],
                )
                result = call(self.agent, "guide.compare.wizard", "action_compare", [[wizard_id]])
                self.assertIs(result, True)
                self.assertTrue(self.env["guide.compare.wizard"].browse(wizard_id).line_ids)
                # the process tells the model
                wizard_id = call(
                    self.agent, "guide.compare.wizard", "create", [{"process_id": self.process.id}]
                )
                [values] = call(self.agent, "guide.compare.wizard", "read", [[wizard_id], ["res_model"]])
                self.assertEqual(values["res_model"], self.process.model_name)
                for vals, expected in refusals:
                    with self.subTest(call=call.__name__, vals=vals):
                        with self.assertRaises(RpcError) as caught:
                            call(self.agent, "guide.compare.wizard", "create", [vals])
                        self.assertIn(expected, caught.exception.message)
                        self.assertNotIn("Traceback", caught.exception.message)
                        if call == self.jsonrpc:
                            self.assertEqual(caught.exception.name, "odoo.exceptions.ValidationError")
                        with self.assertRaises(RpcError) as caught:
                            call(self.agent, "guide.compare.wizard", "write", [[wizard_id], vals])
                        self.assertIn(expected, caught.exception.message)

    def test_compare_refused_on_a_model_the_user_does_not_work(self):
        """An employee who works none of the model's records (a salesperson on tickets, an
        employee of another app on leads) is refused a comparison of its process or of the
        model, over XML-RPC and JSON-RPC, as an AccessError naming the model: not shown
        zeros computed under record rules that hide every row. The model is not offered
        to them; a comparison of it made for them (sudo) is not compared; the process map
        is refused the same way. Nothing logged at ERROR."""
        outsider = new_test_user(
            self.env, login="pi_cmp_outsider", groups="base.group_user,base_process_guide.group_guide_user"
        )
        model_name = self.process.model_name
        label = self.env["ir.model"]._get(model_name).name
        selection = (
            self.env["guide.compare.wizard"]
            .with_user(outsider)
            .fields_get(["res_model"])["res_model"]["selection"]
        )
        self.assertNotIn(model_name, [value for value, _label in selection])
        made_for_them = (
            self.env["guide.compare.wizard"]
            .with_user(outsider)
            .sudo()
            .create({"process_id": self.process.id})
        )
        for call in (self.xmlrpc, self.jsonrpc):
            with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
                # a comparison of what they may see (their own scorecard) is theirs
                own_id = call(outsider, "guide.compare.wizard", "create", [{}])
                self.assertIs(call(outsider, "guide.compare.wizard", "action_compare", [[own_id]]), True)
                attempts = [
                    ("create", [{"process_id": self.process.id}], self.process.name),
                    ("create", [{"res_model": model_name}], label),
                    ("write", [[own_id], {"process_id": self.process.id}], self.process.name),
                    ("write", [[own_id], {"res_model": model_name}], label),
                    ("action_compare", [made_for_them.ids], self.process.name),
                ]
                for method, args, named in attempts:
                    with self.subTest(call=call.__name__, method=method, args=args):
                        with self.assertRaises(RpcError) as caught:
                            call(outsider, "guide.compare.wizard", method, args)
                        # named as the page is (not "Compare Two Periods" when comparing versions)
                        self.assertIn(
                            f"Before and After: you do not work on the records of {label}",
                            caught.exception.message,
                        )
                        self.assertIn(named, caught.exception.message)
                        if call == self.jsonrpc:
                            self.assertEqual(caught.exception.name, "odoo.exceptions.AccessError")
                with self.assertRaises(RpcError):
                    call(outsider, "guide.process", "get_process_map", [self.process.id])
        self.assertFalse(made_for_them.line_ids)
        # the users who work the records compare them
        wizard_id = self.xmlrpc(
            self.agent, "guide.compare.wizard", "create", [{"process_id": self.process.id}]
        )
        self.assertIs(self.xmlrpc(self.agent, "guide.compare.wizard", "action_compare", [[wizard_id]]), True)

    def test_changing_an_option_clears_the_figures(self):
        """The figures shown are those of the options shown: changing a date, the mode or
        the process clears the compared figures, in the form before it is saved (onchange)
        and once saved (a reload shows none), until Compare computes new ones; saving the
        options unchanged keeps them."""
        self._scorecard_facts(self._records(2))
        Line = self.env["guide.compare.line"]
        wizard_id = self.jsonrpc(self.agent, "guide.compare.wizard", "create", [{}])

        def compare():
            self.jsonrpc(self.agent, "guide.compare.wizard", "action_compare", [[wizard_id]])
            lines = Line.search([("wizard_id", "=", wizard_id)])
            self.assertTrue(lines)
            return lines

        lines = compare()
        [dates] = self.jsonrpc(self.agent, "guide.compare.wizard", "read", [[wizard_id], ["date_a_from"]])
        self.jsonrpc(self.agent, "guide.compare.wizard", "write", [[wizard_id], dates])
        self.assertEqual(Line.search([("wizard_id", "=", wizard_id)]), lines)
        # in the form: the web client's onchange on the changed field
        result = self.jsonrpc(
            self.agent,
            "guide.compare.wizard",
            "onchange",
            [
                [wizard_id],
                {"date_a_from": "2020-01-01"},
                ["date_a_from"],
                {"line_ids": {"fields": {"name": {}}}},
            ],
        )
        removed = {command[1] for command in result["value"]["line_ids"] if command[0] in (2, 3)}
        self.assertEqual(removed, set(lines.ids))
        for vals in (
            {"date_a_from": "2020-01-01"},
            {"date_b_to": "2099-12-31"},
            {"process_id": self.process.id},
            {"compare_mode": "version"},
        ):
            with self.subTest(vals=vals):
                self.jsonrpc(self.agent, "guide.compare.wizard", "write", [[wizard_id], vals])
                self.assertFalse(Line.search([("wizard_id", "=", wizard_id)]))
                self.assertFalse(lines.exists())
                if vals != {"compare_mode": "version"}:
                    lines = compare()

    def test_compare_wizard_first_and_last_dates(self):
        """Periods reaching the first or the last day a date holds (0001-01-01, 9999-12-31)
        are compared, not an OverflowError logged at ERROR: the period of all time counts
        every stage change the agent's scorecard holds."""
        moves = (
            self.env["guide.scorecard.report"].with_user(self.agent)._read_group([], [], ["move_count:sum"])
        )
        vals = {
            "date_a_from": "0001-01-01",
            "date_a_to": "9999-12-31",
            "date_b_from": "9999-12-31",
            "date_b_to": "9999-12-31",
        }
        for call in (self.xmlrpc, self.jsonrpc):
            with self.subTest(call=call.__name__), self.assertNoLogs("odoo", "ERROR"):
                wizard_id = call(self.agent, "guide.compare.wizard", "create", [vals])
                call(self.agent, "guide.compare.wizard", "action_compare", [[wizard_id]])
                line = self.env["guide.compare.wizard"].browse(wizard_id).line_ids[1]
                self.assertEqual((line.value_a, line.value_b), (moves[0][0], 0))

    def test_compare_wizard_is_its_authors(self):
        """A comparison holds the figures its author may see: a colleague does not read,
        search, change or recompute a manager's comparison nor its lines, over RPC."""
        wizard_id = self.xmlrpc(self.manager, "guide.compare.wizard", "create", [{}])
        self.xmlrpc(self.manager, "guide.compare.wizard", "action_compare", [[wizard_id]])
        line_ids = self.env["guide.compare.wizard"].browse(wizard_id).line_ids.ids
        self.assertTrue(line_ids)
        for call in (self.xmlrpc, self.jsonrpc):
            with self.assertNoLogs("odoo.http", "ERROR"):
                self.assertEqual(call(self.colleague, "guide.compare.wizard", "search", [[]]), [])
                self.assertEqual(call(self.colleague, "guide.compare.line", "search_count", [[]]), 0)
                for model, ids in (("guide.compare.wizard", [wizard_id]), ("guide.compare.line", line_ids)):
                    with self.assertRaises(RpcError):
                        call(self.colleague, model, "read", [ids, ["display_name"]])
                with self.assertRaises(RpcError):
                    call(self.colleague, "guide.compare.wizard", "action_compare", [[wizard_id]])
                with self.assertRaises(RpcError):
                    call(
                        self.colleague, "guide.compare.wizard", "write", [[wizard_id], {"process_id": False}]
                    )
        self.assertEqual(self.env["guide.compare.wizard"].browse(wizard_id).line_ids.ids, line_ids)
        # the author reads theirs
        rows = self.jsonrpc(
            self.manager, "guide.compare.line", "search_read", [[("wizard_id", "=", wizard_id)]]
        )
        self.assertEqual(len(rows), len(line_ids))

    def test_compare_again_and_figures_are_computed(self):
        """The author compares again (other dates) over RPC: the figures are replaced, not
        refused for want of the right to delete them. Nobody types a figure: a line created,
        changed or deleted by a client is refused as an AccessError, whatever it names (its
        own comparison, one that does not exist, an id or a number no integer column holds),
        before the database's foreign keys or integer columns see it, with no ERROR logged."""
        records = self._records(2)
        self._scorecard_facts(records)
        Line = self.env["guide.compare.line"]
        for call in (self.xmlrpc, self.jsonrpc):
            with self.subTest(call=call.__name__), self.assertNoLogs("odoo.sql_db", "ERROR"):
                with self.assertNoLogs("odoo.http", "ERROR"):
                    wizard_id = call(self.agent, "guide.compare.wizard", "create", [{}])
                    call(self.agent, "guide.compare.wizard", "action_compare", [[wizard_id]])
                    first = Line.search([("wizard_id", "=", wizard_id)])
                    self.assertTrue(first)
                    overrides = first.filtered(lambda line: line.sequence == 7).value_b
                    call(
                        self.agent,
                        "guide.compare.wizard",
                        "write",
                        [[wizard_id], {"date_a_from": "2020-01-01", "date_b_to": "2099-12-31"}],
                    )
                    call(self.agent, "guide.compare.wizard", "action_compare", [[wizard_id]])
                    second = Line.search([("wizard_id", "=", wizard_id)])
                    self.assertEqual(len(second), len(first))
                    self.assertFalse(first.exists())
                    # the override of the facts, today: in the "after" period both times
                    self.assertEqual(overrides, 1.0)
                    self.assertEqual(second.filtered(lambda line: line.sequence == 7).value_b, 1.0)
                    attempts = [
                        ("create", [{"wizard_id": wizard_id, "name": "Forged", "value_a": 42.0}]),
                        ("create", [{"wizard_id": 2**31 - 1, "name": "Nowhere"}]),
                        ("write", [second[:1].ids, {"value_a": 42.0}]),
                        ("unlink", [second[:1].ids]),
                        ("write", [[wizard_id], {"line_ids": [(0, 0, {"name": "Forged", "value_b": 1.0})]}]),
                    ]
                    if call == self.jsonrpc:
                        attempts += [
                            ("create", [{"wizard_id": 10**20, "name": "Beyond"}]),
                            ("create", [{"wizard_id": wizard_id, "name": "Beyond", "sequence": 2**31}]),
                        ]
                    for method, args in attempts:
                        model = "guide.compare.wizard" if "line_ids" in str(args) else "guide.compare.line"
                        with self.subTest(method=method, args=args), self.assertRaises(RpcError) as caught:
                            call(self.agent, model, method, args)
                        self.assertNotIn("Traceback", caught.exception.message)
                        if call == self.jsonrpc:
                            self.assertEqual(caught.exception.name, "odoo.exceptions.AccessError")
            self.assertEqual(Line.search([("wizard_id", "=", wizard_id)]), second)
            self.assertFalse(Line.search([("name", "in", ("Forged", "Nowhere", "Beyond"))]))

    def test_compare_wizard_unknown_mode_refused(self):
        """A comparison mode the wizard does not know (a text, a list, a number) is a
        ValidationError naming the field and the choices, not a traceback logged at
        ERROR."""
        for call in (self.xmlrpc, self.jsonrpc):
            with self.subTest(call=call.__name__), self.assertNoLogs("odoo.http", "ERROR"):
                wizard_id = call(self.agent, "guide.compare.wizard", "create", [{}])
                for method, args in (
                    ("create", [{"compare_mode": "bogus"}]),
                    ("create", [{"compare_mode": ["period"]}]),
                    ("write", [[wizard_id], {"compare_mode": 5}]),
                ):
                    with self.assertRaises(RpcError) as caught:
                        call(self.agent, "guide.compare.wizard", method, args)
                    self.assertIn('"Compare"', caught.exception.message)
                    self.assertIn(
                        "is not one of Two periods, Two versions of a process", caught.exception.message
                    )
                    if call == self.jsonrpc:
                        self.assertEqual(caught.exception.name, "odoo.exceptions.ValidationError")

    def test_compare_over_xmlrpc_without_a_language(self):
        """An XML-RPC client sends no language: the comparison names its figures in the
        user's language, with no warning (and its stack) logged per term."""
        self._records(2)
        wizard_id = self.xmlrpc(self.agent, "guide.compare.wizard", "create", [{}])
        with self.assertNoLogs("odoo.tools.translate", "WARNING"):
            self.xmlrpc(self.agent, "guide.compare.wizard", "action_compare", [[wizard_id]])
        names = self.env["guide.compare.wizard"].browse(wizard_id).line_ids.mapped("name")
        self.assertIn("Records handled", names)
        self.assertTrue(any(name.endswith(": done (%)") for name in names), names)

    def test_time_zone_of_the_wrong_type(self):
        """A time zone a client's context gives that is no zone's name (a list, a number, a
        dictionary) compares and draws the map in UTC, as an unknown zone does, rather than
        a traceback logged at ERROR."""
        for call in (self.xmlrpc, self.jsonrpc):
            with self.subTest(call=call.__name__), self.assertNoLogs("odoo.http", "ERROR"):
                for tz in (["Europe/Brussels"], 5, {"zone": "Europe/Brussels"}):
                    wizard_id = call(self.agent, "guide.compare.wizard", "create", [{}])
                    result = call(
                        self.agent,
                        "guide.compare.wizard",
                        "action_compare",
                        [[wizard_id]],
                        {"context": {"tz": tz}},
                    )
                    self.assertIs(result, True)
                    process_map = call(
                        self.agent,
                        "guide.process",
                        "get_process_map",
                        [self.process.id, {"date_from": "2026-01-01", "date_to": "2026-12-31"}],
                        {"context": {"tz": tz}},
                    )
                    self.assertEqual(process_map["process"]["id"], self.process.id)

    def test_outcome_labels_follow_the_model(self):
        """The step-effectiveness actions of a bridge show the outcome figures in its words
        ("Won When Done (%)" on leads, "Resolved When Done (%)" on tickets; in the list's
        short labels, "Won if Done %"): the views the agent loads over RPC as the web
        client does (the action's views, no context but the language); the fields' own
        strings are neutral."""
        expected = {
            "list": [f"{self.success_label} if Done %", f"{self.success_label} if Not Done %"],
            "pivot": [f"{self.success_label} When Done (%)", f"{self.success_label} When Not Done (%)"],
        }
        for call in (self.xmlrpc, self.jsonrpc):
            for xmlid in self.effectiveness_actions:
                # as the web client loads it (/web/action/load)
                action = self.env["ir.actions.actions"].with_user(self.agent)._for_xml_id(xmlid)
                view_id, view_type = action["views"][0]
                views = call(
                    self.agent,
                    action["res_model"],
                    "get_views",
                    [[[view_id, view_type], [False, "search"]]],
                    {"context": {"lang": "en_US"}},
                )
                arch = etree.fromstring(views["views"][view_type]["arch"])
                self.assertEqual(
                    [
                        arch.xpath(f"//field[@name='{name}']")[0].get("string")
                        for name in ("success_rate_done", "success_rate_not_done")
                    ],
                    expected[view_type],
                )
                fields_ = views["models"][action["res_model"]]["fields"]
                self.assertEqual(fields_["success_rate_done"]["string"], "Success When Done (%)")

    def test_pivot_groups_read_as_words(self):
        """The step-effectiveness pivot, as the web client loads it, groups its rows and
        columns by names, never by a number field: grouped by ``done`` its columns were
        headed "0", "1" and "None", and each measure already tells done from not done."""
        for xmlid in self.effectiveness_actions:
            action = self.env["ir.actions.actions"].with_user(self.agent)._for_xml_id(xmlid)
            for view_id, view_type in action["views"]:
                if view_type != "pivot":
                    continue
                views = self.jsonrpc(
                    self.agent, action["res_model"], "get_views", [[[view_id, view_type]]], {}
                )
                arch = etree.fromstring(views["views"]["pivot"]["arch"])
                fields_ = views["models"][action["res_model"]]["fields"]
                grouped = {
                    node.get("name"): fields_[node.get("name")]["type"]
                    for node in arch.xpath("//field[@type='row' or @type='col']")
                }
                self.assertTrue(grouped)
                self.assertFalse(
                    {name for name, ftype in grouped.items() if ftype in ("integer", "float", "monetary")},
                    f"{xmlid}: a pivot axis headed by numbers",
                )

    def test_unsupported_search_on_visibility_refused(self):
        """The summary rows are filtered on who sees the figures (``pi_visible``, its record
        rule); a client searching it with another operator than = or != gets a UserError,
        not a traceback logged at ERROR."""
        for call in (self.xmlrpc, self.jsonrpc):
            for operator, value in (("in", [True]), ("ilike", True), (">", True)):
                with self.subTest(call=call.__name__, operator=operator):
                    with self.assertRaises(RpcError) as caught:
                        call(
                            self.agent,
                            "guide.effectiveness.summary",
                            "search_count",
                            [[("pi_visible", operator, value)]],
                        )
                    self.assertIn("with = or != only", caught.exception.message)
                    self.assertNotIn("Traceback", caught.exception.message)
            self.assertIsInstance(
                call(
                    self.agent, "guide.effectiveness.summary", "search_count", [[("pi_visible", "=", True)]]
                ),
                int,
            )

    def test_colleague_reads_nothing_over_rpc(self):
        records = self._records(2)
        self._scorecard_facts(records)
        domain = [("user_id", "=", self.agent.id), ("res_model", "=", records._name)]
        for call in (self.xmlrpc, self.jsonrpc):
            own = call(self.agent, "guide.scorecard.report", "search_read", [domain], {"fields": ["user_id"]})
            self.assertTrue(own)
            self.assertEqual({row["user_id"][0] for row in own}, {self.agent.id})
            self.assertEqual(
                call(self.colleague, "guide.scorecard.report", "search_read", [domain], {"fields": ["fact"]}),
                [],
            )
            [group] = call(
                self.colleague, "guide.scorecard.report", "read_group", [domain, ["override_count:sum"], []]
            )
            self.assertEqual(group["__count"], 0)
            self.assertEqual(
                call(
                    self.colleague,
                    "guide.effectiveness.report",
                    "search_count",
                    [[("res_model", "=", records._name), ("res_id", "in", records.ids)]],
                ),
                0,
            )
            leader = call(
                self.leader, "guide.scorecard.report", "search_read", [domain], {"fields": ["user_id"]}
            )
            self.assertEqual(len(leader), len(own))
