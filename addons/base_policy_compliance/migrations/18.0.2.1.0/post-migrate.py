# Approval lines name their policy's tier (``tier_id``), so that a tier whose approvers
# can no longer decide (archived, made portal users, gone from the company) is handed to
# the tier's approvers for the record instead of being cancelled. The undecided lines of
# pending requests made before are linked to the tier of their policy with the same
# sequence and name (the line's snapshot, in any of the tier's languages); a line whose
# tier was since renamed, reordered or deleted stays unlinked (such a request is
# cancelled, its requester told, when nobody is left to decide it).


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE compliance_approval_line l SET tier_id = t.id
             FROM compliance_approval_request r, compliance_policy_tier t
            WHERE r.id = l.request_id AND r.state = 'pending'
              AND l.tier_id IS NULL AND l.state IN ('pending', 'waiting')
              AND t.policy_id = r.policy_id AND t.sequence = l.sequence
              AND EXISTS (SELECT 1 FROM jsonb_each_text(t.name) n WHERE n.value = l.name)
              AND NOT EXISTS (SELECT 1 FROM compliance_policy_tier o
                               WHERE o.policy_id = t.policy_id AND o.sequence = t.sequence
                                 AND o.id <> t.id
                                 AND EXISTS (SELECT 1 FROM jsonb_each_text(o.name) m
                                              WHERE m.value = l.name))"""
    )
