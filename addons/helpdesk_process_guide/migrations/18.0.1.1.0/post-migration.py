from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The checklist figures of lists and kanbans are stored from this version:
    fill them for the guided tickets that exist."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    tickets = env["helpdesk.ticket"].with_context(active_test=False).search([("guide_step_id", "!=", False)])
    tickets._guide_refresh_checklist_state()
