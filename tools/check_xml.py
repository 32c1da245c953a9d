#!/usr/bin/env python3
"""Check the XML files of Odoo add-ons.

Usage: check_xml.py FOLDER [FOLDER ...]

Every *.xml file under the folders must be well-formed, and within one module
(the nearest folder holding a __manifest__.py) no XML id may be defined twice
by <record>, <template> or <menuitem> elements. The formatting checks of OCA's
pre-commit set that apply to XML (its prettier and pre-commit-hooks steps):
an XML declaration with the UTF-8 encoding first, LF line ends, no tab, no
trailing whitespace, one final newline. Exits 1 listing the problems, 0 when
there are none.
"""

import re
import sys
from collections import defaultdict
from pathlib import Path

from lxml import etree

SKIP_DIRS = {".git", "__pycache__", "node_modules", ".venv"}
ID_TAGS = ("record", "template", "menuitem")


def xml_files(folder):
    for path in sorted(Path(folder).rglob("*.xml")):
        if not SKIP_DIRS.intersection(path.parts):
            yield path


XML_DECLARATION = re.compile(rb'<\?xml version="1\.0" encoding="utf-8" ?\?>\n', re.IGNORECASE)


def formatting_problems(path):
    data = path.read_bytes()
    problems = []
    if not XML_DECLARATION.match(data):
        problems.append('does not start with <?xml version="1.0" encoding="UTF-8" ?>')
    if b"\r" in data:
        problems.append("has CR line ends (LF only)")
    if not data.endswith(b"\n") or data.endswith(b"\n\n"):
        problems.append("does not end with exactly one newline")
    for number, line in enumerate(data.split(b"\n"), 1):
        if b"\t" in line:
            problems.append(f"line {number}: tab (indent with spaces)")
        if line.rstrip(b"\r") != line.rstrip():
            problems.append(f"line {number}: trailing whitespace")
    return [f"{path}: {problem}" for problem in problems]


def module_of(path):
    """Name of the add-on holding path, or None outside any add-on."""
    for parent in path.parents:
        if (parent / "__manifest__.py").is_file():
            return parent.name
    return None


def check(folders):
    problems = []
    # (module, full xml id) -> files defining it
    definitions = defaultdict(list)
    for folder in folders:
        for path in xml_files(folder):
            problems += formatting_problems(path)
            try:
                tree = etree.parse(str(path))
            except etree.XMLSyntaxError as exc:
                problems.append(f"{path}: not well-formed: {exc}")
                continue
            module = module_of(path)
            # static/ holds web client (OWL) templates, not data records.
            if module is None or "static" in path.parts:
                continue
            for element in tree.iter(*ID_TAGS):
                xmlid = element.get("id")
                if not xmlid:
                    continue
                full_id = xmlid if "." in xmlid else f"{module}.{xmlid}"
                definitions[module, full_id].append(f"{path}:{element.sourceline}")
    for (module, full_id), places in sorted(definitions.items()):
        if len(places) > 1:
            problems.append(f"duplicate XML id {full_id} in module {module}: {', '.join(places)}")
    return problems


def main(argv=None):
    folders = sys.argv[1:] if argv is None else argv
    if not folders:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    missing = [f for f in folders if not Path(f).is_dir()]
    if missing:
        print(f"check_xml: no such folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    problems = check(folders)
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_xml: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
