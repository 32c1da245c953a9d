from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_list

from odoo.addons.base_process_guide.tools import refuse_not_one


class EscalationManualWizard(models.TransientModel):
    """Escalate a record by hand: to a user and/or to a level of a rule, with a reason."""

    _name = "escalation.manual.wizard"
    # the ids and numbers a client sends are checked before the database sees them
    _inherit = ["guide.bounded.mixin"]
    _description = "Manual Escalation"

    res_model = fields.Char("Model", required=True)
    res_id = fields.Integer("Record", required=True)
    record_name = fields.Char(compute="_compute_record_name")
    rule_id = fields.Many2one("escalation.rule", domain="[('model_name', '=', res_model)]")
    level_id = fields.Many2one(
        "escalation.level",
        domain="[('rule_id', '=', rule_id)]",
        help="Run the actions of this level (reassignment, followers, activity...).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Escalate To",
        # an internal user other than its owner, who works on the records of the model (the
        # groups that may edit them) and for the record's company (any, on a record of none)
        domain="[('share', '=', False), ('id', '!=', owner_id)]"
        " + ([('company_ids', 'in', user_company_ids)] if user_company_ids else [])"
        " + ([('groups_id', 'in', user_group_ids)] if user_group_ids else [])",
        help="New owner of the record.",
    )
    owner_id = fields.Many2one(
        "res.users", compute="_compute_owner_id", help="The record's owner, who is not offered."
    )
    user_group_ids = fields.Many2many(
        "res.groups",
        compute="_compute_user_group_ids",
        help="The new owner belongs to one of these: the groups that may edit the records of the model "
        "(empty when every internal user may).",
    )
    user_company_ids = fields.Many2many(
        "res.company",
        compute="_compute_user_company_ids",
        # empty for a record of no company: the web client reads them, not every company
        help="The new owner works for one of these: the record's company, or any when it has none.",
    )
    reason = fields.Text(required=True)

    @api.model_create_multi
    def create(self, vals_list):
        # a dialog for no record is refused before the database's NOT NULL (logged as an error)
        context = self.env.context
        for vals in vals_list:
            model = vals.get("res_model", context.get("default_res_model"))
            if not (
                model
                and vals.get("res_id", context.get("default_res_id"))
                # a text a client sends is no model: not stored (whatever its size)
                and isinstance(model, str)
                and model in self.env
                and "guide_process_id" in self.env[model]._fields
            ):
                raise UserError(
                    self.env._("Escalate a record from its form: the dialog needs the record to escalate.")
                )
            self._check_reason_size(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_reason_size(vals)
        return super().write(vals)

    def _check_reason_size(self, vals):
        """The reason is bounded when it is typed, not only when the dialog is confirmed."""
        if vals.get("reason"):
            self.env["guide.mixin"]._guide_bounded_text(vals["reason"], self.env._("The reason"))

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for wizard in self:
            record = wizard._readable_record()
            wizard.record_name = record.display_name if record else False

    @api.depends("res_model", "res_id")
    def _compute_user_company_ids(self):
        for wizard in self:
            wizard.user_company_ids = wizard._record_company().sudo(False)

    @api.depends("res_model", "res_id")
    def _compute_owner_id(self):
        for wizard in self:
            record = wizard._readable_record()
            owner = False
            if record and record._guide_owner_field in record._fields:
                owner = record.sudo()[record._guide_owner_field]
            wizard.owner_id = owner.id if owner and owner._name == "res.users" else False

    @api.depends("res_model")
    def _compute_user_group_ids(self):
        for wizard in self:
            wizard.user_group_ids = wizard._record_user_groups().sudo(False)

    def _record_user_groups(self):
        """The groups whose members may edit records of the model (its write access rules),
        empty when every internal user may: who can take the record over and acknowledge its
        escalation. One query."""
        if not self.res_model or self.res_model not in self.env:
            return self.env["res.groups"]
        accesses = (
            self.env["ir.model.access"]
            .sudo()
            .search([("model_id.model", "=", self.res_model), ("perm_write", "=", True)])
        )
        if not accesses or any(not access.group_id for access in accesses):
            return self.env["res.groups"]
        return accesses.group_id.filtered(lambda group: not group.share)

    def _record_company(self):
        """The company of the record escalated (empty when it has none, or the user may
        not read it)."""
        record = self._readable_record()
        if not record or "company_id" not in record._fields:
            return self.env["res.company"]
        return record.sudo().company_id

    @api.onchange("rule_id")
    def _onchange_rule_id(self):
        if self.level_id.rule_id != self.rule_id:
            self.level_id = False

    def _record(self):
        self.ensure_one()
        if self.res_model not in self.env or "guide_process_id" not in self.env[self.res_model]._fields:
            return None
        return self.env[self.res_model].browse(self.res_id).exists()

    def _readable_record(self):
        """The record escalated if the user may read it, else None: the dialog shows nothing
        of a record they may not read (its name, owner or company), whatever a client names
        (confirming it is refused by Odoo's access check)."""
        record = self._record()
        return record if record and record.has_access("read") else None

    def _check_escalate_to(self):
        """The new owner is an active internal user of the record's company: what the dialog
        offers, whatever a client sends (a portal user, OdooBot or an archived user owns no
        record; a user of another company would take the record out of its company)."""
        user = self.user_id.sudo()
        if user and (user.share or not user.active):
            raise UserError(
                self.env._(
                    "%(user)s cannot be escalated to: only an active internal user can own the record.",
                    user=user.name,
                )
            )
        record = self._record()
        if user and user == self.owner_id:
            raise UserError(
                self.env._(
                    "%(user)s already owns %(record)s: escalate it to someone else.",
                    user=user.name,
                    record=record.display_name,
                )
            )
        groups = self._record_user_groups()
        if user and groups and not (groups & user.groups_id):
            raise UserError(
                self.env._(
                    "%(user)s cannot be escalated to: they do not work on %(model)s (%(groups)s).",
                    user=user.name,
                    model=record._description,
                    groups=format_list(self.env, groups.sudo().mapped("full_name")),
                )
            )
        company = self._record_company()
        if user and company and company not in user.company_ids:
            # the record would leave its company (crm empties it): seen by every company
            raise UserError(
                self.env._(
                    "%(user)s cannot be escalated to: they do not work for %(company)s, the company "
                    "of %(record)s.",
                    user=user.name,
                    company=company.name,
                    record=self._record().display_name,
                )
            )

    def _check_rule_company(self, record):
        """A rule of a company escalates the records of that company (and of none), by hand
        too, as the cron does (``escalation.rule._escalation_scope_domain``): a user of two
        companies would run one company's level on the other's record, whose users would then
        read the rule's and level's names in its log."""
        company = self.rule_id.company_id
        other = record.company_id if "company_id" in record._fields else False
        if company and other and other != company:
            raise UserError(
                self.env._(
                    "Escalation rule %(rule)s is a rule of %(company)s: it does not escalate "
                    "%(record)s, which belongs to %(other)s.",
                    rule=self.rule_id.display_name,
                    company=company.display_name,
                    record=record.display_name,
                    other=other.display_name,
                )
            )

    def action_confirm(self):
        refuse_not_one(self)
        record = self._record()
        if not record:
            raise UserError(self.env._("The record to escalate no longer exists."))
        # first: the refusals below name the record, its company and its rules
        record.check_access("write")
        # out of every rule's scope (lost, won, closed): the dialog is not offered on it either
        record._escalation_check_escalable()
        if not self.level_id and not self.user_id:
            raise UserError(self.env._("Choose to whom or to which level the record is escalated."))
        if self.level_id and (self.level_id.rule_id != self.rule_id or not self.level_id.active):
            raise UserError(self.env._("The level does not belong to the chosen rule."))
        if self.rule_id and not self.rule_id.active:
            # an archived rule (a copy not yet reviewed) escalates nothing, by hand neither
            raise UserError(
                self.env._(
                    "Escalation rule %(rule)s is archived: it escalates nothing until it is activated.",
                    rule=self.rule_id.display_name,
                )
            )
        if self.rule_id and self.rule_id.model_name != record._name:
            raise UserError(
                self.env._(
                    "Escalation rule %(rule)s is not a rule of %(model)s.",
                    rule=self.rule_id.display_name,
                    model=record._description,
                )
            )
        self._check_rule_company(record)
        self._check_escalate_to()
        reason = self.env["guide.mixin"]._guide_bounded_text(self.reason, self.env._("The reason"))
        if not reason:
            raise UserError(self.env._("Give the reason of the escalation."))
        record._escalation_manual(self.level_id, self.user_id, reason)
        return record._escalation_after_manual_action()
