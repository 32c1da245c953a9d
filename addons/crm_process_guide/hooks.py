def post_init_hook(env):
    """Guide the records that existed before the module was installed.

    The stored process/step fields are computed by the ORM at install; what is
    left is to instantiate the checklist of each record's current step.
    """
    for model_name in env["guide.process"]._guide_model_names():
        env[model_name].with_context(active_test=False).search([])._guide_sync_lines()
