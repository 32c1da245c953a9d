"""What a refusal says of the values a client sent: bounded, never echoed whole."""

import json

from odoo.exceptions import UserError

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


def field_labels(model, names):
    """The screens' names of the fields ``names`` of ``model``, sorted, for a refusal; a
    name no field has is quoted and shortened, and the list is bounded."""
    labels = sorted(
        model._fields[name].string if isinstance(name, str) and name in model._fields else shortened(name)
        for name in names
    )
    if len(labels) > REFUSAL_NAMES:
        labels = [*labels[:REFUSAL_NAMES], "…"]
    return ", ".join(labels)


def json_ids(env, text, what):
    """The record ids a wizard keeps as JSON text (a non-empty list of integers), refused
    with a ``UserError`` naming ``what`` otherwise."""
    ids = _json_loads(text)
    if not isinstance(ids, list) or not ids or not all(_is_id(id_) for id_ in ids):
        raise UserError(
            env._("%(what)s is not a list of records: %(value)s.", what=what, value=shortened(text))
        )
    return ids


def json_vals(env, text, what):
    """The field values a wizard keeps as JSON text (an object), refused with a
    ``UserError`` naming ``what`` otherwise."""
    vals = _json_loads(text)
    if not isinstance(vals, dict) or not vals:
        raise UserError(
            env._("%(what)s is not a set of field values: %(value)s.", what=what, value=shortened(text))
        )
    return vals


def _json_loads(text):
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def refuse_emptied_scope(configs, field_name, removed, archivable=True):
    """Refuse deleting ``removed`` (teams, categories, processes, steps… named by the scope
    field ``field_name`` of the configuration model ``configs``: processes, escalation rules,
    policies, hints) when a configuration is limited to them alone: the field emptied, it
    would apply to every record of its model. Archived ones still limit it; ``archivable``:
    whether ``removed`` may be archived on their own (steps may not)."""
    configs = configs.sudo().with_context(active_test=False)
    emptied = configs.search([(field_name, "in", removed.ids)]).filtered(
        lambda config: not (config[field_name] - removed)
    )
    if not emptied:
        return
    records = ", ".join(removed.mapped("display_name")[:REFUSAL_NAMES])
    named = "\n".join(
        f"{configs.env['ir.model']._get(configs._name).name}: {config.display_name}"
        for config in emptied[:REFUSAL_NAMES]
    )
    if not archivable:
        raise UserError(
            configs.env._(
                "%(records)s cannot be deleted: the following are limited to them alone, and without "
                "them would apply to every record:\n%(configs)s\nChange the scope of these first.",
                records=records,
                configs=named,
            )
        )
    raise UserError(
        configs.env._(
            "%(records)s cannot be deleted: the following are limited to them alone, and without them "
            "would apply to every record:\n%(configs)s\nArchive %(records)s instead (archived, they still "
            "limit these), or change the scope of these first.",
            records=records,
            configs=named,
        )
    )
