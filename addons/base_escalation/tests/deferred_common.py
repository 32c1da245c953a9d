from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.base_process_guide.tests.apply_common import ApplyJobHelpers

from .common import T0


class DeferredEscalationCases(ApplyJobHelpers):
    """Rule and level saves concerning more records than the inline limit: shared by
    leads and tickets (``_records(n, **vals)`` per model)."""

    # Odoo's test runner runs the tests of this shared case in each test class
    allow_inherited_tests_method = True

    def _clock_state(self, rule, records):
        clocks = self.Clock.search([("rule_id", "=", rule.id), ("res_id", "in", records.ids)])
        clocks.invalidate_recordset()
        return sorted(
            (c.res_id, c.state, c.episode, c.next_level_id.id, c.next_escalation_at, c.level_index)
            for c in clocks
        )

    def _check_deferred(self, rule, records, change, cascaded=False):
        """``change`` deferred: nothing in the request, the rule says so, its clocks do not
        fire meanwhile; the cron then gives the same clocks as the request would."""
        self._set_inline_limit(1_000_000)
        with self.env.cr.savepoint() as savepoint, self._at(self._h(0.5)):
            change()
            self.assertFalse(self._jobs())
            self.env.flush_all()
            expected = self._clock_state(rule, records)
            savepoint.rollback()
        self.env.invalidate_all()
        before = self._clock_state(rule, records)
        self.assertNotEqual(before, expected, "the change concerns these clocks")
        self._set_inline_limit(1)
        with self._at(self._h(0.5)):
            change()
        if not cascaded:
            self.assertEqual(self._clock_state(rule, records), before, "nothing done in the request")
        manager_rule = rule.with_user(self.user_manager)
        manager_rule.invalidate_recordset()
        self.assertTrue(manager_rule.guide_apply_pending)
        self.assertTrue(manager_rule.guide_apply_remaining)
        with self._at(self._h(0.5)):
            self.assertFalse(
                self.Clock._escalation_claim(self._h(100), 50), "clocks of a rule being applied do not fire"
            )
            with self._small_chunks(2):
                self.assertTrue(self._run_jobs())
        self.assertEqual(self._clock_state(rule, records), expected, "the same clocks as in the request")
        manager_rule.invalidate_recordset()
        self.assertFalse(manager_rule.guide_apply_pending)
        with self._at(self._h(0.5)):
            self.assertTrue(self._run_jobs())
        self.assertEqual(self._clock_state(rule, records), expected, "a second run changes nothing")

    def _make(self):
        rule = self._rule(
            levels=[{"name": "L1", "delay": 4}, {"name": "L2", "delay": 8}],
            domain="[('priority', '!=', '3')]",
        )
        with self._at(T0):
            records = self._records(3)
            others = self._records(2, priority="3")
        return rule, records, others

    def test_level_delay_through_the_rule_form_is_deferred(self):
        rule, records, _others = self._make()
        level1 = rule.level_ids.sorted("sequence")[0]
        self._check_deferred(
            rule,
            records,
            lambda: rule.with_user(self.user_manager).write({"level_ids": [(1, level1.id, {"delay": 2})]}),
        )
        self.assertEqual({state[4] for state in self._clock_state(rule, records)}, {T0 + timedelta(hours=2)})

    def test_level_unlink_through_the_rule_form_is_deferred(self):
        rule, records, _others = self._make()
        level1 = rule.level_ids.sorted("sequence")[0]
        # the database detaches the clocks from the deleted level at once (one statement);
        # their due times are left to the scheduler, and they do not fire meanwhile
        self._check_deferred(
            rule,
            records,
            lambda: rule.with_user(self.user_manager).write({"level_ids": [(2, level1.id)]}),
            cascaded=True,
        )

    def test_fired_level_unlink_is_deferred(self):
        """Deleting a level the clocks have fired, above the limit: the save only archives it
        (out of the rule); the scheduler moves the clocks off it (they go on after the level
        fired before it: none, so L2 is next, not skipped), as the request would, then
        deletes it. Renumbering 100,000 clocks and clearing the level on each held the save."""
        rule, records, _others = self._make()
        level1, level2 = rule.level_ids.sorted("sequence")
        self._run_at(self._h(5))
        self.assertEqual({state[3:6:2] for state in self._clock_state(rule, records)}, {(level2.id, 1)})
        self._check_deferred(
            rule, records, lambda: rule.with_user(self.user_manager).write({"level_ids": [(2, level1.id)]})
        )
        self.assertEqual({state[3:6:2] for state in self._clock_state(rule, records)}, {(level2.id, 0)})
        self.assertFalse(level1.exists(), "deleted once no clock has it as its last level")
        self._run_at(self._h(9))
        self.assertEqual({state[5] for state in self._clock_state(rule, records)}, {1}, "L2 fired")

    def test_level_archived_while_deleted(self):
        """Between the save and the scheduler the deleted level is out of its rule (form,
        engine) and nobody brings it back: it is not archived or restored by hand."""
        rule, records, _others = self._make()
        level1, level2 = rule.level_ids.sorted("sequence")
        self._run_at(self._h(5))
        self._set_inline_limit(1)
        rule.with_user(self.user_manager).write({"level_ids": [(2, level1.id)]})
        self.assertTrue(level1.exists())
        self.assertFalse(level1.active)
        self.assertEqual(rule.level_ids, level2)
        for vals in ({"active": True}, {"active": False}):
            with self.assertRaisesRegex(UserError, "delete it from its rule"):
                level2.with_user(self.user_manager).write(vals)
        with self.assertRaisesRegex(UserError, "delete it from its rule"):
            level1.with_user(self.user_manager).action_unarchive()
        self.assertTrue(self._run_jobs())
        self.assertFalse(level1.exists())

    def test_process_scope_change_resyncs_the_clocks(self):
        """A record a change of the process's scope takes out of the rule's process is
        de-escalated, and starts a fresh episode when a change brings it back: in the save
        and by the job alike, as after a write of the record."""
        rule = self._rule(levels=[{"name": "L1", "delay": 4}])
        with self._at(T0):
            leaving, staying = self._records(2)
            leaving.priority = "3"
        process = rule.process_id
        for limit in (1_000_000, 1):
            self._set_inline_limit(limit)
            clock = self._clock(leaving, rule)
            episode = clock.episode
            with self._at(self._h(1)):
                process.write({"domain": "[('priority', '!=', '3')]"})
                self._run_jobs()
            self.assertFalse(leaving.guide_process_id)
            self.assertEqual(clock.state, "done", "out of the rule's process: de-escalated")
            self.assertEqual(self._clock(staying, rule).state, "running")
            with self._at(self._h(2)):
                process.write({"domain": False})
                self._run_jobs()
            self.assertEqual(leaving.guide_process_id, process)
            self.assertEqual((clock.state, clock.episode), ("running", episode + 1), "back: a fresh episode")
            self.assertEqual(clock.next_escalation_at, clock.episode_start + timedelta(hours=4))

    def test_rule_scope_change_is_deferred(self):
        rule, records, others = self._make()
        self._check_deferred(
            rule, records | others, lambda: rule.with_user(self.user_manager).write({"domain": False})
        )
        self.assertEqual(len(self._clock_state(rule, others)), 2, "the records now in scope got a clock")

    def test_archived_rule_is_deferred(self):
        rule, records, _others = self._make()
        self._check_deferred(
            rule, records, lambda: rule.with_user(self.user_manager).write({"active": False})
        )
        self.assertEqual({state[1] for state in self._clock_state(rule, records)}, {"done"})

    def test_crash_mid_way_applies_each_chunk_once(self):
        rule, records, _others = self._make()
        level1 = rule.level_ids.sorted("sequence")[0]
        self._set_inline_limit(1)
        rule.with_user(self.user_manager).write({"level_ids": [(1, level1.id, {"delay": 2})]})
        with self._small_chunks(1):
            with (
                self._watch_chunks("escalation.rule", fail_on=2) as chunks,
                mute_logger("odoo.addons.base_process_guide.models.guide_apply_job"),
            ):
                self.assertFalse(self._run_jobs())
            with self._watch_chunks("escalation.rule") as chunks_after:
                self.assertTrue(self._run_jobs())
        visited = [rid for chunk in chunks_after for rid in chunk]
        self.assertFalse(set(chunks[0]) & set(visited))
        self.assertEqual(len(visited), len(set(visited)))
        self.assertEqual({state[4] for state in self._clock_state(rule, records)}, {T0 + timedelta(hours=2)})

    def test_failing_clock_does_not_hold_the_rule(self):
        """A clock the rescheduling fails on is skipped (a warning, no ERROR): the job ends in
        the run, the other clocks get their new due time and the rule's clocks fire again
        (a job retried whole at every run held them for ever)."""
        rule, records, _others = self._make()
        level1 = rule.level_ids.sorted("sequence")[0]
        self._set_inline_limit(1)
        rule.with_user(self.user_manager).write({"level_ids": [(1, level1.id, {"delay": 2})]})
        clocks = self.Clock.search([("rule_id", "=", rule.id), ("res_id", "in", records.ids)])
        broken = clocks.sorted("id")[1]
        with (
            self._small_chunks(2),
            self._watch_chunks("escalation.rule", broken_ids=broken.ids),
            self.assertLogs("odoo.addons.base_process_guide.models.guide_apply_job", "WARNING") as logs,
        ):
            self.assertTrue(self._run_jobs())
        self.assertFalse(self._jobs())
        self.assertFalse([line for line in logs.output if line.startswith("ERROR")], logs.output)
        self.assertTrue(any(f"escalation.clock,{broken.id} failed" in line for line in logs.output))
        due = {c.id: c.next_escalation_at for c in clocks}
        self.assertEqual({due[c.id] for c in clocks - broken}, {T0 + timedelta(hours=2)})
        self.assertEqual(due[broken.id], T0 + timedelta(hours=4), "the broken clock kept its due time")
        self.assertEqual(
            set(self.Clock._escalation_claim(self._h(100), 50)) & set(clocks.ids),
            set(clocks.ids),
            "the rule's clocks fire again",
        )

    def test_below_the_limit_the_save_applies_at_once(self):
        rule, records, _others = self._make()
        self._set_inline_limit(1_000_000)
        level1 = rule.level_ids.sorted("sequence")[0]
        rule.with_user(self.user_manager).write({"level_ids": [(1, level1.id, {"delay": 2})]})
        self.assertFalse(self._jobs())
        self.assertFalse(rule.guide_apply_pending)
        self.assertEqual({state[4] for state in self._clock_state(rule, records)}, {T0 + timedelta(hours=2)})

    def test_form_shows_the_pending_change(self):
        views = self.env["escalation.rule"].with_user(self.user_manager).get_views([(False, "form")])
        self.assertIn('name="guide_apply_remaining"', views["views"]["form"]["arch"])
