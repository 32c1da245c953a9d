from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ..models.guide_effectiveness_report import DEFAULT_MIN_SAMPLE, MIN_SAMPLE_PARAM

_lt = LazyTranslate(__name__)

# (label, field, aggregate) of the scorecard compared; the count behind an average is
# the number of rows where it is set
SCORECARD_FIGURES = [
    (_lt("Records handled"), "record_key", "count_distinct"),
    (_lt("Stage changes"), "move_count", "sum"),
    (_lt("Hours in step"), "duration_hours", "avg"),
    (_lt("Target hours in step"), "expected_hours", "avg"),
    (_lt("Left late"), "overdue_count", "sum"),
    (_lt("Checklist completion (%)"), "checklist_rate", "avg"),
    (_lt("Overrides"), "override_count", "sum"),
    (_lt("Escalations received"), "escalation_count", "sum"),
    (_lt("Hours to acknowledge"), "ack_hours", "avg"),
    (_lt("Policy checks"), "check_count", "sum"),
    (_lt("Violations"), "violation_count", "sum"),
    (_lt("Compliance rate (%)"), "compliance_rate", "avg"),
    (_lt("Feedback given"), "feedback_count", "sum"),
    (_lt("Feedback accepted"), "feedback_accepted", "sum"),
]
EFFECTIVENESS_FIGURES = [
    (_lt("done (%)"), "done_rate"),
    (_lt("closed when done (%)"), "closed_rate_done"),
    (_lt("closed when not done (%)"), "closed_rate_not_done"),
    (_lt("won when done (%)"), "success_rate_done"),
    (_lt("won when not done (%)"), "success_rate_not_done"),
    (_lt("hours to close when done"), "hours_done"),
    (_lt("hours to close when not done"), "hours_not_done"),
]


class GuideCompareWizard(models.TransientModel):
    """Before and after: the scorecard and step-effectiveness figures of two periods
    side by side, computed as the user (their record rules apply). Averages drawn from
    fewer rows than the minimum sample are left empty. Processes have no versions:
    compare the periods before and after a change (policies do have versions, shown
    in the compliance reports)."""

    _name = "guide.compare.wizard"
    _description = "Compare Two Periods"

    res_model = fields.Selection(selection="_selection_guide_models", string="Model")
    process_id = fields.Many2one(
        "guide.process",
        domain="[('model_name', '=', res_model)]",
        help="Step effectiveness of this process only.",
    )
    date_a_from = fields.Date("Before: From", required=True)
    date_a_to = fields.Date("Before: To", required=True)
    date_b_from = fields.Date("After: From", required=True)
    date_b_to = fields.Date("After: To", required=True)
    line_ids = fields.One2many("guide.compare.line", "wizard_id", string="Figures", readonly=True)

    @api.model
    def _selection_guide_models(self):
        return [
            (name, self.env["ir.model"]._get(name).name)
            for name in self.env["guide.process"]._guide_model_names()
        ]

    @api.constrains("date_a_from", "date_a_to", "date_b_from", "date_b_to")
    def _check_periods(self):
        for wizard in self:
            if wizard.date_a_from > wizard.date_a_to or wizard.date_b_from > wizard.date_b_to:
                raise ValidationError(
                    self.env._("%(wizard)s: a period must start before it ends.", wizard=self._description)
                )

    def _guide_period_domain(self, date_from, date_to):
        domain = [
            ("date", ">=", fields.Datetime.to_datetime(date_from)),
            ("date", "<", fields.Datetime.to_datetime(fields.Date.add(date_to, days=1))),
        ]
        if self.res_model:
            domain.append(("res_model", "=", self.res_model))
        return domain

    def _guide_scorecard_figures(self, domain):
        aggregates = []
        for _label, fname, aggregate in SCORECARD_FIGURES:
            aggregates += [f"{fname}:{aggregate}", f"{fname}:count"]
        [row] = self.env["guide.scorecard.report"]._read_group(domain, [], aggregates)
        return [
            (label, row[2 * index], row[2 * index + 1] if aggregate == "avg" else None)
            for index, (label, _fname, aggregate) in enumerate(SCORECARD_FIGURES)
        ]

    def _guide_effectiveness_figures(self, domain):
        if self.process_id:
            domain = domain + [("process_id", "=", self.process_id.id)]
        aggregates = []
        for _label, fname in EFFECTIVENESS_FIGURES:
            aggregates += [f"{fname}:avg", f"{fname}:count"]
        figures = {}
        for row in self.env["guide.effectiveness.report"]._read_group(domain, ["kind", "label"], aggregates):
            kind, label, values = row[0], row[1], row[2:]
            for index in range(len(EFFECTIVENESS_FIGURES)):
                figures[(kind, label or "", index)] = (values[2 * index], values[2 * index + 1])
        return figures

    def action_compare(self):
        self.ensure_one()
        minimum = int(self.env["ir.config_parameter"].sudo().get_param(MIN_SAMPLE_PARAM, DEFAULT_MIN_SAMPLE))
        domain_a = self._guide_period_domain(self.date_a_from, self.date_a_to)
        domain_b = self._guide_period_domain(self.date_b_from, self.date_b_to)
        lines = []
        sequence = 0
        for (label, value_a, count_a), (_label, value_b, count_b) in zip(
            self._guide_scorecard_figures(domain_a), self._guide_scorecard_figures(domain_b), strict=True
        ):
            sequence += 1
            lines.append(
                self._guide_compare_line(sequence, "scorecard", label, value_a, count_a, value_b, count_b)
            )
        figures_a = self._guide_effectiveness_figures(domain_a)
        figures_b = self._guide_effectiveness_figures(domain_b)
        for key in sorted(set(figures_a) | set(figures_b)):
            value_a, count_a = figures_a.get(key, (None, 0))
            value_b, count_b = figures_b.get(key, (None, 0))
            sequence += 1
            lines.append(
                self._guide_compare_line(
                    sequence,
                    "effectiveness",
                    f"{key[1]}: {EFFECTIVENESS_FIGURES[key[2]][0]}",
                    value_a,
                    count_a,
                    value_b,
                    count_b,
                )
            )
        for line in lines:
            for side in ("a", "b"):
                count = line[f"count_{side}"]
                if count is not None and count < minimum:
                    line[f"value_{side}"] = False
                    line["low_sample"] = True
            if line["value_a"] is not False and line["value_b"] is not False:
                line["difference"] = line["value_b"] - line["value_a"]
        self.line_ids.unlink()
        self.write({"line_ids": [(0, 0, line) for line in lines]})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "context": self.env.context,
        }

    @api.model
    def _guide_compare_line(self, sequence, section, label, value_a, count_a, value_b, count_b):
        return {
            "sequence": sequence,
            "section": section,
            "name": str(label),
            "value_a": float(value_a) if value_a is not None else False,
            "value_b": float(value_b) if value_b is not None else False,
            "count_a": count_a,
            "count_b": count_b,
            "low_sample": False,
            "difference": False,
        }


class GuideCompareLine(models.TransientModel):
    _name = "guide.compare.line"
    _description = "Compared Figure"
    _order = "sequence, id"

    wizard_id = fields.Many2one("guide.compare.wizard", required=True, ondelete="cascade")
    sequence = fields.Integer()
    section = fields.Selection([("scorecard", "Scorecard"), ("effectiveness", "Step Effectiveness")])
    name = fields.Char("Figure")
    value_a = fields.Float("Before")
    count_a = fields.Integer("Rows Before")
    value_b = fields.Float("After")
    count_b = fields.Integer("Rows After")
    difference = fields.Float()
    low_sample = fields.Boolean("Small Sample")
