def migrate(cr, version):
    """The deviations recorded before keep the wording their reason has now (in every
    language): from now on a reason renamed does not rewrite the audit trail."""
    if not version:
        return
    cr.execute(
        """UPDATE guide_deviation d
              SET reason_name = r.name
             FROM guide_deviation_reason r
            WHERE r.id = d.reason_id
              AND d.reason_name IS NULL"""
    )
