def post_init_hook(env):
    """A database installed with history already recorded has its visits and variants
    at once, not at the first run of the cron."""
    env["guide.step.visit"]._pi_refresh(full=True)
