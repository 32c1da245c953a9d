def uninstall_hook(env):
    """Remove the ticket escalation rules: without this module nothing escalates
    tickets any more. Their clocks go with them; the log rows are kept (see
    ``escalation.rule._escalation_uninstall_model``)."""
    env["escalation.rule"]._escalation_uninstall_model("helpdesk.ticket")
