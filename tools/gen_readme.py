#!/usr/bin/env python3
"""Build each add-on's README.rst and static/description/index.html (OCA layout).

Usage: gen_readme.py [--check] ADDON_DIR...

The output is the one of OCA's ``oca-gen-addon-readme`` (OCA/maintainer-tools,
``tools/gen_addon_readme.py`` and its template), run with the organisation and
repository of the manifest's ``website`` and the series of its ``version``:
title, badges (maturity, license, repository), the DESCRIPTION fragment, a table
of contents, the fragments in OCA's order, "Bug Tracker" and "Credits" (authors
from the manifest, contributors, other credits, maintainers). The HTML is
rendered from the RST by docutils' ``html4css1`` writer with OCA's settings
(embedded stylesheet), as Odoo's Apps page shows it.

OCA's tool is not on PyPI and converts the Markdown fragments with pandoc, which
this machine does not have: the small subset of Markdown our fragments use
(paragraphs, ``-``/``1.`` lists, ``code``, **bold**, *italic*, links, fenced
code) is converted here the way pandoc does it (gfm to rst, 72 columns).

With --check, exit 1 when a README.rst or index.html is missing or out of date,
or when static/description/icon.png is not a 128x128 PNG.

The output was checked byte for byte against OCA's tool (maintainer-tools run with
pypandoc_binary and the docutils of the venv, 0.20.1), e.g.::

    python -m tools.gen_addon_readme --org-name process-guide \\
        --repo-name odoo-process-guide --branch 18.0 --addons-dir COPY/addons --no-commit
"""

import ast
import hashlib
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

# fragment name, title, heading level (2: "=", 3: "-"), as OCA's FRAGMENTS
SECTIONS = [
    ("CONTEXT", "Use Cases / Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
]
CREDITS_SECTIONS = [("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits")]
FRAGMENTS = ["DESCRIPTION"] + [name for name, _title in SECTIONS + CREDITS_SECTIONS]

STATUS_URL = "https://odoo-community.org/page/development-status"
STATUS_BADGES = {
    "mature": ("maturity-Mature-brightgreen", "Mature"),
    "production/stable": ("maturity-Production%2FStable-green", "Production/Stable"),
    "beta": ("maturity-Beta-yellow", "Beta"),
    "alpha": ("maturity-Alpha-red", "Alpha"),
}
LICENSE_BADGES = {
    "AGPL-3": ("license-AGPL--3-blue", "http://www.gnu.org/licenses/agpl-3.0-standalone.html"),
    "LGPL-3": ("license-LGPL--3-blue", "http://www.gnu.org/licenses/lgpl-3.0-standalone.html"),
    "GPL-3": ("license-GPL--3-blue", "http://www.gnu.org/licenses/gpl-3.0-standalone.html"),
}

# OCA's RST2HTML_SETTINGS (from pypa/readme_renderer)
RST2HTML_SETTINGS = {
    "file_insertion_enabled": False,
    "halt_level": 2,
    "math_output": "MathJax",
    "raw_enabled": False,
    "smart_quotes": True,
    "syntax_highlight": "short",
    "xml_declaration": False,
    "output_encoding": "utf-8",
}

WIDTH = 72  # pandoc's default --columns


# Markdown fragments -> reStructuredText, as pandoc's gfm -> rst writer


def _inline(text):
    text = re.sub(r"`([^`]+)`", r"``\1``", text)
    return re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"`\1 <\2>`__", text)


def _words(text):
    """Split on spaces, except inside ``literals`` and links (kept whole as pandoc does)."""
    protected = re.sub(
        r"``[^`]+``|`[^`<]+ <[^>\s]+>`__",
        lambda m: m.group(0).replace(" ", "\0"),
        text,
    )
    return [word.replace("\0", " ") for word in protected.split()]


def _wrap(text, first_prefix="", prefix=""):
    lines, line = [], first_prefix
    start = len(first_prefix)
    for word in _words(text):
        if len(line) > start and len(line) + 1 + len(word) > WIDTH:
            lines.append(line)
            line = prefix + word
            start = len(prefix)
        else:
            line = f"{line} {word}" if len(line) > start else line + word
    lines.append(line)
    return lines


