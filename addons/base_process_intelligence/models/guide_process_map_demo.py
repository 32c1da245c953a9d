import random
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .guide_mixin_process_map import OUTCOME_OPEN


class GuideProcess(models.Model):
    _inherit = "guide.process"

    @api.model
    def _pi_demo_generate(self, process_xmlid, count, variants, seed=16):
        """Demo data of the process map: ``count`` records of the process ``process_xmlid``
        with a past stage history along ``variants`` ([weight, [step positions, 0-based],
        outcome]), so that the map, the variants and the conformance tell a story when
        the demo opens. The records are created in their first step and put in their
        last one; their history is replaced by the generated one. Demo data only."""
        process = self.env.ref(process_xmlid, raise_if_not_found=False)
        if not process:
            return False
        steps = process.step_ids.sorted(lambda s: (s.sequence, s.id))
        model = self.env[process.model_name]
        rng = random.Random(seed)
        now = fields.Datetime.now()
        weights = [variant[0] for variant in variants]
        plans, vals_list = [], []
        for index in range(count):
            _weight, positions, outcome = rng.choices(variants, weights=weights)[0]
            path = [steps[position] for position in positions]
            dates = [now - timedelta(days=rng.uniform(20, 200))]
            for step in path[:-1]:
                expected = step.expected_hours or 24.0
                dates.append(dates[-1] + timedelta(hours=expected * rng.lognormvariate(-0.2, 0.6)))
            if dates[-1] > now:
                shift = dates[-1] - now + timedelta(hours=rng.uniform(1, 48))
                dates = [date - shift for date in dates]
            plans.append((path, dates, outcome))
            vals_list.append(
                {
                    **model._pi_demo_record_vals(process, index, rng),
                    model._guide_stage_field: path[0]._guide_stage().id,
                }
            )
        records = model.with_context(tracking_disable=True, mail_create_nolog=True, mail_notrack=True).create(
            vals_list
        )
        self.env.flush_all()
        # the records are where their past history left them: moved in SQL (the gates and
        # policies judge the changes people make, not the demo's past), checklists synced
        table = SQL.identifier(model._table)
        for record, (path, _dates, _outcome) in zip(records, plans, strict=True):
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s = %s, guide_step_id = %s WHERE id = %s",
                    table,
                    SQL.identifier(model._guide_stage_field),
                    path[-1]._guide_stage().id,
                    path[-1].id,
                    record.id,
                )
            )
        self.env.invalidate_all()
        records._guide_sync_lines()
        self.env.flush_all()
        # the history the records would have lived, instead of their creation's
        self.env.cr.execute(
            SQL(
                "DELETE FROM guide_history WHERE res_model = %s AND res_id IN %s",
                model._name,
                tuple(records.ids),
            )
        )
        history = []
        for record, (path, dates, _outcome) in zip(records, plans, strict=True):
            previous = None
            for position, (step, date) in enumerate(zip(path, dates, strict=True)):
                hours = (date - dates[position - 1]).total_seconds() / 3600.0 if previous else 0.0
                expected = previous.expected_hours if previous else 0.0
                history.append(
                    {
                        "res_model": model._name,
                        "res_id": record.id,
                        "record_name": record.display_name,
                        "process_id": process.id,
                        "from_step_id": previous.id if previous else False,
                        "to_step_id": step.id,
                        "direction": "initial"
                        if not previous
                        else (
                            "forward"
                            if (step.sequence, step.id) > (previous.sequence, previous.id)
                            else "backward"
                        ),
                        "gate_result": "overridden" if previous and rng.random() < 0.06 else "free",
                        "date": date,
                        "owner_id": record[model._guide_owner_field].id,
                        "company_id": record.company_id.id if "company_id" in record._fields else False,
                        "duration_hours": hours,
                        "expected_hours": expected,
                        "overdue": bool(expected) and hours > expected,
                        **record._guide_history_values(),
                    }
                )
                previous = step
        self.env["guide.history"].sudo()._guide_create_rows(history)
        for record, (_path, dates, outcome) in zip(records, plans, strict=True):
            record._pi_demo_close(outcome if outcome != OUTCOME_OPEN else False, dates[-1])
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET guide_step_entered_at = h.date FROM ("
                "  SELECT res_id, max(date) AS date FROM guide_history WHERE res_model = %s GROUP BY res_id"
                ") h WHERE h.res_id = %s.id AND %s.id IN %s",
                table,
                model._name,
                table,
                table,
                tuple(records.ids),
            )
        )
        self.env.invalidate_all()
        self.env["guide.step.visit"]._pi_refresh(full=True)
        return True
