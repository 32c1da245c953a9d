from odoo import api, models
from odoo.tools import SQL


class GuideBulkMixin(models.AbstractModel):
    """One INSERT for any number of engine-written rows.

    The ORM inserts in chunks of 100 rows; checklist lines and history rows
    are written by the engine on every stage change, so a mass stage change of
    1,000 records would otherwise cost one query per 100 rows. The models
    using this helper only have plain stored columns (no translated, x2many or
    stored computed fields depending on other records), which makes a direct
    insert equivalent to ``create()`` for them.
    """

    _name = "guide.bulk.mixin"
    _description = "Bulk Insert Helper"

    @api.model
    def _guide_bulk_create(self, vals_list):
        if not vals_list:
            return self.browse()
        now = self.env.cr.now()
        magic = {"create_uid": self.env.uid, "create_date": now, "write_uid": self.env.uid, "write_date": now}
        fnames = sorted({fname for vals in vals_list for fname in vals} | set(magic))
        fields = [self._fields[fname] for fname in fnames]
        for field in fields:
            if not field.column_type or field.translate or (field.compute and field.store):
                raise ValueError(f"{field} cannot be bulk-inserted")
        self.flush_model(fnames)
        params = []
        for vals in vals_list:
            vals = {**vals, **magic}
            params.extend(
                field.convert_to_column_insert(vals.get(field.name), self, vals) for field in fields
            )
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        values = SQL(", ".join([row] * len(vals_list)), *params)
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES %s RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(fname) for fname in fnames),
                values,
            )
        )
        records = self.browse([row[0] for row in self.env.cr.fetchall()])
        # the ORM keeps the cached one2many of the parents in sync on create:
        # drop those caches instead
        for field in fields:
            for inverse in self.pool.field_inverses[field]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        records.modified(fnames, create=True)
        return records
