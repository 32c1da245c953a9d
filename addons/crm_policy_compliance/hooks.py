def uninstall_hook(env):
    """Without this module nothing checks the leads' changes nor decides their pending
    approval requests: the lead policies are deleted (the audit rows are kept) and the
    pending requests cancelled, their requesters told (see
    ``compliance.policy._policy_uninstall_model``)."""
    env["compliance.policy"]._policy_uninstall_model("crm.lead")
