from odoo import api, fields, models
from odoo.exceptions import ValidationError

# a safety net: the engine also wakes up at each level's due time
MAX_INTERVAL_MINUTES = 1440


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    escalation_cron_interval = fields.Integer(
        string="Check Escalations Every (Minutes)",
        compute="_compute_escalation_cron_interval",
        inverse="_inverse_escalation_cron_interval",
        readonly=False,
        help="Levels also fire at their exact due time: the engine schedules its next run itself. "
        "This interval is a safety net.",
    )

    @api.depends("company_id")
    def _compute_escalation_cron_interval(self):
        cron = self.env.ref("base_escalation.escalation_cron", raise_if_not_found=False)
        minutes = 5
        if cron:
            factor = {"minutes": 1, "hours": 60, "days": 1440, "weeks": 10080, "months": 43200}
            minutes = cron.sudo().interval_number * factor.get(cron.sudo().interval_type, 1)
        for settings in self:
            settings.escalation_cron_interval = minutes

    def _inverse_escalation_cron_interval(self):
        cron = self.env.ref("base_escalation.escalation_cron", raise_if_not_found=False)
        for settings in self:
            if not 1 <= settings.escalation_cron_interval <= MAX_INTERVAL_MINUTES:
                raise ValidationError(
                    self.env._(
                        "The escalation check interval is from one minute to %(max)s minutes (a day).",
                        max=MAX_INTERVAL_MINUTES,
                    )
                )
            if cron:
                cron.sudo().write(
                    {"interval_number": settings.escalation_cron_interval, "interval_type": "minutes"}
                )
