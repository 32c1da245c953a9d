"""Conditions that become true with time alone (issue 15): the scheduled time checks reach
automatic milestones and enter automatic alternate steps as the write path would, once.
A test class mixes ``TimeCheckCases`` in before its fixture class and sets the hooks."""

from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tools import SQL, mute_logger

# the moment the records enter their step; the checks run days later
T0 = datetime(2026, 3, 2, 9, 0, 0)
LOGGER = "odoo.addons.base_process_guide.models.guide_time_check"


class TimeCheckCases:
    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    # queries of a run acting on one chunk, whatever its size, with the three engines
    # installed (measured: 32 on the generic model, 34 on leads and tickets)
    time_query_budget = 45

    @classmethod
    def _time_agent(cls):
        """The user who works the records."""
        raise NotImplementedError

    @classmethod
    def _time_step(cls):
        """The first stage step of the process, where ``_time_record`` creates records."""
        raise NotImplementedError

    def _time_record(self, **vals):
        """A record created by the agent in ``_time_step`` (at the frozen time)."""
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        step = cls._time_step()
        cls.time_process = step.process_id
        cls.ms_waiting = cls.env["guide.milestone"].create(
            {
                "process_id": cls.time_process.id,
                "name": "Waiting two days",
                "condition": "[('guide_step_entered_at', '<', now(days=-2))]",
            }
        )
        cls.alt_stalled = cls.env["guide.step"].create(
            {
                "process_id": cls.time_process.id,
                "kind": "alternate",
                "name": "Stalled",
                "alt_auto_domain": "[('guide_step_entered_at', '<', now(days=-3))]",
                "alt_from_step_ids": [(6, 0, step.ids)],
            }
        )
        cls.TimeCheck = cls.env["guide.time.check"]

    # ------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------
    def _records(self, count, **vals):
        with freeze_time(T0):
            records = self.env[self._time_step().process_id.model_name]
            for index in range(count):
                records |= self._time_record(**vals, name=f"Time check {index}")
            self.env.flush_all()
        return records.with_env(self.env)

    def _run(self, days, **kwargs):
        self.env.invalidate_all()
        with freeze_time(T0 + timedelta(days=days)):
            done = self.TimeCheck._cron_guide_time_checks(**kwargs)
        self.env.invalidate_all()
        return done

    def _reached(self, records, milestone=None):
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        if milestone:
            domain.append(("milestone_id", "=", milestone.id))
        return self.env["guide.milestone.reached"].search(domain)

    def _detours(self, records):
        return self.env["guide.history"].search(
            [
                ("res_model", "=", records._name),
                ("res_id", "in", records.ids),
                ("alt_step_id", "=", self.alt_stalled.id),
                ("direction", "=", "detour"),
            ]
        )

    def _messages(self, records):
        return self.env["mail.message"].search_count(
            [("model", "=", records._name), ("res_id", "in", records.ids)]
        )

    # ------------------------------------------------------------
    # tests
    # ------------------------------------------------------------
    def test_time_rules_from_the_cached_configuration(self):
        rules = self.TimeCheck._get_time_rules(self.time_process.model_name)
        mine = {(rule["kind"], rule["id"]) for rule in rules if rule["process_id"] == self.time_process.id}
        self.assertEqual(mine, {("milestone", self.ms_waiting.id), ("alternate", self.alt_stalled.id)})
        # a condition on the record's fields only is the write path's
        self.ms_waiting.condition = "[('guide_step_entered_at', '!=', False)]"
        rules = self.TimeCheck._get_time_rules(self.time_process.model_name)
        self.assertNotIn(("milestone", self.ms_waiting.id), {(rule["kind"], rule["id"]) for rule in rules})

    def test_milestone_and_alternate_step_by_time_alone(self):
        agent = self._time_agent()
        records = self._records(2)
        self.assertFalse(self._reached(records))
        self.assertFalse(records.guide_alt_step_id)
        # a day later: nothing holds yet
        self._run(1)
        self.assertFalse(self._reached(records))
        # two and a half days: the milestone, not yet the alternate step
        self._run(2.5)
        rows = self._reached(records)
        self.assertEqual(len(rows), 2)
        self.assertEqual(set(rows.mapped("mode")), {"auto"})
        self.assertEqual(rows.user_id, self.env.ref("base.user_root"), "reached by the scheduler")
        self.assertFalse(records.guide_alt_step_id)
        messages = self._messages(records)
        # four days: the alternate step, as the write path enters it
        self._run(4)
        as_agent = records.with_user(agent)
        self.assertEqual(as_agent.mapped("guide_alt_step_id"), self.alt_stalled)
        self.assertEqual(as_agent.mapped("guide_milestone_ids"), self.ms_waiting)
        self.assertEqual(records.mapped("guide_step_id"), self._time_step(), "the records keep their step")
        detours = self._detours(records)
        self.assertEqual(len(detours), 2)
        self.assertEqual(detours[0].note, "Automatically, as its condition holds.")
        self.assertGreater(self._messages(records), messages, "logged in the chatter")
        # once: a second run (and a later one) changes nothing
        messages = self._messages(records)
        self.assertEqual(self._run(4), 0)
        self._run(9)
        self.assertEqual(len(self._reached(records)), 2)
        self.assertEqual(len(self._detours(records)), 2)
        self.assertEqual(self._messages(records), messages)

    def test_completed_detour_is_not_entered_again_in_the_same_stay(self):
        agent = self._time_agent()
        record = self._records(1)
        self._run(4)
        self.assertEqual(record.guide_alt_step_id, self.alt_stalled)
        with freeze_time(T0 + timedelta(days=4, hours=1)):
            self.assertIs(record.with_user(agent).action_guide_complete_alternate(), True)
        self.assertFalse(record.guide_alt_step_id)
        self._run(6)
        self.assertFalse(record.guide_alt_step_id)
        self.assertEqual(len(self._detours(record)), 1)

    def test_broken_condition_skipped_with_a_warning(self):
        records = self._records(2)
        broken = self.env["guide.milestone"].create(
            {
                "process_id": self.time_process.id,
                "name": "Broken by an upgrade",
                "condition": "[('guide_step_entered_at', '<', now(days=-1))]",
            }
        )
        # a field removed by an upgrade: the saved condition no longer holds
        self.env.cr.execute(
            SQL(
                "UPDATE guide_milestone SET condition = %s WHERE id = %s",
                "[('x_removed_date', '<', now(days=-1))]",
                broken.id,
            )
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        with self.assertLogs(LOGGER, "WARNING") as logs:
            self._run(4)
        self.assertIn("Broken by an upgrade", "\n".join(logs.output))
        # the other rules went on
        self.assertEqual(len(self._reached(records, self.ms_waiting)), 2)
        self.assertFalse(self._reached(records, broken))
        self.assertEqual(records.mapped("guide_alt_step_id"), self.alt_stalled)

    def test_failing_record_skipped_with_a_warning(self):
        records = self._records(3)
        poison = records[1]
        Model = type(records)
        reach = Model._guide_reach

        def guide_reach(recs, milestone_ids, mode, note=None):
            if poison in recs:
                raise ValueError("the record's hook failed")
            return reach(recs, milestone_ids, mode, note)

        with (
            patch.object(Model, "_guide_reach", guide_reach),
            mute_logger("odoo.sql_db"),
            self.assertLogs(LOGGER, "WARNING") as logs,
        ):
            self._run(4)
        self.assertIn("Waiting two days", "\n".join(logs.output))
        self.assertEqual(set(self._reached(records).mapped("res_id")), set((records - poison).ids))
        # the alternate step (another rule) is entered on all three
        self.assertEqual(len(self._detours(records)), 3)
        # the next run takes the record again
        self._run(5)
        self.assertEqual(len(self._reached(records)), 3)

    def test_rule_changed_during_a_run_goes_on_as_it_is_then(self):
        """A milestone's condition changed by a save between two chunks of a run: the next
        chunks apply it as it is then, not as the run read it when it started."""
        records = self._records(3)
        Check = type(self.TimeCheck)
        apply = Check._guide_time_apply
        chunks = []

        def apply_then_save(check, records, rule):
            done = apply(check, records, rule)
            if (rule["kind"], rule["id"]) == ("milestone", self.ms_waiting.id):
                chunks.append(records.ids)
                if len(chunks) == 1:
                    self.ms_waiting.condition = "[('guide_step_entered_at', '<', now(days=-10))]"
            return done

        with patch.object(Check, "_guide_time_apply", apply_then_save):
            self._run(4, chunk_size=1)
        self.assertEqual(len(self._reached(records, self.ms_waiting)), 1, "the first chunk only")
        self.assertEqual(len(self._detours(records)), 3, "the other rule, unchanged, on every record")

    def test_query_count_does_not_depend_on_the_number_of_records(self):
        # warm the caches (configuration, translations) with a first record
        self._records(1)
        self._run(4)
        small = self._records(2)
        self.env.invalidate_all()
        with freeze_time(T0 + timedelta(days=5)):
            start = self.env.cr.sql_log_count
            self.TimeCheck._cron_guide_time_checks()
            queries = self.env.cr.sql_log_count - start
        self.assertEqual(len(self._reached(small)), 2)
        self.assertLessEqual(queries, self.time_query_budget)
        large = self._records(12)
        self.env.invalidate_all()
        with freeze_time(T0 + timedelta(days=6)), self.assertQueryCount(queries):
            self.TimeCheck._cron_guide_time_checks()
        self.assertEqual(len(self._reached(large)), 12)
        self.assertEqual(len(self._detours(large)), 12)
        # chunks are bounded: the same records, three at a time
        more = self._records(7)
        self.env.invalidate_all()
        self.assertEqual(self._run(8, chunk_size=3), 14)
        self.assertEqual(len(self._reached(more)), 7)

    def test_no_time_rule_costs_nothing(self):
        self.ms_waiting.condition = "[('guide_step_entered_at', '!=', False)]"
        self.alt_stalled.alt_auto_domain = False
        model = self.time_process.model_name
        models = self.env["guide.process"]._guide_model_names()
        if any(self.TimeCheck._get_time_rules(name) for name in models):
            self.skipTest("another guided model of the database has time-based rules")
        self.assertFalse(self.TimeCheck._get_time_rules(model))
        with self.assertQueryCount(0):
            self.assertEqual(self.TimeCheck._cron_guide_time_checks(), 0)

    def test_interval_is_the_administrators(self):
        cron = self.env.ref("base_process_guide.guide_time_check_cron")
        action = self.env.ref("base_process_guide.guide_time_check_cron_action")
        self.assertEqual((action.res_model, action.res_id), ("ir.cron", cron.id))
        with self.assertRaises(AccessError):
            cron.with_user(self._time_agent()).write({"interval_number": 1, "interval_type": "minutes"})
        admin = self.env.ref("base.user_admin")
        cron.with_user(admin).write({"interval_number": 15, "interval_type": "minutes"})
        self.assertEqual(cron.interval_number, 15)
