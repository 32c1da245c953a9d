from odoo.tests import HttpCase, tagged

from .common import GuideCommon


@tagged("post_install", "-at_install")
class TestTrustDecisionUi(HttpCase, GuideCommon):
    """An Override gate in the browser: one dialog (the reason form, with the problems and the
    target stage), then the view shows the record as it is."""

    def _override_lead(self, name):
        return self._lead(
            name=name, stage_id=self.stage_proposal.id, user_id=self.env.ref("base.user_admin").id
        )

    def _assert_overridden(self, lead, reason):
        self.assertEqual(lead.stage_id, self.stage_nego)
        deviation = self.env["guide.deviation"].search(
            [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )
        self.assertEqual(deviation.reason, reason)
        self.assertEqual(deviation.user_id, self.env.ref("base.user_admin"))

    def test_kanban_drag_past_override_gate(self):
        lead = self._override_lead("Tour override deal")
        with self.assertNoLogs("odoo.http", "ERROR"):
            self.start_tour(
                "/odoo/action-crm.crm_lead_action_pipeline", "guide_decision_kanban_tour", login="admin"
            )
        self._assert_overridden(lead, "The customer asked for the price list before the proposal")

    def test_form_statusbar_past_override_gate(self):
        lead = self._override_lead("Tour override form deal")
        with self.assertNoLogs("odoo.http", "ERROR"):
            self.start_tour(
                f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
                "guide_decision_form_tour",
                login="admin",
            )
        self._assert_overridden(lead, "Verbal agreement with the buyer")

    def test_form_statusbar_refused_shows_the_record_as_it_is(self):
        """A statusbar click the gate refuses, or whose override is cancelled, leaves the form
        on the stage the record is in, not on the refused one with its step's guidance; an
        edit made before the click is saved, not lost with the refused move."""
        blocked = self._lead(name="Tour blocked form deal", user_id=self.env.ref("base.user_admin").id)
        with self.assertNoLogs("odoo.http", "ERROR"):
            self.start_tour(
                f"/odoo/action-crm.crm_lead_action_pipeline/{blocked.id}",
                "guide_refused_move_form_tour",
                login="admin",
            )
        self.assertEqual(blocked.stage_id, self.stage_qualif)
        self.assertEqual(blocked.name, "Tour blocked form deal, renamed")
        lead = self._override_lead("Tour cancelled override deal")
        with self.assertNoLogs("odoo.http", "ERROR"):
            self.start_tour(
                f"/odoo/action-crm.crm_lead_action_pipeline/{lead.id}",
                "guide_decision_cancel_form_tour",
                login="admin",
            )
        self.assertEqual(lead.stage_id, self.stage_proposal)

    def test_list_row_past_override_gate_keeps_its_other_edits(self):
        """An editable list row whose stage and contact are edited together past an Override
        gate: one dialog, which makes the whole write (the contact is not lost with the move)."""
        lead = self._override_lead("Tour override list deal")
        view = self.env["ir.ui.view"].create(
            {
                "name": "Editable opportunities (test)",
                "model": "crm.lead",
                "type": "list",
                "arch": """<list editable="bottom">
                    <field name="name"/><field name="contact_name"/><field name="stage_id"/>
                </list>""",
            }
        )
        action = self.env["ir.actions.act_window"].create(
            {
                "name": "Editable opportunities",
                "res_model": "crm.lead",
                "view_mode": "list",
                "view_id": view.id,
                "domain": [("id", "=", lead.id)],
            }
        )
        with self.assertNoLogs("odoo.http", "ERROR"):
            self.start_tour(f"/odoo/action-{action.id}", "guide_decision_list_tour", login="admin")
        self._assert_overridden(lead, "Signed on the phone")
        self.assertEqual(lead.contact_name, "Jane Buyer")
