"""What a refusal says of the values a client sent: bounded, never echoed whole."""

import json

from odoo.exceptions import MissingError, UserError, ValidationError
from odoo.tools import format_list

# a refusal names at most this many fields, a name no field has shortened to this size
REFUSAL_NAMES = 10
REFUSAL_NAME_SIZE = 40


def shortened(value, size=REFUSAL_NAME_SIZE):
    """``value`` as a refusal shows it: quoted (``repr``), a text cut to ``size``
    characters and anything else's ``repr`` too."""
    if isinstance(value, str):
        return repr(value if len(value) <= size else value[: size - 1] + "…")
    text = repr(value)
    return text if len(text) <= size else text[: size - 1] + "…"


def quoted(env, name, size=REFUSAL_NAME_SIZE):
    """The name of a record (a process, a reason, a rule...) as a refusal quotes it: in the
    quotation marks of ``env``'s language («…» in Russian), cut to ``size`` characters.
    A value a client sent (an id, a model or field name) is ``shortened`` instead."""
    name = name or ""
    return env._("“%(name)s”", name=name if len(name) <= size else name[: size - 1] + "…")


def field_labels(model, names):
    """The screens' names of the fields ``names`` of ``model`` in the reader's language,
    sorted, for a refusal; a name no field has is quoted and shortened, and the list is
    bounded."""
    fields = model._fields
    labels = sorted(
        fields[name]._description_string(model.env)
        if isinstance(name, str) and name in fields
        else shortened(name)
        for name in names
    )
    if len(labels) > REFUSAL_NAMES:
        labels = [*labels[:REFUSAL_NAMES], "…"]
    return ", ".join(labels)


def domain_field_names(domain):
    """The fields a search ``domain`` names at its top level (the first part of a path)."""
    return {
        leaf[0].split(".", 1)[0]
        for leaf in domain
        if isinstance(leaf, list | tuple) and leaf and isinstance(leaf[0], str)
    }


def domain_paths(domain, prefix=""):
    """The paths (``partner_id.country_id``) a search ``domain`` reads, those of the
    sub-domains of its ``any`` conditions included."""
    paths = set()
    for leaf in domain:
        if not (isinstance(leaf, list | tuple) and len(leaf) == 3 and isinstance(leaf[0], str)):
            continue
        path = prefix + leaf[0]
        paths.add(path)
        if leaf[1] in ("any", "not any") and isinstance(leaf[2], list | tuple):
            paths |= domain_paths(leaf[2], path + ".")
    return paths


def refuse_unsearchable(model, names):
    """Refuses a search of ``model`` by those of the fields ``names`` a search cannot use
    (computed when shown, without a search method): the ORM logs an error and ignores such
    a condition, answering every record as if it held."""
    fields = model._fields
    unsearchable = [
        name for name in names if name in fields and not fields[name].store and not fields[name].search
    ]
    if unsearchable:
        raise UserError(
            model.env._(
                "%(model)s cannot be searched by %(fields)s: it is worked out when a record is"
                " shown. Use the filters of the search bar instead.",
                model=model._description,
                fields=field_labels(model, unsearchable),
            )
        )


def sorted_or_grouped_fields(order=None, groupby=(), aggregates=()):
    """The fields a search's or grouping's ``order`` (``"name desc, partner_id.name"``),
    ``groupby`` (``"date:month"``) and ``aggregates`` (``"amount:sum"``) name (the first
    part of a path); what Odoo would refuse as such is left to it."""
    terms = [part.split()[0] for part in order.split(",") if part.split()] if isinstance(order, str) else []
    specs = [*terms, *(groupby or ()), *(aggregates or ())]
    return {spec.split(".", 1)[0].split(":", 1)[0].strip('"') for spec in specs if isinstance(spec, str)}


def refuse_unsortable(model, names):
    """Refuses sorting or grouping ``model`` by those of the fields ``names`` no column holds
    (computed when shown, not related): the ORM fails on them with an error logged."""
    fields = model._fields
    unsortable = [
        name for name in names if name in fields and not fields[name].store and not fields[name].related
    ]
    if unsortable:
        raise UserError(
            model.env._(
                "%(model)s cannot be sorted or grouped by %(fields)s: it is worked out when a"
                " record is shown.",
                model=model._description,
                fields=field_labels(model, unsortable),
            )
        )


