from collections import defaultdict

from odoo import api, models
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.sql import create_index, drop_index

from ..tools import (
    domain_field_names,
    field_labels,
    quoted,
    refuse_not_one,
    refuse_unsearchable,
    refuse_unsortable,
    sorted_or_grouped_fields,
)
from ..tools.web_links import deleted_links_emptied


class GuideRecordLinkMixin(models.AbstractModel):
    """Rows that point at a guided record (``res_model``/``res_id``): history, deviations,
    checklist lines, feedback, escalation and compliance logs open that record from their views.

    Such a row is readable exactly where its record is: searches (``search``,
    ``read_group``, one2many reads, ``fetch``) add ``res_id in <the records of
    res_model the user may read>`` as one SQL subquery built from the record
    model's own access rights and record rules (own documents, team, all,
    multi-company), and ``_check_access`` refuses the rows of other records (by
    id as searched: ``guide.searched.access.mixin``). The rows of deleted records
    (merged, deleted) are read by those who read every record of their model
    (``_guide_reads_deleted_records``). The record
    rules of the row model itself (multi-company) still apply on top. The
    superuser (the engine) sees every row.
    """

    _name = "guide.record.link.mixin"
    _inherit = ["guide.searched.access.mixin"]
    _description = "Link to a Guided Record"
    # rows without a record (``res_model`` empty) stay readable (e.g. feedback on a process)
    _guide_link_optional = False
    # audit rows and engine state: created and written by the engine (superuser) only
    _guide_engine_owned = False
    # an index (res_id, res_model); off where a unique index already starts with both
    _guide_record_index = True
    # the rows take the company their record is moved to (``_guide_follow_company_sql``),
    # so that they stay readable exactly where it is; off where the model moves its own
    _guide_follows_record_company = True

    # ------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------
    def init(self):
        super().init()
        # the rows of one record: what forms, kanbans (one sub-select per record) and
        # access checks look up; alone, ``res_model`` selects nearly every row, and a
        # planner left with it scans them all for each record
        if self._abstract or not self._auto:
            return
        if self._guide_record_index:
            create_index(self.env.cr, f"{self._table}_record_idx", self._table, ["res_id", "res_model"])
        for fname in ("res_model", "res_id"):
            if not self._fields[fname].index:
                # an index of ``res_model`` or ``res_id`` alone (earlier versions): nothing it
                # finds the indexes above (or a unique index starting with both) do not find
                # as fast, and one more index to fill on every insert
                drop_index(self.env.cr, f"{self._table}__{fname}_index", self._table)

    @api.readonly
    def web_read(self, specification):
        # the rows of deleted records stay: their link reads empty, as a list can show it
        return deleted_links_emptied(self, specification, super().web_read(specification))

    @api.model_create_multi
    def create(self, vals_list):
        if self._guide_engine_owned and not self.env.su:
            raise AccessError(
                self.env._("%(rows)s: written by the process engine only.", rows=self._description)
            )
        return super().create(vals_list)

    def write(self, vals):
        if self._guide_engine_owned and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(rows)s: written by the process engine only; %(fields)s cannot be changed.",
                    rows=self._description,
                    fields=field_labels(self, vals),
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------
    # ACCESS
    # ------------------------------------------------------------
    @api.model
    def _guide_linked_models(self):
        """Models whose records these rows may point at: the guided models."""
        return self.env["guide.process"]._guide_model_names()

    @api.model
    def _guide_record_access_domain(self):
        """Domain of the rows whose record the current user may read (one subquery per model)."""
        domains = []
        for model_name in self._guide_linked_models():
            Model = self.env[model_name].with_context(active_test=False)
            if not Model.browse().has_access("read"):
                continue
            domains.append([("res_model", "=", model_name), ("res_id", "in", Model._search([]))])
            if Model._guide_reads_deleted_records():
                # the rows of deleted records: the audit trail outlives its record
                existing = Model.sudo()._search([])
                domains.append([("res_model", "=", model_name), ("res_id", "not in", existing)])
        if self._guide_link_optional:
            domains.append([("res_model", "=", False)])
        domains += self._guide_record_access_extra_domains()
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    @api.model
    def _guide_record_access_extra_domains(self):
        """Hook: further domains of rows readable whatever their record (OR-ed)."""
        return []

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if domain:
            refuse_unsearchable(self, domain_field_names(domain))
        if order:
            refuse_unsortable(self, sorted_or_grouped_fields(order))
        if not self.env.su:
            domain = expression.AND([domain, self._guide_record_access_domain()])
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        refuse_unsortable(self, sorted_or_grouped_fields(order, groupby, aggregates))
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def _guide_ids_to_search(self):
        # the rows of records the user may read are decided on the records; the others by
        # the rows' access domain, in one query
        readable = self._guide_rows_of_readable_records()
        return [id_ for id_ in self._ids if id_ not in readable]

    def _guide_rows_of_readable_records(self):
        """Ids of the rows of ``self`` whose record the current user may read, decided
        by the record model's own access check (rights and record rules, on the records'
        values, as ``read()`` of the record decides): no query when the records are in
        cache, as on a form showing the rows of its record. Only rows whose ``res_model``
        and ``res_id`` are in cache are decided; leaving a row out is not a refusal."""
        cache = self.env.cache
        fields = self._fields["res_model"], self._fields["res_id"]
        linked = self._guide_linked_models()
        res_ids = defaultdict(set)
        rows = defaultdict(list)
        for row in self:
            if not all(cache.contains(row, field) for field in fields):
                continue
            model_name, res_id = (cache.get(row, field) for field in fields)
            if model_name in linked and res_id:
                res_ids[model_name].add(res_id)
                rows[model_name, res_id].append(row.id)
        readable = set()
        for model_name, ids in res_ids.items():
            records = self.env[model_name].with_context(active_test=False).browse(ids)
            try:
                readable.update((model_name, id_) for id_ in records._filtered_access("read")._ids)
            except MissingError:  # deleted records: left to the query
                continue
        return {row_id for key in readable for row_id in rows[key]}

    @api.model
    def _guide_access_error(self, forbidden):
        return AccessError(
            self.env._(
                "You cannot access %(rows)s (%(model)s, ids %(ids)s): they belong to records you are "
                "not allowed to read.",
                rows=self._description,
                model=self._name,
                ids=", ".join(str(id_) for id_ in forbidden.ids[:10]),
            )
        )

    @api.model
    def _guide_company_column_of_its_own(self):
        """Whether the rows keep a company of their own (stored, neither related nor computed:
        feedback takes its process's), which ``_guide_follow_company_sql`` may move."""
        field = self._fields.get("company_id")
        return bool(field and field.store and not field.related and not field.compute)

    @api.model
    def _guide_follow_company_sql(self, records, name):
        """The ``WITH`` query ``name`` moving the rows of ``records`` to the company their
        records were moved to (``guide.mixin._guide_lines_follow_company`` runs those of
        every model in one statement): they are read exactly where their records are, their
        content unchanged. It returns a row per row moved."""
        self.flush_model(["company_id"])
        return SQL(
            """%s AS (UPDATE %s row
                         SET company_id = r.company_id
                        FROM %s r
                       WHERE row.res_model = %s
                         AND row.res_id = r.id
                         AND r.id = ANY(%s)
                         AND row.company_id IS DISTINCT FROM r.company_id
                   RETURNING 1)""",
            SQL.identifier(name),
            SQL.identifier(self._table),
            SQL.identifier(records._table),
            records._name,
            list(records._ids),
        )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------
    def action_open_record(self):
        refuse_not_one(self)
        if not (self.res_model and self.res_id):
            # feedback on a process, given on no record
            raise UserError(
                self.env._(
                    "%(what)s %(name)s concerns no record: there is no record to open.",
                    what=self.env["ir.model"]._get(self._name).name,
                    name=quoted(self.env, self.display_name),
                )
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }
