"""The rule language: a condition is data, never code.

A condition is the text of an Odoo domain. It is read with ``ast.parse`` and
walked node by node; nothing in it is ever executed. Accepted:

- literals: lists, tuples, strings, integers, floats, booleans, ``None`` and
  negative numbers;
- the domain operators ``'&'``, ``'|'``, ``'!'`` and criteria
  ``(field path, operator, value)`` (``any`` / ``not any`` take a domain);
- named values the engine computes when the condition is evaluated:
  ``uid`` / ``user_id`` (the current user's id), ``company_id`` (the current
  company's id), ``company_ids`` (the user's allowed companies, a list that may
  be extended: ``company_ids + [False]``), ``today`` (the user's date,
  ``'YYYY-MM-DD'``), ``now`` (UTC, ``'YYYY-MM-DD HH:MM:SS'``) and relative
  dates ``today(-7)``, ``today(months=-1)``, ``now(hours=-4)``;
- the expressions of earlier versions and of Odoo's domain editor, recognised
  by their shape (not run): ``user.id``, ``user.company_id.id``,
  ``user.company_ids.ids``, ``context_today()`` with ``+``/``-``
  ``relativedelta(...)``/``timedelta(...)`` and ``.strftime('%Y-%m-%d')``,
  ``datetime.datetime.combine(<date>, datetime.time(h, m, s))`` with
  ``.to_utc()`` and ``.strftime('%Y-%m-%d %H:%M:%S')``,
  ``datetime.date.today()``, ``datetime.datetime.now()``,
  ``time.strftime('%Y-%m-%d')``.

Everything else (calls, attributes, arithmetic, comprehensions, f-strings,
names...) is refused. The text, every string, the number of criteria, the
nesting depth and numbers are bounded.

:func:`parse` returns an immutable template (cached on the text);
:func:`resolve` turns it into a plain domain with the named values of the
moment, so ``today`` is always today.
"""

import ast
import functools
import math
from collections import namedtuple
from datetime import datetime
from datetime import time as dt_time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__, default_lang="en_US")

MAX_TEXT = 10_000  # characters of a condition
MAX_STRING = 1_000  # characters of a string literal
MAX_LEAVES = 200  # criteria in a condition, nested ones included
MAX_ITEMS = 1_000  # values in a list
MAX_DEPTH = 12  # nesting of lists, criteria and sub-domains
MAX_INT = 2**53  # magnitude of a number
# bounds of relative dates: about two centuries each, so no date overflows
MAX_OFFSET = {
    "years": 200,
    "months": 2_400,
    "weeks": 10_000,
    "days": 73_000,
    "hours": 1_752_000,
    "minutes": 105_120_000,
    "seconds": 6_307_200_000,
}
DATE_UNITS = ("years", "months", "weeks", "days")
DOMAIN_OPERATORS = ("&", "|", "!")
TERM_OPERATORS = (
    "=",
    "!=",
    "<>",
    "<=",
    "<",
    ">",
    ">=",
    "=?",
    "=like",
    "=ilike",
    "like",
    "not like",
    "ilike",
    "not ilike",
    "in",
    "not in",
    "child_of",
    "parent_of",
    "any",
    "not any",
)
DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
SCALAR_NAMES = {"uid": "uid", "user_id": "uid", "company_id": "company_id"}
LEGACY_ATTRIBUTES = {
    ("user", "id"): "uid",
    ("user", "company_id", "id"): "company_id",
    ("user", "company_ids", "ids"): "company_ids",
}


class GuideConditionError(ValueError):
    """A condition the rule language refuses; ``str()`` is a translated reason."""


def _error(message):
    return GuideConditionError(message)


# ------------------------------------------------------------
# TEMPLATE (immutable, cached)
# ------------------------------------------------------------
Leaf = namedtuple("Leaf", "left operator right")
"""A criterion; ``right`` is a value, or a domain for ``any`` / ``not any``."""

Domain = namedtuple("Domain", "items")
"""A (sub-)domain: operators and ``Leaf``."""

ListValue = namedtuple("ListValue", "items")
"""A list of values (a named list among them is spliced in)."""

Named = namedtuple("Named", "name")
"""``uid``, ``company_id`` or ``company_ids``."""

DateValue = namedtuple("DateValue", "base offset")
"""A date: base ``today`` (the user's) or ``utc_today``, plus ``offset``."""

