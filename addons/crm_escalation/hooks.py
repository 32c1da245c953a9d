def uninstall_hook(env):
    """Without this module the lead rules would lose their sales teams (their column
    dropped) and time every lead: they are deleted, their clocks with them; the log rows
    are kept (see ``escalation.rule._escalation_uninstall_model``)."""
    env["escalation.rule"]._escalation_uninstall_model("crm.lead")
