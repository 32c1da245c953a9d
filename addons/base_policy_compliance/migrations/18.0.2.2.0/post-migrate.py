# The compliance report's measures: an approver's decision (an audit row of event
# "approval") checks no requirement and no longer counts as a check, whose rate it
# lowered; a check let through by approvers is no violation and counts as compliant
# (rows written before counted it at 0 %). Only these derived measures change; what
# the rows record stays.


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE compliance_log SET count = 0, violation = 0, compliance_rate = NULL
            WHERE event = 'approval'"""
    )
    cr.execute(
        """UPDATE compliance_log SET compliance_rate = 100.0
            WHERE event <> 'approval' AND outcome IN ('passed', 'approved', 'rejected')"""
    )
