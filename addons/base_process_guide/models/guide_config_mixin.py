from odoo import api, models

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

    def _guide_named_uses(self, uses, line):
        """The lines of a refusal naming at most ``REFUSAL_MAX_NAMED`` rows of ``uses``."""
        return "\n".join(line(row, count) for row, count in list(uses.items())[:REFUSAL_MAX_NAMED])
