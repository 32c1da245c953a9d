from odoo import api, fields, models


class CrmLeadLost(models.TransientModel):
    """The CRM's *Mark Lost* dialog tells up front what the policies on losing a lead
    require, and asks for the lost reason when they need it: one dialog, no refusal
    after it. The policies are still enforced when the lead is archived."""

    _inherit = "crm.lead.lost"

    compliance_message = fields.Text(string="Policies", compute="_compute_compliance_lost")
    compliance_reason_required = fields.Boolean(compute="_compute_compliance_lost")

    @api.depends("lead_ids")
    def _compute_compliance_lost(self):
        Policy = self.env["compliance.policy"]
        policies = [
            info for info in Policy._get_policy_config("crm.lead")["policies"] if info["trigger"] == "lost"
        ]
        Condition = self.env["guide.condition.mixin"]
        for wizard in self:
            leads = wizard.lead_ids._origin.filtered("active")
            messages, required = [], False
            checks = Policy._policy_evaluate([(info, leads) for info in policies]) if leads else []
            for policy_info, in_scope, meeting in checks:
                if len(meeting) == len(in_scope):
                    continue  # the leads in its scope all meet it already
                messages.append(policy_info["message"] or policy_info["name"])
                reads = Condition._guide_domain_field_names(policy_info["requirement"], "crm.lead")
                if policy_info["enforcement"] != "warn" and "lost_reason_id" in reads:
                    required = True
            wizard.compliance_message = "\n".join(dict.fromkeys(messages)) or False
            wizard.compliance_reason_required = required