def group_names(groups):
    """The full names of ``groups`` ("Sales / Administrator") in their environment's
    language, as a list for a refusal. Odoo computes a group's full name once per request
    whatever the language it is read in (the engines' caches read it in English), so it is
    read again."""
    groups.invalidate_recordset(["full_name"])
    return format_list(groups.env, groups.mapped("full_name"))


def refuse_missing(records, operation):
    """Refuse, with a ``MissingError`` naming them, the ids of ``records`` a client sent
    that name no record and that the ORM would not refuse itself: id 0, which it reads
    as an empty new record, where an action would then fail on its empty values (other
    ids naming no record are refused by the ORM when read), and ids that are no positive
    integers (``"T"``, ``-1``, ``1.5``), which the database would refuse with an error
    logged. No query. The user's access rights to the model for ``operation`` are checked
    first: who has none is told so."""
    missing = [id_ for id_ in records._ids if not _is_id(id_)]
    if not missing:
        return
    records.browse().check_access(operation)
    raise MissingError(
        records.env._(
            "%(model)s %(ids)s does not exist or has been deleted.",
            model=records.env["ir.model"].sudo()._get(records._name).name,
            ids=", ".join((shortened(id_) if id_ else "0") for id_ in missing[:REFUSAL_NAMES]),
        )
    )


def refuse_deleted(records):
    """``records`` (the ids a dialog keeps), refused with a ``MissingError`` naming those that
    name no record (deleted meanwhile, or never made): the dialog would otherwise say done
    having done nothing, or have made a part of its change only."""
    missing = records - records.exists()
    if missing:
        raise MissingError(
            records.env._(
                "%(model)s %(ids)s does not exist or has been deleted.",
                model=records.env["ir.model"].sudo()._get(records._name).name,
                ids=", ".join(str(id_) for id_ in missing.ids[:REFUSAL_NAMES]),
            )
        )
    return records


def refuse_not_one(records, operation="read"):
    """``records.ensure_one()`` for the ids a client sent to an action of one record (a
    button, a dialog): id 0 is refused as ``refuse_missing`` refuses it, and any other
    number of ids than one with a ``UserError`` naming the model, where ``ensure_one``
    raised a ``ValueError`` logged as an error; then the record itself, for ``operation``:
    an id that names no record, or one the user may not read, is refused as Odoo refuses
    it (one query), not answered with an action on nothing."""
    refuse_missing(records, operation)
    if len(records) != 1:
        raise UserError(
            records.env._(
                "%(model)s: this action works on one record at a time, not %(count)s.",
                model=records.env["ir.model"].sudo()._get(records._name).name,
                count=len(records),
            )
        )
    if not records.env.su:
        records.check_access(operation)


def json_ids(env, text, what):
    """The record ids a wizard keeps as JSON text (a non-empty list of integers), refused
    with a ``UserError`` naming ``what`` otherwise."""
    ids = json_value(text)
    if not isinstance(ids, list) or not ids or not all(_is_id(id_) for id_ in ids):
        raise UserError(
            env._("%(what)s is not a list of records: %(value)s.", what=what, value=shortened(text))
        )
    return ids


def json_vals(env, text, what):
    """The field values a wizard keeps as JSON text (an object), refused with a
    ``UserError`` naming ``what`` otherwise."""
    vals = json_value(text)
    if not isinstance(vals, dict) or not vals:
        raise UserError(
            env._("%(what)s is not a set of field values: %(value)s.", what=what, value=shortened(text))
        )
    return vals


def json_value(text):
    """The value of the JSON ``text`` a client sent (a wizard's field), ``None`` when it is
    none: not text, malformed, or nested deeper than Python parses (``"[" * 200000``
    raises a ``RecursionError``)."""
    try:
        return json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        return None


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def labelled(env, label, value):
    """``value`` after its ``label`` ("Knowledge Hint: Call back"), as a line of a refusal:
    the separator is the language's (full-width in Chinese)."""
    return env._("%(label)s: %(value)s", label=label, value=value)


def audit_trail_uses(records, entries):
    """``{id of records: [what names it, in words]}``: ``entries`` are ``(model, field,
    count -> words)`` of the audit rows that name records of the model of ``records`` (a
    deletion would take them from the rows), counted with one grouped read each, archived
    rows included, as the superuser."""
    uses = {}
    for model_name, field_name, label in entries:
        groups = (
            records.env[model_name]
            .sudo()
            .with_context(active_test=False)
            ._read_group([(field_name, "in", records.ids)], [field_name], ["__count"])
        )
        for record, count in groups:
            uses.setdefault(record.id, []).append(label(count))
    return uses