DatetimeValue = namedtuple("DatetimeValue", "base offset day utc")
"""A datetime: ``now`` (UTC), or ``day`` (a DateValue) at a time of day
``base`` = ("at", h, m, s), in the user's time zone unless ``utc``."""

Formatted = namedtuple("Formatted", "value format")
"""A DateValue / DatetimeValue written as a string."""


def _is_company_ids(value):
    return isinstance(value, Named) and value.name == "company_ids"


@functools.lru_cache(maxsize=512)
def _parse_cached(text):
    try:
        return True, _Parser().parse(text)
    except GuideConditionError as exc:
        return False, exc
    except RecursionError:
        return False, _error(_lt("the condition is nested too deeply"))


def parse(text):
    """The template of a condition text; raise :class:`GuideConditionError`.

    Nothing is executed: the text is only read as a syntax tree.
    """
    if not text:
        return Domain(())
    if not isinstance(text, str):
        raise _error(_lt("a condition must be a text"))
    if len(text) > MAX_TEXT:
        raise _error(
            _lt(
                "the condition is %(length)s characters long, more than %(max)s",
                length=len(text),
                max=MAX_TEXT,
            )
        )
    ok, result = _parse_cached(text)
    if not ok:
        # a fresh exception: re-raising the cached one would grow its traceback
        raise GuideConditionError(*result.args)
    return result


