"""Behaviour of the developer tool itself (tools/dev.py)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tools" / "dev.py"


def _run(args, env=None):
    return subprocess.run(
        [sys.executable, str(DEV), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
        check=False,
    )


def test_missing_odoo_src_is_a_clear_error():
    res = _run(["setup"], env={"ODOO_SRC": "/nonexistent/odoo"})
    assert res.returncode == 2
    assert "ODOO_SRC=/nonexistent/odoo" in res.stderr
    assert "Traceback" not in res.stderr


def test_failing_test_makes_the_run_fail(tmp_path):
    from odoo.tools import config

    failing = tmp_path / "test_failing_probe.py"
    failing.write_text(
        textwrap.dedent(
            """
            def test_probe_passes():
                assert True

            def test_probe_fails():
                assert 1 + 1 == 3
            """
        )
    )
    res = _run(["pytest", "--db", config["db_name"], str(failing)])
    assert res.returncode != 0, res.stdout
    assert "1 failed, 1 passed" in res.stdout


def _load_dev():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev_tool_closure", DEV)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _addon(root, name, depends):
    (root / name).mkdir()
    (root / name / "__manifest__.py").write_text(repr({"name": name, "depends": depends}))


def test_without_leaves_out_the_dependency_closure(tmp_path):
    dev = _load_dev()
    _addon(tmp_path, "engine", ["crm"])
    _addon(tmp_path, "escalation", ["engine"])
    _addon(tmp_path, "helpdesk_bridge", ["helpdesk_mgmt", "engine"])
    # depends on the bridge only: left out transitively
    _addon(tmp_path, "helpdesk_escalation", ["helpdesk_bridge", "escalation"])
    _addon(tmp_path, "unrelated", ["base"])
    modules = sorted(p.name for p in tmp_path.iterdir())

    def depends(module):
        return dev.manifest_depends(module, tmp_path)

    assert dev.modules_without(modules, ["helpdesk_mgmt"], depends) == ["engine", "escalation", "unrelated"]
    assert dev.modules_without(modules, ["engine"], depends) == ["unrelated"]
    assert dev.modules_without(modules, ["escalation"], depends) == ["engine", "helpdesk_bridge", "unrelated"]
    assert dev.modules_without(modules, [], depends) == modules


def test_without_helpdesk_keeps_the_crm_modules_of_the_repository():
    dev = _load_dev()
    kept = dev.modules_without(dev.our_modules(), ["helpdesk_mgmt"])
    assert "crm_process_guide" in kept
    for module in set(dev.our_modules()) - set(kept):
        assert module.startswith("helpdesk_"), module
    assert "helpdesk_process_guide" not in kept


def test_screenshots_command_is_offered():
    res = _run(["screenshots", "--help"])
    assert res.returncode == 0, res.stderr
    assert "--only" in res.stdout
    assert "screenshots" in _run(["--help"]).stdout


def test_screenshots_list_the_readme_images():
    """Every image the README shows is one the screenshots script takes (``--lang``
    suffixes the file with the language)."""
    import re

    readme = (ROOT / "README.md").read_text()
    shown = set(re.findall(r"docs/screenshots/(([\w-]+?)(?:-[a-z]{2}_[A-Z]{2})?)\.png", readme))
    script = (ROOT / "tools" / "screenshots.py").read_text()
    assert shown, "the README shows screenshots"
    for file_name, name in shown:
        assert f'"{name}"' in script, name
        assert (ROOT / "docs" / "screenshots" / f"{file_name}.png").is_file(), file_name


def _fake_debian(tmp_path, monkeypatch, installed, euid):
    """dpkg-query and apt-get stand-ins on PATH: the first reports ``installed``,
    the second records its calls in apt.log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dpkg-query").write_text(
        "#!/bin/sh\n"
        'shift 2\nfor p in "$@"; do\n'
        f'  case " {" ".join(installed)} " in *" $p "*) echo "$p installed";; esac\n'
        "done\n"
    )
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "apt.log"}\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    dev = _load_dev()
    monkeypatch.setattr(dev.os, "geteuid", lambda: euid)
    return dev


