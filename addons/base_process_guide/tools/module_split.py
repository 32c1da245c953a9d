"""Moving records from one module to another on an existing database.

The engines were split out of the CRM modules in 18.0.2.0.0: ``base_process_guide``
took over the generic records of ``crm_process_guide`` (``base_escalation`` of
``crm_escalation``, ``base_policy_compliance`` of ``crm_policy_compliance``). On a
database installed before the split, the engine module is installed by the upgrade
of the bridge that now depends on it; its ``pre_init_hook`` gives it the XML ids
it defines before its data is loaded, so that every record (security rules, reasons,
the cron, views, actions) is updated in place instead of created a second time,
and nothing of the old module that the engine now owns is deleted at the end of
the upgrade. Models and fields need nothing: the ORM gives them the new module's
XML id and drops the old one, and a table or constraint is dropped on uninstall
only when no installed module defines it any more.
"""

import csv
import logging
from pathlib import Path

from lxml import etree

from odoo.modules.module import get_manifest, get_module_path
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# the tags of data files that declare an XML id in their "id" attribute
_ID_TAGS = ("record", "menuitem", "template", "function")
# the parents of ``_inherits`` models among the records an engine ships
_INHERITS_PARENTS = ("ir.actions.server",)


def module_data_ids(module):
    """The unqualified XML ids a module's data and demo files declare."""
    manifest = get_manifest(module)
    module_path = get_module_path(module, display_warning=False)
    if not manifest or not module_path:
        return set()
    path = Path(module_path)
    ids = set()
    for name in manifest.get("data", []) + manifest.get("demo", []):
        file = path / name
        if file.suffix == ".xml":
            tree = etree.parse(str(file))
            for node in tree.iter(*_ID_TAGS):
                xmlid = node.get("id")
                if xmlid and "." not in xmlid:
                    ids.add(xmlid)
            # a record made by a function of the file, which gives it the XML id named
            # among its arguments (the demo's process versions add items this way)
            prefix = f"{module}."
            for value in tree.iterfind("function/value"):
                text = (value.text or "").strip()
                if text.startswith(prefix) and text[len(prefix) :].isidentifier():
                    ids.add(text[len(prefix) :])
        elif file.suffix == ".csv":
            with file.open(encoding="utf-8") as handle:
                ids.update(row["id"] for row in csv.DictReader(handle) if "." not in row.get("id", "."))
    return ids


def take_over_xml_ids(env, old_module, new_module):
    """Give ``new_module`` the XML ids of ``old_module`` that it now declares (and
    ``old_module`` no longer does).

    :return: the number of XML ids moved
    """
    names = module_data_ids(new_module) - module_data_ids(old_module)
    if not names:
        return 0
    # the parent record the ORM made for a record of an ``_inherits`` model (a
    # cron's server action) has the child's XML id with the parent's suffix
    names |= {f"{name}_{model.replace('.', '_')}" for name in names for model in _INHERITS_PARENTS}
    env["ir.model.data"].flush_model(["module", "name"])
    env.cr.execute(
        SQL(
            "UPDATE ir_model_data SET module = %s WHERE module = %s AND name = ANY(%s)",
            new_module,
            old_module,
            sorted(names),
        )
    )
    count = env.cr.rowcount
    env["ir.model.data"].invalidate_model(["module"])
    env.registry.clear_cache()  # xmlid_lookup
    if count:
        _logger.info("%s: took over %s records of %s", new_module, count, old_module)
    return count