def _blocks(text):
    """Yield (kind, data) blocks: para (text), list (ordered, items), code (lines), heading (level, text)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            yield "code", lines[i + 1 : j]
            i = j + 1
        elif re.match(r"#{1,6} ", line):
            level, title = line.split(" ", 1)
            yield "heading", (len(level), title.strip())
            i += 1
        elif re.match(r"(-|\*|\d+\.) ", line):
            ordered = line[0].isdigit()
            items = []
            while i < len(lines) and lines[i].strip():
                match = re.match(r"(-|\*|\d+\.) +(.*)", lines[i])
                if match and match.group(1)[0].isdigit() != ordered:
                    break  # another kind of list: another list, as in CommonMark
                if match:
                    items.append(match.group(2).strip())
                else:
                    items[-1] += " " + lines[i].strip()
                i += 1
            yield "list", (ordered, items)
        else:
            para = []
            block_start = re.compile(r"(-|\*|\d+\.) |```|#{1,6} ")
            while i < len(lines) and lines[i].strip() and not block_start.match(lines[i]):
                para.append(lines[i].strip())
                i += 1
            yield "para", " ".join(para)


def md_to_rst(text, level=2):
    out = []
    for kind, data in _blocks(text):
        if kind == "para":
            out.append("\n".join(_wrap(_inline(data))))
        elif kind == "list":
            ordered, items = data
            rows = []
            for number, item in enumerate(items, 1):
                marker = f"{number}. " if ordered else "- "
                rows += _wrap(_inline(item), marker, " " * len(marker))
            out.append("\n".join(rows))
        elif kind == "code":
            out.append("::\n\n" + "\n".join("   " + line if line else "" for line in data))
        elif kind == "heading":
            depth, title = data
            title = _inline(title)
            out.append(title + "\n" + "=-~^\"'"[depth + level - 3] * len(title))
    return "\n\n".join(out) + "\n"


# README.rst


def source_digest(addon):
    """sha256 of the manifest and the readme/ files, as OCA's tools/_hash.py computes it."""
    digest = hashlib.sha256()
    files = [addon / "__manifest__.py"]
    for dirpath, dirnames, filenames in os.walk(addon / "readme"):
        dirnames.sort()
        files += [Path(dirpath) / name for name in sorted(filenames) if not name.startswith(".")]
    for path in files:
        digest.update(str(path.relative_to(addon)).encode())
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()


def badges(manifest, org, repo, branch, addon_name):
    result = []
    status = manifest.get("development_status", "Beta").lower()
    if status in STATUS_BADGES:
        badge, alt = STATUS_BADGES[status]
        result.append((f"https://img.shields.io/badge/{badge}.png", STATUS_URL, alt))
    if manifest.get("license") in LICENSE_BADGES:
        badge, url = LICENSE_BADGES[manifest["license"]]
        result.append((f"https://img.shields.io/badge/{badge}.png", url, f"License: {manifest['license']}"))
    result.append(
        (
            "https://img.shields.io/badge/github-{}%2F{}-lightgray.png?logo=github".format(
                org.replace("-", "--"), repo.replace("-", "--")
            ),
            f"https://github.com/{org}/{repo}/tree/{branch}/{addon_name}",
            f"{org}/{repo}",
        )
    )
    return result


