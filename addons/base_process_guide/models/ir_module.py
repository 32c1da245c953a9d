from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _update_translations(self, filter_lang=None, overwrite=False):
        """A language installed (Odoo loads its terms here, naming it): the texts the product
        wrote in every language of the database before it was installed are given it too."""
        res = super()._update_translations(filter_lang, overwrite)
        # called without languages on a module's installation or update: those of the
        # database already, which every row was written in
        langs = [filter_lang] if isinstance(filter_lang, str) else list(filter_lang or [])
        langs = [lang for lang in langs if lang != "en_US"]
        if langs and "guide.history" in self.env:
            self.env["guide.history"]._guide_fill_langs(langs)
            self.env["guide.deviation"]._guide_fill_langs(langs)
        return res
