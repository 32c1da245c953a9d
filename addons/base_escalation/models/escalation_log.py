from odoo import api, fields, models


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
    actions = fields.Text("Actions Done", readonly=True)
    reason = fields.Text(readonly=True)
    error = fields.Text(readonly=True)
    ack_user_id = fields.Many2one("res.users", string="Acknowledged By", readonly=True)
    ack_date = fields.Datetime("Acknowledged On", readonly=True)
    ack_hours = fields.Float("Hours to Acknowledge", readonly=True, aggregator="avg")
    escalation_count = fields.Integer("Escalations", readonly=True, aggregator="sum")
    failure_count = fields.Integer("Failures", readonly=True, aggregator="sum")

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
        for vals in vals_list:
            vals.setdefault("date", fields.Datetime.now())
            vals["escalation_count"] = int(
                vals.get("kind") in ("escalation", "manual") and vals.get("outcome") == "done"
            )
            vals["failure_count"] = int(vals.get("outcome") == "failed")
        return self._guide_bulk_create(vals_list)

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
