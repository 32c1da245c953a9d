def works_for_every_company(env):
    """Whether the current user works for every company (the superuser does): who may
    change what applies to every company, or read every company's records in a condition."""
    if env.is_superuser():
        return True
    return not env["res.company"].sudo().search_count([("id", "not in", env.user.company_ids.ids)], limit=1)