class _Parser:
    def __init__(self):
        self.leaves = 0

    def parse(self, text):
        text = text.strip()
        if not text:
            return Domain(())
        try:
            tree = ast.parse(text, mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            raise _error(_lt("the condition is not a valid domain (%(error)s)", error=str(exc))) from None
        return self.domain(tree.body, 0)

    # structure -------------------------------------------------------
    def domain(self, node, depth):
        if not isinstance(node, ast.List | ast.Tuple):
            raise _error(_lt("a condition must be a list of criteria, like [('name', 'ilike', 'x')]"))
        self.check_depth(depth)
        items = []
        expected = 1  # operands still expected, as in expression.normalize_domain
        for element in node.elts:
            if expected == 0:
                expected = 1  # implicit '&'
            if isinstance(element, ast.Constant) and element.value in DOMAIN_OPERATORS:
                items.append(element.value)
                expected += 1 if element.value != "!" else 0
            elif isinstance(element, ast.List | ast.Tuple):
                items.append(self.leaf(element, depth + 1))
                expected -= 1
            else:
                raise _error(
                    _lt(
                        "%(element)s is not a criterion (field, operator, value) nor '&', '|', '!'",
                        element=self.show(element),
                    )
                )
        if items and expected:
            raise _error(_lt("the operators '&', '|', '!' do not match the number of criteria"))
        return Domain(tuple(items))

    def leaf(self, node, depth):
        self.check_depth(depth)
        if len(node.elts) != 3:
            raise _error(
                _lt("%(element)s is not a criterion (field, operator, value)", element=self.show(node))
            )
        self.leaves += 1
        if self.leaves > MAX_LEAVES:
            raise _error(_lt("the condition has more than %(max)s criteria", max=MAX_LEAVES))
        left, operator, right = node.elts
        if not (isinstance(operator, ast.Constant) and isinstance(operator.value, str)):
            raise _error(_lt("%(operator)s is not an operator", operator=self.show(operator)))
        op = operator.value
        if op.lower() not in TERM_OPERATORS:
            raise _error(_lt("%(operator)s is not an operator", operator=self.show(operator)))
        if isinstance(left, ast.Constant) and type(left.value) is int and left.value in (0, 1):
            # TRUE_LEAF (1, '=', 1) and FALSE_LEAF (0, '=', 1)
            if not (
                op == "="
                and isinstance(right, ast.Constant)
                and type(right.value) is int
                and right.value == 1
            ):
                raise _error(_lt("%(element)s is not a criterion", element=self.show(node)))
            return Leaf(left.value, op, 1)
        if not (isinstance(left, ast.Constant) and isinstance(left.value, str) and left.value):
            raise _error(_lt("%(field)s is not a field name", field=self.show(left)))
        path = left.value
        if len(path) > MAX_STRING or not all(part.isidentifier() for part in path.split(".")):
            raise _error(_lt("%(field)s is not a field name", field=self.show(left)))
        if op.lower() in ("any", "not any"):
            return Leaf(path, op, self.domain(right, depth + 1))
        return Leaf(path, op, self.value(right, depth + 1))

    # values ---------------------------------------------------------
    def value(self, node, depth, in_list=False):
        self.check_depth(depth)
        if isinstance(node, ast.Constant):
            return self.constant(node.value, node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand = node.operand
            if (
                isinstance(operand, ast.Constant)
                and isinstance(operand.value, int | float)
                and not isinstance(operand.value, bool)
            ):
                return self.constant(-operand.value, node)
            raise _error(_lt("only a number can be negative: %(value)s", value=self.show(node)))
        if isinstance(node, ast.List | ast.Tuple):
            if in_list:
                raise _error(_lt("a list cannot hold a list: %(value)s", value=self.show(node)))
            if len(node.elts) > MAX_ITEMS:
                raise _error(_lt("a list holds more than %(max)s values", max=MAX_ITEMS))
            return ListValue(tuple(self.value(elt, depth + 1, in_list=True) for elt in node.elts))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and not in_list:
            parts = (self.list_part(node.left, depth + 1), self.list_part(node.right, depth + 1))
            if parts[0] is not None and parts[1] is not None:
                return ListValue(tuple(item for part in parts for item in part))
        named = self.named(node, depth)
        if named is not None:
            if in_list and _is_company_ids(named):
                raise _error(_lt("a list cannot hold a list: %(value)s", value=self.show(node)))
            return named
        raise _error(
            _lt(
                "%(value)s is not a value: use literals (text, numbers, True, False, None, lists) "
                "or the named values uid, company_id, company_ids, today, now",
                value=self.show(node),
            )
        )

    def list_part(self, node, depth):
        """The items of a list literal or ``company_ids`` (for ``+``), else None."""
        self.check_depth(depth)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.list_part(node.left, depth + 1), self.list_part(node.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.List | ast.Tuple):
            return self.value(node, depth).items
        if _is_company_ids(self.named(node, depth)):
            return (Named("company_ids"),)
        return None

    def constant(self, value, node):
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise _error(_lt("a text in the condition is longer than %(max)s characters", max=MAX_STRING))
            return value
        if isinstance(value, int):
            if abs(value) > MAX_INT:
                raise _error(_lt("the number %(value)s is too large", value=self.show(node)))
            return value
        if isinstance(value, float):
            if not math.isfinite(value) or abs(value) > MAX_INT:
                raise _error(_lt("the number %(value)s is too large", value=self.show(node)))
            return value
        raise _error(_lt("%(value)s is not a value", value=self.show(node)))

    # named values ----------------------------------------------------
    def named(self, node, depth):
        """A named value or None; an invalid use of a known name raises."""
        self.check_depth(depth)
        if isinstance(node, ast.Name):
            if node.id in SCALAR_NAMES:
                return Named(SCALAR_NAMES[node.id])
            if node.id == "company_ids":
                return Named("company_ids")
        dotted = self.dotted(node)
        if dotted in LEGACY_ATTRIBUTES:
            return Named(LEGACY_ATTRIBUTES[dotted])
        temporal = self.temporal(node, depth)
        if isinstance(temporal, DateValue | DatetimeValue | Formatted):
            return temporal
        return None

    @staticmethod
    def dotted(node):
        """('a', 'b', 'c') for ``a.b.c``, else None."""
        names = []
        while isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        names.append(node.id)
        return tuple(reversed(names))

    def call(self, node, *dotted):
        """Whether ``node`` calls ``dotted`` (one of the given spellings)."""
        return isinstance(node, ast.Call) and self.dotted(node.func) in dotted

    def temporal(self, node, depth):
        """A DateValue, DatetimeValue or Formatted for a date expression, else None."""
        self.check_depth(depth)
        dotted = self.dotted(node)
        if dotted == ("today",):
            return DateValue("today", ())
        if dotted == ("now",):
            return DatetimeValue("now", (), None, True)
        if self.call(node, ("today",), ("now",)):
            name = node.func.id
            offset = self.offset(node, name == "today", allow_positional=name == "today")
            if name == "today":
                return DateValue("today", offset)
            return DatetimeValue("now", offset, None, True)
        if self.call(node, ("context_today",)):
            self.no_arguments(node)
            return DateValue("today", ())
        if self.call(node, ("datetime", "date", "today")):
            self.no_arguments(node)
            return DateValue("utc_today", ())
        if self.call(node, ("datetime", "datetime", "now"), ("datetime", "datetime", "today")):
            self.no_arguments(node)
            return DatetimeValue("now", (), None, True)
        if self.call(node, ("time", "strftime")):
            return Formatted(DatetimeValue("now", (), None, True), self.format(node))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            base = self.temporal(node.left, depth + 1)
            if not isinstance(base, DateValue | DatetimeValue):
                return None
            delta = self.delta(node.right, isinstance(base, DateValue))
            if delta is None:
                return None
            if isinstance(node.op, ast.Sub):
                delta = tuple((unit, -amount) for unit, amount in delta)
            return base._replace(offset=self.add_offsets(base.offset, delta))
        if self.call(node, ("datetime", "datetime", "combine")):
            if node.keywords or len(node.args) != 2:
                raise _error(_lt("datetime.datetime.combine takes a date and a time"))
            day = self.temporal(node.args[0], depth + 1)
            at = node.args[1]
            if not isinstance(day, DateValue) or not self.call(at, ("datetime", "time")):
                raise _error(_lt("datetime.datetime.combine takes a date and a time"))
            if at.keywords or len(at.args) > 3:
                raise _error(_lt("datetime.time takes hours, minutes and seconds"))
            hms = [self.integer(arg) for arg in at.args] + [0] * (3 - len(at.args))
            if not (0 <= hms[0] < 24 and 0 <= hms[1] < 60 and 0 <= hms[2] < 60):
                raise _error(_lt("datetime.time takes hours, minutes and seconds"))
            return DatetimeValue(("at", *hms), (), day, False)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "to_utc":
                base = self.temporal(node.func.value, depth + 1)
                if isinstance(base, DatetimeValue):
                    self.no_arguments(node)
                    return base._replace(utc=True)
            if node.func.attr == "strftime":
                base = self.temporal(node.func.value, depth + 1)
                if isinstance(base, DateValue | DatetimeValue):
                    fmt = self.format(node)
                    if isinstance(base, DateValue) and fmt != DATE_FORMAT:
                        raise _error(_lt("a date is written with strftime(%(format)r)", format=DATE_FORMAT))
                    return Formatted(base, fmt)
        return None

    def delta(self, node, on_date):
        if self.call(node, ("relativedelta",), ("dateutil", "relativedelta", "relativedelta")):
            return self.offset(node, on_date)
        if self.call(node, ("timedelta",), ("datetime", "timedelta")):
            offset = self.offset(node, on_date)
            if any(unit in ("years", "months") for unit, _amount in offset):
                raise _error(_lt("timedelta takes weeks, days, hours, minutes or seconds"))
            return offset
        return None

    def offset(self, node, on_date, allow_positional=False):
        """The ((unit, amount), ...) of today(...), now(...), relativedelta(...)."""
        units = DATE_UNITS if on_date else tuple(MAX_OFFSET)
        offset = {}
        if node.args:
            if not allow_positional or len(node.args) > 1:
                raise _error(
                    _lt("write offsets with names, like %(example)s", example="relativedelta(days=-7)")
                )
            offset["days"] = self.integer(node.args[0])
        for keyword in node.keywords:
            if keyword.arg not in units or keyword.arg in offset:
                raise _error(
                    _lt(
                        "%(unit)s is not an offset here; use %(units)s",
                        unit=keyword.arg or "**",
                        units=", ".join(units),
                    )
                )
            offset[keyword.arg] = self.integer(keyword.value)
        for unit, amount in offset.items():
            if abs(amount) > MAX_OFFSET[unit]:
                raise _error(_lt("an offset of %(amount)s %(unit)s is too large", amount=amount, unit=unit))
        return tuple(sorted(offset.items()))

    @staticmethod
    def add_offsets(first, second):
        total = dict(first)
        for unit, amount in second:
            total[unit] = total.get(unit, 0) + amount
            if abs(total[unit]) > MAX_OFFSET[unit]:
                raise _error(
                    _lt("an offset of %(amount)s %(unit)s is too large", amount=total[unit], unit=unit)
                )
        return tuple(sorted(total.items()))

    def integer(self, node):
        value = node
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value = node.operand
        if not (isinstance(value, ast.Constant) and type(value.value) is int):
            raise _error(_lt("%(value)s is not a whole number", value=self.show(node)))
        number = value.value if value is node else -value.value
        if abs(number) > MAX_INT:
            raise _error(_lt("the number %(value)s is too large", value=self.show(node)))
        return number

    def format(self, node):
        if (
            node.keywords
            or len(node.args) != 1
            or not isinstance(node.args[0], ast.Constant)
            or node.args[0].value not in (DATE_FORMAT, DATETIME_FORMAT)
        ):
            raise _error(
                _lt(
                    "strftime takes %(date)s or %(datetime)s",
                    date=repr(DATE_FORMAT),
                    datetime=repr(DATETIME_FORMAT),
                )
            )
        return node.args[0].value

    def no_arguments(self, node):
        if node.args or node.keywords:
            raise _error(_lt("%(value)s takes no arguments", value=self.show(node)))

    @staticmethod
    def check_depth(depth):
        if depth > MAX_DEPTH:
            raise _error(_lt("the condition is nested more than %(max)s levels deep", max=MAX_DEPTH))

    @staticmethod
    def show(node):
        """A short excerpt of the source of ``node`` for messages."""
        try:
            text = ast.unparse(node)
        except Exception:  # noqa: BLE001 - only a label for a message
            text = type(node).__name__
        return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------
# RESOLUTION (at evaluation time)
# ------------------------------------------------------------
class Values:
    """The named values of one evaluation, computed on first use."""

    def __init__(self, env):
        self.env = env

    @functools.cached_property
    def uid(self):
        return self.env.uid

    @functools.cached_property
    def company_id(self):
        return self.env.company.id

    @functools.cached_property
    def company_ids(self):
        return list(self.env.companies.ids)

    @functools.cached_property
    def tz(self):
        name = self.env.context.get("tz") or self.env.user.tz
        try:
            return pytz.timezone(name) if name else pytz.utc
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    @functools.cached_property
    def now(self):
        """UTC now, naive (as Odoo stores datetimes)."""
        return fields.Datetime.now()

    @functools.cached_property
    def today(self):
        """The user's date (``fields.Date.context_today``)."""
        return pytz.utc.localize(self.now).astimezone(self.tz).date()

    @functools.cached_property
    def utc_today(self):
        return self.now.date()


def _apply(base, offset):
    if not offset:
        return base
    return base + relativedelta(**dict(offset))


def _temporal(value, values):
    """The date or naive datetime of a DateValue / DatetimeValue."""
    if isinstance(value, DateValue):
        return _apply(values.today if value.base == "today" else values.utc_today, value.offset)
    if value.base == "now":
        return _apply(values.now, value.offset)
    _at, hours, minutes, seconds = value.base
    moment = datetime.combine(_temporal(value.day, values), dt_time(hours, minutes, seconds))
    moment = _apply(moment, value.offset)
    if value.utc:
        moment = values.tz.localize(moment).astimezone(pytz.utc).replace(tzinfo=None)
    return moment


def _resolve_value(value, values):
    if isinstance(value, Named):
        return getattr(values, value.name)
    if isinstance(value, ListValue):
        result = []
        for item in value.items:
            if _is_company_ids(item):
                result.extend(values.company_ids)
            else:
                result.append(_resolve_value(item, values))
        return result
    if isinstance(value, Formatted):
        return _temporal(value.value, values).strftime(value.format)
    if isinstance(value, DateValue):
        return _temporal(value, values).strftime(DATE_FORMAT)
    if isinstance(value, DatetimeValue):
        moment = _temporal(value, values)
        return moment.strftime(DATETIME_FORMAT)
    return value


def resolve(template, values):
    """The plain domain (a list) of a template, with the named values of ``values``."""
    result = []
    for item in template.items:
        if isinstance(item, Leaf):
            if isinstance(item.right, Domain):
                right = resolve(item.right, values)
            else:
                right = _resolve_value(item.right, values)
            result.append((item.left, item.operator, right))
        else:
            result.append(item)
    return result


def reads_clock(template):
    """Whether a template holds a value relative to the moment it is evaluated
    (``today``, ``now``, their offsets and aliases): such a condition can become
    true with time alone, without any change of the record."""

    def clock_value(value):
        if isinstance(value, DateValue | DatetimeValue | Formatted):
            return True
        if isinstance(value, ListValue):
            return any(clock_value(item) for item in value.items)
        if isinstance(value, Domain):
            return reads_clock(value)
        return False

    return any(isinstance(item, Leaf) and clock_value(item.right) for item in template.items)
