from odoo import api, models
from odoo.exceptions import AccessError

from ..tools import quoted, works_for_every_company


class GuideSharedScopeMixin(models.AbstractModel):
    """Configuration of no company applies to the records of every company: only a user
    who works for every company creates, changes or deletes it (a manager of one company
    configures the rules of that company). A model declares where its company is read
    (``_guide_company_path``, e.g. ``"company_id"`` or ``"process_id.company_id"``)."""

    _name = "guide.shared.scope.mixin"
    _description = "Configuration Shared by the Companies"
    _guide_company_path = "company_id"
    # the fields that place a row: its parent (process, step, policy, rule), its model, its
    # company; a write changing one is judged again where it puts the row
    _guide_place_fields = ("process_id", "step_id", "policy_id", "rule_id", "model_name", "company_id")

    def _guide_kind(self):
        """The kind of these rows as the screens name it, in the reader's language (the
        model's description is English)."""
        return self.env["ir.model"]._get(self._name).name or self._description

    def _guide_check_shared_scope(self):
        """Refuse a change of a shared row to a user who does not work for every company
        (the superuser, who runs installations and scheduled actions, may)."""
        if not self or works_for_every_company(self.env):
            return
        companies = self.env.user.company_ids
        shared = self.sudo().filtered(lambda row: not row.mapped(self._guide_company_path))
        if shared:
            raise AccessError(
                self.env._(
                    "%(what)s %(name)s applies to every company: only a user of every company may "
                    "change it. Set its company to one of yours (%(companies)s).",
                    what=self._guide_kind(),
                    name=quoted(self.env, shared[0].display_name, 80),
                    companies=", ".join(companies.mapped("name")),
                )
            )

    def _guide_check_own_companies(self):
        """Refuse rows that now apply to a company the user does not work for: a manager of
        one company moves no process, rule or policy into another company, nor a step or an
        item into another company's process. Odoo's record rules judge the rows of a write
        as they were before it, not where the write puts them."""
        if not self or works_for_every_company(self.env):
            return
        companies = self.env.user.company_ids
        foreign = self.sudo().filtered(lambda row: row.mapped(self._guide_company_path) - companies)
        if foreign:
            outside = foreign[0].mapped(self._guide_company_path) - companies
            raise AccessError(
                self.env._(
                    "%(what)s %(name)s would apply to %(company)s, a company you do not work for. "
                    "Choose one of yours (%(companies)s).",
                    what=self._guide_kind(),
                    name=quoted(self.env, foreign[0].display_name, 80),
                    company=", ".join(outside.mapped("name")),
                    companies=", ".join(companies.mapped("name")),
                )
            )

    def _guide_check_new_place(self, vals):
        """Judge the rows again where a write moved them (``_guide_place_fields``): Odoo's
        record rules judge the rows of a write as they were before it, so a manager of the
        lead configuration could otherwise move a checklist item, a milestone, a tier or a
        level of his into a ticket process, policy or rule, which he may not change (and the
        reverse). The rows are checked as they now are against every record rule (model,
        company, team...); the companies are the user's, not only those active in his
        session, as ``_guide_check_own_companies`` judges them."""
        if not self or self.env.su or not set(vals) & set(self._guide_place_fields):
            return
        self.with_context(allowed_company_ids=self.env.user.company_ids.ids).check_access("write")

    def _update_field_translations(self, field_name, translations, digest=None, source_lang=None):
        # the translation dialogs change a row's texts without a write(): the same users may
        self.check_access("write")
        self._guide_check_shared_scope()
        return super()._update_field_translations(
            field_name, translations, digest=digest, source_lang=source_lang
        )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._guide_check_shared_scope()
        records._guide_check_own_companies()
        return records

    def write(self, vals):
        # who may not change these rows at all (a salesperson, a helpdesk agent) is refused
        # as Odoo refuses them, not told to set a company of theirs
        self.check_access("write")
        self._guide_check_shared_scope()
        res = super().write(vals)
        self._guide_check_shared_scope()
        self._guide_check_own_companies()
        self._guide_check_new_place(vals)
        return res

    def unlink(self):
        self.check_access("unlink")
        self._guide_check_shared_scope()
        return super().unlink()
