from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_list

from ..tools import quoted
from .guide_config_mixin import REFUSAL_MAX_NAMED

# the fields limiting a configuration to a process and its steps (empty: every record)
SCOPE_FIELDS = ("process_id", "step_ids")


class GuideScopeMixin(models.AbstractModel):
    """Configuration limited by a process (``process_id``) and steps (``step_ids``), empty
    meaning every record of its model: hints, escalation rules, policies
    (``guide.process._guide_scope_configurations``). One a module's uninstallation archived
    because it deleted that process or those steps is marked (``scope_emptied``): it is not
    made active again, by any path (a write, a copy, an import), until its process or steps
    are set again, as it would then apply to every record. One a user archived with an
    empty scope is restored as any other."""

    _name = "guide.scope.mixin"
    _description = "Configuration Limited to a Process"

    scope_emptied = fields.Boolean(
        string="Scope Deleted by an Uninstallation",
        readonly=True,
        help="Archived when a module's uninstallation deleted the process or the steps it was "
        "limited to: it cannot be restored before its process or steps are set again (empty, it "
        "would apply to every record of its model).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._guide_refuse_restored_emptied()
        return records

    def write(self, vals):
        if "scope_emptied" in vals and not self.env.su:
            # set by the uninstallation, cleared by setting the scope again: not a client's
            vals = {key: value for key, value in vals.items() if key != "scope_emptied"}
        res = super().write(vals)
        if set(SCOPE_FIELDS) & set(vals):
            emptied = self.filtered("scope_emptied")
            rescoped = emptied.filtered(lambda config: config.process_id or config.step_ids)
            super(GuideScopeMixin, rescoped).write({"scope_emptied": False})
        self._guide_refuse_restored_emptied()
        return res

    def _guide_archive_scope_emptied(self):
        """A module's uninstallation deletes the process or the steps these configurations
        are limited to: they are archived and marked, with a note saying why (restored as
        they are, their scope emptied, they would apply to every record of their model)."""
        self.write({"active": False, "scope_emptied": True})
        if "message_ids" not in self._fields:
            return
        note = self.env._(
            "Archived: the uninstallation of a module deleted the process or the steps it was "
            "limited to. Restored as it is, it would apply to every record of its model: set "
            "its process or steps again first."
        )
        for config in self:
            config.message_post(body=note)

    def _guide_refuse_restored_emptied(self):
        """Refuse these configurations active while marked ``scope_emptied``, naming them
        and what to do."""
        restored = self.filtered(lambda config: config.active and config.scope_emptied)
        if not restored:
            return
        raise UserError(
            self.env._(
                "%(what)s %(names)s cannot be restored as it is: the uninstallation of a module "
                "deleted the process or the steps it was limited to, and it would now apply to "
                "every record of its model. Set its “%(process)s” or “%(steps)s” again first.",
                what=self.env["ir.model"]._get(self._name).name or self._description,
                names=format_list(
                    self.env,
                    [quoted(self.env, config.display_name) for config in restored[:REFUSAL_MAX_NAMED]],
                ),
                process=self._fields["process_id"]._description_string(self.env),
                steps=self._fields["step_ids"]._description_string(self.env),
            )
        )
