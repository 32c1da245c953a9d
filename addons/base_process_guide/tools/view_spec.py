"""The ``specification`` the web client sends to ``web_read``/``web_search_read`` for a
view: the read-path query budgets of the tests and ``bench/bench_vanilla.py`` read what
the views ask for, with this one helper."""

from lxml import etree

# fields the web client reads for a widget besides its own (the widgets' ``fieldDependencies``
# in Odoo's JavaScript, for the widgets of the CRM and helpdesk views)
WIDGET_DEPENDENCIES = {
    # mail/static/src/views/fields/statusbar_duration/statusbar_duration_field.js
    "statusbar_duration": ("duration_tracking",),
    # mail/static/src/views/web/fields/kanban_activity/kanban_activity.js
    "kanban_activity": (
        "activity_exception_decoration",
        "activity_exception_icon",
        "activity_state",
        "activity_summary",
        "activity_type_icon",
        "activity_type_id",
    ),
}


def view_spec(model, view_type):
    """Fields of the default ``view_type`` view of ``model`` (a recordset), relational
    ones with their display name, x2many with their sub-view's fields, and the fields
    their widgets depend on (``WIDGET_DEPENDENCIES``)."""
    arch = etree.fromstring(model.get_views([(False, view_type)])["views"][view_type]["arch"])
    return _spec(model, arch)


def _spec(model, node):
    spec = {}
    for field_node in node.iter("field"):
        name = field_node.get("name")
        if name not in model._fields or _nested(field_node, node):
            continue
        field = model._fields[name]
        for dependency in WIDGET_DEPENDENCIES.get(field_node.get("widget"), ()):
            if dependency in model._fields:
                spec.setdefault(dependency, _plain_spec(model._fields[dependency]))
        if field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            sub = next((child for child in field_node if child.tag in ("list", "kanban")), None)
            comodel = model.env[field.comodel_name]
            spec[name] = {
                "fields": _spec(comodel, sub) if sub is not None else {"display_name": {}},
                "limit": 40,
            }
        else:
            spec[name] = {}
    return spec


def _plain_spec(field):
    return {"fields": {"display_name": {}}} if field.type == "many2one" else {}


def _nested(field_node, root):
    parent = field_node.getparent()
    while parent is not None and parent is not root:
        if parent.tag == "field":
            return True
        parent = parent.getparent()
    return False
