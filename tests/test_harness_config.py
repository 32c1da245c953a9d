"""Checks of the harness itself: Docker files, Odoo configs, dev tool, lint tools.

Plain pytest functions: no Odoo database is used.
"""

import configparser
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKER_DIR = ROOT / "docker"
COMPOSE_FILE = DOCKER_DIR / "docker-compose.yml"
DOCKERFILE = DOCKER_DIR / "Dockerfile"
DOCKER_CONF = DOCKER_DIR / "odoo.conf"
DEV_TOOL = ROOT / "tools" / "dev.py"
CHECK_XML = ROOT / "tools" / "check_xml.py"
HELPDESK_REQUIREMENT = "odoo-addon-helpdesk-mgmt>=18.0,<18.1"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def load_compose():
    import yaml  # PyYAML, from requirements-dev.txt

    return yaml.safe_load(COMPOSE_FILE.read_text())


def read_conf(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(Path(path).read_text())
    return dict(parser["options"])


def addons_path(conf):
    return [p.strip() for p in conf["addons_path"].split(",")]


def bind_mounts(service):
    """(host path, container path) of the service's bind mounts (short syntax)."""
    mounts = []
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            mounts.append(((COMPOSE_FILE.parent / source).resolve(), target))
    return mounts


@pytest.fixture
def dev(monkeypatch, tmp_path):
    """tools/dev.py imported from its path, with its state dir in tmp_path."""
    spec = importlib.util.spec_from_file_location("dev_tool_under_test", DEV_TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "STATE_DIR", tmp_path / "state")
    return module


# ---------------------------------------------------------------------------
# docker/
# ---------------------------------------------------------------------------
def test_compose_file_parses():
    compose = load_compose()
    assert isinstance(compose, dict)
    assert {"db", "odoo"} <= set(compose["services"])
    assert compose["services"]["db"]["image"] == "postgres:16"


def test_compose_paths_exist():
    compose = load_compose()
    odoo = compose["services"]["odoo"]
    context = odoo["build"] if isinstance(odoo["build"], str) else odoo["build"]["context"]
    context_dir = (COMPOSE_FILE.parent / context).resolve()
    assert (context_dir / "Dockerfile").is_file()
    assert (context_dir / "odoo.conf").is_file()
    named = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for source, _target in bind_mounts(service):
            assert source.exists(), f"service {name} mounts missing path {source}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in named, f"named volume {source} is not declared"


def test_compose_mounts_our_addons_on_the_addons_path():
    compose = load_compose()
    targets = [t for s, t in bind_mounts(compose["services"]["odoo"]) if s == ROOT / "addons"]
    assert len(targets) == 1, "docker-compose.yml must mount the repository's addons/ folder"
    assert targets[0] in addons_path(read_conf(DOCKER_CONF))


def test_compose_database_matches_odoo_conf():
    compose = load_compose()
    conf = read_conf(DOCKER_CONF)
    db_env = compose["services"]["db"]["environment"]
    assert conf["db_host"] == "db"
    assert conf["db_user"] == db_env["POSTGRES_USER"]
    assert conf["db_password"] == db_env["POSTGRES_PASSWORD"]
    assert conf["db_user"] != "postgres", "Odoo refuses to run as the postgres role"
    odoo = compose["services"]["odoo"]
    assert "db" in odoo["depends_on"]
    command = " ".join(odoo["command"]) if isinstance(odoo["command"], list) else odoo["command"]
    assert f"-d {conf['db_name']}" in command


def test_compose_installs_the_extra_modules(dev):
    command = " ".join(load_compose()["services"]["odoo"]["command"])
    for module in dev.EXTRA_MODULES:
        assert module in command


def test_dockerfile_base_image_and_oca_addons():
    lines = DOCKERFILE.read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    froms = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert froms == ["odoo:18.0"]
    target = re.search(r"--target\s+(\S+)", text)
    assert target, "the Dockerfile installs the OCA wheels with pip --target"
    assert f"{target.group(1)}/odoo/addons" in addons_path(read_conf(DOCKER_CONF))
    # Same helpdesk_mgmt series in the image as in the development virtualenv.
    assert f'"{HELPDESK_REQUIREMENT}"' in text
    requirements = (ROOT / "requirements-dev.txt").read_text().splitlines()
    assert HELPDESK_REQUIREMENT in requirements


def test_docker_conf_agrees_with_dev_write_config(dev, monkeypatch):
    docker_conf = read_conf(DOCKER_CONF)
    # the default port (DEV_HTTP_PORT may move it for parallel runs)
    monkeypatch.setattr(dev, "PORT", 8069)
    dev_conf = read_conf(dev.write_config(docker_conf["db_name"]))
    assert set(dev_conf) <= set(docker_conf), "options written by dev.py missing in docker/odoo.conf"
    for key in ("db_name", "admin_passwd", "http_port", "list_db", "max_cron_threads"):
        assert docker_conf[key] == dev_conf[key], key
    assert str(dev.ADDONS_DIR) in addons_path(dev_conf)


# ---------------------------------------------------------------------------
# tools/dev.py
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["setup", "test", "lint"])
def test_dev_without_odoo_source_fails_clearly(command):
    env = dict(os.environ, ODOO_SRC="/nonexistent")
    res = subprocess.run(
        [sys.executable, str(DEV_TOOL), command],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert res.returncode == 2, res.stdout + res.stderr
    assert "ODOO_SRC" in res.stderr
    assert "/nonexistent" in res.stderr


# ---------------------------------------------------------------------------
# tools/check_xml.py
# ---------------------------------------------------------------------------
def run_check_xml(*folders):
    return subprocess.run(
        [sys.executable, str(CHECK_XML), *map(str, folders)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def make_module(root, name, files):
    module = root / name
    module.mkdir(parents=True)
    (module / "__manifest__.py").write_text("{}\n")
    for rel, text in files.items():
        (module / rel).parent.mkdir(parents=True, exist_ok=True)
        (module / rel).write_text(text)
    return module


def test_check_xml_passes_on_the_repository():
    res = run_check_xml(ROOT / "addons")
    assert res.returncode == 0, res.stdout + res.stderr


def test_check_xml_reports_malformed_and_duplicates(tmp_path):
    make_module(
        tmp_path,
        "mod_a",
        {
            "views/a.xml": '<odoo><record id="x" model="m"/><menuitem id="menu"/></odoo>',
            "views/b.xml": '<odoo><template id="mod_a.x"/></odoo>',
            "data/broken.xml": "<odoo><record id='y'></odoo>",
        },
    )
    # The same id in another module is not a duplicate.
    make_module(tmp_path, "mod_b", {"views/a.xml": '<odoo><record id="x" model="m"/></odoo>'})
    res = run_check_xml(tmp_path)
    assert res.returncode == 1
    assert "broken.xml" in res.stdout
    assert "duplicate XML id mod_a.x" in res.stdout
    assert "mod_b" not in res.stdout
    assert "menu" not in res.stdout


def test_check_xml_clean_module(tmp_path):
    make_module(tmp_path, "mod_c", {"views/a.xml": '<odoo><record id="x" model="m"/></odoo>'})
    assert run_check_xml(tmp_path).returncode == 0
