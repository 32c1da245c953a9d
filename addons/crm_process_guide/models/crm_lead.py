from odoo import api, fields, models


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "guide.mixin"]

    guide_has_attachment = fields.Boolean(
        string="Has Attachments",
        compute="_compute_guide_has_attachment",
        search="_search_guide_has_attachment",
        help="Helper for checklist and policy conditions: at least one file is attached.",
    )

    @api.model
    def _guide_process_depends(self):
        return [*super()._guide_process_depends(), "team_id", "type"]

    def _guide_match_scope(self, process):
        records = super()._guide_match_scope(process)
        if process["crm_team_ids"]:
            records = records.filtered(lambda lead: lead.team_id.id in process["crm_team_ids"])
        if process["lead_type"] != "both":
            records = records.filtered(lambda lead: lead.type == process["lead_type"])
        return records

    def _guide_history_values(self):
        return {**super()._guide_history_values(), "crm_team_id": self.team_id.id}

    def _compute_guide_has_attachment(self):
        data = self.env["ir.attachment"]._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self._origin.ids)], ["res_id"], ["__count"]
        )
        with_files = {res_id for res_id, _count in data}
        for lead in self:
            lead.guide_has_attachment = lead._origin.id in with_files

    def _search_guide_has_attachment(self, operator, value):
        attachments = self.env["ir.attachment"]._search(
            [("res_model", "=", self._name), ("res_id", "!=", False)]
        )
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", attachments.subselect("res_id"))]
