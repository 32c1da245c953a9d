def migrate(cr, version):
    """A met clock names no next level: met for good, a new episode computes one (the
    clocks met before kept the level they had been waiting for)."""
    if not version:
        return
    cr.execute(
        "UPDATE escalation_clock SET next_level_id = NULL WHERE state = 'met' AND next_level_id IS NOT NULL"
    )
