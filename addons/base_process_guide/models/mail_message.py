from collections import defaultdict

from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        if not self.env.su and any(vals.get("mail_activity_type_id") for vals in vals_list):
            messages._guide_check_activity_done_access()
        messages._guide_record_events(vals_list)
        return messages

    def write(self, vals):
        res = super().write(vals)
        if not self.env.su and {"mail_activity_type_id", "model", "res_id"} & set(vals):
            self._guide_check_activity_done_access()
        return res

    def _guide_check_activity_done_access(self):
        """A message recording an activity done (``mail_activity_type_id``) on a guided record
        is evidence the conditions read (``guide_done_activity_type_ids``): written by a user,
        it needs write access to the record, as marking an activity done does there. Odoo lets
        whoever may read a record post on it where its model says so (``_mail_post_access``,
        helpdesk tickets): a customer would record a call on their ticket that nobody made.
        Marking an activity done posts its message as the engine, unchecked."""
        guided = set(self.env["guide.process"]._guide_model_names())
        records = defaultdict(set)
        for message in self.sudo():
            if message.mail_activity_type_id and message.model in guided and message.res_id:
                records[message.model].add(message.res_id)
        for model_name, ids in records.items():
            self.env[model_name].browse(ids).exists().check_access("write")

    def _guide_record_events(self, vals_list=None):
        """The event fields of the guided records the messages are about (``guide.mixin``): a
        message from outside the company (no internal user wrote it) sets
        ``guide_last_customer_message_date``, a message an employee sends to the followers
        (not an internal note) ``guide_last_reply_date``, in their own name or another's.
        Whatever path posted the message (chatter, incoming email, RPC); one UPDATE per model
        and field.

        ``vals_list`` (the values given to ``create``) decides which messages matter without
        reading them: a tracking notification or a message about a model nobody guides costs
        no query (``message_post`` creates one message at a time)."""
        guided = set(self.env["guide.process"]._guide_model_names())
        if not guided:
            return
        types = ("email", "comment", "email_outgoing")
        if vals_list is not None and len(vals_list) == len(self):
            default_type = self.env.context.get("default_message_type", "comment")
            messages = self.browse(
                message.id
                for message, vals in zip(self, vals_list, strict=True)
                if vals.get("model") in guided
                and vals.get("res_id")
                and vals.get("message_type", default_type) in types
            )
        else:
            messages = self.filtered(lambda m: m.model in guided and m.message_type in types and m.res_id)
        if not messages:
            return
        dates = defaultdict(lambda: defaultdict(dict))
        for message in messages.sudo():
            internal = any(not user.share for user in message.author_id.user_ids)
            if not internal:
                # an employee writing in someone else's name (``author_id``, the composer's
                # author) is the employee: the customer wrote nothing (the mail gateway and
                # the portal post as the engine or as the customer)
                internal = not self.env.su and not self.env.user.share
            if not internal:
                fname = "guide_last_customer_message_date"
            elif not (message.is_internal or not message.subtype_id or message.subtype_id.internal):
                fname = "guide_last_reply_date"
            else:
                continue
            dates[message.model][fname][message.res_id] = message.date
        for model_name, by_field in dates.items():
            self.env[model_name].sudo()._guide_record_message_events(by_field)
