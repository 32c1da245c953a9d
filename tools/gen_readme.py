#!/usr/bin/env python3
"""Build each add-on's README.rst from its readme/*.md fragments (OCA layout).

Usage: gen_readme.py [--check] ADDON_DIR...
With --check, exit 1 when a README.rst is missing or out of date.
"""

import ast
import re
import sys
from pathlib import Path

SECTIONS = [("CONFIGURE.md", "Configuration"), ("USAGE.md", "Usage"), ("CONTRIBUTORS.md", "Contributors")]


def md_to_rst(text):
    out = []
    for line in text.strip().splitlines():
        line = re.sub(r"`([^`]+)`", r"``\1``", line)
        line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`_", line)
        out.append(line)
    return "\n".join(out) + "\n"


def build(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    title = manifest["name"]
    parts = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        ".. This file is generated from the readme/ fragments by tools/gen_readme.py: do not edit.",
        "",
        f"*{manifest['summary']}*",
        "",
        f"License: {manifest['license']} — Version: {manifest['version']} — "
        f"Status: {manifest.get('development_status', 'Beta')}",
        "",
        md_to_rst((addon / "readme" / "DESCRIPTION.md").read_text()),
        ".. contents::",
        "   :local:",
        "",
    ]
    for fname, heading in SECTIONS:
        path = addon / "readme" / fname
        if path.is_file():
            parts += [heading, "=" * len(heading), "", md_to_rst(path.read_text())]
    return "\n".join(parts).rstrip() + "\n"


def main(argv):
    check = "--check" in argv
    stale = []
    for arg in [a for a in argv if a != "--check"]:
        addon = Path(arg)
        if not (addon / "readme" / "DESCRIPTION.md").is_file():
            continue
        content = build(addon)
        target = addon / "README.rst"
        if check:
            if not target.is_file() or target.read_text() != content:
                stale.append(str(target))
        else:
            target.write_text(content)
    if stale:
        print("README.rst out of date (run tools/gen_readme.py addons/*): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
