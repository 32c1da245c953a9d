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