def emptied_scope(configs, field_name, removed):
    """The configurations of the model ``configs`` that the scope field ``field_name``
    limits to ``removed`` alone (archived ones included), as the superuser."""
    configs = configs.sudo().with_context(active_test=False)
    return configs.search([(field_name, "in", removed.ids)]).filtered(
        lambda config: not (config[field_name] - removed)
    )


def emptied_scope_lines(env, emptied):
    """The configurations ``emptied`` named one a line for a refusal (bounded)."""
    label = env["ir.model"]._get(emptied._name).name
    return "\n".join(labelled(env, label, config.display_name) for config in emptied[:REFUSAL_NAMES])


def refuse_emptied_scope(configs, field_name, removed, archivable=True, scope=None):
    """Refuse deleting ``removed`` (teams, categories, processes, steps… named by the scope
    field ``field_name`` of the configuration model ``configs``: processes, escalation rules,
    policies, hints) when a configuration is limited to them alone: the field emptied, it
    would apply to every record of its model (``scope``: where, in the refusal's words).
    The refusal names the configurations, their field and what to do. Archived ones still
    limit it; ``archivable``: whether ``removed`` may be archived on their own (steps may
    not)."""
    emptied = emptied_scope(configs, field_name, removed)
    if not emptied:
        return
    env = configs.env
    values = {
        "records": ", ".join(removed.mapped("display_name")[:REFUSAL_NAMES]),
        "configs": emptied_scope_lines(env, emptied),
        "field": configs._fields[field_name]._description_string(env),
        "scope": scope or env._("to every record of their model"),
    }
    if not archivable:
        raise UserError(
            env._(
                "%(records)s cannot be deleted: the following name nothing else in their field "
                "“%(field)s”, and with that field empty they would apply %(scope)s:\n%(configs)s\n"
                "First change “%(field)s” of these, or delete them.",
                **values,
            )
        )
    raise UserError(
        env._(
            "%(records)s cannot be deleted: the following name nothing else in their field "
            "“%(field)s”, and with that field empty they would apply %(scope)s:\n%(configs)s\n"
            "Archive %(records)s instead (archived, they still limit these), or first change "
            "“%(field)s” of these, or delete them.",
            **values,
        )
    )


def refuse_archived_alone(records, vals, parent_field):
    """Refuse a write of ``vals`` archiving or restoring ``records`` apart from their parent
    ``parent_field`` (a step, an optional task, a milestone: their activity is their
    process's or step's, a stored related field a client could write alone, dropping a
    gate from the design without a version)."""
    if "active" not in vals:
        return
    env = records.env
    IrModel = env["ir.model"].sudo()
    for record in records.sudo():
        parent = record[parent_field]
        if bool(vals["active"]) != bool(parent.active):
            raise UserError(
                env._(
                    "%(what)s %(name)s is archived and restored with its %(kind)s %(parent)s: "
                    "archive or restore that one instead.",
                    what=IrModel._get(records._name).name,
                    name=quoted(env, record.display_name),
                    kind=IrModel._get(parent._name).name,
                    parent=quoted(env, parent.display_name),
                )
            )


def refuse_related_written(records, field_names):
    """Refuse the stored related fields of ``field_names`` (those without an inverse: a
    step's company and model, an item's process...) written with a value apart from what
    they relate to: the ORM writes such a value to the column as it is, and the record
    rules read that column (a step of one company's process claimed no company, and every
    company read it). Judged on the records as written, before the transaction ends."""
    fields = records._fields
    names = [
        name
        for name in field_names
        if name in fields and fields[name].related and fields[name].store and not fields[name].inverse
    ]
    if not names:
        return
    env = records.env
    IrModel = env["ir.model"].sudo()
    for record in records.sudo():
        for name in names:
            path = fields[name].related.split(".")
            value = record
            for part in path:
                value = value[part]
            if record[name] == value:
                continue
            parent = record[path[0]]
            raise ValidationError(
                env._(
                    "%(field)s of %(what)s %(name)s is that of its %(kind)s %(parent)s: change it " "there.",
                    field=fields[name]._description_string(env),
                    what=IrModel._get(records._name).name or records._description,
                    name=quoted(env, record.display_name),
                    kind=IrModel._get(parent._name).name or parent._description,
                    parent=quoted(env, parent.display_name),
                )
            )
