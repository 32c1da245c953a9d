from collections import defaultdict

from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """An activity done: the checklist line of the optional task that made it is ticked
        (by the user who did it), and the guided records' conditions reading
        ``guide_done_activity_type_ids`` are re-evaluated."""
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
            lines = logs.line_id.filtered(lambda line: not line.checked)
        res = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if lines:
            lines._guide_set_checked(True)
        for model_name, ids in records.items():
            self.env[model_name].browse(ids).sudo()._guide_after_event({"guide_done_activity_type_ids"})
        return res
