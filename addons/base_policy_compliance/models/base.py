from odoo import api, models

from .compliance_log import CTX_REFUSALS, RefusalBuffer


class Base(models.AbstractModel):
    _inherit = "base"

    @api.model
    def load(self, fields, data):
        """An import's refused changes are audited once each, when it ends (``RefusalBuffer``:
        Odoo tries a batch of rows, then each row again), none of a test import's; the
        import of any model, as its rows may create guided records (a partner's tickets)."""
        if isinstance(self.env.context.get(CTX_REFUSALS), RefusalBuffer):
            return super().load(fields, data)
        buffer = RefusalBuffer()
        try:
            return super(Base, self.with_context(**{CTX_REFUSALS: buffer})).load(fields, data)
        finally:
            self.env["compliance.log"]._compliance_log_buffered_refusals(buffer)

    @api.model
    def _load_records(self, data_list, update=False):
        buffer = self.env.context.get(CTX_REFUSALS)
        if not isinstance(buffer, RefusalBuffer):
            return super()._load_records(data_list, update=update)
        buffer.begin(len(data_list))
        try:
            return super()._load_records(data_list, update=update)
        except Exception:
            buffer.fail()
            raise
