import json

from odoo import api, models
from odoo.tools import SQL


class GuideBulkMixin(models.AbstractModel):
    """One INSERT for any number of engine-written rows.

    The ORM inserts in chunks of 100 rows; checklist lines and history rows
    are written by the engine on every stage change, so a mass stage change of
    1,000 records would otherwise cost one query per 100 rows. The models
    using this helper only have plain stored columns (no x2many or stored computed
    fields depending on other records; translated texts given in every language), which
    makes a direct insert equivalent to ``create()`` for them.
    """

    _name = "guide.bulk.mixin"
    _description = "Bulk Insert Helper"

    @api.model
    def _guide_bulk_create(self, vals_list, skip_conflicts=False):
        """Insert ``vals_list`` in one statement. ``skip_conflicts``: a row a unique index
        already holds is not inserted (``ON CONFLICT DO NOTHING``); one that a concurrent
        transaction inserted meanwhile is a serialization failure, which Odoo retries (the
        retry sees the row), logged at INFO instead of a unique violation logged as an
        error."""
        if not vals_list:
            return self.browse()
        now = self.env.cr.now()
        if self._log_access:
            magic = {
                "create_uid": self.env.uid,
                "create_date": now,
                "write_uid": self.env.uid,
                "write_date": now,
            }
        else:
            magic = {}
            # a model without the access log may keep a creation date of its own: now,
            # where a row does not give one
            if "create_date" in self._fields:
                given = sum(1 for vals in vals_list if "create_date" in vals)
                if not given:
                    magic = {"create_date": now}
                elif given < len(vals_list):
                    vals_list = [{"create_date": now, **vals} for vals in vals_list]
        fnames = sorted({fname for vals in vals_list for fname in vals} | set(magic))
        fields = [self._fields[fname] for fname in fnames]
        for field in fields:
            if not field.column_type or callable(field.translate) or (field.compute and field.store):
                raise ValueError(f"{field} cannot be bulk-inserted")
        self.flush_model(fnames)
        # one array per column (``INSERT ... SELECT FROM unnest``), one value for a column
        # that has the same value in every row (the user, the date, the process of a
        # mass move): the values are converted column by column, plain types without
        # the ORM's per-value calls, and each constant is sent and parsed once
        selected, arrays, aliases = [], [], []
        for field in fields:
            values = self._guide_bulk_column(field, vals_list, magic)
            sql_type = SQL(field.column_type[1])
            if len(values) > 1 and values.count(values[0]) == len(values):
                selected.append(SQL("%s::%s", values[0], sql_type))
                continue
            alias = SQL.identifier(f"c{len(arrays)}")
            arrays.append(SQL("%s::%s[]", values, sql_type))
            aliases.append(alias)
            selected.append(alias)
        if arrays:
            source = SQL("unnest(%s) AS u(%s)", SQL(", ").join(arrays), SQL(", ").join(aliases))
        else:
            source = SQL("generate_series(1, %s)", len(vals_list))
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT %s FROM %s %s RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(fname) for fname in fnames),
                SQL(", ").join(selected),
                source,
                SQL("ON CONFLICT DO NOTHING") if skip_conflicts else SQL(),
            ),
            log_exceptions=not skip_conflicts,
        )
        records = self.browse([row[0] for row in self.env.cr.fetchall()])
        # the ORM keeps the cached one2many of the parents in sync on create:
        # drop those caches instead
        for field in fields:
            for inverse in self.pool.field_inverses[field]:
                self.env[inverse.model_name].invalidate_model([inverse.name])
        records.modified(fnames, create=True)
        return records

    @api.model
    def _guide_bulk_column(self, field, vals_list, magic):
        """The column values of ``field`` for the rows ``vals_list``, as inserted."""
        if field.name in magic:
            return [field.convert_to_column_insert(magic[field.name], self)] * len(vals_list)
        values = [vals.get(field.name) for vals in vals_list]
        convert = self._guide_bulk_converter(field)
        if convert:
            return [convert(value) for value in values]
        return [
            field.convert_to_column_insert(value, self, {**vals, **magic})
            for value, vals in zip(values, vals_list, strict=True)
        ]

    @api.model
    def _guide_bulk_converter(self, field):
        """What ``convert_to_column_insert`` does for a plain column, as one function
        (None: use the field's own conversion). A translated text is given as ``{lang:
        text}`` (its value in each language), or as a text in the current language."""
        if field.translate:
            lang = self.env.lang or "en_US"

            def translations(value):
                if not value:
                    return None
                if not isinstance(value, dict):
                    value = {"en_US": value, lang: value}
                return json.dumps(value)

            return translations
        if field.type == "boolean":
            return bool
        if field.type == "integer":
            return lambda value: int(value or 0)
        if field.type == "float" and not field._digits:
            return lambda value: float(value or 0.0)
        if field.type in ("many2one", "many2one_reference"):
            return lambda value: value or None
        if field.type in ("char", "text", "selection") and not getattr(field, "size", None):
            return lambda value: (
                None if value is None or value is False else value if isinstance(value, str) else str(value)
            )
        if field.type == "datetime":
            return lambda value: value or None
        return None
