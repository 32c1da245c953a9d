"""A condition in words: what the screens show of a rule-language template.

Audit screens (a process version's design, a policy version) show the conditions that
applied to the people who read them, not to developers: each criterion is worded with
the labels of its fields in the reader's language, its values as the screens show them
(the names of the records it names, the labels of selection values, "is set"), the
named values by what they mean ("the current user", "today − 7 days") and the logic
with "and", "or", "not". Nothing is evaluated: this reads the template
(:func:`guide_rule_language.parse`) only.
"""

from odoo.tools.misc import formatLang

from . import guide_rule_language as rule_language

SYMBOLS = {"=": "=", "==": "=", "!=": "≠", "<>": "≠", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}
RELATIONAL = ("many2one", "many2many", "one2many")


class RuleWords:
    """Words of the templates of one model, in the language of ``env``."""

    def __init__(self, env, model_name):
        self.env = env
        self.model_name = model_name

    def domain(self, template, model_name=None):
        """The words of a template (a ``Domain``); "" when it has no criterion."""
        model_name = model_name or self.model_name
        items = list(template.items)
        if not items:
            return ""
        nodes = []
        position = 0
        while position < len(items):
            node, position = self._node(items, position, model_name)
            nodes.append(node)
        return self._render(("&", nodes) if len(nodes) > 1 else nodes[0])

    # structure -------------------------------------------------------
    def _node(self, items, position, model_name):
        item = items[position]
        if item in ("&", "|"):
            left, position = self._node(items, position + 1, model_name)
            right, position = self._node(items, position, model_name)
            return (item, [left, right]), position
        if item == "!":
            operand, position = self._node(items, position + 1, model_name)
            return ("!", [operand]), position
        return self.leaf(item, model_name), position + 1

    def _render(self, node, parent=None):
        if isinstance(node, str):
            return node
        operator, operands = node
        if operator == "!":
            return self.env._("not (%(condition)s)", condition=self._render(operands[0]))
        parts = []
        for operand in operands:
            if not isinstance(operand, str) and operand[0] == operator:
                parts.append(self._render(operand, operator))
            else:
                text = self._render(operand, operator)
                parts.append(f"({text})" if not isinstance(operand, str) and operand[0] != "!" else text)
        word = self.env._("and") if operator == "&" else self.env._("or")
        return f" {word} ".join(parts)

    # criteria --------------------------------------------------------
    def leaf(self, leaf, model_name):
        if leaf.left in (0, 1):
            return self.env._("always") if leaf.left == 1 else self.env._("never")
        label, field = self._path(leaf.left, model_name)
        operator = leaf.operator.lower()
        value = leaf.right
        if operator in ("any", "not any"):
            sub = self.domain(value, field.comodel_name if field is not None and field.relational else None)
            if operator == "any":
                return self.env._("%(field)s has one where %(condition)s", field=label, condition=sub)
            return self.env._("%(field)s has none where %(condition)s", field=label, condition=sub)
        equal = operator in ("=", "==")
        if field is not None and field.type == "boolean" and (equal or operator in ("!=", "<>")):
            if bool(value) == equal:
                return self.env._("%(field)s: yes", field=label)
            return self.env._("%(field)s: no", field=label)
        if (equal or operator in ("!=", "<>")) and (value is False or value is None):
            return self._set(label, not equal)
        shown = self.value(value, field)
        if operator in SYMBOLS:
            return f"{label} {SYMBOLS[operator]} {shown}"
        phrases = {
            "in": self.env._("%(field)s is one of %(value)s"),
            "not in": self.env._("%(field)s is none of %(value)s"),
            "ilike": self.env._("%(field)s contains %(value)s"),
            "not ilike": self.env._("%(field)s does not contain %(value)s"),
            "like": self.env._("%(field)s contains %(value)s (same case)"),
            "not like": self.env._("%(field)s does not contain %(value)s (same case)"),
            "=like": self.env._("%(field)s matches %(value)s"),
            "=ilike": self.env._("%(field)s matches %(value)s"),
            "=?": self.env._("%(field)s = %(value)s (if given)"),
            "child_of": self.env._("%(field)s is or is under %(value)s"),
            "parent_of": self.env._("%(field)s is or is above %(value)s"),
        }
        phrase = phrases.get(operator, "%(field)s " + leaf.operator + " %(value)s")
        return phrase % {"field": label, "value": shown}

    def _set(self, label, is_set):
        if is_set:
            return self.env._("%(field)s is set", field=label)
        return self.env._("%(field)s is not set", field=label)

    def _path(self, path, model_name):
        """The labels of a field path ("Customer › Tax ID") and its last field (or None)."""
        labels = []
        field = None
        model = self.env[model_name] if model_name in self.env else None
        for name in path.split("."):
            field = model._fields.get(name) if model is not None else None
            if field is None:
                labels.append(name)
                model = None
                continue
            labels.append(field._description_string(self.env))
            model = self.env[field.comodel_name] if field.relational else None
        return " › ".join(labels), field

    # values ----------------------------------------------------------
    def value(self, value, field):
        if isinstance(value, rule_language.ListValue):
            items = [item for item in value.items if not isinstance(item, rule_language.Named)]
            named = [self.named(item) for item in value.items if isinstance(item, rule_language.Named)]
            if field is not None and field.type in RELATIONAL:
                shown = self._records(field, [item for item in items if type(item) is int])
                shown += [self.value(item, None) for item in items if type(item) is not int]
            else:
                shown = [self.value(item, field) for item in items]
            return "(" + ", ".join(shown + named) + ")"
        if isinstance(value, rule_language.Named):
            return self.named(value)
        if isinstance(value, rule_language.Formatted):
            return self.value(value.value, field)
        if isinstance(value, rule_language.DateValue | rule_language.DatetimeValue):
            return self.moment(value)
        if value is None or value is False:
            return self.env._("not set")
        if value is True:
            return self.env._("set")
        if field is not None and field.type in RELATIONAL and type(value) is int:
            return self._records(field, [value])[0]
        if field is not None and field.type == "selection" and isinstance(value, str):
            labels = dict(field._description_selection(self.env))
            return f"“{labels.get(value, value)}”"
        if isinstance(value, str):
            return f"“{value}”"
        if isinstance(value, int | float):
            return self.number(value)
        return str(value)

    def number(self, value):
        """A number as the reader's language writes it (50,000; 0.5)."""
        if isinstance(value, float) and not value.is_integer():
            digits = min(len(f"{value:.6f}".rstrip("0").split(".")[1]), 6)
        else:
            digits = 0
        return formatLang(self.env, value, digits=digits)

    def _records(self, field, ids):
        """The names of the records of ``ids`` the reader may read (``#id`` for the others)."""
        if not ids:
            return []
        Comodel = self.env[field.comodel_name].with_context(active_test=False)
        readable = Comodel.browse(Comodel._search([("id", "in", ids)]))
        names = {record.id: f"“{record.display_name}”" for record in readable}
        return [names.get(record_id, f"#{record_id}") for record_id in ids]

    def named(self, value):
        return {
            "uid": self.env._("the current user"),
            "company_id": self.env._("the current company"),
            "company_ids": self.env._("the user's companies"),
        }.get(value.name, value.name)

    def moment(self, value):
        if isinstance(value, rule_language.DateValue):
            base = self.env._("today")
        elif value.base == "now":
            base = self.env._("now")
        else:
            _at, hours, minutes, _seconds = value.base
            day = self.moment(value.day)
            time = f"{hours:02d}:{minutes:02d}"
            base = self.env._("%(day)s at %(time)s", day=day, time=time)
        return base + self.offset(value.offset)

    def offset(self, offset):
        units = {
            "years": self.env._("years"),
            "months": self.env._("months"),
            "weeks": self.env._("weeks"),
            "days": self.env._("days"),
            "hours": self.env._("hours"),
            "minutes": self.env._("minutes"),
            "seconds": self.env._("seconds"),
        }
        return "".join(
            f" {'−' if amount < 0 else '+'} {abs(amount)} {units.get(unit, unit)}"
            for unit, amount in (offset or ())
            if amount
        )


def domain_words(env, model_name, text):
    """The words of the condition ``text`` on ``model_name`` in the language of ``env``; the
    text itself when the rule language refuses it (a condition saved before it was checked)."""
    try:
        template = rule_language.parse(text)
    except rule_language.GuideConditionError:
        return text or ""
    return RuleWords(env, model_name).domain(template)
