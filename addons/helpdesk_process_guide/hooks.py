def post_init_hook(env):
    """Guide the tickets that existed before the module was installed.

    Their process and step are stored computes filled by the ORM at install;
    what is left is to instantiate the checklist of each ticket's current step.
    """
    env["helpdesk.ticket"].with_context(active_test=False).search([])._guide_sync_lines()
