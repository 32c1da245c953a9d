"""Shared pieces of the rule-language tests (leads and tickets, every rule model).

``RuleLanguageAttack`` is mixed in after ``RpcCase`` and before a fixture class;
it holds the reported attack (a condition that makes its author Settings
administrator), the memory bomb, and the assertions on their outcome.
"""

import ast
import builtins
import time

from hypothesis import strategies as st

from .rpc_common import RpcError

MEMORY_BOMB = "[('name', 'ilike', 'x' * 10**9)]"


class Probe:
    """A callable installed as a builtin: any evaluation of a condition would call it."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return 1


def install_probe(case):
    """Make ``_guide_probe`` a builtin for the duration of the test."""
    probe = Probe()
    builtins._guide_probe = probe
    case.addCleanup(delattr, builtins, "_guide_probe")
    return probe


class RuleLanguageAttack:
    """Attack helpers for ``RpcCase`` classes."""

    def escalation_payload(self):
        """The reported condition: whoever it is evaluated for joins the Settings group."""
        group = self.env.ref("base.group_system")
        return f"[('id', '!=', user.sudo().write({{'groups_id': [(4, {group.id})]}}))]"

    def is_settings_admin(self, user):
        """Read the membership in SQL: no ORM cache in between."""
        group = self.env.ref("base.group_system")
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT 1 FROM res_groups_users_rel WHERE uid = %s AND gid = %s", (user.id, group.id)
        )
        return bool(self.env.cr.fetchone())

    def assertNotSettingsAdmin(self, *users):
        for user in users:
            self.assertFalse(self.is_settings_admin(user), f"{user.login} became Settings administrator")

    def assertConditionRefused(self, user, model, method, args, rule_label, field_label, protocol):
        """Saving the condition over RPC is refused with a message naming the rule and the field."""
        call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
        with self.assertRaises(RpcError) as caught:
            call(user, model, method, args)
        refusal = caught.exception
        if protocol == "jsonrpc":
            self.assertEqual(refusal.name, "odoo.exceptions.ValidationError")
        self.assertIn("Invalid condition", refusal.message)
        self.assertIn(rule_label, refusal.message)
        self.assertIn(field_label, refusal.message)
        return refusal.message

    def assertBombRefusedQuickly(self, user, model, method, args, rule_label, field_label, protocol="xmlrpc"):
        start = time.monotonic()
        self.assertConditionRefused(user, model, method, args, rule_label, field_label, protocol)
        self.assertLess(time.monotonic() - start, 5.0, "the memory bomb must be refused before it runs")

    def store_legacy_condition(self, record, fname, text):
        """Put ``text`` in a rule as an earlier version could have saved it (no validation)."""
        self.env.flush_all()
        self.env.cr.execute(
            f'UPDATE "{record._table}" SET "{fname}" = %s WHERE id = %s',  # noqa: S608 - test, fixed names
            (text, record.id),
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache()


def is_plain(value):
    """Whether ``value`` is plain data: lists, tuples, str, int, float, bool, None."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if type(value) in (list, tuple):
        return all(is_plain(item) for item in value)
    return False


def literal_domain(text):
    """The domain a literal-only text means, leaves as tuples; None if not a literal."""
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None

    def norm(domain):
        result = []
        for item in domain:
            if isinstance(item, list | tuple):
                left, operator, right = item
                if isinstance(operator, str) and operator.lower() in ("any", "not any"):
                    right = norm(right)
                elif isinstance(right, list | tuple):
                    right = list(right)
                result.append((left, operator, right))
            else:
                result.append(item)
        return result

    return norm(value)


# ------------------------------------------------------------
# hypothesis strategies
# ------------------------------------------------------------
NAMES = [
    "uid",
    "user",
    "env",
    "self",
    "today",
    "now",
    "context_today",
    "datetime",
    "time",
    "relativedelta",
    "company_ids",
    "__import__",
    "__builtins__",
    "os",
    "_guide_probe",
    "_guide_probe()",
    "open",
    "x",
]
ATTRIBUTES = [
    "sudo",
    "write",
    "id",
    "ids",
    "env",
    "cr",
    "execute",
    "strftime",
    "to_utc",
    "company_id",
    "__class__",
    "__globals__",
    "__subclasses__",
    "__builtins__",
    "__dict__",
    "mro",
    "date",
    "combine",
]

