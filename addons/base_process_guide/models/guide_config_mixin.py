from odoo import api, models
from odoo.exceptions import ValidationError

from ..tools import module_uninstalling

# the rows a refusal to delete names at most (as guide_step's)
REFUSAL_MAX_NAMED = 10


class GuideConfigMixin(models.AbstractModel):
    """Configuration the engine reads through an ``ormcache`` (``_get_guide_config``,
    ``_get_task_config``, ``_get_milestone_config``, the hints'...): creating, writing or
    deleting a row clears the registry's caches, so the next write path reads the new
    configuration. Its texts and numbers are bounded at save (``guide.bounded.mixin``:
    each model lists its bounded texts in ``_guide_bounded_fields``)."""

    _name = "guide.config.mixin"
    _inherit = ["guide.bounded.mixin"]
    _description = "Cached Process Configuration"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    def _guide_models_before(self, vals, parent_field):
        """``{row id: model}`` of these rows before a write of ``vals`` moving them
        (``parent_field``: their step or process), for ``_guide_refuse_other_model``."""
        if parent_field not in vals:
            return {}
        return {row.id: row.model_name for row in self.sudo()}

    def _guide_refuse_other_model(self, before, parent_field):
        """Refuse a write that moved these rows to a parent (``parent_field``) guiding
        another model than ``before`` (``_guide_models_before``), for every user (as a
        step's move into a process of another model): their conditions, activity type,
        the rows recorded about them and the rules naming them are of their model. Judged
        after the write, so that the access rules (a sales manager moving a row to
        tickets) speak first."""
        for row in self.sudo():
            if before.get(row.id) and row.model_name != before[row.id]:
                IrModel = self.env["ir.model"]
                parent = row[parent_field]
                raise ValidationError(
                    self.env._(
                        "%(what)s %(name)s is for %(model)s: it cannot move to %(kind)s %(target)s, "
                        "which is for %(other)s.",
                        what=IrModel._get(self._name).name or self._description,
                        name=row.display_name,
                        model=IrModel._get(before[row.id]).name,
                        kind=IrModel._get(parent._name).name,
                        target=parent.display_name,
                        other=IrModel._get(row.model_name).name,
                    )
                )

    def _guide_recorded_uses(self, rows_model, field_name):
        """``{row: count}`` of the rows of ``self`` the engine's immutable rows ``rows_model``
        name in ``field_name`` (a milestone reached, an optional task added, a hint
        acknowledged), for the refusal to delete them: those rows would go with them (their
        foreign key cascades), and the records with who did it and when. Empty when a
        module's uninstallation deletes them (Odoo's flag as the superuser; a client's flag
        does not)."""
        if not self or module_uninstalling(self.env):
            return {}
        counts = dict(
            self.env[rows_model]
            .sudo()
            .with_context(active_test=False)
            ._read_group([(field_name, "in", self.ids)], [field_name], ["__count"])
        )
        return {row: counts[row] for row in self[:] if counts.get(row)}

    def _guide_moved_to_other_process(self, vals, parent_field):
        """The rows of ``self`` a write of ``vals`` moves to another process (``parent_field``:
        their process or their step), read as superuser; empty when it names no parent."""
        target = vals.get(parent_field)
        if not isinstance(target, int) or isinstance(target, bool):
            return self.browse()
        parents = self.env[self._fields[parent_field].comodel_name].sudo()
        process = _process_of(parents.browse(target))
        return self.sudo().filtered(lambda row: _process_of(row[parent_field]) != process)

    def _guide_named_uses(self, uses, line):
        """The lines of a refusal naming at most ``REFUSAL_MAX_NAMED`` rows of ``uses``."""
        return "\n".join(line(row, count) for row, count in list(uses.items())[:REFUSAL_MAX_NAMED])


def _process_of(parent):
    """The process of a configuration row's parent (a process, or a step)."""
    return parent if parent._name == "guide.process" else parent.process_id
