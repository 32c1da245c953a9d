from odoo import models

from .compliance_log import CTX_REFUSALS, RefusalBuffer


class BaseImport(models.TransientModel):
    _inherit = "base_import.import"

    def execute_import(self, fields, columns, options, dryrun=False):
        """A test import (rolled back) audits no refusal: nothing was changed nor attempted."""
        importer = self.with_context(**{CTX_REFUSALS: RefusalBuffer(discarded=True)}) if dryrun else self
        return super(BaseImport, importer).execute_import(fields, columns, options, dryrun=dryrun)
