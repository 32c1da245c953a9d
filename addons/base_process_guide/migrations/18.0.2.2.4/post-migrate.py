def migrate(cr, version):
    """The checklist lines optional tasks of kind activity made before are done when their
    activity is marked done, as those made from now on: never ticked by hand."""
    if not version:
        return
    cr.execute(
        """UPDATE guide_line l
              SET completion = 'activity'
             FROM guide_task_log t
            WHERE t.line_id = l.id
              AND t.kind = 'activity'
              AND l.completion = 'manual'"""
    )
