"""Deviation reasons and feedback are the audit trail's and their process's: a reason the
deviations name is archived, not deleted, and renaming it does not rewrite them; what
applies to every company (a shared reason, the feedback on a shared process) is changed
by a user of every company only — as real users, and over XML-RPC."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.base_process_guide.tests.rpc_common import RpcCase

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestTrustReasonsFeedback(RpcCase, GuideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B (reasons)"})
        cls.manager_b = new_test_user(
            cls.env,
            login="rsn_manager_b",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
            name="Bea B-Manager",
        )
        cls.manager_ab = new_test_user(
            cls.env,
            login="rsn_manager_ab",
            groups="sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, (cls.company | cls.company_b).ids)],
            name="Abe AB-Manager",
        )
        cls.reason_used = cls.env["guide.deviation.reason"].create({"name": "Customer signs today"})

    def _override(self, reason):
        lead = self._lead(stage_id=self.stage_proposal.id)
        lead.with_user(self.user_salesman).with_context(
            guide_override_reason="Signed at the fair", guide_override_reason_id=reason.id
        ).write({"stage_id": self.stage_nego.id})
        return self.env["guide.deviation"].search([("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)])

    def test_reason_in_use_is_archived_not_deleted(self):
        deviation = self._override(self.reason_used)
        self.assertEqual(deviation.reason_id, self.reason_used)
        reason = self.reason_used.with_user(self.manager_ab)
        with self.assertRaisesRegex(UserError, "\nCustomer signs today: deviations: 1") as caught:
            reason.unlink()
        self.assertIn("Archive it instead", str(caught.exception))
        self.assertTrue(self.reason_used.exists())
        self.assertEqual(deviation.reason_id, self.reason_used)
        # nor by the superuser, over any path
        with self.assertRaises(UserError):
            self.reason_used.sudo().unlink()
        reason.active = False
        self.assertFalse(self.reason_used.active)
        # a reason no deviation names is deleted
        unused = self.env["guide.deviation.reason"].with_user(self.manager_ab).create({"name": "Never used"})
        self.assertIs(unused.unlink(), True)

    def test_reason_applies_to_a_guided_model_only(self):
        """A reason's *Applies to* that names no guided model (no model, or one without a
        process guide) is refused naming the reason and the models it may apply to, on
        create and write; a guided model or none is accepted."""
        Reason = self.env["guide.deviation.reason"].with_user(self.manager_ab)
        for value in ("zzz.nothing", "res.partner"):
            with self.assertRaises(ValidationError) as caught:
                Reason.create({"name": "Bogus", "model_name": value})
            message = str(caught.exception)
            self.assertIn("Bogus", message)
            self.assertIn(f"{value!r} is not a guided model", message)
            self.assertIn("Lead/Opportunity", message)
            with self.assertRaises(ValidationError):
                self.reason_used.with_user(self.manager_ab).write({"model_name": value})
        self.assertEqual(Reason.create({"name": "Fine", "model_name": "crm.lead"}).model_name, "crm.lead")
        self.assertFalse(Reason.create({"name": "Everywhere"}).model_name)

    def test_renamed_reason_does_not_rewrite_the_deviations(self):
        """The deviation keeps the reason's wording of the time, in every language; the
        reason itself (what the screens group by) is the current one."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.reason_used.update_field_translations("name", {"fr_FR": "Le client signe aujourd'hui"})
        deviation = self._override(self.reason_used)
        self.assertEqual(deviation.reason_name, "Customer signs today")
        reason = self.reason_used.with_user(self.manager_ab)
        reason.name = "Bribe accepted"
        reason.update_field_translations("name", {"fr_FR": "Pot-de-vin accepté"})
        self.env.invalidate_all()
        read = deviation.with_user(self.user_salesman).read(["reason_name", "reason_id"])[0]
        self.assertEqual(read["reason_name"], "Customer signs today")
        self.assertEqual(read["reason_id"][1], "Bribe accepted")
        self.assertEqual(deviation.with_context(lang="fr_FR").reason_name, "Le client signe aujourd'hui")
        # the deviations recorded after the renaming say the new wording
        self.assertEqual(self._override(self.reason_used).reason_name, "Bribe accepted")

    def test_shared_reason_changed_by_a_user_of_every_company(self):
        Reason = self.env["guide.deviation.reason"].with_user(self.manager_b).with_company(self.company_b)
        shared = self.reason_used.with_user(self.manager_b).with_company(self.company_b)
        for change in (
            lambda: shared.write({"name": "Bribe accepted"}),
            lambda: shared.write({"active": False}),
            lambda: shared.unlink(),
            lambda: Reason.create({"name": "B everywhere"}),
            lambda: shared.update_field_translations("name", {"en_US": "Bribe accepted"}),
        ):
            with self.assertRaisesRegex(AccessError, "applies to every company"):
                change()
        self.assertEqual(self.reason_used.name, "Customer signs today")
        # over XML-RPC too
        fault = self.rpc_fault(
            self.manager_b, "guide.deviation.reason", "write", [self.reason_used.ids, {"name": "Bribe"}]
        )
        self.assertIn("applies to every company", fault)
        self.rpc_fault(self.manager_b, "guide.deviation.reason", "unlink", [self.reason_used.ids])
        self.assertTrue(self.reason_used.exists())
        # their company's reasons are theirs, and stay in their company
        own = Reason.create({"name": "B only", "company_id": self.company_b.id})
        own.name = "B only (renamed)"
        # offered on company B's records only: not on a lead of company A, where a user of
        # company A is told of no such reason (its name and company are not theirs to read)
        with self.assertRaises(UserError) as caught:
            self._override(own)
        self.assertIn("does not exist", str(caught.exception))
        self.assertNotIn("B only", str(caught.exception))
        # a user of both companies reads it: told where it is offered
        lead = self._lead(stage_id=self.stage_proposal.id)
        with self.assertRaisesRegex(ValidationError, "Company B"):
            lead.with_user(self.manager_ab).with_company(self.company).with_context(
                allowed_company_ids=[self.company.id, self.company_b.id],
                guide_override_reason="Signed at the fair",
                guide_override_reason_id=own.id,
            ).write({"stage_id": self.stage_nego.id})
        with self.assertRaisesRegex(AccessError, "a company you do not work for"):
            own.company_id = self.company
        # a manager of every company changes the shared ones
        self.reason_used.with_user(self.manager_ab).name = "Customer signed"
        self.assertEqual(self.reason_used.name, "Customer signed")

    def test_feedback_of_a_shared_process_decided_in_every_company(self):
        """The process of no company is changed by a user of every company only: so is the
        decision on its feedback, its answer and its deletion."""
        self.assertFalse(self.process.company_id)
        Feedback = self.env["guide.feedback"]
        feedback = Feedback.with_user(self.user_salesman).create(
            {"name": "Shorter checklist", "process_id": self.process.id}
        )
        theirs = feedback.with_user(self.manager_b).with_company(self.company_b)
        for change in (
            theirs.action_reject,
            theirs.action_accept,
            lambda: theirs.write({"response": "No"}),
            theirs.unlink,
        ):
            with self.assertRaisesRegex(AccessError, "applies to every company"):
                change()
        fault = self.rpc_fault(self.manager_b, "guide.feedback", "action_reject", [feedback.ids])
        self.assertIn("applies to every company", fault)
        self.rpc_fault(self.manager_b, "guide.feedback", "unlink", [feedback.ids])
        # nor given on a process of no company already decided
        with self.assertRaisesRegex(AccessError, "applies to every company"):
            Feedback.with_user(self.manager_b).with_company(self.company_b).create(
                {"name": "Decided", "process_id": self.process.id, "state": "rejected"}
            )
        self.assertEqual((feedback.state, feedback.response), ("new", False))
        # the manager of every company decides
        self.assertIs(self.xmlrpc(self.manager_ab, "guide.feedback", "action_accept", [feedback.ids]), True)
        feedback.with_user(self.manager_ab).response = "Done"
        self.assertEqual((feedback.state, feedback.response), ("accepted", "Done"))
        # on a process of their company, the managers of that company decide
        process_b = self.env["guide.process"].create(
            {"name": "B Sales", "model_name": "crm.lead", "company_id": self.company_b.id}
        )
        feedback_b = (
            Feedback.with_user(self.manager_b)
            .with_company(self.company_b)
            .create({"name": "B idea", "process_id": process_b.id})
        )
        feedback_b.action_reject()
        self.assertEqual(feedback_b.state, "rejected")
        feedback_b.unlink()