def build(addon):
    addon = Path(addon)
    addon_name = addon.resolve().name
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    org, repo = urlparse(manifest["website"]).path.strip("/").split("/")[:2]
    branch = ".".join(manifest["version"].split(".")[:2])
    fragments = {}
    for name in FRAGMENTS:
        path = addon / "readme" / f"{name}.md"
        if path.is_file() and path.read_text().strip():
            level = 3 if name in ("CONTRIBUTORS", "CREDITS") else 2
            fragments[name] = md_to_rst(path.read_text(), level=level)
    title = manifest["name"]
    all_badges = badges(manifest, org, repo, branch, addon_name)
    out = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        ".. ",
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "   !! This file is generated by oca-gen-addon-readme !!",
        "   !! changes will be overwritten.                   !!",
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        f"   !! source digest: {source_digest(addon)}",
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "",
    ]
    for index, (image, target, alt) in enumerate(all_badges, 1):
        out += [f".. |badge{index}| image:: {image}", f"    :target: {target}", f"    :alt: {alt}"]
    out += ["", " ".join(f"|badge{index}|" for index in range(1, len(all_badges) + 1)), ""]
    out.append(fragments.get("DESCRIPTION", ""))
    if manifest.get("development_status", "Beta").lower() == "alpha":
        out += [
            ".. IMPORTANT::",
            "   This is an alpha version, the data model and design can change at any time without warning.",
            "   Only for development or testing purpose, do not use in production.",
            f"   `More details on development status <{STATUS_URL}>`_",
            "",
        ]
    out += ["**Table of contents**", "", ".. contents::", "   :local:", ""]
    for name, heading in SECTIONS:
        if name in fragments:
            out += [heading, "=" * len(heading), "", fragments[name]]
    out += [
        "Bug Tracker",
        "===========",
        "",
        f"Bugs are tracked on `GitHub Issues <https://github.com/{org}/{repo}/issues>`_.",
        "In case of trouble, please check there if your issue has already been reported.",
        "If you spotted it first, help us to smash it by providing a detailed and welcomed",
        f"`feedback <https://github.com/{org}/{repo}/issues/new?body=module:%20{addon_name}%0Aversion:%20"
        f"{branch}%0A%0A**Steps%20to%20reproduce**%0A-%20...%0A%0A**Current%20behavior**%0A%0A"
        "**Expected%20behavior**>`_.",
        "",
        "Do not contact contributors directly about support or help with technical issues.",
        "",
        "Credits",
        "=======",
        "",
    ]
    authors = [author.strip() for author in manifest.get("author", "").split(",") if "(OCA)" not in author]
    if authors:
        out += ["Authors", "-------", "", *(f"* {author}" for author in authors), ""]
    for name, heading in CREDITS_SECTIONS:
        if name in fragments:
            out += [heading, "-" * len(heading), "", fragments[name]]
    out += ["Maintainers", "-----------", ""]
    maintainers = manifest.get("maintainers", [])
    if maintainers:
        for login in maintainers:
            out += [
                f".. |maintainer-{login}| image:: https://github.com/{login}.png?size=40px",
                f"    :target: https://github.com/{login}",
                f"    :alt: {login}",
            ]
        out += [
            "",
            f"Current maintainer{'s' if len(maintainers) > 1 else ''}:",
            "",
            "".join(f"|maintainer-{login}| " for login in maintainers),
            "",
        ]
    project = f"https://github.com/{org}/{repo}/tree/{branch}/{addon_name}"
    out += [
        f"This module is part of the `{org}/{repo} <{project}>`_ project on GitHub.",
        "",
        "You are welcome to contribute.",
        "",
    ]
    return "\n".join(out)


# static/description/index.html


def build_html(rst):
    from docutils.core import publish_string

    html = publish_string(rst, writer_name="html4css1", settings_overrides=RST2HTML_SETTINGS)
    # the docutils version out of the generated html, as OCA does
    return re.sub(rb"(<meta.*generator.*Docutils)\s*[\d.]+", rb"\1", html)


def icon_problem(addon):
    """Why the add-on's icon is not a 128x128 PNG, or None (read from the PNG header, no Pillow needed)."""
    path = addon / "static" / "description" / "icon.png"
    if not path.is_file():
        return f"{path}: missing"
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return f"{path}: not a PNG file"
    size = (int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big"))
    return None if size == (128, 128) else f"{path}: {size[0]}x{size[1]}, not 128x128"


def main(argv):
    check = "--check" in argv
    stale = []
    for arg in [a for a in argv if a != "--check"]:
        addon = Path(arg)
        if not (addon / "readme" / "DESCRIPTION.md").is_file():
            continue
        rst = build(addon)
        targets = {
            addon / "README.rst": rst.encode(),
            addon / "static" / "description" / "index.html": build_html(rst),
        }
        if check and icon_problem(addon):
            print(icon_problem(addon))
            stale.append(str(addon / "static" / "description" / "icon.png"))
        for target, content in targets.items():
            if check:
                if not target.is_file() or target.read_bytes() != content:
                    stale.append(str(target))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
    if stale:
        print(
            "README.rst / index.html out of date (run tools/gen_readme.py addons/*), or bad icon: "
            + ", ".join(stale)
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
