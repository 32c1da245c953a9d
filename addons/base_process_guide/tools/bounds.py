"""Bounds of the values an administrator configures.

Checked when a rule is saved (``@api.constrains``, ``guide.bounded.mixin``), so that the
engine never computes with absurd values (a delay of 10**12 hours overflows
``datetime``, a delay of NaN passes every comparison with a bound and fails later in
whoever's request reads it) and no refusal quotes a text of a megabyte.
"""

import math

from odoo import Command, models
from odoo.exceptions import ValidationError

from .refusal import quoted, shortened

MAX_YEARS = 10
MAX_HOURS = MAX_YEARS * 366 * 24
MAX_DAYS = MAX_YEARS * 366
MAX_COUNT = 100
# characters of a configuration record's name, title or short text (a tier, an activity summary)
MAX_NAME = 256
# characters of a link
MAX_URL = 2048
# characters of a long text a user types: instructions, help, messages, reasons, notes
MAX_TEXT = 10_000
# what a PostgreSQL ``integer`` column holds
MIN_INT = -(2**31)
MAX_INT = 2**31 - 1


def hours_of(value, unit):
    """``value`` in ``unit`` ("hours" or "days") as hours."""
    return (value or 0.0) * (24.0 if unit == "days" else 1.0)


def finite(value):
    """Whether ``value`` is a finite number. NaN and the infinities are not; no bound
    catches them by comparison (``nan < 0`` and ``nan > 10`` are both false)."""
    try:
        return math.isfinite(value)
    except TypeError:
        return False


def refused_number(field, value, record):
    """Why the number field ``field`` (Float or Integer) of ``record``'s model cannot take
    ``value`` a client sent: the refusal's text, or ``None`` when it can. Refused: what the
    field does not convert (``"abc"``), NaN and the infinities (``"NaN"``, ``"inf"``), and a
    whole number an ``integer`` column does not hold."""
    env = record.env
    try:
        converted = field.convert_to_cache(value, record)
    except (ValueError, TypeError, OverflowError):
        converted = None
    if field.type == "integer":
        if not isinstance(converted, int) or not MIN_INT <= converted <= MAX_INT:
            return env._(
                "%(field)s must be a whole number from %(min)s to %(max)s, not %(value)s.",
                field=field._description_string(env),
                min=MIN_INT,
                max=MAX_INT,
                value=shortened(value),
            )
    elif not finite(converted):
        return env._(
            "%(field)s must be a finite number, not %(value)s.",
            field=field._description_string(env),
            value=shortened(value),
        )
    return None


def client_id(value):
    """An id a client sends, as a whole number: the ASCII digits of one (as a URL gives
    them) are that number. Anything else is returned as it is, for the caller to refuse
    naming it: a text, a list, and digits no ``integer`` column holds (more than 10;
    ``int`` raises a ``ValueError`` past 4,300 of them)."""
    if isinstance(value, str) and len(value) <= len(str(MAX_INT)) and value.isascii() and value.isdigit():
        return int(value)
    return value


def _valid_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_INT


def referenced_ids(field, value):
    """The ids of existing rows of ``field``'s model that ``value`` (sent for the Many2one,
    One2many or Many2many ``field``) links, or ``None`` when it is not what the field takes
    (a text, a number out of an ``integer`` column, a malformed command)."""
    if isinstance(value, models.BaseModel):
        return list(value.ids)
    if field.type == "many2one":
        if value in (False, None, 0):
            return []
        if isinstance(value, tuple) and value:
            value = value[0]  # (id, name), as the ORM takes it
        elif isinstance(value, dict):
            value = value.get("id")
        return [value] if _valid_id(value) else None
    if value in (False, None):
        return []
    if not isinstance(value, list | tuple):
        return None
    ids = []
    for command in value:
        if _valid_id(command):
            ids.append(command)  # a plain list of ids (the ORM sets them)
            continue
        linked = _command_ids(command)
        if linked is None:
            return None
        ids.extend(linked)
    return ids


def _command_ids(command):
    """The ids of existing rows an x2many ``command`` links (LINK, SET), ``[]`` for the other
    commands, ``None`` when it is no command the ORM takes."""
    if (
        not isinstance(command, list | tuple)
        or not command
        or not isinstance(command[0], int)  # a Command (an IntEnum) or its number
        or isinstance(command[0], bool)
    ):
        return None
    code, args = command[0], command[1:]
    if code == Command.CREATE:
        return [] if len(args) == 2 and isinstance(args[1], dict) else None
    if code == Command.UPDATE:
        return [] if len(args) == 2 and _valid_id(args[0]) and isinstance(args[1], dict) else None
    if code in (Command.DELETE, Command.UNLINK):
        return [] if args and _valid_id(args[0]) else None
    if code == Command.LINK:
        return [args[0]] if args and _valid_id(args[0]) else None
    if code == Command.CLEAR:
        return []
    if code == Command.SET:
        linked = args[1] if len(args) > 1 else None
        if isinstance(linked, models.BaseModel):
            linked = linked.ids
        if linked and not (isinstance(linked, list | tuple) and all(_valid_id(id_) for id_ in linked)):
            return None
        return list(linked or ())
    return None


def refused_size(field, value, size, record):
    """Why the text ``value`` of ``field`` is refused: longer than ``size`` characters
    (the refusal's text), or ``None``."""
    if not isinstance(value, str) or len(value) <= size:
        return None
    env = record.env
    return env._(
        "%(field)s is too long: %(size)s characters, at most %(max)s.",
        field=field._description_string(env),
        size=len(value),
        max=size,
    )


def refused_character(field, value, record):
    """Why the text ``value`` of ``field`` is refused: it holds a NUL character, which no
    text column stores (PostgreSQL refuses the query), or ``None``."""
    if not isinstance(value, str) or "\x00" not in value:
        return None
    env = record.env
    return env._(
        "%(field)s contains a NUL character (0x00), which cannot be stored.",
        field=field._description_string(env),
    )


def refused_choice(field, value, record):
    """Why ``value`` of the Selection ``field`` is refused: none of its choices (Odoo
    raises a ``ValueError``, logged as an error, when it converts it), or ``None``."""
    if not value or not isinstance(field.selection, list):
        # empty: the ORM stores no value; choices a method gives: checked by the model
        # (the ORM does not refuse them)
        return None
    env = record.env
    choices = field._description_selection(env)
    if isinstance(value, str) and value in dict(choices):
        return None
    return env._(
        "%(field)s: %(value)s is not one of its choices (%(choices)s).",
        field=field._description_string(env),
        value=shortened(value),
        choices=", ".join(label for _value, label in choices),
    )


def refuse(record, reason, name=None):
    """Raise the ``ValidationError`` of ``reason`` about ``record`` (a saved record, or
    the model of one being created, named ``name``): the kind of record and its name,
    shortened, then the reason."""
    env = record.env
    kind = env["ir.model"]._get(record._name).name or record._description
    if name is None and record:
        name = record[:1].display_name
    what = env._("%(kind)s %(name)s", kind=kind, name=quoted(env, name)) if name else kind
    raise ValidationError(env._("%(what)s: %(reason)s", what=what, reason=reason))
