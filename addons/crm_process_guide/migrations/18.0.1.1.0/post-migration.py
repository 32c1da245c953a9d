from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The checklist figures of lists and kanbans are stored from this version:
    fill them for the guided records that exist."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    for model_name in env["guide.process"]._guide_model_names():
        records = env[model_name].with_context(active_test=False).search([("guide_step_id", "!=", False)])
        records._guide_refresh_checklist_state()
