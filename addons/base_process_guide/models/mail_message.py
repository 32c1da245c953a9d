from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

# what a message on a guided record is evidence of (who wrote it, whether it is an internal
# note, a reply or a customer's message, and when): set when it is posted, never changed
EVIDENCE_FIELDS = ("author_id", "message_type", "subtype_id", "date")
# the kinds of message the engine and the policies count (replies, customers' messages, notes)
COUNTED_TYPES = ("email", "comment", "email_outgoing")


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(self._guide_no_future_dates(vals_list))
        if not self.env.su:
            # the created messages, not the values: a context default sets the type too
            messages.filtered("mail_activity_type_id")._guide_check_activity_done_access()
        if self.env.user.share:
            # under ``sudo`` too: Odoo's chatter routes post a customer's message so
            messages._guide_check_customer_message()
        messages._guide_record_events(vals_list)
        return messages

    def write(self, vals):
        if not self.env.su and set(EVIDENCE_FIELDS) & set(vals):
            self._guide_refuse_evidence_change(vals)
        res = super().write(vals)
        if not self.env.su and {"mail_activity_type_id", "model", "res_id"} & set(vals):
            self._guide_check_activity_done_access()
        return res

    @api.model
    def _guide_no_future_dates(self, vals_list):
        """A message on a guided record dated later than now (a date a client or an email's
        header sends) is dated now: what the engine reads of it (the team's last activity an
        escalation waits on) cannot be put off by a date to come."""
        guided = self.env["guide.process"]._guide_model_names()
        if not guided or not any(vals.get("date") and vals.get("model") in guided for vals in vals_list):
            return vals_list
        now = fields.Datetime.now()
        return [
            dict(vals, date=now)
            if vals.get("date")
            and vals.get("model") in guided
            and fields.Datetime.to_datetime(vals["date"]) > now
            else vals
            for vals in vals_list
        ]

    def _get_forbidden_access(self, operation):
        """Odoo hides the internal messages of a record from the users outside the company
        when they search, but lets them read, change or delete by id those that are not
        comments (internal logs): on a guided record those are the engine's notes (a refused
        close with the agents' checklist, a policy's warning, an escalation's reason). They
        are hidden there by id too."""
        forbidden = super()._get_forbidden_access(operation)
        return forbidden + (self - forbidden)._guide_hidden_notes()

    def _guide_hidden_notes(self):
        """The messages of ``self`` a user outside the company may not reach: the internal
        ones of a guided record (none for an employee)."""
        guided = self.env["guide.process"]._guide_model_names()
        if not self or not guided or self.env.user._is_internal():
            return self.browse()
        rows = self.env.execute_query(
            SQL(
                """SELECT m.id FROM mail_message m
                   LEFT JOIN mail_message_subtype s ON s.id = m.subtype_id
                   WHERE m.id = ANY(%s) AND m.model IN %s
                     AND (m.is_internal IS TRUE OR m.subtype_id IS NULL OR s.internal IS TRUE)""",
                list(self.ids),
                tuple(guided),
            )
        )
        return self.browse(id_ for (id_,) in rows)

    def _message_reaction(self, content, action, partner, guest, store=None):
        # Odoo's route checks the record, not the message: a customer reacting to an internal
        # note they may not read (and learning it is there) is refused as its read is
        if self._guide_hidden_notes():
            raise self._make_access_error("read")
        return super()._message_reaction(content, action, partner, guest, store=store)

    def _guide_guided(self):
        """The messages of ``self`` about a guided record (read as the engine)."""
        guided = set(self.env["guide.process"]._guide_model_names())
        return self.sudo().filtered(lambda message: message.model in guided and message.res_id)

    def _guide_refuse_evidence_change(self, vals):
        """Who wrote a message on a guided record, its kind and its date are what the engine
        and the policies count (an internal note before closing, the last reply, the
        customer's last message): set when it is posted, they are not changed afterwards,
        by its author neither (Odoo lets an author rewrite their message: a customer turned
        theirs into an agent's internal note)."""
        messages = self._guide_guided()
        if not messages:
            return
        # (named outside the translated call: Odoo's term extraction evaluates its strings)
        record = messages[0].record_name or f"{messages[0].model},{messages[0].res_id}"
        raise AccessError(
            self.env._(
                "Message %(message)s on %(record)s: who wrote it, its kind and its date are part of "
                "the record's history and cannot be changed.",
                message=messages[0].id,
                record=record,
            )
        )

    def _guide_check_customer_message(self):
        """A user outside the company (a customer on the portal, the public user with a
        document's link) posts on a guided record for the followers to read, in no
        employee's name: Odoo lets a poster name any author and any kind (its chatter route
        posts as the superuser and makes a message without a subtype an internal note),
        which would record an agent's reply or internal note nobody wrote. The engine's own
        notes on a customer's request (a refused close, a policy's warning) are logs, not
        messages the engine counts."""
        for message in self._guide_guided():
            if message.message_type not in COUNTED_TYPES:
                continue
            # an internal note (what the policies count as the team's); an email sent to the
            # customer has no subtype (a stage's template sent in the customer's transaction)
            internal = message.message_type == "comment" and (
                message.is_internal or not message.subtype_id or message.subtype_id.internal
            )
            employee = any(
                not user.share for user in message.author_id.with_context(active_test=False).user_ids
            )
            # as the superuser, the author is not the client's to choose (a chatter route posts
            # in the customer's name; Odoo's own mails, a stage's template, in the company's)
            if (internal and not employee) if self.env.su else (internal or employee):
                record = message.record_name or f"{message.model},{message.res_id}"
                raise AccessError(
                    self.env._(
                        "%(user)s cannot post an internal note or a message in someone else's name on "
                        "%(record)s.",
                        user=self.env.user.name,
                        record=record,
                    )
                )

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
        types = COUNTED_TYPES
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
        # when the message was posted, not its ``date``: a poster sets that as they please
        now = fields.Datetime.now()
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
            dates[message.model][fname][message.res_id] = now
        for model_name, by_field in dates.items():
            self.env[model_name].sudo()._guide_record_message_events(by_field)
