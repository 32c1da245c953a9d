"""The ``specification`` the web client sends for a view (as ``bench/bench_vanilla.py``)."""

from lxml import etree


def view_spec(model, view_type):
    """Fields of the default ``view_type`` view of ``model`` (a recordset), relational
    ones with their display name, x2many with their sub-view's fields."""
    arch = etree.fromstring(model.get_views([(False, view_type)])["views"][view_type]["arch"])
    return _spec(model, arch)


def _spec(model, node):
    spec = {}
    for field_node in node.iter("field"):
        name = field_node.get("name")
        if name not in model._fields or _nested(field_node, node):
            continue
        field = model._fields[name]
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


def _nested(field_node, root):
    parent = field_node.getparent()
    while parent is not None and parent is not root:
        if parent.tag == "field":
            return True
        parent = parent.getparent()
    return False
