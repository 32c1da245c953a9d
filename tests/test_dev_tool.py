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