def test_setup_names_the_apt_command_when_not_root(tmp_path, monkeypatch):
    """A fresh machine: what is missing is named with the exact command, nothing is run."""
    dev = _fake_debian(tmp_path, monkeypatch, ["postgresql", "chromium"], euid=1000)
    missing = [p for p in dev.SYSTEM_PACKAGES if p not in ("postgresql", "chromium")]
    assert dev.missing_system_packages() == missing
    assert "libldap2-dev" in missing and "libsasl2-dev" in missing and "libpq-dev" in missing
    try:
        dev.ensure_system_packages()
    except dev.DevError as exc:
        message = str(exc)
    else:
        raise AssertionError("missing packages must stop the set-up")
    assert "sudo apt-get install -y --no-install-recommends " + " ".join(missing) in message
    assert not (tmp_path / "apt.log").exists()


def test_setup_installs_the_missing_packages_as_root(tmp_path, monkeypatch):
    dev = _fake_debian(tmp_path, monkeypatch, ["build-essential"], euid=0)
    dev.ensure_system_packages()
    calls = (tmp_path / "apt.log").read_text().splitlines()
    missing = [p for p in dev.SYSTEM_PACKAGES if p != "build-essential"]
    assert calls == ["update -qq", "install -y --no-install-recommends " + " ".join(missing) + " -qq"]


def test_setup_installs_nothing_when_everything_is_there(tmp_path, monkeypatch):
    dev = _fake_debian(tmp_path, monkeypatch, _load_dev().SYSTEM_PACKAGES, euid=0)
    dev.ensure_system_packages()
    assert not (tmp_path / "apt.log").exists()


def test_setup_installs_what_odoo_needs_to_build():
    """python-ldap and psycopg2 build from source (the missing lber.h of a fresh machine)."""
    for package in ("libldap2-dev", "libsasl2-dev", "libpq-dev", "build-essential", "python3-dev"):
        assert package in _load_dev().SYSTEM_PACKAGES
    readme = (ROOT / "README.md").read_text()
    for package in _load_dev().SYSTEM_PACKAGES:
        assert f"`{package}`" in readme or package in readme.split("## Quick start")[0], package


def test_alone_installs_the_modules_it_depends_on(tmp_path, monkeypatch):
    dev = _load_dev()
    _addon(tmp_path, "engine", ["crm"])
    _addon(tmp_path, "escalation", ["engine", "resource"])
    _addon(tmp_path, "helpdesk_bridge", ["helpdesk_mgmt", "engine"])
    _addon(tmp_path, "helpdesk_escalation", ["helpdesk_bridge", "escalation"])
    monkeypatch.setattr(dev, "ADDONS_DIR", tmp_path)

    def depends(module):
        return dev.manifest_depends(module, tmp_path)

    theirs = {"crm": ["resource", "mail"], "resource": ["base"], "mail": ["base"], "helpdesk_mgmt": ["mail"]}

    def alone(module):
        return dev.our_dependencies(module, depends, lambda m: theirs.get(m, []))

    assert alone("engine") == ([], ["base", "crm", "mail", "resource"])
    # crm needs resource: the same database as for "engine"
    assert alone("escalation") == (["engine"], ["base", "crm", "mail", "resource"])
    assert alone("helpdesk_escalation") == (
        ["engine", "escalation", "helpdesk_bridge"],
        ["base", "crm", "helpdesk_mgmt", "mail", "resource"],
    )


def test_alone_reads_the_manifests_of_odoo_modules():
    dev = _load_dev()
    escalation, policies = (
        set(dev.our_dependencies(name)[1]) for name in ("crm_escalation", "crm_policy_compliance")
    )
    # the policies audit no refusal of the import dialog's test (``base_import.import``)
    assert policies - escalation == {"base_import"}
    assert escalation <= policies
    assert "helpdesk_mgmt" not in dev.our_dependencies("crm_escalation")[1]
    assert "helpdesk_mgmt" in dev.our_dependencies("helpdesk_escalation")[1]
    # the escalation engine and its helpdesk bridge install no CRM (issue 14)
    assert not {"crm", "sales_team"} & set(dev.our_dependencies("base_escalation")[1])
    assert not {"crm", "sales_team"} & set(dev.our_dependencies("helpdesk_escalation")[1])


