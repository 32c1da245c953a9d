from odoo import api, models
from odoo.tools import SQL

# what became of a guided record, as the process map and the variants count it
OUTCOME_SUCCESS = "success"  # won lead, resolved ticket
OUTCOME_DROPPED = "dropped"  # lost lead, cancelled or rejected ticket
OUTCOME_OPEN = "open"


class GuideMixin(models.AbstractModel):
    _inherit = "guide.mixin"

    # ------------------------------------------------------------
    # HOOKS of the process intelligence (override in guided models)
    # ------------------------------------------------------------
    @api.model
    def _guide_outcome_sql(self, alias):
        """SQL expression over a row ``alias`` of the model's table: ``'success'``,
        ``'dropped'`` or ``'open'``. A model without outcomes keeps its records open."""
        return SQL("%s", OUTCOME_OPEN)

    @api.model
    def _guide_closed_at_sql(self, alias):
        """SQL expression over a row ``alias`` of the model's table: when the record was
        closed (won, lost, resolved), NULL while it is open."""
        return SQL("NULL::timestamp")

    @api.model
    def _guide_team_history_field(self):
        """The Many2one of ``guide.history`` that holds the record's team (False: none);
        the process map filters on it."""
        return False

    @api.model
    def _guide_outcome_labels(self):
        """What success and dropping out are called for the model's records."""
        return {}

    @api.model
    def _pi_demo_record_vals(self, process, index, rng):
        """Values of the ``index``-th demo record of ``process`` (``rng``: random.Random)."""
        return {"name": f"{process.name} #{index + 1}"}

    def _pi_demo_close(self, outcome, last_date):
        """Give a demo record its outcome (False: still open) some time after ``last_date``."""
        return True
