def post_init_hook(env):
    """Guide the tickets that existed before the module was installed.

    Their process and step are stored computes filled by the ORM at install;
    what is left is to instantiate the checklist of each ticket's current step.
    """
    env["helpdesk.ticket"].with_context(active_test=False).search([])._guide_sync_lines()


def uninstall_hook(env):
    """Remove the ticket processes and hints: without this module nothing guides
    tickets any more. Audit rows (history, deviations) are kept."""
    env["guide.hint"].with_context(active_test=False).search(
        [("model_name", "=", "helpdesk.ticket")]
    ).unlink()
    env["guide.process"].with_context(active_test=False).search(
        [("model_name", "=", "helpdesk.ticket")]
    ).unlink()
