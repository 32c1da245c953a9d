from collections import defaultdict

from odoo import models
from odoo.exceptions import UserError

from ..tools import engine_flag_get

# the fields that say which record an activity is on
RECORD_FIELDS = ("res_model_id", "res_model", "res_id")
# engine flag (never read from the context): a merge moves the activities of the records it
# deletes to the record they are merged into
MERGING_FLAG = "guide_merging"


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def write(self, vals):
        if set(RECORD_FIELDS) & set(vals) and not engine_flag_get(self.env, MERGING_FLAG):
            # who may not change the activities is refused first, as Odoo refuses them: the
            # refusal below names an activity, its record and its task
            self.check_access("write")
            self._guide_refuse_task_activity_moved(vals)
        return super().write(vals)

    def _guide_refuse_task_activity_moved(self, vals):
        """Refuse to move to another record the activity an optional task added: it is done
        on the record it was added to, where it ticks the task's checklist line (a merge,
        engine flag ``MERGING_FLAG``, moves the activities of the records it deletes)."""
        Log = self.env["guide.task.log"].sudo()
        logs = Log.search_fetch([("activity_id", "in", self.ids)], ["activity_id", "record_name", "task_id"])
        model_id = vals.get("res_model_id") and self.env["ir.model"].browse(vals["res_model_id"])
        for activity in logs.activity_id:
            res_model = vals.get("res_model") or (model_id.model if model_id else activity.res_model)
            res_id = vals.get("res_id", activity.res_id)
            if (res_model, res_id) == (activity.res_model, activity.res_id):
                continue
            log = logs.filtered(lambda row, activity=activity: row.activity_id == activity)[:1]
            # (named outside the translated call: Odoo's term extraction evaluates its strings)
            record = log.record_name or f"{activity.res_model},{activity.res_id}"
            raise UserError(
                self.env._(
                    "Activity %(activity)s was added to %(record)s by the optional task %(task)s and "
                    "ticks its checklist line when it is done there: it cannot be moved to another "
                    "record. Mark it done (or cancel it) on %(record)s.",
                    activity=activity.summary or activity.activity_type_id.name,
                    record=record,
                    task=log.task_id.name,
                )
            )

    def _action_done(self, feedback=False, attachment_ids=None):
        """An activity done: the checklist line of the optional task that made it is ticked
        (when it is done on the line's own record; by the user who did it, if they may edit
        the record: a tick needs write access, and Odoo lets an activity's assignee mark it
        done without it; while the record is in the task's step: a step left keeps its
        checklist as it was), and the guided records' conditions reading
        ``guide_done_activity_type_ids`` are re-evaluated. Done by a user who may not edit
        its record, it is no evidence either (``_guide_done_without_edit_access``)."""
        guided = set(self.env["guide.process"]._guide_model_names())
        records = defaultdict(set)
        for activity in self:
            if activity.res_model in guided and activity.res_id:
                records[activity.res_model].add(activity.res_id)
        lines = self.env["guide.line"]
        if records:
            logs = (
                self.env["guide.task.log"]
                .sudo()
                .search_fetch([("activity_id", "in", self.ids)], ["line_id", "activity_id"])
            )
            lines = self._guide_lines_the_user_may_tick(logs._guide_lines_of_their_activities())
            # a step the record left keeps its checklist as it was then
            lines -= lines._guide_lines_of_steps_left()
        res = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        messages, _next_activities = res
        if records and not self.env.su:
            self._guide_done_without_edit_access(records, messages)
        if lines:
            lines._guide_set_checked(True, by_activity=True)
        for model_name, ids in records.items():
            self.env[model_name].browse(ids).sudo()._guide_after_event({"guide_done_activity_type_ids"})
        return res

    def _guide_done_without_edit_access(self, records, messages):
        """The messages of activities done on guided records the current user may not edit
        record no activity done: Odoo lets an activity's assignee, or whoever may post on a
        record they only read (helpdesk tickets), mark it done, and its message is what the
        conditions, milestones and escalation clocks count (``mail_activity_type_id``), which
        only who may edit the record records (``mail.message._guide_check_activity_done_access``).
        The message stays in the chatter.

        :param records: {model name: ids of the guided records of the activities}
        :param messages: the messages Odoo posted for the activities
        """
        hidden = set()
        for model_name, ids in records.items():
            Model = self.env[model_name].with_context(active_test=False)
            existing = Model.browse(ids).exists()
            read_only = existing - existing._filtered_access("write")
            hidden.update((model_name, res_id) for res_id in read_only.ids)
        if hidden:
            no_evidence = messages.sudo().filtered(lambda m: (m.model, m.res_id) in hidden)
            no_evidence.write({"mail_activity_type_id": False})

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
