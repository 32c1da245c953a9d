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
def dockerfile_instructions():
    """The Dockerfile without its comments."""
    lines = DOCKERFILE.read_text().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


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
    build = compose["services"]["odoo"]["build"]
    context_dir = (COMPOSE_FILE.parent / build["context"]).resolve()
    assert context_dir == ROOT, "the image is built from the repository (its add-ons)"
    assert (context_dir / build["dockerfile"]).resolve() == DOCKERFILE
    copied = re.findall(r"^COPY\s+(?!--from)(\S+)", dockerfile_instructions(), re.MULTILINE)
    assert copied, "the Dockerfile copies files of the build context"
    for source in copied:
        assert (context_dir / source).exists(), source
    named = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for source, _target in bind_mounts(service):
            assert source.exists(), f"service {name} mounts missing path {source}"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in named, f"named volume {source} is not declared"


def test_image_installs_our_addons_as_wheels():
    """The image builds a wheel of each add-on of addons/ (whool) and installs them
    where odoo.conf looks; the add-on folders are not mounted."""
    compose = load_compose()
    assert not [s for s, _t in bind_mounts(compose["services"]["odoo"]) if s == ROOT / "addons"]
    text = dockerfile_instructions()
    assert re.search(r"^COPY addons \S+", text, re.MULTILINE)
    assert re.search(r"pip3 wheel .*--no-deps --wheel-dir (\S+) \S+/addons/\*/", text)
    target = re.search(r"--target\s+(\S+)", text).group(1)
    assert re.search(r"--target .*\n.*\*\.whl", text), "the built wheels are installed with --target"
    assert addons_path(read_conf(DOCKER_CONF)) == [f"{target}/odoo/addons"]
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignored and "!addons" in ignored, "the build context is the add-ons only"


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
    """The server installs every add-on the image's wheels brought: ours and the
    extra modules (helpdesk_mgmt), whose wheels the Dockerfile installs."""
    command = " ".join(load_compose()["services"]["odoo"]["command"])
    target = re.search(r"--target\s+(\S+)", dockerfile_instructions()).group(1)
    assert f"{target}/odoo/addons/*/__manifest__.py" in command
    for module in dev.EXTRA_MODULES:
        assert f'"odoo-addon-{module.replace("_", "-")}' in dockerfile_instructions()


def test_dockerfile_base_image_and_oca_addons():
    lines = DOCKERFILE.read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    froms = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert set(froms) == {"odoo:18.0"}
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


XML = '<?xml version="1.0" encoding="UTF-8" ?>\n'


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
            "views/a.xml": XML + '<odoo><record id="x" model="m"/><menuitem id="menu"/></odoo>\n',
            "views/b.xml": XML + '<odoo><template id="mod_a.x"/></odoo>\n',
            "data/broken.xml": XML + "<odoo><record id='y'></odoo>\n",
        },
    )
    # The same id in another module is not a duplicate.
    make_module(tmp_path, "mod_b", {"views/a.xml": XML + '<odoo><record id="x" model="m"/></odoo>\n'})
    res = run_check_xml(tmp_path)
    assert res.returncode == 1
    assert "broken.xml" in res.stdout
    assert "duplicate XML id mod_a.x" in res.stdout
    assert "mod_b" not in res.stdout
    assert "menu" not in res.stdout


def test_check_xml_clean_module(tmp_path):
    make_module(tmp_path, "mod_c", {"views/a.xml": XML + '<odoo><record id="x" model="m"/></odoo>\n'})
    assert run_check_xml(tmp_path).returncode == 0


def test_check_xml_reports_formatting(tmp_path):
    """The XML formatting checks of OCA's pre-commit set (prettier, pre-commit-hooks)."""
    ok = XML + '<odoo>\n    <record id="x" model="m"/>\n</odoo>\n'
    make_module(tmp_path, "mod_ok", {"views/a.xml": ok})
    make_module(
        tmp_path,
        "mod_bad",
        {
            "views/nodecl.xml": "<odoo/>\n",
            "views/tab.xml": XML + "<odoo>\n\t<data/>\n</odoo>\n",
            "views/trailing.xml": XML + "<odoo>  \n</odoo>\n",
            "views/noeol.xml": XML + "<odoo/>",
            "views/crlf.xml": XML.replace("\n", "\r\n") + "<odoo/>\r\n",
        },
    )
    res = run_check_xml(tmp_path)
    assert res.returncode == 1
    assert "mod_ok" not in res.stdout
    assert "nodecl.xml: does not start with <?xml" in res.stdout
    assert "tab.xml: line 3: tab" in res.stdout
    assert "trailing.xml: line 2: trailing whitespace" in res.stdout
    assert "noeol.xml: does not end with exactly one newline" in res.stdout
    assert "crlf.xml: has CR line ends" in res.stdout


def test_format_po_keeps_entries_and_checks_layout(tmp_path):
    """A catalogue as msgmerge wraps it is rewritten in Odoo's export format, its
    entries untouched (a translation equal to its source is kept)."""
    i18n = tmp_path / "mod" / "i18n"
    i18n.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    po = i18n / "ru.po"
    po.write_text(
        header + '#. module: mod\nmsgid "b"\nmsgstr "б"\n\n'
        '#. module: mod\nmsgid "ID"\nmsgstr "ID"\n\n'
        '#. module: mod\nmsgid "a long text"\nmsgstr ""\n"длинный "\n"текст"\n'
    )
    tool = [sys.executable, str(ROOT / "tools" / "format_po.py")]
    res = subprocess.run([*tool, "--check", str(tmp_path)], capture_output=True, text=True, check=False)
    assert res.returncode == 1 and "ru.po: not in Odoo export format" in res.stdout
    assert subprocess.run([*tool, str(tmp_path)], check=False).returncode == 0
    text = po.read_text()
    assert text.index('msgid "ID"') < text.index('msgid "a long text"') < text.index('msgid "b"')
    assert 'msgstr "длинный текст"' in text and 'msgid "ID"\nmsgstr "ID"' in text
    assert subprocess.run([*tool, "--check", str(tmp_path)], check=False).returncode == 0
