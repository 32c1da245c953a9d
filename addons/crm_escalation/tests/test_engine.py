import logging
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_escalation.models import escalation_clock
from odoo.addons.base_process_guide.models.guide_apply_job import PARAM_INLINE_LIMIT
from odoo.addons.base_process_guide.tools import refresh_registry_caches

from .common import T0, EscalationCommon

CLOCK_LOGGER = "odoo.addons.base_escalation.models.escalation_clock"


@tagged("post_install", "-at_install")
class TestEngine(EscalationCommon):
    def test_warning_then_escalation_and_actions(self):
        tag = self.env["crm.tag"].create({"name": "Escalated"})
        follower = self.env["res.partner"].create({"name": "Director"})
        template = self.env["mail.template"].create(
            {
                "name": "Escalation notice",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "subject": "Escalated: {{ object.name }}",
                "email_to": "director@example.com",
                "body_html": "<p>Escalated</p>",
            }
        )
        rule = self._rule(
            levels=[
                {"name": "At risk", "kind": "warning", "warning_percent": 75},
                {
                    "name": "L1",
                    "delay": 4,
                    "assign_to": "team_leader",
                    "follower_partner_ids": [(6, 0, follower.ids)],
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "activity_deadline_days": 1,
                    "raise_priority": "2",
                    "crm_tag_ids": [(6, 0, tag.ids)],
                    "mail_template_id": template.id,
                    "message": "Please take over.",
                },
                {"name": "L2", "delay": 8, "move_step_id": self.step_proposal.id},
            ]
        )
        with self._at(T0):
            lead = self._lead()
        clock = self._clock(lead, rule)
        self.assertEqual(clock.next_escalation_at, self._h(3))
        self._run_at(self._h(3.5))
        self.assertEqual(lead.escalation_state, "at_risk")
        self.assertIn(lead, self.env["crm.lead"].search([("escalation_at_risk", "=", True)]))
        self.assertEqual(lead.user_id, self.user_salesman)
        self._run_at(self._h(4.5))
        self.assertEqual(lead.user_id, self.user_leader)
        self.assertEqual(lead.priority, "2")
        self.assertIn(tag, lead.tag_ids)
        self.assertIn(follower, lead.message_partner_ids)
        activity = lead.activity_ids.filtered(lambda a: a.user_id == self.user_leader)
        self.assertEqual(len(activity), 1)
        self.assertEqual(str(activity.date_deadline), "2031-03-04")
        mail = self.env["mail.mail"].search([("subject", "=", f"Escalated: {lead.name}")])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, not sent")
        note = lead.message_ids.filtered(lambda m: "Please take over." in (m.body or ""))
        self.assertEqual(len(note), 1)
        log = self._logs(lead, level_id=rule.level_ids[1].id)
        self.assertIn("Reassigned to", log.actions)
        self.assertEqual(log.due_at, self._h(4))
        self._run_at(self._h(9))
        self.assertEqual(lead.stage_id, self.stage_proposal, "L2 moves the record to a step")
        # moving to another step starts a new episode for a step-time rule
        self.assertEqual(clock.episode, 2)
        self.assertEqual(clock.state, "running")
        self.assertFalse(clock.current_level_id)

    def test_level_created_later_fires_in_sequence_order(self):
        """A level created after the others in the same transaction (module data, an
        import) fires in its sequence's place, not in creation order."""
        rule = self._rule(levels=[{"name": "L1", "delay": 4}, {"name": "L2", "delay": 8}])
        self.env["escalation.level"].create(
            {"rule_id": rule.id, "name": "At risk", "kind": "warning", "warning_percent": 75, "sequence": -1}
        )
        with self._at(T0):
            lead = self._lead()
        self.assertEqual(self._clock(lead, rule).next_escalation_at, self._h(3))
        self._run_at(self._h(3.5))
        self.assertEqual(lead.escalation_state, "at_risk")

    def test_levels_changed_after_some_fired(self):
        """Levels added or deleted while clocks run: a clock goes on after the last level it
        fired, in the levels' new order; a level placed before it is behind it (not fired, nor
        the fired ones again), and deleting a fired level skips none of the others."""
        rule = self._rule(
            levels=[{"name": "L1", "delay": 4}, {"name": "L2", "delay": 8}, {"name": "L3", "delay": 12}]
        )
        l1, l2, l3 = rule.level_ids.sorted(lambda lvl: (lvl.sequence, lvl.id))
        with self._at(T0):
            lead, other = self._lead(), self._lead(name="Other lead")
        clock, other_clock = self._clock(lead, rule), self._clock(other, rule)
        self._run_at(self._h(5))
        self.assertEqual((clock.level_index, clock.next_level_id), (1, l2))
        # a level before L1: passed, L1 does not fire again
        with self._at(self._h(5.5)):
            rule.write({"level_ids": [(0, 0, {"name": "L0", "delay": 2, "sequence": -5})]})
        self.assertEqual((clock.level_index, clock.next_level_id), (2, l2))
        self.assertEqual(self._run_at(self._h(6)), 0)
        # L1, the level the clock fired, deleted: L2 is still next, at its own delay
        with self._at(self._h(6.5)):
            l1.unlink()
        self.assertEqual((clock.level_index, clock.next_level_id), (1, l2))
        self.assertEqual(clock.next_escalation_at, self._h(8))
        self._run_at(self._h(9))
        self.assertEqual(self._logs(lead, outcome="done").mapped("level_name"), ["L1", "L2"])
        self._run_at(self._h(13))
        self.assertEqual(self._logs(lead, outcome="done").mapped("level_name"), ["L1", "L2", "L3"])
        self.assertEqual(other_clock.level_index, 3, "L0 never fired, L1 (gone), L2 and L3 once")

    def test_level_inserted_by_another_process_during_a_run_fires_in_order(self):
        """A level inserted between two batches of a run, by another process (the worker's
        cached levels are cleared by its signal only): the next batch fires the inserted
        level, not the one after it early, and the rest at their delays."""
        rule = self._rule(levels=[{"name": "LA", "delay": 1}, {"name": "LB", "delay": 10}])
        with self._at(T0):
            lead = self._lead()
        with self._at(self._h(0.8)):
            self._lead(name="Other lead")  # LA due first at 1.8: the run's first batch
        self._run_at(self._h(1.5))
        self.assertEqual(self._logs(lead, outcome="done").mapped("level_name"), ["LA"])
        Rule, Clock = type(self.env["escalation.rule"]), type(self.Clock)
        worker = {"config": self.env["escalation.rule"]._get_escalation_config("crm.lead")}
        get_config, clear_cache, claim = (
            Rule._get_escalation_config,
            type(self.env.registry).clear_cache,
            Clock._escalation_claim,
        )
        claims = []

        def worker_config(rules, model_name):
            # the worker's cache: what it read before the insert, until it clears its caches
            return worker.get("config") or get_config(rules, model_name)

        def worker_clear_cache(registry, *names):
            worker.pop("config", None)
            return clear_cache(registry, *names)

        def claim_after_insert(clocks, now, limit, exclude=()):
            claims.append(now)
            if len(claims) == 2:  # the other process's save
                stale = worker.pop("config")
                self.env["escalation.level"].create(
                    {"rule_id": rule.id, "name": "LM", "delay": 2, "sequence": 0, "post_message": True}
                )
                self.env.flush_all()
                worker["config"] = stale
            return claim(clocks, now, limit, exclude)

        self.env.invalidate_all()
        with (
            freeze_time(self._h(3)),
            patch.object(Rule, "_get_escalation_config", worker_config),
            patch.object(type(self.env.registry), "clear_cache", worker_clear_cache),
            patch.object(Clock, "_escalation_claim", claim_after_insert),
            patch.object(
                escalation_clock, "refresh_registry_caches", wraps=refresh_registry_caches
            ) as refresh,
        ):
            self.Clock._cron_escalate(batch_size=1)
        self.env.invalidate_all()
        clock = self._clock(lead, rule)
        self.assertEqual(self._logs(lead, outcome="done").mapped("level_name"), ["LA", "LM"])
        self.assertEqual((clock.level_index, clock.next_level_id.name), (2, "LB"))
        self.assertEqual(clock.next_escalation_at, self._h(10))
        self._run_at(self._h(11))
        self.assertEqual(self._logs(lead, outcome="done").mapped("level_name"), ["LA", "LM", "LB"])
        self.assertEqual(refresh.call_count, len(claims) - 1, "caches checked before each batch")

    def test_catch_up_fires_each_level_once(self):
        rule = self._rule()
        with self._at(T0):
            lead = self._lead()
        self._run_at(self._h(20))
        logs = self._logs(lead, outcome="done")
        self.assertEqual(logs.level_id, rule.level_ids)
        self.assertEqual(len(logs), 2)
        self.assertEqual(lead.user_id, self.user_manager)

    def test_double_run_does_not_fire_twice(self):
        self._rule()
        with self._at(T0):
            leads = self._lead() | self._lead() | self._lead()
        self.assertEqual(self._run_at(self._h(5)), 3)
        self.assertEqual(self._run_at(self._h(5)), 0)
        self.assertEqual(self._run_at(self._h(6)), 0)
        for lead in leads:
            self.assertEqual(len(self._logs(lead, outcome="done")), 1)
            self.assertEqual(len(lead.activity_ids), 0)

    def test_deescalation_and_reescalation(self):
        rule = self._rule(step_ids=[(6, 0, (self.step_qualif | self.step_new).ids)])
        with self._at(T0):
            lead = self._lead()
        self._run_at(self._h(5))
        clock = self._clock(lead, rule)
        self.assertEqual(clock.state, "breached")
        # leaves the scope (another team): de-escalated
        with self._at(self._h(6)):
            lead.team_id = self.other_team
        self.assertEqual(clock.state, "done")
        self.assertFalse(clock.next_escalation_at)
        self.assertEqual(lead.escalation_state, "none")
        deescalation = self._logs(lead, kind="deescalation")
        self.assertTrue(deescalation)
        self.assertEqual(deescalation.crm_team_id, self.other_team, "the lead's team, as every log row")
        self.assertEqual(self._run_at(self._h(20)), 0)
        # back in scope: a fresh episode, levels fire again
        with self._at(self._h(21)):
            lead.write({"team_id": self.team.id, "stage_id": self.stage_new.id})
        self.assertEqual(clock.state, "running")
        self.assertEqual(clock.episode, 2)
        self.assertEqual(clock.level_index, 0)
        self.assertEqual(clock.next_escalation_at, self._h(25))
        self._run_at(self._h(25.5))
        self.assertEqual(clock.state, "breached")
        self.assertEqual(len(self._logs(lead, level_id=rule.level_ids[0].id, kind="escalation")), 2)
        # won: closed
        with self._at(self._h(26)):
            lead.action_set_won()
        self.assertEqual(clock.state, "done")

    def test_restart_on_step_change(self):
        rule = self._rule(
            trigger_type="creation", restart_on_step_change=True, levels=[{"name": "L1", "delay": 2}]
        )
        lead = self._lead()
        clock = self._clock(lead, rule)
        with self._at(lead.create_date + timedelta(hours=1)):
            lead.stage_id = self.stage_proposal
        self.assertEqual(clock.episode, 2)

    def test_failing_record_is_skipped_logged_and_not_retried_forever(self):
        rule = self._rule(levels=[{"name": "L1", "delay": 1, "assign_to": "team_leader"}])
        with self._at(T0):
            good = self._lead(name="good")
            bad = self._lead(name="bad")
        original = type(self.env["escalation.level"])._escalation_execute

        def execute(level, records, reason=None, manual=False):
            if bad in records:
                raise UserError("boom")  # pylint: disable=translation-required
            return original(level, records, reason=reason, manual=manual)

        with patch.object(type(self.env["escalation.level"]), "_escalation_execute", execute):
            self._run_at(self._h(2))
            self.assertEqual(good.user_id, self.user_leader, "the rest goes on")
            clock = self._clock(bad, rule)
            self.assertEqual(clock.failure_count, 1)
            self.assertIn("boom", clock.last_error)
            self.assertEqual(self._logs(bad, outcome="failed").error, "boom")
            retries = 0
            for hours in (3, 5, 9, 17, 33, 65, 129):
                retries += self._run_at(self._h(hours))
            self.assertEqual(clock.failure_count, 3)
            self.assertFalse(clock.next_escalation_at, "not retried forever")
            self.assertEqual(retries, 2)
        self.assertEqual(len(self._logs(bad, outcome="failed")), 3)
        # a manager retries once the cause is fixed
        clock.with_user(self.user_manager).action_retry()
        self._run_at(self._h(130))
        self.assertEqual(bad.user_id, self.user_leader)

    def test_unexpected_failure_is_told_without_its_details(self):
        """A level failing on an unexpected error (a mail template that does not render): the
        clock and the log, which whoever reads the record reads, name the kind of error; its
        message, which may hold a traceback and server paths, goes to the server log only."""
        rule = self._rule(levels=[{"name": "L1", "delay": 1, "assign_to": "team_leader"}])
        with self._at(T0):
            lead = self._lead(name="unlucky")

        def execute(level, records, reason=None, manual=False):
            raise AttributeError('Traceback (most recent call last):\n  File "/opt/odoo/secret.py"')

        with (
            patch.object(type(self.env["escalation.level"]), "_escalation_execute", execute),
            self.assertLogs(CLOCK_LOGGER, logging.WARNING) as logs,
        ):
            self._run_at(self._h(2))
        self.assertIn("/opt/odoo/secret.py", "\n".join(logs.output))
        clock = self._clock(lead, rule)
        expected = "Unexpected error (AttributeError): the server log has the details."
        self.assertEqual(clock.last_error, expected)
        self.assertEqual(self._logs(lead, outcome="failed").error, expected)

    def test_access_refusal_is_told_without_the_records_it_names(self):
        """A level refused access to another record (its words name that record and the user
        refused): the clock and the log, which whoever reads the escalated record reads, say
        that access was refused; the words go to the server log, as info (an ordinary refusal)."""
        rule = self._rule(levels=[{"name": "L1", "delay": 1, "assign_to": "team_leader"}])
        with self._at(T0):
            lead = self._lead(name="unlucky")

        # as Odoo words it (``_make_access_error``)
        words = "Sorry, Bob (id=7) doesn't have 'read' access to:\n- Secret merger, Lead (crm.lead: 42)"

        def execute(level, records, reason=None, manual=False):
            raise AccessError(words)

        with (
            patch.object(type(self.env["escalation.level"]), "_escalation_execute", execute),
            self.assertLogs(CLOCK_LOGGER, logging.INFO) as logs,
        ):
            self._run_at(self._h(2))
        self.assertIn("Secret merger", "\n".join(logs.output))
        self.assertFalse([r for r in logs.records if r.levelno >= logging.WARNING])
        clock = self._clock(lead, rule)
        expected = "Access refused: the server log has the details."
        self.assertEqual(clock.last_error, expected)
        self.assertEqual(self._logs(lead, outcome="failed").error, expected)

    def test_gate_refusal_is_a_failure_of_that_record(self):
        self.step_qualif.write({"gate_mode": "block", "item_ids": [(0, 0, {"name": "Budget confirmed"})]})
        rule = self._rule(levels=[{"name": "Push", "delay": 1, "move_step_id": self.step_proposal.id}])
        with self._at(T0):
            lead = self._lead()
            free = self._lead(stage_id=self.stage_new.id)
        with self.assertLogs(CLOCK_LOGGER, logging.INFO) as logs:
            self._run_at(self._h(2))
        self.assertEqual(self._clock(lead, rule).failure_count, 1)
        self.assertEqual(free.stage_id, self.stage_proposal)
        # an ordinary refusal: recorded on the clock and logged as info, without a traceback
        refusals = [r for r in logs.records if "Push" in r.getMessage()]
        self.assertEqual([r.levelno for r in refusals], [logging.INFO])
        self.assertFalse(refusals[0].exc_info)
        self.assertFalse([r for r in logs.records if r.levelno >= logging.WARNING])

    def test_rule_info_is_read_only(self):
        """The cached rule values the hooks receive (``rule_info``) cannot be changed by a hook."""
        self._rule(levels=[{"name": "L1", "delay": 1}, {"name": "L2", "delay": 2}])
        config = self.env["escalation.rule"]._get_escalation_config("crm.lead")
        self.assertIsInstance(config["rules"], tuple)
        self.assertIsInstance(config["fields"], frozenset)
        rule_info = config["rules"][0]
        seen = []

        def match_scope(records, rule_info):
            seen.append(rule_info)
            with self.assertRaises(TypeError):
                rule_info["crm_team_ids"] = frozenset()
            return records

        with patch.object(type(self.env["crm.lead"]), "_escalation_match_scope", match_scope):
            self._lead()
        self.assertIs(seen[0], rule_info)
        with self.assertRaises(TypeError):
            config["rules"] = ()
        with self.assertRaises(TypeError):
            rule_info["name"] = "Changed"
        with self.assertRaises(TypeError):
            rule_info["levels"][0]["delay"] = 0.0
        with self.assertRaises(AttributeError):
            rule_info["step_ids"].add(0)
        self.assertEqual(self.env["escalation.rule"]._get_escalation_config("crm.lead"), config)

    def test_unlink_record_drops_clocks(self):
        rule = self._rule()
        lead = self._lead()
        self.assertTrue(self._clock(lead, rule))
        lead.unlink()
        self.assertFalse(self.Clock.search([("rule_id", "=", rule.id)]))

    def test_rule_change_resyncs(self):
        with self._at(T0):
            lead = self._lead()
        rule = self._rule(levels=[{"name": "L1", "delay": 4}])
        clock = self._clock(lead, rule)
        self.assertEqual(clock.next_escalation_at, self._h(4))
        rule.level_ids.delay = 6
        self.assertEqual(clock.next_escalation_at, self._h(6))
        rule.active = False
        self.assertEqual(clock.state, "done")

    def test_broken_rule_does_not_stop_the_cron(self):
        good = self._rule(name="Good", levels=[{"name": "G1", "delay": 1, "assign_to": "team_leader"}])
        broken = self._rule(
            name="Broken", domain="[('priority', '=', '0')]", levels=[{"name": "B1", "delay": 1}]
        )
        with self._at(T0):
            lead = self._lead()
        # a later schema change breaks the rule's condition (validation cannot see it coming)
        self.env.cr.execute(
            "UPDATE escalation_rule SET domain = %s WHERE id = %s", ["[('x_gone', '=', 1)]", broken.id]
        )
        self.env.registry.clear_cache()
        self.env.invalidate_all()
        self._run_at(self._h(2))
        self.assertEqual(self._clock(lead, good).state, "breached", "the other rule goes on")
        self.assertEqual(lead.user_id, self.user_leader)
        clock = self._clock(lead, broken)
        self.assertEqual(clock.failure_count, 1)
        self.assertIn("Broken", clock.last_error)
        self.assertFalse(self._logs(lead, rule_id=broken.id, outcome="done"))
        # the administrator fixes the rule: its clock gets a fresh chance
        with self._at(self._h(3)):
            broken.domain = "[('priority', '=', '0')]"
        self.assertEqual(clock.failure_count, 0)
        self._run_at(self._h(4))
        self.assertEqual(clock.state, "breached")

    def test_failing_batch_is_marked_and_the_cron_returns(self):
        self._rule(levels=[{"name": "L1", "delay": 1}])
        with self._at(T0):
            leads = self._lead() | self._lead()

        def boom(records, rule_ids=None):
            raise RuntimeError("database hiccup")

        with patch.object(type(self.env["crm.lead"]), "_escalation_sync", boom):
            self._run_at(self._h(2))
        clocks = self.Clock.search([("res_id", "in", leads.ids), ("res_model", "=", "crm.lead")])
        self.assertEqual(clocks.mapped("failure_count"), [1, 1])
        self.assertTrue(all(c.next_escalation_at > self._h(2) for c in clocks), "retried later")
        self.assertEqual(self._run_at(self._h(2)), 0, "not claimed again at once")
        self._run_at(self._h(3))
        self.assertEqual(clocks.mapped("state"), ["breached", "breached"])

    def test_failing_record_does_not_fail_its_batch(self):
        """A record whose re-synchronisation fails (the batch fails) is isolated: the other
        clocks of the batch fire, only its clock is marked, with a warning and no ERROR (the
        whole batch was marked, logged at ERROR, and left alone after three runs)."""
        self._rule(levels=[{"name": "L1", "delay": 1}])
        with self._at(T0):
            leads = self._lead() | self._lead() | self._lead()
        broken = leads[1]
        original = type(self.env["crm.lead"])._escalation_sync

        def sync(records, rule_ids=None):
            if broken in records:
                raise RuntimeError("broken record")
            return original(records, rule_ids=rule_ids)

        logger = "odoo.addons.base_escalation.models.escalation_clock"
        with patch.object(type(self.env["crm.lead"]), "_escalation_sync", sync):
            with self.assertLogs(logger, "INFO") as logs:
                self._run_at(self._h(2))
        self.assertFalse([line for line in logs.output if line.startswith("ERROR")], logs.output)
        self.assertTrue(
            any(line.startswith("WARNING") and f"crm.lead,{broken.id}" in line for line in logs.output)
        )
        clocks = self.Clock.search([("res_id", "in", leads.ids), ("res_model", "=", "crm.lead")])
        by_lead = {clock.res_id: clock for clock in clocks}
        self.assertEqual(
            [(by_lead[lead.id].state, by_lead[lead.id].failure_count) for lead in leads],
            [("breached", 0), ("running", 1), ("breached", 0)],
        )
        logs = self.env["escalation.log"].search(
            [("res_id", "in", leads.ids), ("res_model", "=", "crm.lead")]
        )
        self.assertEqual(
            sorted((log.res_id, log.outcome) for log in logs),
            sorted([(leads[0].id, "done"), (broken.id, "failed"), (leads[2].id, "done")]),
        )

    def test_long_run_reports_progress_stops_and_schedules_next_wakeup(self):
        self._rule(levels=[{"name": "L1", "delay": 1}, {"name": "L2", "delay": 30}])
        with self._at(T0):
            leads = self.env["crm.lead"].create(
                [
                    {
                        "name": f"Batch {i}",
                        "type": "opportunity",
                        "team_id": self.team.id,
                        "stage_id": self.stage_qualif.id,
                    }
                    for i in range(5)
                ]
            )
        Cron = type(self.env["ir.cron"])
        progress = []

        def notify(cron, *, done, remaining, deactivate=False):
            progress.append((done, remaining))

        with patch.object(Cron, "_notify_progress", notify), self._at(self._h(2)):
            # a time limit already reached: one batch, then stop with work left
            self.assertEqual(self.Clock._cron_escalate(batch_size=2, time_limit=0), 2)
            self.assertEqual(progress, [(2, 3)])
            # no limit: the rest, batch after batch, then a wake-up at the next due time
            self.assertEqual(self.Clock._cron_escalate(batch_size=2, time_limit=3600), 3)
            self.assertEqual(progress[1:], [(2, 1), (3, 0)])
        cron = self.env.ref("base_escalation.escalation_cron")
        trigger = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)], order="id desc", limit=1)
        self.assertEqual(trigger.call_at, T0 + timedelta(hours=30), "L2 of the first lead")
        self.assertEqual(len(self.Log.search([("res_id", "in", leads.ids), ("outcome", "=", "done")])), 5)

    def test_level_change_on_many_clocks_is_deferred_to_the_cron(self):
        """Changing or deleting a level of a rule with many open clocks returns at once:
        the due times are recomputed by the cron, in chunks (issue 12)."""
        rule = self._rule(levels=[{"name": "L1", "delay": 4}, {"name": "L2", "delay": 8}])
        with self._at(T0):
            leads = self._lead() | self._lead() | self._lead()
        clocks = self.Clock.search([("rule_id", "=", rule.id), ("res_id", "in", leads.ids)])
        self.assertEqual(set(clocks.mapped("next_escalation_at")), {T0 + timedelta(hours=4)})
        level1, level2 = rule.level_ids.sorted("sequence")
        manager_rule = rule.with_user(self.user_manager)
        self.env["ir.config_parameter"].sudo().set_param(PARAM_INLINE_LIMIT, "2")
        manager_rule.level_ids.filtered(lambda level: level == level1).write({"delay": 2})
        self.assertTrue(rule.guide_apply_pending, "the rule says that its clocks are pending")
        self.assertEqual(
            set(clocks.mapped("next_escalation_at")), {T0 + timedelta(hours=4)}, "not done in the request"
        )
        self._run_at(self._h(1))
        rule.invalidate_recordset()
        clocks.invalidate_recordset()
        self.assertFalse(rule.guide_apply_pending)
        self.assertEqual(set(clocks.mapped("next_escalation_at")), {T0 + timedelta(hours=2)})
        manager_rule.level_ids.filtered(lambda level: level == level1).unlink()
        rule.invalidate_recordset()
        self.assertTrue(rule.guide_apply_pending)
        self._run_at(self._h(1.5))
        clocks.invalidate_recordset()
        self.assertEqual(set(clocks.mapped("next_escalation_at")), {T0 + timedelta(hours=8)})
        self.assertEqual(set(clocks.mapped("next_level_id")), {level2})

    def test_rule_on_many_records_is_evaluated_by_the_cron(self):
        with self._at(T0):
            leads = self._lead() | self._lead() | self._lead()
        self.env["ir.config_parameter"].sudo().set_param(PARAM_INLINE_LIMIT, "2")
        rule = self._rule(levels=[{"name": "L1", "delay": 1}])
        self.assertTrue(rule.guide_apply_pending)
        self.assertFalse(self.Clock.search([("rule_id", "=", rule.id)]), "saving the rule stays fast")
        self._run_at(self._h(2))
        rule.invalidate_recordset()
        self.assertFalse(rule.guide_apply_pending)
        clocks = self.Clock.search([("rule_id", "=", rule.id)])
        self.assertEqual(len(clocks), 3)
        self.assertEqual(set(clocks.mapped("state")), {"breached"}, "evaluated, then fired in the same run")
        self.assertEqual(len(self.Log.search([("res_id", "in", leads.ids), ("outcome", "=", "done")])), 3)

    def test_archived_user_is_not_given_records(self):
        """A level reassigning to its user or to the team leader, once that user is archived
        (after the rule was saved), leaves the record with its owner and says why in the log
        and the chatter, instead of handing it to someone who no longer logs in."""
        rule = self._rule(
            levels=[
                {"name": "L1", "delay": 1, "assign_to": "team_leader"},
                {"name": "L2", "delay": 2, "assign_to": "user", "assign_user_id": self.user_manager.id},
            ]
        )
        with self._at(T0):
            lead = self._lead()
        (self.user_leader | self.user_manager).active = False
        self._run_at(self._h(1.5))
        self.assertEqual(lead.user_id, self.user_salesman)
        log = self._logs(lead, level_id=rule.level_ids[0].id)
        self.assertIn(
            f"Not reassigned: {self.user_leader.name} is archived or not an internal user", log.actions
        )
        self.assertEqual(log.to_user_id, self.user_salesman)
        self._run_at(self._h(2.5))
        self.assertEqual(lead.user_id, self.user_salesman)
        self.assertIn(
            f"Not reassigned: {self.user_manager.name} is archived or not an internal user",
            self._logs(lead, level_id=rule.level_ids[1].id).actions,
        )
        self.assertTrue(lead.message_ids.filtered(lambda m: "Not reassigned" in str(m.body)))

    def test_nobody_to_give_records_to_is_said(self):
        """A level reassigning to its user once that user is deleted (the level keeps no user),
        or to the team leader of a team without one, leaves the record with its owner and
        says why in the log and the chatter, instead of nothing."""
        user = self.env["res.users"].create(
            {
                "name": "Temporary Closer",
                "login": "temporary_closer",
                "groups_id": [(6, 0, self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        rule = self._rule(
            levels=[
                {"name": "L1", "delay": 1, "assign_to": "team_leader"},
                {"name": "L2", "delay": 2, "assign_to": "user", "assign_user_id": user.id},
            ]
        )
        with self._at(T0):
            lead = self._lead()
        self.team.user_id = False
        user.unlink()
        self.assertFalse(rule.level_ids[1].assign_user_id)
        self._run_at(self._h(1.5))
        self.assertEqual(lead.user_id, self.user_salesman)
        self.assertIn(
            "Not reassigned: the record has no team leader",
            self._logs(lead, level_id=rule.level_ids[0].id).actions,
        )
        self._run_at(self._h(2.5))
        self.assertEqual(lead.user_id, self.user_salesman)
        self.assertIn(
            "Not reassigned: the level's user no longer exists",
            self._logs(lead, level_id=rule.level_ids[1].id).actions,
        )
        self.assertEqual(len(lead.message_ids.filtered(lambda m: "Not reassigned" in str(m.body))), 2)

    def test_records_stay_in_their_company(self):
        """A level of a rule shared by the companies, reassigning to a user of one company,
        leaves another company's lead with its owner and says why (crm would empty the
        lead's company, showing it to every company)."""
        other_company = self.env["res.company"].create({"name": "Escalation Subsidiary"})
        closer = self.env["res.users"].create(
            {
                "name": "Subsidiary Closer",
                "login": "subsidiary_closer",
                "company_id": other_company.id,
                "company_ids": [(6, 0, other_company.ids)],
                "groups_id": [(6, 0, self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        rule = self._rule(
            levels=[{"name": "L1", "delay": 1, "assign_to": "user", "assign_user_id": closer.id}]
        )
        rule.company_id = False
        with self._at(T0):
            lead = self._lead()
        company = lead.company_id
        self.assertTrue(company)
        self._run_at(self._h(1.5))
        self.assertEqual((lead.user_id, lead.company_id), (self.user_salesman, company))
        self.assertIn(
            f"Not reassigned: Subsidiary Closer does not work for {company.name}",
            self._logs(lead, level_id=rule.level_ids.id).actions,
        )

    def test_archived_team_is_not_given_records(self):
        """A level moving records to its team, once that team is archived (after the rule was
        saved), leaves them in their team and says why in the log and the chatter, instead of
        hiding them in a team no pipeline shows."""
        target = self.env["crm.team"].create({"name": "Escalation Desk"})
        rule = self._rule(
            levels=[{"name": "L1", "delay": 1, "assign_to": "team", "assign_crm_team_id": target.id}]
        )
        with self._at(T0):
            lead = self._lead()
        target.active = False
        self._run_at(self._h(1.5))
        self.assertEqual(lead.team_id, self.team)
        clock = self._clock(lead, rule)
        self.assertEqual((clock.state, clock.level_index), ("breached", 1))
        log = self._logs(lead, level_id=rule.level_ids.id)
        self.assertEqual(log.outcome, "done")
        self.assertIn(f"Not moved: team {target.name} is archived", log.actions)
        self.assertTrue(lead.message_ids.filtered(lambda m: "Not moved" in str(m.body)))

    def test_deleted_team_is_said(self):
        """A level moving records to its team, once that team is deleted (the level keeps no
        team), leaves them in their team and says why in the log and the chatter, as for a
        deleted user, instead of an escalation that lists nothing."""
        target = self.env["crm.team"].create({"name": "Escalation Desk"})
        rule = self._rule(
            levels=[{"name": "L1", "delay": 1, "assign_to": "team", "assign_crm_team_id": target.id}]
        )
        with self._at(T0):
            lead = self._lead()
        target.unlink()
        self.assertFalse(rule.level_ids.assign_crm_team_id)
        self._run_at(self._h(1.5))
        self.assertEqual(lead.team_id, self.team)
        log = self._logs(lead, level_id=rule.level_ids.id)
        self.assertEqual(log.outcome, "done")
        self.assertIn("Not moved: the level's team no longer exists", log.actions)
        self.assertTrue(lead.message_ids.filtered(lambda m: "Not moved" in str(m.body)))


@tagged("post_install", "-at_install")
class TestEscalationReaders(EscalationCommon):
    """Followers and to-dos are given only to whom may read the record."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company2 = cls.env["res.company"].create({"name": "Escalation Co2"})
        cls.user_co2 = new_test_user(
            cls.env,
            login="esc_co2_salesman",
            groups="sales_team.group_sale_salesman",
            name="Cora Co2",
            company_id=cls.company2.id,
            company_ids=[(6, 0, cls.company2.ids)],
        )
        # a team shared by the companies, led by a user of the main company only
        cls.shared_team = cls.env["crm.team"].create(
            {
                "name": "Shared Team",
                "company_id": False,
                "user_id": cls.user_leader.id,
                "member_ids": [(4, cls.user_co2.id)],
            }
        )
        cls.process.crm_team_ids = [(4, cls.shared_team.id)]
        cls.todo = cls.env.ref("mail.mail_activity_data_todo")

    def _fire(self, level, **lead_vals):
        rule = self._rule(levels=[dict({"name": "L1", "delay": 1}, **level)], company_id=False)
        rule.crm_team_ids = [(6, 0, (self.team | self.shared_team).ids)]
        with self._at(T0):
            lead = self._lead(**lead_vals)
        self._run_at(self._h(1.5))
        return lead, self._logs(lead, level_id=rule.level_ids.id)

    def test_leader_of_another_company_neither_follows_nor_gets_a_todo(self):
        lead, log = self._fire(
            {"follow_team_leader": True, "activity_type_id": self.todo.id, "activity_user": "team_leader"},
            team_id=self.shared_team.id,
            user_id=self.user_co2.id,
            company_id=self.company2.id,
        )
        self.assertEqual(lead.company_id, self.company2)
        self.assertNotIn(self.user_leader.partner_id, lead.message_partner_ids)
        self.assertFalse(lead.activity_ids, "no to-do naming a lead its assignee cannot read")
        reason = f"{self.user_leader.name} does not work for {self.company2.name}"
        self.assertIn(f"Not following: {reason}", log.actions)
        self.assertIn(f"No activity: {reason}", log.actions)
        note = lead.message_ids.filtered(lambda m: "Not following" in str(m.body))
        self.assertIn(reason, str(note.body))

    def test_followers_who_may_not_read_are_skipped(self):
        """A colleague whom the record rules keep from the lead (an own-documents salesperson on
        a lead of someone else), or an outside partner of another company, does not follow it;
        an outside partner of no company, or of the lead's, does (the administrator chose it)."""
        outside = self.env["res.partner"].create({"name": "Director", "email": "dir@example.com"})
        outside_main = self.env["res.partner"].create({"name": "Main Auditor", "company_id": self.company.id})
        outside_co2 = self.env["res.partner"].create({"name": "Co2 Auditor", "company_id": self.company2.id})
        partners = outside | outside_main | outside_co2 | self.user_salesman.partner_id
        lead, log = self._fire(
            {"follower_partner_ids": [(6, 0, partners.ids)], "activity_type_id": self.todo.id},
            user_id=self.user_manager.id,
        )
        self.assertEqual(lead.company_id, self.company)
        followers = lead.message_partner_ids
        self.assertIn(outside, followers)
        self.assertIn(outside_main, followers)
        self.assertNotIn(outside_co2, followers)
        self.assertNotIn(self.user_salesman.partner_id, followers)
        self.assertIn(f"Not following: {self.user_salesman.name} may not read this record", log.actions)
        self.assertIn(
            f"Not following: Co2 Auditor belongs to {self.company2.name}, not to {self.company.name}",
            log.actions,
        )
        self.assertEqual(
            lead.activity_ids.user_id, self.user_manager, "the owner, who may read it, gets the to-do"
        )
