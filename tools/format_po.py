#!/usr/bin/env python3
"""Write the add-ons' translation catalogues in Odoo's export format.

Usage: format_po.py [--check] FOLDER [FOLDER ...]

Every i18n/*.po and *.pot file under the folders is written as Odoo's
exporter (and OCA's po-pretty-format) writes it: entries sorted by msgid,
lines wrapped at 78 columns by polib. Only the layout changes: no entry,
translation, comment, reference or flag is added, removed or altered (unlike
OCA's autofix, a translation equal to its source text is kept: the catalogue
tests count it as translated). With --check, nothing is written: the files
that are not in that format are listed and the exit code is 1.
"""

import sys
from pathlib import Path

import polib


def catalogues(folders):
    for folder in folders:
        for path in sorted(Path(folder).rglob("i18n/*.po*")):
            if path.suffix in (".po", ".pot"):
                yield path


def pretty(text):
    catalogue = polib.pofile(text)
    catalogue.sort(key=lambda entry: entry.msgid)
    return str(catalogue)


def entries(text):
    return sorted(
        (
            e.msgctxt or "",
            e.msgid,
            e.msgstr,
            tuple(sorted(e.occurrences)),
            e.comment,
            e.tcomment,
            tuple(e.flags),
        )
        for e in polib.pofile(text)
    )


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    folders = [a for a in args if a != "--check"]
    if not folders:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    stale = []
    for path in catalogues(folders):
        text = path.read_text(encoding="utf-8")
        formatted = pretty(text)
        if formatted == text:
            continue
        if (
            entries(formatted) != entries(text)
            or polib.pofile(formatted).metadata != polib.pofile(text).metadata
        ):
            print(f"{path}: formatting would change its entries", file=sys.stderr)
            return 2
        stale.append(path)
        if not check:
            path.write_text(formatted, encoding="utf-8")
    for path in stale:
        print(f"{path}: {'not in Odoo export format' if check else 'reformatted'}")
    if check and stale:
        print("format_po: run python tools/format_po.py addons", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