def test_every_test_file_runs_under_odoos_test_runner():
    """Odoo's runner (and OCA CI) runs only the test modules that tests/__init__.py
    imports, unlike pytest-odoo: each test_*.py must be imported there."""
    for tests in sorted((ROOT / "addons").glob("*/tests")):
        imported = (tests / "__init__.py").read_text()
        for test_file in sorted(tests.glob("test_*.py")):
            assert f"from . import {test_file.stem}\n" in imported, test_file


def test_shared_test_cases_run_under_odoos_test_runner():
    """Odoo's runner runs only the test methods a class defines itself, unless the class
    sets ``allow_inherited_tests_method``: a shared case (a class outside the test_*.py
    files that defines tests, mixed into a test class of each model) must set it."""
    import ast

    for source in sorted((ROOT / "addons").glob("*/tests/*.py")):
        if source.name.startswith("test_"):
            continue
        for node in ast.parse(source.read_text()).body:
            if not isinstance(node, ast.ClassDef):
                continue
            defines_tests = any(
                isinstance(item, ast.FunctionDef) and item.name.startswith("test") for item in node.body
            )
            allows = any(
                isinstance(item, ast.Assign)
                and any(getattr(t, "id", None) == "allow_inherited_tests_method" for t in item.targets)
                for item in node.body
            )
            assert allows or not defines_tests, f"{source.relative_to(ROOT)}: {node.name}"


def test_each_addon_is_a_whool_project():
    for manifest in sorted((ROOT / "addons").glob("*/__manifest__.py")):
        pyproject = (manifest.parent / "pyproject.toml").read_text()
        assert 'build-backend = "whool.buildapi"' in pyproject, manifest.parent.name
        assert 'requires = ["whool"]' in pyproject, manifest.parent.name


def _upgrade_snapshot(**changes):
    snapshot = {
        "tables": {"guide_history": 13, "guide_process": 2},
        "checksums": {"guide_history": {"columns": ["id", "note"], "md5": "abc"}},
        "duplicates": ["ir.ui.menu: Theme Store under 48"],
        "xmlid_missing": [],
        "xmlid_dangling": [],
        "xmlid_stale": [],
    }
    snapshot.update(changes)
    return snapshot


def test_upgrade_check_is_offered_and_run_by_ci():
    res = _run(["upgrade-check", "--help"])
    assert res.returncode == 0, res.stderr
    assert "--from" in res.stdout and "--uninstall" in res.stdout
    assert "./dev upgrade-check" in (ROOT / ".ci" / "run").read_text()


def test_upgrade_check_passes_an_unchanged_database():
    dev = _load_dev()
    # a duplicate that was there before the update is not the update's
    assert dev._compare_snapshots(_upgrade_snapshot(), _upgrade_snapshot()) == []


def test_upgrade_check_fails_on_lost_rows_tables_and_audit_changes():
    dev = _load_dev()
    before = _upgrade_snapshot()
    cases = {
        "lost rows": _upgrade_snapshot(tables={"guide_history": 12, "guide_process": 2}),
        "is gone": _upgrade_snapshot(tables={"guide_history": 13}),
        "changed": _upgrade_snapshot(checksums={"guide_history": {"columns": ["id", "note"], "md5": "abd"}}),
        "lost columns": _upgrade_snapshot(checksums={"guide_history": {"columns": ["id"], "md5": "abc"}}),
        "duplicated": _upgrade_snapshot(duplicates=["ir.cron: Escalation check", *before["duplicates"]]),
        "not owned": _upgrade_snapshot(xmlid_missing=["base_process_guide.reason_other"]),
        "no record": _upgrade_snapshot(xmlid_dangling=["crm_process_guide.rule_x (ir.rule)"]),
        "no longer declares": _upgrade_snapshot(xmlid_stale=["helpdesk_process_guide.rule_x (ir.rule)"]),
    }
    for words, after in cases.items():
        failures = dev._compare_snapshots(before, after)
        assert len(failures) == 1 and words in failures[0], (words, failures)