atoms = st.one_of(
    st.sampled_from(NAMES),
    st.integers(min_value=-(10**30), max_value=10**30).map(repr),
    st.floats().map(repr),
    st.text(max_size=12).map(repr),
    st.sampled_from(["True", "False", "None", "...", "b'x'", "1j", "'%Y-%m-%d'", "10**9", "'x' * 10**9"]),
)


def _extend(children):
    return st.one_of(
        st.tuples(children, st.lists(children, max_size=3)).map(lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(children, st.sampled_from(["days", "hours", "groups_id", "x"]), children).map(
            lambda t: f"relativedelta({t[1]}={t[2]})" if t[0] == "x" else f"{t[0]}({t[1]}={t[2]})"
        ),
        st.tuples(children, st.sampled_from(ATTRIBUTES)).map(lambda t: f"({t[0]}).{t[1]}"),
        st.tuples(
            children, st.sampled_from(["*", "**", "+", "-", "%", "//", "and", "or", "if 1 else"]), children
        ).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        children.map(lambda c: f"(lambda: {c})"),
        children.map(lambda c: f"(lambda x=({c}): x)()"),
        children.map(lambda c: f"[{c} for _x in range(3)]"),
        children.map(lambda c: f"{{{c}: 1}}"),
        children.map(lambda c: f"f'{{{c}}}'"),
        children.map(lambda c: f"-{c}"),
        children.map(lambda c: f"not {c}"),
        st.lists(children, max_size=4).map(lambda cs: f"[{', '.join(cs)}]"),
        st.lists(children, max_size=4).map(lambda cs: f"({', '.join(cs)},)"),
        st.tuples(children, children).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(children, children).map(lambda t: f"({t[0]} := {t[1]})"),
    )


expressions = st.recursive(atoms, _extend, max_leaves=10)

hostile_conditions = st.one_of(
    expressions,
    expressions.map(lambda e: f"[('name', '=', {e})]"),
    expressions.map(lambda e: f"[('user_id', 'in', [{e}, False])]"),
    st.tuples(expressions, expressions).map(lambda t: f"['|', ('name', 'ilike', {t[0]}), ({t[1]}, '=', 1)]"),
    expressions.map(lambda e: f"[('partner_id', 'any', [('name', '=', {e})])]"),
)

_CHAR_FIELDS = ["name", "email_from", "phone", "city", "street", "contact_name"]
_NUMBER_FIELDS = ["expected_revenue", "probability"]
# NUL is no text PostgreSQL holds: a condition comparing with it is refused at save
_TEXTS = st.text(st.characters(exclude_characters="\x00"), max_size=40)
_char_leaf = st.tuples(
    st.sampled_from(_CHAR_FIELDS),
    st.sampled_from(["=", "!=", "ilike", "not ilike", "like", "=like", "=ilike"]),
    _TEXTS,
)
_in_leaf = st.tuples(
    st.sampled_from(_CHAR_FIELDS), st.sampled_from(["in", "not in"]), st.lists(_TEXTS, max_size=5)
)
_number_leaf = st.tuples(
    st.sampled_from(_NUMBER_FIELDS),
    st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
    st.one_of(
        st.integers(min_value=-(10**9), max_value=10**9),
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    ),
)
_bool_leaf = st.tuples(
    st.sampled_from(["partner_id", "user_id", "email_from"]), st.sampled_from(["=", "!="]), st.just(False)
)
_leaf = st.one_of(_char_leaf, _in_leaf, _number_leaf, _bool_leaf)


def _tree(children):
    return st.one_of(
        st.tuples(st.sampled_from(["&", "|"]), children, children).map(lambda t: [t[0], *t[1], *t[2]]),
        children.map(lambda c: ["!", *c]),
    )


_domain_tree = st.recursive(_leaf.map(lambda leaf: [leaf]), _tree, max_leaves=8)
valid_domains = st.lists(_domain_tree, max_size=4).map(
    lambda parts: [item for part in parts for item in part]
)


def domain_text(domain, as_lists=False):
    """Python source of a domain, leaves as tuples or lists."""
    if not as_lists:
        return repr(domain)
    return repr([list(item) if isinstance(item, tuple) else item for item in domain])
