from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL


class EngineWords(str):
    """Words the engine writes, in the language of ``env`` (``make(env)``: the chatter note,
    the dialogs), which it can write again in another: the log keeps them in every language
    of the database (``escalation.log._escalation_texts``)."""

    def __new__(cls, env, make):
        words = super().__new__(cls, make(env))
        words.make = make
        return words


class EscalationLog(models.Model):
    """One row per escalation, warning, manual escalation, de-escalation or failure.

    Written by the engine only (as superuser, in bulk); read-only for everybody.
    """

    _name = "escalation.log"
    _inherit = ["guide.bulk.mixin", "guide.record.link.mixin"]
    _description = "Escalation Log"
    _order = "date desc, id desc"
    _rec_name = "record_name"
    _guide_engine_owned = True

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    res_model = fields.Char("Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        "Record", model_field="res_model", required=True, index=True, readonly=True
    )
    record_name = fields.Char(readonly=True)
    rule_id = fields.Many2one("escalation.rule", readonly=True, index=True, ondelete="set null")
    level_id = fields.Many2one("escalation.level", readonly=True, index=True, ondelete="set null")
    # the names as written when the row was (a deleted rule or level leaves its rows named)
    rule_name = fields.Char(readonly=True)
    level_name = fields.Char(readonly=True)
    episode = fields.Integer(readonly=True, aggregator=False)
    kind = fields.Selection(
        [
            ("warning", "Warning"),
            ("escalation", "Escalation"),
            ("manual", "Manual Escalation"),
            ("deescalation", "De-escalation"),
        ],
        required=True,
        readonly=True,
    )
    trigger = fields.Selection([("auto", "Automatic"), ("manual", "Manual")], required=True, readonly=True)
    outcome = fields.Selection([("done", "Done"), ("failed", "Failed")], required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="By", readonly=True)
    from_user_id = fields.Many2one("res.users", string="Previous Owner", readonly=True)
    to_user_id = fields.Many2one("res.users", string="New Owner", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    due_at = fields.Datetime("Was Due At", readonly=True)
    # in every language of the database, each reader reading them in theirs (dates as their
    # language writes them): ``_escalation_texts``
    actions = fields.Text("Actions Done", readonly=True, translate=True)
    reason = fields.Text(readonly=True)
    error = fields.Text(readonly=True)
    ack_user_id = fields.Many2one("res.users", string="Acknowledged By", readonly=True)
    ack_date = fields.Datetime("Acknowledged On", readonly=True)
    ack_hours = fields.Float("Hours to Acknowledge", readonly=True, aggregator="avg")
    escalation_count = fields.Integer("Escalations", readonly=True, aggregator="sum")
    failure_count = fields.Integer("Failures", readonly=True, aggregator="sum")
    # the to-do the level scheduled (emptied when it is deleted): which to-dos are the
    # engine's own, to close when they no longer apply (``_escalation_close_activities``);
    # set by the engine only, like the rest of the row
    activity_id = fields.Many2one("mail.activity", readonly=True, index="btree_not_null", ondelete="set null")

    @api.model
    def _escalation_create_rows(self, vals_list):
        """Create log rows with their aggregable measures: one query.

        Extension point: every log row of the engine (escalations, failures,
        de-escalations, manual escalations) is created here, by one INSERT that bypasses
        ``create()`` (``guide.bulk.mixin._guide_bulk_create``: no override of another module,
        no ``@api.constrains``, no ``_check_company``). A module that reacts to new log rows
        overrides this method (``vals_list`` complete, the rows returned); extra columns come
        from the guided model's ``_escalation_log_values`` hook."""
        if not vals_list:
            return self.browse()
        self._escalation_fill_names(vals_list)
        envs = None
        for vals in vals_list:
            if isinstance(vals.get("actions"), list):
                envs = envs or self._escalation_language_envs()
                vals["actions"] = self._escalation_texts(vals["actions"], envs)
        for vals in vals_list:
            vals.setdefault("date", fields.Datetime.now())
            vals["escalation_count"] = int(
                vals.get("kind") in ("escalation", "manual") and vals.get("outcome") == "done"
            )
            vals["failure_count"] = int(vals.get("outcome") == "failed")
        return self._guide_bulk_create(vals_list)

    @api.model
    def _escalation_language_envs(self):
        """{lang: environment in that language}: English and every language of the database."""
        langs = {"en_US", *(code for code, _label in self.env["res.lang"].get_installed())}
        return {lang: self.with_context(lang=lang).env for lang in sorted(langs)}

    @api.model
    def _escalation_texts(self, actions, envs):
        """{lang: the lines of ``actions``} in each language of ``envs``: the engine's words
        (``EngineWords``) written in that language, other texts as they are; False for none."""
        if not actions:
            return False
        return {
            lang: "\n".join(
                action.make(env) if isinstance(action, EngineWords) else action for action in actions
            )
            for lang, env in envs.items()
        }

    @api.model
    def _escalation_fill_names(self, vals_list):
        """Name the rule and level of the rows that do not (``rule_name``, ``level_name``, in
        place), as written in the configuration (its source language): from the configuration
        cache of the rows' models, without a query; one read for a rule or level not in it
        (archived)."""
        missing = [
            vals
            for vals in vals_list
            if (vals.get("rule_id") and not vals.get("rule_name"))
            or (vals.get("level_id") and not vals.get("level_name"))
        ]
        if not missing:
            return
        Rule = self.env["escalation.rule"]
        names = {"rule": {}, "level": {}}
        for model_name in {vals.get("res_model") for vals in missing}:
            if not model_name:
                continue
            for rule_info in Rule._get_escalation_config(model_name)["rules"]:
                names["rule"][rule_info["id"]] = rule_info["name"]
                for level_info in rule_info["levels"]:
                    names["level"][level_info["id"]] = level_info["name"]
        for kind, model in (("rule", "escalation.rule"), ("level", "escalation.level")):
            unknown = {vals[f"{kind}_id"] for vals in missing if vals.get(f"{kind}_id")} - set(names[kind])
            if unknown:
                records = self.env[model].sudo().with_context(active_test=False, lang=None).browse(unknown)
                names[kind].update((record.id, record.name) for record in records.exists())
        for vals in missing:
            for kind in ("rule", "level"):
                if vals.get(f"{kind}_id") and not vals.get(f"{kind}_name"):
                    vals[f"{kind}_name"] = names[kind].get(vals[f"{kind}_id"]) or False

    # ------------------------------------------------------------
    # BUSINESS: the engine's to-dos
    # ------------------------------------------------------------
    @api.model
    def _escalation_open_activities(self, model_name, res_ids, rule_ids=None):
        """The engine's to-dos still open on the records ``res_ids`` of ``model_name``: those
        its levels scheduled there (``activity_id`` of their log rows), of the rules
        ``rule_ids`` only if given; one query.

        :return: [(record id, rule id or None, to-do's user id or None, to-do)]
        """
        if not res_ids:
            return []
        Activity = self.env["mail.activity"].sudo().with_context(active_test=False)
        Activity.flush_model(["res_model", "res_id", "user_id", "active"])
        self.flush_model(["res_model", "res_id", "rule_id", "activity_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT log.res_id, log.rule_id, activity.user_id, activity.id
                  FROM escalation_log log
                  JOIN mail_activity activity
                    ON activity.id = log.activity_id
                   AND activity.res_model = log.res_model AND activity.res_id = log.res_id
                 WHERE log.res_model = %s AND log.res_id = ANY(%s) AND activity.active
                   AND %s
                 ORDER BY log.id
                """,
                model_name,
                list(res_ids),
                SQL("TRUE") if rule_ids is None else SQL("log.rule_id = ANY(%s)", list(rule_ids)),
            )
        )
        return [
            (res_id, rule_id, user_id, Activity.browse(activity_id))
            for res_id, rule_id, user_id, activity_id in rows
        ]

    @api.model
    def _escalation_close_activities(self, feedbacks):
        """Mark the engine's to-dos done as Odoo does when their assignee does, in batch: a
        message "… done" with the feedback (why the engine closed it) in the record's
        chatter, authored by OdooBot (the engine, not the team: a rule on the team's last
        activity does not count it), then the to-do archived when its type keeps done
        activities, else deleted. One message INSERT per model, one archive, one delete.
        No follow-up activity is planned: the to-do no longer applies.

        :param feedbacks: {mail.activity record: feedback}
        """
        activities = self.env["mail.activity"].sudo().with_context(active_test=False)
        for activity in feedbacks:
            activities |= activity.sudo()
        activities = activities.filtered("active")
        if not activities:
            return
        feedback_of = {activity.id: text for activity, text in feedbacks.items()}
        author = self.env.ref("base.partner_root")
        author_id, email_from = self.env["mail.thread"]._message_compute_author(
            author.id, None, raise_on_email=False
        )
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_activities")
        reply_to = self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False]
        QWeb = self.env["ir.qweb"]
        by_model = defaultdict(list)
        for activity in activities:
            body = QWeb._render(
                "mail.message_activity_done",
                {"activity": activity, "feedback": feedback_of[activity.id], "display_assignee": True},
                minimal_qcontext=True,
            )
            by_model[activity.res_model].append(
                {
                    "author_id": author_id,
                    "email_from": email_from,
                    "reply_to": reply_to,
                    "model": activity.res_model,
                    "res_id": activity.res_id,
                    "record_name": False,
                    "body": body,
                    "message_type": "notification",
                    "subtype_id": subtype_id,
                    "mail_activity_type_id": activity.activity_type_id.id,
                }
            )
        for model_name, values_list in by_model.items():
            self.env[model_name].sudo()._message_create(values_list)
        kept = activities.filtered("activity_type_id.keep_done")
        kept.action_archive()
        (activities - kept).unlink()
