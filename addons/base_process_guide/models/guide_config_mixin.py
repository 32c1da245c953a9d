from odoo import api, models


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
