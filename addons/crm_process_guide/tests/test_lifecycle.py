from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .common import GuideCommon

PROTOCOLS = ("xmlrpc", "jsonrpc")


@tagged("post_install", "-at_install")
class TestLifecycle(RpcCase, GuideCommon):
    """Deleting configuration or records loses nothing silently: a step or process in use
    is refused (archived instead), a deleted lead's checklist lines go with it."""

    def _rows(self, model, leads):
        return self.env[model].sudo().search([("res_model", "=", "crm.lead"), ("res_id", "in", leads.ids)])

    def test_step_in_use_is_not_deleted(self):
        """A sales manager deleting a step that leads are in, over RPC (Odoo's uninstall flag
        sent too) or from the process form, is refused with the step and what uses it named;
        the leads keep their step, their history and their ticked checklist."""
        leads = self._lead(stage_id=self.stage_nego.id) | self._lead(stage_id=self.stage_nego.id)
        self._tick(leads[0], "Discount approved")
        lines, history = self._rows("guide.line", leads), self._rows("guide.history", leads)
        self.assertEqual(len(lines), 2)
        self.assertEqual(history.to_step_id, self.step_nego)
        for protocol in PROTOCOLS:
            for context in ({}, {"_force_unlink": True}):
                with self.assertRaises(RpcError, msg=protocol) as caught:
                    getattr(self, protocol)(
                        self.user_manager, "guide.step", "unlink", [self.step_nego.ids], {"context": context}
                    )
                self.assertIn(
                    "B2B Sales / G-Negotiation: 2 record(s) in it, 2 stage history row(s) naming it",
                    caught.exception.message,
                )
                self.assertIn("Archive the process instead", caught.exception.message)
        with self.assertRaises(UserError), Form(self.process.with_user(self.user_manager)) as form:
            form.step_ids.remove(index=2)
        self.assertTrue(self.step_nego.exists())
        self.assertEqual(leads.guide_step_id, self.step_nego)
        self.assertEqual(self._rows("guide.line", leads), lines)
        self.assertEqual(self._rows("guide.history", leads), history)
        self.assertTrue(self._lines(leads[0])["Discount approved"].checked_by_id)

    def test_step_named_by_history_only_is_not_deleted(self):
        """No lead is in the step any more, but their history names it: refused too."""
        lead = self._lead(stage_id=self.stage_nego.id)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_won.id})
        with self.assertRaises(UserError) as caught:
            self.step_nego.with_user(self.user_manager).unlink()
        self.assertIn("G-Negotiation: 0 record(s) in it, 2 stage history row(s)", str(caught.exception))
        self.assertTrue(self.step_nego.exists())

    def test_unused_step_and_process_are_deleted(self):
        """A step no lead is in nor ever was, and a process nothing follows, are deleted."""
        stage = self.env["crm.stage"].create({"name": "G-Unused", "sequence": 1006})
        unused = self.env["guide.step"].create({"process_id": self.process.id, "crm_stage_id": stage.id})
        unused.with_user(self.user_manager).unlink()
        self.assertFalse(unused.exists())
        process = self.env["guide.process"].create(
            {"name": "Unused", "model_name": "crm.lead", "crm_team_ids": [(6, 0, self.other_team.ids)]}
        )
        self.env["guide.step"].create({"process_id": process.id, "crm_stage_id": self.stage_qualif.id})
        self.assertIs(self.xmlrpc(self.user_manager, "guide.process", "unlink", [process.ids]), True)
        self.assertFalse(process.exists())

    def test_process_in_use_is_archived_not_deleted(self):
        """A process leads follow (or whose history names it) is not deleted, its steps with
        it, whatever the flag a client sends; archiving it keeps the leads' history."""
        lead = self._lead(stage_id=self.stage_qualif.id)
        history = self._rows("guide.history", lead)
        self.assertTrue(history)
        for protocol in PROTOCOLS:
            for context in ({}, {"_force_unlink": True}):
                with self.assertRaises(RpcError, msg=protocol) as caught:
                    getattr(self, protocol)(
                        self.user_manager, "guide.process", "unlink", [self.process.ids], {"context": context}
                    )
                self.assertIn(
                    "B2B Sales: 1 record(s) following it, 1 stage history row(s) naming it",
                    caught.exception.message,
                )
                self.assertIn("Archive it instead", caught.exception.message)
        self.assertTrue(self.step_qualif.exists())
        self.process.with_user(self.user_manager).action_archive()
        self.assertFalse(lead.guide_process_id)
        self.assertEqual(self._rows("guide.history", lead), history)
        self.assertEqual(history.to_step_id, self.step_qualif)

    def test_step_task_milestone_are_not_archived_alone(self):
        """A step, an optional task and a milestone are archived and restored with their
        process (the task with its step): archiving one alone, over any path, is refused
        naming it (the step's gate went from the design without a version); archiving the
        process archives them all."""
        task = self.env["guide.task"].create({"step_id": self.step_qualif.id, "name": "Archived probe"})
        milestone = self.env["guide.milestone"].create(
            {"process_id": self.process.id, "name": "Archived probe", "reach_mode": "manual"}
        )
        for model, record, parent in (
            ("guide.step", self.step_qualif, self.process),
            ("guide.task", task, self.step_qualif),
            ("guide.milestone", milestone, self.process),
        ):
            for protocol in PROTOCOLS:
                for method, args in (
                    ("write", [record.ids, {"active": False}]),
                    ("action_archive", [record.ids]),
                ):
                    with self.subTest(model=model, protocol=protocol, method=method):
                        with self.assertRaises(RpcError) as caught:
                            getattr(self, protocol)(self.user_manager, model, method, args)
                        self.assertIn("is archived and restored with its", caught.exception.message)
                        self.assertIn(parent.display_name, caught.exception.message)
            self.assertTrue(record.active)
        # a write of the value it has is no change
        self.step_qualif.with_user(self.user_manager).write({"active": True})
        self.process.with_user(self.user_manager).action_archive()
        self.assertFalse(self.step_qualif.active or task.active or milestone.active)
        self.process.with_user(self.user_manager).action_unarchive()
        self.assertTrue(self.step_qualif.active and task.active and milestone.active)

    def test_deleted_lead_takes_its_checklist_lines(self):
        """Deleting leads (as a sales manager, or merging them) deletes their checklist lines
        and keeps their history; a merge notes the items done on the merged leads."""
        leads = self._lead() | self._lead()
        self._tick(leads[0], "Budget confirmed")
        self.assertEqual(len(self._rows("guide.line", leads)), 10)
        history = self._rows("guide.history", leads)
        leads.with_user(self.user_manager).unlink()
        self.assertFalse(self._rows("guide.line", leads))
        self.assertEqual(self._rows("guide.history", leads), history)
        # crm's merge deletes the merged leads (as superuser); the items ticked on them are
        # noted on the lead they were merged into, with who ticked them
        head, tail = self._lead(), self._lead(name="Duplicate")
        self._lines(tail)["Budget confirmed"].with_user(self.user_salesman).action_check()
        merge = self.env["crm.merge.opportunity"].with_user(self.user_manager)
        merge.with_context(active_ids=(head | tail).ids, active_model="crm.lead").create(
            {"opportunity_ids": [(6, 0, (head | tail).ids)]}
        ).action_merge()
        self.assertFalse(tail.exists())
        self.assertFalse(self._rows("guide.line", tail))
        self.assertTrue(self._rows("guide.line", head))
        note = head.message_ids.filtered(
            lambda m: "Checklist items done on the merged records" in str(m.body)
        )
        self.assertEqual(len(note), 1)
        self.assertIn("Duplicate: Budget confirmed, by %s on " % self.user_salesman.name, str(note.body))
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))

    def test_merge_keeps_the_latest_message_events(self):
        """A merge moves the merged leads' messages to the lead they are merged into: its
        last customer message and last reply are then the latest of them all, as the
        conditions reading them (and the chatter) say."""
        customer = self.env["res.partner"].create({"name": "Merge customer", "email": "merge@example.com"})
        # the lead further on is the one the others are merged into
        head, tail = self._lead(name="Head", stage_id=self.stage_nego.id), self._lead(name="Tail")
        head.message_post(body="Earlier", author_id=customer.id, message_type="email")
        tail.message_post(body="Later", author_id=customer.id, message_type="email")
        tail.with_user(self.user_salesman).message_post(
            body="Our answer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.env.cr.execute(
            "UPDATE crm_lead SET guide_last_customer_message_date = %s WHERE id = %s",
            ("2020-01-01 10:00:00", head.id),
        )
        head.invalidate_recordset()
        latest = tail.guide_last_customer_message_date
        self.assertGreater(latest, head.guide_last_customer_message_date)
        self.assertFalse(head.guide_last_reply_date)
        self.assertTrue(tail.guide_last_reply_date)
        merge = self.env["crm.merge.opportunity"].with_user(self.user_salesman)
        merge.with_context(active_ids=(head | tail).ids, active_model="crm.lead").create(
            {"opportunity_ids": [(6, 0, (head | tail).ids)]}
        ).action_merge()
        self.assertFalse(tail.exists())
        self.assertEqual(head.guide_last_customer_message_date, latest)
        self.assertTrue(head.guide_last_reply_date)

    def test_audit_trail_of_a_deleted_lead_stays_readable(self):
        """The history and deviations of a deleted or merged lead stay readable (search,
        read, read_group) by those who read every lead and the process administrators (of
        own documents too); a salesperson of own documents, its owner included, reads them
        no more."""
        lead = self._lead(stage_id=self.stage_proposal.id)
        lead.with_user(self.user_salesman).with_context(guide_override_reason="Customer in a hurry").write(
            {"stage_id": self.stage_nego.id}
        )
        history = self._rows("guide.history", lead)
        deviations = self._rows("guide.deviation", lead)
        self.assertEqual((len(history), len(deviations)), (2, 1))
        admin = new_test_user(
            self.env,
            login="guide_admin_deleted",
            groups="sales_team.group_sale_salesman,base_process_guide.group_guide_manager",
        )
        # crm's merge deletes the merged lead as superuser, whatever the rights of who merges
        head = self._lead(stage_id=self.stage_won.id, probability=100)
        merge = self.env["crm.merge.opportunity"].with_user(self.user_salesman)
        # kept in its team (the salesperson's: crm would move the won head to their other
        # team, into another process whose policies on wins would judge it)
        self.team.member_ids = [(4, self.user_salesman.id)]
        merge.with_context(active_ids=(head | lead).ids, active_model="crm.lead").create(
            {"opportunity_ids": [(6, 0, (head | lead).ids)]}
        ).action_merge()
        self.assertFalse(lead.exists())
        domain = [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        for user in (self.user_salesman_all, self.user_manager, admin):
            with self.subTest(user=user.login):
                History = self.env["guide.history"].with_user(user)
                self.assertEqual(History.search(domain), history)
                self.assertEqual(self.env["guide.deviation"].with_user(user).search(domain), deviations)
                self.assertEqual(History.search_count(domain), 2)
                self.assertEqual(
                    History.browse(history.ids).read(["user_id"])[0]["user_id"][0], self.user_salesman.id
                )
                [(count,)] = History._read_group(domain, aggregates=["__count"])
                self.assertEqual(count, 2)
        History = self.env["guide.history"].with_user(self.user_salesman)
        self.assertFalse(History.search(domain))
        with self.assertRaises(AccessError):
            History.browse(history.ids).read(["user_id"])

    def test_stage_of_a_step_in_use_is_not_deleted(self):
        """Deleting a CRM stage deletes its steps: refused while leads are in one or their
        history names one; a stage no step uses is deleted as in Odoo."""
        lead = self._lead(stage_id=self.stage_nego.id)
        lead.with_user(self.user_salesman).write({"stage_id": self.stage_won.id})
        for context in ({}, {"_force_unlink": True}):
            fault = self.rpc_fault(
                self.user_manager, "crm.stage", "unlink", [self.stage_nego.ids], {"context": context}
            )
            self.assertIn("G-Negotiation: 0 record(s) in it, 2 stage history row(s)", fault)
            # the refusal names the stage the user deleted, and what to do instead
            self.assertIn("Stage G-Negotiation cannot be deleted: it is a step of a process", fault)
            self.assertIn("Archive the process instead", fault)
        self.assertTrue(self.step_nego.exists())
        spare = self.env["crm.stage"].create({"name": "G-Spare", "sequence": 1007})
        spare.with_user(self.user_manager).unlink()
        self.assertFalse(spare.exists())

    def test_user_named_by_the_audit_trail_is_archived_not_deleted(self):
        """An administrator deleting over RPC a user who overrode a gate or acknowledged a
        hint is refused in words naming the user and the rows (the database's foreign key
        error was logged as an ERROR); archiving works, and a user the trail does not name
        is deleted as in Odoo."""
        admin = new_test_user(self.env, login="guide_admin_rpc", groups="base.group_system,base.group_user")
        agent = new_test_user(
            self.env, login="guide_leaver", groups="sales_team.group_sale_salesman", name="Leo Leaver"
        )
        lead = self._lead(stage_id=self.stage_proposal.id, user_id=agent.id)
        lead.with_user(agent).with_context(guide_override_reason="Customer signs today").write(
            {"stage_id": self.stage_nego.id}
        )
        hint = self.env["guide.hint"].create({"name": "Call the buyer", "model_name": "crm.lead"})
        hint.with_user(agent).with_context(
            guide_res_model="crm.lead", guide_res_id=lead.id
        ).action_acknowledge()
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            # a client sending Odoo's uninstall flag too (it skipped the check)
            for protocol, context in zip(PROTOCOLS, ({}, {"_force_unlink": True}), strict=True):
                fault = self.rpc_fault(
                    admin, "res.users", "unlink", [agent.ids], {"context": context}, protocol=protocol
                )
                self.assertIn("A user the audit trail names cannot be deleted", fault)
                self.assertIn(
                    "Leo Leaver: gates overridden (deviations): 1, hints acknowledged: 1, "
                    "and stage changes: 1",
                    fault,
                )
        self.assertIs(self.xmlrpc(admin, "res.users", "write", [agent.ids, {"active": False}]), True)
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual(deviation.user_id, agent)
        # who ticked an item is kept too (the line's user column would be emptied silently)
        ticker = new_test_user(
            self.env, login="guide_ticker", groups="sales_team.group_sale_salesman", name="Tina Ticker"
        )
        ticked = self._lead(stage_id=self.stage_proposal.id, user_id=ticker.id)
        ticked.with_user(ticker).guide_current_line_ids.filtered(lambda line: line.completion == "manual")[
            :1
        ].action_check()
        fault = self.rpc_fault(admin, "res.users", "unlink", [ticker.ids])
        self.assertIn("Tina Ticker: checklist items ticked: 1", fault)
        self.assertTrue(ticker.exists())
        # who added an optional task too (the task's row would lose its "Added By")
        adder = new_test_user(
            self.env, login="guide_adder", groups="sales_team.group_sale_salesman", name="Ada Adder"
        )
        task = self.env["guide.task"].create({"step_id": self.step_proposal.id, "name": "Site survey"})
        added = self._lead(stage_id=self.stage_proposal.id, user_id=adder.id)
        added.with_user(adder).action_guide_add_task(task.id, note="Asked by the customer")
        fault = self.rpc_fault(admin, "res.users", "unlink", [adder.ids])
        self.assertIn("Ada Adder: optional tasks added: 1", fault)
        self.assertTrue(adder.exists())
        bystander = new_test_user(self.env, login="guide_bystander", groups="sales_team.group_sale_salesman")
        self.assertIs(self.xmlrpc(admin, "res.users", "unlink", [bystander.ids]), True)
        self.assertFalse(bystander.exists())

    def test_activity_type_of_an_optional_task_is_not_deleted(self):
        """Deleting an activity type an optional task schedules is refused in words naming the
        task (the database's foreign key error was logged as an ERROR)."""
        admin = new_test_user(self.env, login="guide_admin_rpc", groups="base.group_system,base.group_user")
        activity_type = self.env["mail.activity.type"].create({"name": "Site visit"})
        self.env["guide.task"].create(
            {
                "name": "Plan a site visit",
                "step_id": self.step_proposal.id,
                "kind": "activity",
                "activity_type_id": activity_type.id,
            }
        )
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            fault = self.rpc_fault(admin, "mail.activity.type", "unlink", [activity_type.ids])
        self.assertIn("Site visit: task Plan a site visit of B2B Sales / G-Proposal", fault)
        self.assertTrue(activity_type.exists())

    def test_sole_team_of_a_process_archived_or_deleted(self):
        """A sales manager archiving the only sales team of a process leaves the process on
        that team, not on every team (the archived team vanished from its scope and the
        leads of every other team entered the process); deleting the team over RPC is
        refused naming the process, which would else apply to every team."""
        self.assertIs(
            self.xmlrpc(self.user_manager, "crm.team", "write", [self.team.ids, {"active": False}]), True
        )
        self.env.registry.clear_cache()  # as after a restart
        other = self._lead(team_id=self.other_team.id)
        self.assertFalse(other.guide_process_id)
        self.assertEqual(self._lead().guide_process_id, self.process, "the archived team's leads keep it")
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            self.rpc_fault(
                self.user_manager, "crm.team", "unlink", [self.team.ids], {"context": {"_force_unlink": True}}
            )
            fault = self.rpc_fault(self.user_manager, "crm.team", "unlink", [self.team.ids])
        self.assertIn(
            "Guided Team cannot be deleted: the following name nothing else in their field “Sales "
            "Teams”, and with that field empty they would apply to every record of their model",
            fault,
        )
        self.assertIn("Archive Guided Team instead", fault)
        self.assertIn("Process: B2B Sales", fault)
        self.assertTrue(self.team.exists())
        # a process keeping another team lets the team go
        self.process.crm_team_ids = self.team | self.other_team
        self.assertIs(self.xmlrpc(self.user_manager, "crm.team", "unlink", [self.team.ids]), True)
        self.assertEqual(self.process.crm_team_ids, self.other_team)

    def test_company_of_a_process_is_not_deleted(self):
        """An administrator deleting over RPC a company a process (archived included) or a hint
        is limited to is refused naming them: the company emptied, they applied to the leads
        of every company. Once they are gone, the company is deleted."""
        admin = new_test_user(self.env, login="guide_admin_co", groups="base.group_system,base.group_user")
        company = self.env["res.company"].create({"name": "Branch Co"})
        process = self.env["guide.process"].create(
            {"name": "Branch process", "model_name": "crm.lead", "company_id": company.id, "active": False}
        )
        hint = self.env["guide.hint"].create(
            {"name": "Branch hint", "model_name": "crm.lead", "company_id": company.id}
        )
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            for protocol, context in zip(PROTOCOLS, ({}, {"_force_unlink": True}), strict=True):
                fault = self.rpc_fault(
                    admin, "res.company", "unlink", [company.ids], {"context": context}, protocol=protocol
                )
                self.assertIn("Branch Co cannot be deleted: the following are limited to it", fault)
                self.assertIn("Guided Process: Branch process", fault)
                self.assertIn("Knowledge Hint: Branch hint", fault)
        self.assertEqual((process.company_id, hint.company_id), (company, company))
        process.unlink()
        hint.unlink()
        self.assertIs(self.xmlrpc(admin, "res.company", "unlink", [company.ids]), True)
        self.assertFalse(company.exists())

    def test_hint_an_uninstallation_emptied_is_not_restored_as_it_is(self):
        """A hint whose only step a module's uninstallation deleted (with its stage) is
        archived, and not restored as it is: it would show on every lead. Restored with its
        steps set again, it is."""
        stage = self.env["crm.stage"].create({"name": "G-Pilot", "sequence": 1010})
        step = self.env["guide.step"].create({"process_id": self.process.id, "crm_stage_id": stage.id})
        hint = self.env["guide.hint"].create(
            {"name": "Pilot hint", "model_name": "crm.lead", "step_ids": [(6, 0, step.ids)]}
        )
        uninstalling = self.env(su=True, context={**self.env.context, MODULE_UNINSTALL_FLAG: True})
        stage.with_env(uninstalling).unlink()
        self.assertEqual((hint.active, hint.scope_emptied), (False, True))
        fault = self.rpc_fault(self.user_manager, "guide.hint", "action_unarchive", [hint.ids])
        self.assertIn("Knowledge Hint “Pilot hint” cannot be restored as it is", fault)
        vals = {"active": True, "step_ids": [(6, 0, self.step_qualif.ids)]}
        self.assertIs(self.xmlrpc(self.user_manager, "guide.hint", "write", [hint.ids, vals]), True)
        self.assertEqual((hint.active, hint.scope_emptied), (True, False))

    def test_sole_step_of_a_hint_is_not_deleted(self):
        """Deleting the only step a hint is shown in (no lead was ever there) is refused
        naming the hint: its steps emptied, it showed in every step."""
        stage = self.env["crm.stage"].create({"name": "G-Pilot", "sequence": 1010})
        step = self.env["guide.step"].create({"process_id": self.process.id, "crm_stage_id": stage.id})
        hint = self.env["guide.hint"].create(
            {"name": "Pilot hint", "model_name": "crm.lead", "step_ids": [(6, 0, step.ids)]}
        )
        fault = self.rpc_fault(self.user_manager, "guide.step", "unlink", [step.ids])
        self.assertIn("Knowledge Hint: Pilot hint", fault)
        self.assertIn(
            "the following name nothing else in their field “Steps”, and with that field empty they "
            "would apply in every step",
            fault,
        )
        self.assertIn("First change “Steps” of these, or delete them.", fault)
        self.assertNotIn("every record", fault)
        # removed from its process, or with its stage: refused alike
        fault = self.rpc_fault(
            self.user_manager, "guide.process", "write", [self.process.ids, {"step_ids": [(2, step.id)]}]
        )
        self.assertIn("Knowledge Hint: Pilot hint", fault)
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            fault = self.rpc_fault(self.user_manager, "crm.stage", "unlink", [stage.ids])
        self.assertIn(
            "Stage G-Pilot cannot be deleted: its step would be deleted with it, and the following "
            "name no other step in their field “Steps”",
            fault,
        )
        self.assertIn("Knowledge Hint: Pilot hint", fault)
        self.assertEqual(hint.step_ids, step)
        self.assertTrue(stage.exists())

    def test_field_a_condition_reads_is_not_deleted(self):
        """A custom field that a checklist item's condition or a hint's reads (on the lead, or
        on its customer through a path) is not deleted, over RPC: the condition would match
        nothing from then on, silently. Once no condition reads it, it is deleted."""
        Field = self.env["ir.model.fields"]
        score = Field.create(
            {
                "name": "x_guide_score",
                "field_description": "Guide Score",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "ttype": "integer",
            }
        )
        vip = Field.create(
            {
                "name": "x_guide_vip",
                "field_description": "Guide VIP",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "ttype": "boolean",
            }
        )
        item = self.env["guide.item"].create(
            {
                "step_id": self.step_qualif.id,
                "name": "Scored",
                "completion": "auto",
                "auto_domain": "[('x_guide_score', '>', 5)]",
            }
        )
        hint = self.env["guide.hint"].create(
            {
                "name": "VIP customer",
                "model_name": "crm.lead",
                "domain": "[('partner_id.x_guide_vip', '=', True)]",
            }
        )
        admin = self.env.ref("base.user_admin")
        for field, rule in ((score, "Scored"), (vip, "VIP customer")):
            for protocol in PROTOCOLS:
                with self.subTest(field=field.name, protocol=protocol):
                    fault = self.rpc_fault(admin, "ir.model.fields", "unlink", [field.ids], protocol=protocol)
                    self.assertIn(f"Field {field.field_description} cannot be deleted", fault)
                    self.assertIn(f"“{rule}”", fault)
        self.assertTrue(score.exists() and vip.exists())
        item.auto_domain = "[('probability', '>', 5)]"
        hint.active = False  # archived: still a condition that would read it
        self.assertIn("VIP customer", self.rpc_fault(admin, "ir.model.fields", "unlink", [vip.ids]))
        hint.domain = False
        (score | vip).unlink()
        self.assertFalse("x_guide_score" in self.env["crm.lead"]._fields)

    def test_field_a_condition_reads_is_not_renamed(self):
        """A custom field that a condition reads is not renamed either, over RPC: the
        condition names the old name, which would match nothing from then on, silently.
        Once no condition reads it, it is renamed."""
        field = self.env["ir.model.fields"].create(
            {
                "name": "x_guide_rank",
                "field_description": "Guide Rank",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "ttype": "integer",
            }
        )
        item = self.env["guide.item"].create(
            {
                "step_id": self.step_qualif.id,
                "name": "Ranked",
                "completion": "auto",
                "auto_domain": "[('x_guide_rank', '>', 5)]",
            }
        )
        admin = self.env.ref("base.user_admin")
        for protocol in PROTOCOLS:
            with self.subTest(protocol=protocol):
                fault = self.rpc_fault(
                    admin,
                    "ir.model.fields",
                    "write",
                    [field.ids, {"name": "x_guide_rank2"}],
                    protocol=protocol,
                )
                self.assertIn("Field Guide Rank cannot be renamed", fault)
                self.assertIn("“Ranked”", fault)
        self.assertEqual(field.name, "x_guide_rank")
        # its label changes freely; once no condition reads it, it is renamed
        field.field_description = "Guide Ranking"
        item.auto_domain = "[('probability', '>', 5)]"
        field.name = "x_guide_rank2"
        self.assertIn("x_guide_rank2", self.env["crm.lead"]._fields)