def test_upgrade_check_reads_errors_and_product_warnings_in_the_log(tmp_path):
    dev = _load_dev()
    logfile = tmp_path / "update.log"
    logfile.write_text(
        "2026-12-02 08:00:00,000 1 INFO db odoo.modules.loading: loading 1 modules\n"
        "2026-12-02 08:00:00,000 1 WARNING db odoo.addons.crm.models.crm_lead: core warning\n"
        "2026-12-02 08:00:00,000 1 WARNING db odoo.addons.crm_process_guide.models.x: ours\n"
        "2026-12-02 08:00:00,000 1 ERROR db odoo.sql_db: bad query\n"
    )
    bad = dev._bad_log_lines(logfile, ["crm_process_guide", "base_process_guide"])
    assert [line.split(" ", 4)[3] for line in bad] == ["WARNING", "ERROR"]


def test_upgrade_check_finds_the_release_in_a_clone_without_tags(tmp_path, monkeypatch):
    """CI clones without tags: the previous release is then taken from its commit."""
    dev = _load_dev()
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-tags", str(ROOT), str(clone)], check=True)
    tags = subprocess.run(["git", "-C", str(clone), "tag"], capture_output=True, text=True, check=True)
    assert dev.UPGRADE_FROM not in tags.stdout.split()
    monkeypatch.setattr(dev, "ROOT", clone)
    assert dev.resolve_upgrade_from(dev.UPGRADE_FROM) == dev.UPGRADE_FROM_COMMIT
    # the tag, where it exists, names that commit
    monkeypatch.setattr(dev, "ROOT", ROOT)
    tagged = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{dev.UPGRADE_FROM}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if tagged.returncode == 0:
        assert tagged.stdout.strip() == dev.UPGRADE_FROM_COMMIT
    # a revision that is nowhere is a clear error
    try:
        dev.resolve_upgrade_from("no-such-revision")
    except dev.DevError as exc:
        assert "no-such-revision" in str(exc)
    else:
        raise AssertionError("an unknown revision was accepted")


def test_alone_installs_the_dependencies_without_the_module(tmp_path, monkeypatch):
    """The module's dependencies are installed from an addons path that holds only them:
    an auto-installable module (a bridge) is not installed with its dependencies, then
    a second time, demo data included, by the test run."""
    import argparse

    dev = _load_dev()
    addons = tmp_path / "addons"
    addons.mkdir()
    _addon(addons, "engine", ["mail"])
    _addon(addons, "bridge", ["helpdesk_mgmt", "engine"])
    monkeypatch.setattr(dev, "ADDONS_DIR", addons)
    monkeypatch.setattr(dev, "STATE_DIR", tmp_path / "state")
    for name in ("cmd_setup", "cmd_db", "copy_db", "drop_db_and_store"):
        monkeypatch.setattr(dev, name, lambda *a, **k: None)
    monkeypatch.setattr(dev, "their_manifest_depends", lambda m: [])
    installed, set_aside = [], []
    monkeypatch.setattr(
        dev, "_set_aside_modules", lambda db, modules: set_aside.append((db, sorted(modules)))
    )

    def install_modules(conf, db_name, modules, demo=True):
        path = next(line for line in conf.read_text().splitlines() if line.startswith("addons_path"))
        folder = Path(path.split(",")[-1].strip())
        installed.append((modules, sorted(p.name for p in folder.iterdir()) if folder != addons else None))

    monkeypatch.setattr(dev, "install_modules", install_modules)
    monkeypatch.setattr(dev, "run_odoo_tests", lambda conf, db, module, tags=None: 1)
    args = argparse.Namespace(modules=["bridge"], db_prefix="t", no_demo=False, keep=True, test_tags=None)
    assert dev.cmd_test_alone(args) == 0
    # the template (theirs), then the engine from a path without the bridge, the bridge set
    # aside in the database (Odoo would try to auto-install it from a path lacking it)
    assert installed[-1] == (["engine"], ["engine"])
    assert set_aside == [("t_bridge", ["bridge"])]
