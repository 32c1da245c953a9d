from odoo import api, fields, models


class GuideStepRowMixin(models.AbstractModel):
    """A row of a step whose conditions are edited in the step's form (a checklist item, an
    optional task, a branch): the condition editors work on the step's model and count the
    records of its process (scope and condition). On a step of a process not saved yet,
    the rows have no process to read them from: the process's form passes them down to its
    steps' rows as typed (``guide_model_name``; ``guide_process_scope``: [scope domain,
    condition])."""

    _name = "guide.step.row.mixin"
    _description = "Row of a Process Step"

    condition_model = fields.Char(compute="_compute_condition_model")
    # read as the related fields they replace were (sudo): the process's scope as a domain
    process_scope_domain = fields.Char(
        compute="_compute_process_domains", compute_sudo=True, string="Process Scope"
    )
    process_domain = fields.Char(
        compute="_compute_process_domains", compute_sudo=True, string="Process Condition"
    )

    @api.depends("model_name")
    @api.depends_context("guide_model_name")
    def _compute_condition_model(self):
        context_model = self.env.context.get("guide_model_name")
        if not (isinstance(context_model, str) and context_model in self.env):
            context_model = False
        for row in self:
            row.condition_model = row.model_name or context_model

    @api.depends("process_id.scope_domain", "process_id.domain")
    @api.depends_context("guide_process_scope")
    def _compute_process_domains(self):
        typed = self.env.context.get("guide_process_scope")
        if not (isinstance(typed, list | tuple) and len(typed) == 2):
            typed = (False, False)
        typed = [value if isinstance(value, str) else False for value in typed]
        for row in self:
            if row.process_id:
                row.process_scope_domain = row.process_id.scope_domain
                row.process_domain = row.process_id.domain
            else:
                row.process_scope_domain, row.process_domain = typed
