from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG


def post_init_hook(env):
    """Guide the tickets that existed before the module was installed.

    Their process and step are stored computes filled by the ORM at install;
    what is left is to instantiate the checklist of each ticket's current step.
    """
    env["helpdesk.ticket"].with_context(active_test=False).search([])._guide_sync_lines()


def uninstall_hook(env):
    """Remove the ticket processes and hints: without this module nothing guides
    tickets any more. Audit rows (history, deviations) are kept. The processes tickets
    follow, and the hints agents acknowledged, are deleted too: this is the module's
    uninstallation (Odoo's flag, as the superuser), which the refusals to delete a
    process in use or an acknowledged hint let through."""
    uninstalling = env(su=True, context={**env.context, "active_test": False, MODULE_UNINSTALL_FLAG: True})
    uninstalling["guide.hint"].search([("model_name", "=", "helpdesk.ticket")]).unlink()
    uninstalling["guide.process"].search([("model_name", "=", "helpdesk.ticket")]).unlink()
