from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.base_process_guide.models.guide_mixin import GUIDE_TEXT_MAX
from odoo.addons.base_process_guide.tests.rpc_common import RpcCase, RpcError

from .test_detour import DetourCommon


@tagged("post_install", "-at_install")
class TestTextBounds(RpcCase, DetourCommon):
    """What a user types (a justification, a reason, a note, feedback) is bounded: a text
    longer than GUIDE_TEXT_MAX characters is refused with the field named, nothing is
    recorded; at the bound it passes."""

    too_long = "x" * (GUIDE_TEXT_MAX + 1)

    def _lead_in_proposal(self):
        lead = self._lead(name="Bounded deal", stage_id=self.stage_proposal.id)
        self.assertEqual(lead.guide_step_id, self.step_proposal)
        return lead

    def test_override_justification_bounded(self):
        lead = self._lead_in_proposal()
        Lead = lead.with_user(self.user_salesman)
        with self.assertRaisesRegex(UserError, "justification is too long"):
            Lead.with_context(guide_override_reason=self.too_long).write({"stage_id": self.stage_nego.id})
        self.assertEqual(lead.stage_id, self.stage_proposal)
        with self.assertRaisesRegex(UserError, "justification must be text"):
            Lead.with_context(guide_override_reason=["not", "text"]).write({"stage_id": self.stage_nego.id})
        Lead.with_context(guide_override_reason="y" * GUIDE_TEXT_MAX).write({"stage_id": self.stage_nego.id})
        self.assertEqual(lead.stage_id, self.stage_nego)

    def test_alternate_reason_bounded_over_rpc(self):
        lead = self._lead_in_proposal()
        for call in (self.xmlrpc, self.jsonrpc):
            with self.assertRaises(RpcError) as err:
                call(
                    self.user_salesman,
                    "crm.lead",
                    "action_guide_enter_alternate",
                    [lead.ids, self.alt_waiting.id, self.too_long],
                )
            self.assertIn("too long", str(err.exception))
        lead.invalidate_recordset()
        self.assertFalse(lead.guide_alt_step_id)

    def test_dialog_texts_refused_when_typed(self):
        """A dialog's text typed too long (the override's justification, the alternate step's
        reason, the optional task's and milestone's notes) is refused when the dialog is
        saved, naming the dialog's own field, not only at Confirm under another name; nothing
        is stored. At the bound it is saved."""
        lead = self._lead_in_proposal()
        record = {"res_model": "crm.lead", "res_id": lead.id}
        dialogs = [
            (
                "guide.override.wizard",
                {"res_model": "crm.lead", "res_ids": f"[{lead.id}]", "stage_res_id": self.stage_nego.id},
                "reason",
                "Justification",
            ),
            ("guide.alternate.wizard", {**record, "step_id": self.alt_waiting.id}, "reason", "Reason"),
            ("guide.task.wizard", record, "note", "Why"),
            ("guide.milestone.wizard", record, "note", "Note"),
        ]
        for model, vals, fname, label in dialogs:
            with self.subTest(model=model):
                Wizard = self.env[model].with_user(self.user_salesman)
                count = Wizard.search_count([])
                with self.assertRaises(UserError) as caught:
                    Wizard.create({**vals, fname: self.too_long})
                self.assertIn(f"“{label}” is too long", str(caught.exception))
                with self.assertRaises(UserError):
                    Wizard.with_context(**{f"default_{fname}": self.too_long}).create(vals)
                self.assertEqual(Wizard.search_count([]), count)
        override, vals = dialogs[0][:2]
        wizard = (
            self.env[override].with_user(self.user_salesman).create({**vals, "reason": "y" * GUIDE_TEXT_MAX})
        )
        with self.assertRaises(UserError) as caught:
            wizard.write({"reason": self.too_long})
        self.assertIn("“Justification” is too long", str(caught.exception))
        fault = self.rpc_fault(self.user_salesman, override, "create", [{**vals, "reason": self.too_long}])
        self.assertIn("“Justification” is too long", fault)
        self.assertNotIn("note to the approvers", fault)

    def test_feedback_bounded(self):
        Feedback = self.env["guide.feedback"].with_user(self.user_salesman)
        with self.assertRaisesRegex(ValidationError, "too long"):
            Feedback.create({"name": "Idea", "process_id": self.process.id, "description": self.too_long})
        feedback = Feedback.create({"name": "Idea", "process_id": self.process.id, "description": "Short."})
        with self.assertRaisesRegex(ValidationError, "too long"):
            feedback.write({"description": self.too_long})

    def test_nul_character_refused_over_rpc(self):
        """A NUL character (which no text column stores, and which XML cannot carry) in what
        a user types is refused with the field named, before the database is asked: no
        query error logged, nothing recorded."""
        lead = self._lead_in_proposal()
        nul = "before\x00after"
        calls = [
            (
                "crm.lead",
                "write",
                [lead.ids, {"stage_id": self.stage_nego.id}],
                {"context": {"guide_override_reason": nul}},
            ),
            ("crm.lead", "action_guide_enter_alternate", [lead.ids, self.alt_waiting.id, nul], {}),
            ("guide.feedback", "create", [{"name": nul, "process_id": self.process.id}], {}),
            (
                "guide.feedback",
                "create",
                [{"name": "Idea", "process_id": self.process.id, "description": nul}],
                {},
            ),
            (
                "guide.override.wizard",
                "create",
                [
                    {
                        "res_model": "crm.lead",
                        "res_ids": f"[{lead.id}]",
                        "stage_res_id": self.stage_nego.id,
                        "reason": nul,
                    }
                ],
                {},
            ),
        ]
        for model, method, args, kwargs in calls:
            with self.subTest(model=model, method=method):
                with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertNoLogs("odoo.http", "ERROR"):
                    with self.assertRaises(RpcError) as err:
                        self.jsonrpc(self.user_salesman, model, method, args, kwargs)
                self.assertIn("NUL character", err.exception.message)
        lead.invalidate_recordset()
        self.assertEqual((lead.stage_id, lead.guide_alt_step_id.id), (self.stage_proposal, False))
        self.assertFalse(self.env["guide.feedback"].search([("user_id", "=", self.user_salesman.id)]))
