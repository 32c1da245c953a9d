def uninstall_hook(env):
    """Remove the ticket escalation rules: without this module nothing escalates
    tickets any more. Their clocks go with them; the log rows are kept."""
    env["escalation.rule"].with_context(active_test=False).search(
        [("model_name", "=", "helpdesk.ticket")]
    ).unlink()
