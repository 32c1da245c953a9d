from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import format_list

from ..tools import audit_trail_uses, labelled, module_uninstalling
from .guide_step import REFUSAL_MAX_NAMED


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_named_by_the_audit_trail(self):
        """A user the audit trail names (a gate they overrode, a hint they acknowledged, a
        stage change, a tick, a milestone; the other engines add theirs) is archived, not
        deleted: the rows must keep who did it (most of their user columns would be
        emptied, the others refuse). Refused in words instead of
        the database's foreign key error, which Odoo logs as an ERROR."""
        if module_uninstalling(self.env):
            return
        uses = self._guide_audit_trail_uses()
        named = self.filtered(lambda user: uses.get(user.id))
        if not named:
            return
        raise UserError(
            self.env._(
                "A user the audit trail names cannot be deleted, or the trail would lose who "
                "did what:\n%(users)s\nArchive the user instead.",
                users="\n".join(
                    labelled(self.env, user.display_name, format_list(self.env, uses[user.id]))
                    for user in named[:REFUSAL_MAX_NAMED]
                ),
            )
        )

    def _guide_audit_trail_uses(self):
        """``{user id: [what names them, in words]}``: the rows that must keep their user.
        Modules adding such rows extend it."""
        return audit_trail_uses(self, self._guide_audit_trail_models())

    def _guide_audit_trail_models(self):
        """(model, user field, count in words) of the rows naming their user."""
        return [
            (
                "guide.deviation",
                "user_id",
                lambda count: self.env._("gates overridden (deviations): %(count)s", count=count),
            ),
            (
                "guide.hint.feedback",
                "user_id",
                lambda count: self.env._("hints acknowledged: %(count)s", count=count),
            ),
            (
                "guide.history",
                "user_id",
                lambda count: self.env._("stage changes: %(count)s", count=count),
            ),
            (
                "guide.line",
                "checked_by_id",
                lambda count: self.env._("checklist items ticked: %(count)s", count=count),
            ),
            (
                "guide.milestone.reached",
                "user_id",
                lambda count: self.env._("milestones reached: %(count)s", count=count),
            ),
            (
                "guide.task.log",
                "user_id",
                lambda count: self.env._("optional tasks added: %(count)s", count=count),
            ),
        ]
