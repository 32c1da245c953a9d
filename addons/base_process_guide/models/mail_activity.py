from collections import defaultdict

from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """An activity done: the checklist line of the optional task that made it is ticked
        (by the user who did it, if they may edit the record: a tick needs write access,
        and Odoo lets an activity's assignee mark it done without it; while the record is
        in the task's step: a step left keeps its checklist as it was), and the guided
        records' conditions reading ``guide_done_activity_type_ids`` are re-evaluated."""
        guided = set(self.env["guide.process"]._guide_model_names())
        records = defaultdict(set)
        for activity in self:
            if activity.res_model in guided and activity.res_id:
                records[activity.res_model].add(activity.res_id)
        lines = self.env["guide.line"]
        if records:
            logs = (
                self.env["guide.task.log"].sudo().search_fetch([("activity_id", "in", self.ids)], ["line_id"])
            )
            lines = self._guide_lines_the_user_may_tick(logs.line_id.filtered(lambda line: not line.checked))
            # a step the record left keeps its checklist as it was then
            lines -= lines._guide_lines_of_steps_left()
        res = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if lines:
            lines._guide_set_checked(True, by_activity=True)
        for model_name, ids in records.items():
            self.env[model_name].browse(ids).sudo()._guide_after_event({"guide_done_activity_type_ids"})
        return res

    def _guide_lines_the_user_may_tick(self, lines):
        """The checklist ``lines`` on records the current user may edit."""
        if self.env.su or not lines:
            return lines
        writable = set()
        for model_name in set(lines.mapped("res_model")):
            ids = {line.res_id for line in lines if line.res_model == model_name}
            records = self.env[model_name].browse(ids)._filtered_access("write")
            writable.update((model_name, res_id) for res_id in records.ids)
        return lines.filtered(lambda line: (line.res_model, line.res_id) in writable)
