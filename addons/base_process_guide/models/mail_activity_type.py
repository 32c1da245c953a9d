from odoo import api, models
from odoo.exceptions import UserError

from ..tools import module_uninstalling
from .guide_step import REFUSAL_MAX_NAMED


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    @api.ondelete(at_uninstall=True)
    def _unlink_except_used_by_optional_tasks(self):
        """An activity type an optional task schedules is not deleted: the task would have
        nothing to schedule. Refused in words instead of the database's foreign key error,
        which Odoo logs as an ERROR."""
        if module_uninstalling(self.env):
            return
        tasks = (
            self.env["guide.task"]
            .sudo()
            .with_context(active_test=False)
            .search([("activity_type_id", "in", self.ids)], limit=REFUSAL_MAX_NAMED)
        )
        if not tasks:
            return
        # each message apart (the exporter skips one nested in another's arguments)
        named = "\n".join(
            self.env._(
                "%(type)s: task %(task)s of %(step)s",
                type=task.activity_type_id.name,
                task=task.name,
                step=task.step_id.display_name,
            )
            for task in tasks
        )
        raise UserError(
            self.env._(
                "An activity type that optional tasks of a process schedule cannot be deleted:\n"
                "%(tasks)s\nArchive the activity type or change these tasks first.",
                tasks=named,
            )
        )
