#!/usr/bin/env python3
"""Developer tool: set up, serve, test and lint the add-ons on Odoo 18.0.

Usage: ./dev {setup,db,demo,screenshots,test,test-alone,lint,wheels,pytest,bench,core-tests,i18n,
              upgrade-check} [options]

Environment:
  ODOO_SRC   Odoo 18.0 Community source tree (default /opt/odoo/18.0)
  DEV_VENV   virtualenv to use (default <repo>/.venv)
  DEV_HTTP_PORT   HTTP port of the demo and test servers (default 8069)
  PGHOST, PGPORT, PGUSER, PGPASSWORD   an existing PostgreSQL server to use
"""

import argparse
import ast
import getpass
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDONS_DIR = ROOT / "addons"
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo/18.0"))
VENV = Path(os.environ.get("DEV_VENV", ROOT / ".venv"))
STATE_DIR = ROOT / ".dev"
PYTHON = VENV / "bin" / "python"
DEV_REQUIREMENTS = ROOT / "requirements-dev.txt"
# cbor2==5.4.2 (pinned by Odoo) only builds with setuptools<70.
PIP_CONSTRAINTS = "setuptools<70\n"
# Modules that are not ours but are installed with them in every database.
EXTRA_MODULES = ["helpdesk_mgmt"]
DEMO_DB = "process_guide_demo"
CHECK_IMPORT = (
    "import importlib.util, odoo.release; "
    "assert importlib.util.find_spec('odoo.addons.helpdesk_mgmt'); "
    "print(odoo.release.version)"
)
PORT = int(os.environ.get("DEV_HTTP_PORT", "8069"))
# Debian packages a fresh machine lacks: C toolchain and headers to build
# Odoo's psycopg2, python-ldap and cbor2 from source, venv, the database
# server, gettext (msgfmt, for the .po checks) and Chromium (browser tours).
SYSTEM_PACKAGES = [
    "build-essential",
    "python3-dev",
    "python3-venv",
    "libldap2-dev",
    "libsasl2-dev",
    "libpq-dev",
    "postgresql",
    "gettext",
    "chromium",
]


class DevError(Exception):
    """A failure with a message meant for the person running the tool."""


def log(msg):
    print(f"[dev] {msg}", flush=True)


def run(cmd, check=True, **kwargs):
    log("$ " + " ".join(str(c) for c in cmd))
    res = subprocess.run([str(c) for c in cmd], check=False, **kwargs)
    if check and res.returncode:
        raise DevError(f"command failed with exit code {res.returncode}: {cmd[0]}")
    return res


# ---------------------------------------------------------------------------
# Odoo source and virtualenv
# ---------------------------------------------------------------------------
def check_odoo_src():
    release = ODOO_SRC / "odoo" / "release.py"
    if not release.is_file():
        raise DevError(
            f"No Odoo source found at ODOO_SRC={ODOO_SRC} (missing {release}). "
            "Unpack Odoo 18.0 Community there, or set the ODOO_SRC environment "
            "variable to the folder that holds odoo-bin."
        )
    text = release.read_text()
    if "version_info = (18, 0" not in text:
        raise DevError(f"ODOO_SRC={ODOO_SRC} is not Odoo 18.0 (see {release}).")
    return ODOO_SRC


def missing_system_packages(packages=SYSTEM_PACKAGES):
    """The Debian packages of ``packages`` that are not installed (none off Debian)."""
    if not shutil.which("dpkg-query"):
        return []
    res = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n", *packages],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = {line.split()[0] for line in res.stdout.splitlines() if line.split()[1:] == ["installed"]}
    return [package for package in packages if package not in installed]


def ensure_system_packages(packages=SYSTEM_PACKAGES):
    """Install the missing Debian packages as root; otherwise name the command to run."""
    missing = missing_system_packages(packages)
    if not missing:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0:
        raise DevError(
            "these Debian packages are missing: "
            + " ".join(missing)
            + "\nInstall them as root, then run the command again:\n    sudo apt-get update && sudo "
            + " ".join(command)
        )
    log("installing the missing Debian packages: " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env)
    run([*command, "-qq"], env=env)


def _setup_fingerprint():
    digest = hashlib.sha256()
    digest.update(str(ODOO_SRC).encode())
    for path in (ODOO_SRC / "requirements.txt", DEV_REQUIREMENTS):
        digest.update(path.read_bytes())
    digest.update(PIP_CONSTRAINTS.encode())
    return digest.hexdigest()


def cmd_setup(args=None):
    """Install the Debian packages and create the virtualenv with Odoo and the test tools (idempotent)."""
    check_odoo_src()
    ensure_system_packages()
    stamp = VENV / ".dev-setup-done"
    fingerprint = _setup_fingerprint()
    if stamp.is_file() and stamp.read_text() == fingerprint and PYTHON.exists():
        log(f"virtualenv {VENV} is up to date")
        return
    if not PYTHON.exists():
        python = shutil.which("python3.11") or sys.executable
        run([python, "-m", "venv", VENV])
    constraints = VENV / "constraints.txt"
    constraints.write_text(PIP_CONSTRAINTS)
    env = dict(os.environ, PIP_CONSTRAINT=str(constraints))
    pip = [PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    run([*pip, "wheel", "setuptools<70"], env=env)
    run([*pip, "-r", ODOO_SRC / "requirements.txt"], env=env)
    # editable_mode=compat: a plain .pth entry, so that wheels of OCA add-ons
    # (installed under site-packages/odoo/addons) join the odoo.addons namespace
    # instead of shadowing the editable Odoo package.
    run(
        [*pip, "--no-deps", "-e", ODOO_SRC, "--config-settings", "editable_mode=compat"],
        env=env,
    )
    run([*pip, "-r", DEV_REQUIREMENTS], env=env)
    res = subprocess.run(
        [PYTHON, "-c", CHECK_IMPORT],
        capture_output=True,
        text=True,
        check=False,
    )
    if res.returncode:
        raise DevError("the virtualenv cannot import Odoo and helpdesk_mgmt:\n" + res.stderr)
    stamp.write_text(fingerprint)
    log(f"virtualenv ready: {VENV} (Odoo {res.stdout.strip()})")


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
def _pg_env():
    env = dict(os.environ)
    env.setdefault("PGUSER", getpass.getuser())
    if not env.get("PGHOST"):
        env["PGHOST"] = "/var/run/postgresql"
    return env


def _pg_ready():
    return (
        subprocess.run(
            ["psql", "-d", "postgres", "-Atc", "SELECT 1"],
            env=_pg_env(),
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )


def cmd_db(args=None):
    """Make sure a PostgreSQL server is reachable with a superuser role."""
    if os.environ.get("PGHOST"):
        if not _pg_ready():
            raise DevError(
                f"PostgreSQL at PGHOST={os.environ['PGHOST']} PGPORT={os.environ.get('PGPORT', '5432')} "
                "is not reachable with the given PGUSER/PGPASSWORD."
            )
        log("using the PostgreSQL server given by PGHOST")
        return
    if not shutil.which("pg_lsclusters"):
        ensure_system_packages(["postgresql", "libpq-dev"])
    clusters = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True)
    lines = [line.split() for line in clusters.stdout.splitlines() if line.strip()]
    if not lines:
        raise DevError(
            "no PostgreSQL cluster found (pg_lsclusters lists none); create one with pg_createcluster."
        )
    version, name, _port, status = lines[0][:4]
    if status != "online":
        run(["pg_ctlcluster", version, name, "start"])
    user = getpass.getuser()
    if user == "postgres":
        raise DevError("Odoo refuses to run as the 'postgres' role: run the tool as another user.")
    for _i in range(30):
        if subprocess.run(["pg_isready", "-q", "-h", "/var/run/postgresql"], check=False).returncode == 0:
            break
        time.sleep(1)
    if not _pg_ready():
        if os.geteuid() != 0:
            raise DevError(f"cannot connect to PostgreSQL as role '{user}'; create it as a superuser.")
        sql = f'CREATE ROLE "{user}" SUPERUSER LOGIN'
        run(["su", "postgres", "-c", f"psql -v ON_ERROR_STOP=1 -c '{sql}'"])
    if not _pg_ready():
        raise DevError(f"PostgreSQL still not reachable as role '{user}'.")
    log(f"PostgreSQL ready (role {user})")


# ---------------------------------------------------------------------------
# Odoo
# ---------------------------------------------------------------------------
def our_modules():
    return sorted(p.name for p in ADDONS_DIR.iterdir() if (p / "__manifest__.py").is_file())


def manifest_depends(module, addons_dir=None):
    """The ``depends`` of a module of addons/, read from its manifest (not imported)."""
    manifest = (addons_dir or ADDONS_DIR) / module / "__manifest__.py"
    return list(ast.literal_eval(manifest.read_text()).get("depends", []))


def modules_without(modules, without, depends=manifest_depends):
    """``modules`` minus the left-out ones and every module that depends on one,
    directly or through other modules of ``modules`` (e.g. leaving out
    helpdesk_mgmt also leaves out the helpdesk bridges)."""
    excluded = set(without)
    remaining = [m for m in modules if m not in excluded]
    deps = {m: set(depends(m)) for m in remaining}
    changed = True
    while changed:
        changed = False
        for module in remaining:
            if module not in excluded and deps[module] & excluded:
                excluded.add(module)
                changed = True
    return [m for m in remaining if m not in excluded]


def write_config(db_name, without=(), addons_dir=None):
    STATE_DIR.mkdir(exist_ok=True)
    env = _pg_env()
    conf = STATE_DIR / f"odoo-{db_name}.conf"
    addons_path = ",".join(
        str(p) for p in (ODOO_SRC / "odoo" / "addons", ODOO_SRC / "addons", addons_dir or ADDONS_DIR)
    )
    lines = [
        "[options]",
        f"addons_path = {addons_path}",
        f"data_dir = {STATE_DIR / 'data'}",
        f"db_name = {db_name}",
        f"db_host = {env['PGHOST']}",
        f"db_port = {env.get('PGPORT', '5432')}",
        f"db_user = {env['PGUSER']}",
        f"db_password = {env.get('PGPASSWORD', '')}",
        "admin_passwd = admin",
        f"http_port = {PORT}",
        "list_db = False",
        "max_cron_threads = 1",
    ]
    conf.write_text("\n".join(lines) + "\n")
    return conf


def odoo_cmd(conf, *extra):
    return [PYTHON, ODOO_SRC / "odoo-bin", "-c", conf, *extra]


def _db_exists(name):
    res = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return res.stdout.strip() == "1"


def drop_db(name):
    run(["dropdb", "--if-exists", "--force", name], env=_pg_env())


def install_modules(conf, db_name, modules, demo=True):
    extra = ["-d", db_name, "-i", ",".join(modules), "--stop-after-init", "--log-level=warn"]
    if not demo:
        extra.append("--without-demo=all")
    res = run(odoo_cmd(conf, *extra), check=False)
    if res.returncode:
        raise DevError(f"installing {', '.join(modules)} in database {db_name} failed")


def _prepare_demo(args):
    """The demo database installed, or reused with our modules brought up to date."""
    cmd_setup()
    cmd_db()
    modules = EXTRA_MODULES + our_modules()
    conf = write_config(args.db)
    if args.reset:
        drop_db(args.db)
    if not _db_exists(args.db):
        install_modules(conf, args.db, modules)
    else:
        # Reuse the database, bringing our modules up to date.
        res = run(
            odoo_cmd(conf, "-d", args.db, "-u", ",".join(our_modules()), "--stop-after-init"), check=False
        )
        if res.returncode:
            raise DevError(f"updating the modules in {args.db} failed")
    return conf


def cmd_demo(args):
    conf = _prepare_demo(args)
    serve = [str(c) for c in odoo_cmd(conf, "-d", args.db, "--db-filter", f"^{args.db}$")]
    if args.check:
        # Start the server, check that it serves the login page, stop it.
        server = subprocess.Popen(serve)
        try:
            status, body = wait_http(f"http://localhost:{PORT}/web/login")
        finally:
            server.terminate()
            server.wait(timeout=60)
        if status != 200 or 'name="login"' not in body:
            raise DevError(f"the demo server answered {status} without a login form")
        log(f"demo server answered http://localhost:{PORT}/web/login with a login form")
        return 0
    log(f"Odoo demo: http://localhost:{PORT}/odoo  (database {args.db}, login admin / password admin)")
    os.execv(str(PYTHON), serve)


def cmd_screenshots(args):
    """Serve the demo database and take the README screenshots with headless Chromium."""
    if not shutil.which(args.chromium):
        raise DevError(f"no Chromium at {args.chromium}: install Debian's 'chromium' package.")
    conf = _prepare_demo(args)
    serve = [str(c) for c in odoo_cmd(conf, "-d", args.db, "--db-filter", f"^{args.db}$", "--log-level=warn")]
    server = subprocess.Popen(serve)
    try:
        wait_http(f"http://localhost:{PORT}/web/login")
        shots = [
            PYTHON,
            ROOT / "tools" / "screenshots.py",
            "--url",
            f"http://localhost:{PORT}",
            "--db",
            args.db,
            "--out",
            args.out,
            "--chromium",
            args.chromium,
        ]
        if args.only:
            shots += ["--only", *args.only]
        if args.lang:
            shots += ["--lang", args.lang]
        res = run(shots, check=False)
    finally:
        server.terminate()
        server.wait(timeout=60)
    if res.returncode:
        raise DevError("some screens did not render in time (see above)")
    log(f"screenshots saved in {args.out}")
    return 0


def pytest_cmd(conf, db_name, paths, extra=()):
    return [
        PYTHON,
        "-m",
        "pytest",
        f"--odoo-config={conf}",
        f"--odoo-database={db_name}",
        "-p",
        "no:cacheprovider",
        # the repository, not the first add-on whose pyproject.toml (whool) pytest meets
        f"--rootdir={ROOT}",
        # run HttpCase tests (browser tours) too: they need Debian's chromium
        "--odoo-http",
        *extra,
        *paths,
    ]


def default_test_paths(modules):
    paths = [str(ADDONS_DIR / m / "tests") for m in modules if (ADDONS_DIR / m / "tests").is_dir()]
    paths.append(str(ROOT / "tests"))
    return paths


def cmd_test(args):
    cmd_setup()
    cmd_db()
    modules = our_modules()
    if args.without:
        modules = modules_without(modules, args.without)
        left_out = sorted(set(our_modules()) - set(modules))
        log(f"left out: {', '.join(args.without)}, and depending on it: {', '.join(left_out) or 'none'}")
    install = [m for m in EXTRA_MODULES if m not in args.without] + modules
    db_name = args.db or f"guide_test_{os.getpid()}"
    conf = write_config(db_name)
    if not args.reuse:
        drop_db(db_name)
        install_modules(conf, db_name, install, demo=not args.no_demo)
    paths = args.paths or default_test_paths(modules)
    env = dict(os.environ, DEV_TEST_DB=db_name, DEV_TEST_CONF=str(conf), DEV_TEST_MODULES=",".join(install))
    try:
        res = run(pytest_cmd(conf, db_name, paths, args.pytest_args), check=False, env=env, cwd=ROOT)
    finally:
        if not args.keep and not args.reuse:
            drop_db(db_name)
    if res.returncode == 5:
        raise DevError("pytest collected no test")
    return res.returncode


def their_manifest_depends(module):
    """The ``depends`` of a module that is not ours (Odoo's, or a wheel's in the
    virtualenv), read from its manifest; none when it cannot be found."""
    folders = [
        ODOO_SRC / "addons",
        ODOO_SRC / "odoo" / "addons",
        *VENV.glob("lib/python3*/site-packages/odoo/addons"),
    ]
    for folder in folders:
        manifest = folder / module / "__manifest__.py"
        if manifest.is_file():
            return list(ast.literal_eval(manifest.read_text()).get("depends", []))
    return []


def our_dependencies(module, depends=manifest_depends, theirs_depends=their_manifest_depends):
    """The modules of addons/ ``module`` needs, directly or not, and the others it
    needs (Odoo's, OCA's), with everything those need: ``(ours, theirs)``, each sorted."""
    ours = set(our_modules())
    seen, theirs, todo = set(), set(), [module]
    while todo:
        current = todo.pop()
        for dep in depends(current) if current in ours else theirs_depends(current):
            bucket = seen if dep in ours else theirs
            if dep not in bucket:
                bucket.add(dep)
                todo.append(dep)
    return sorted(seen), sorted(theirs)


def copy_db(template, name):
    """A copy of database ``template`` with its file store, as Odoo's duplicate does."""
    drop_db(name)
    run(["createdb", "-T", template, name], env=_pg_env())
    store = STATE_DIR / "data" / "filestore"
    shutil.rmtree(store / name, ignore_errors=True)
    if (store / template).is_dir():
        shutil.copytree(store / template, store / name)


def _set_aside_modules(db_name, modules):
    """Mark ``modules`` (known to the database, not installed) as not installable, so
    that installing others cannot auto-install them from an addons path that lacks them
    (Odoo would log an inconsistent state); the next ``-i`` with them on the path lists
    them as installable again (``update_list``)."""
    names = ",".join(f"'{name}'" for name in sorted(modules))
    if names:
        run(
            [
                "psql",
                "-d",
                db_name,
                "-qAtc",
                "UPDATE ir_module_module SET state = 'uninstallable'"
                f" WHERE name IN ({names}) AND state = 'uninstalled'",
            ],
            env=_pg_env(),
        )


def drop_db_and_store(name):
    drop_db(name)
    shutil.rmtree(STATE_DIR / "data" / "filestore" / name, ignore_errors=True)


def run_odoo_tests(conf, db_name, module, test_tags=None):
    """Install ``module`` in ``db_name`` with Odoo's own test runner, running its
    tests only (at-install and post-install); the number of tests it ran, or None
    when a test failed or the install did."""
    cmd = odoo_cmd(
        conf,
        "-d",
        db_name,
        "-i",
        module,
        "--test-enable",
        "--test-tags",
        test_tags or f"/{module}",
        "--stop-after-init",
        "--log-level=warn",
        # the per-module count of tests run ("crm_escalation: 43 tests 12.3s 4567 queries")
        "--log-handler=odoo.tests.stats:INFO",
    )
    log("$ " + " ".join(str(c) for c in cmd))
    count = 0
    with subprocess.Popen(
        [str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        for line in proc.stdout:
            print(line, end="", flush=True)
            marker = f" odoo.tests.stats: {module}: "
            if marker in line:
                count += int(line.split(marker, 1)[1].split()[0])
    if proc.returncode:
        return None
    return count


def cmd_test_alone(args):
    """Each module alone, as OCA CI tests it: a fresh database with only what the
    module depends on, then the module installed by Odoo's own test runner
    (``odoo-bin -i MODULE --test-enable --test-tags /MODULE``).

    What the modules depend on outside addons/ (crm, helpdesk_mgmt...) is
    installed once per set into a template database that each module's
    database is copied from; the module's own dependencies from addons/ are
    installed in its database (without running their tests), then the module
    with its tests."""
    cmd_setup()
    cmd_db()
    modules = args.modules or our_modules()
    unknown = sorted(set(modules) - set(our_modules()))
    if unknown:
        raise DevError(f"not a module of addons/: {', '.join(unknown)}")
    prefix = args.db_prefix or f"guide_alone_{os.getpid()}"
    templates, made, results = {}, [], {}
    try:
        for module in modules:
            ours, theirs = our_dependencies(module)
            key = tuple(theirs)  # the closure: one template per distinct set
            if key not in templates:
                template = f"{prefix}_base{len(templates)}"
                templates[key] = template
                made.append(template)
                drop_db_and_store(template)
                install_modules(write_config(template), template, theirs, demo=not args.no_demo)
            db_name = f"{prefix}_{module}"
            made.append(db_name)
            copy_db(templates[key], db_name)
            if ours:
                # from an addons path holding only the module's dependencies: the module
                # itself (or another of ours) cannot be auto-installed with them, and then
                # installed a second time, demo data included, by the test run
                deps_dir = Path(tempfile.mkdtemp(prefix="guide_alone_addons_"))
                try:
                    for dep in ours:
                        (deps_dir / dep).symlink_to(ADDONS_DIR / dep)
                    _set_aside_modules(db_name, set(our_modules()) - set(ours))
                    install_modules(
                        write_config(db_name, addons_dir=deps_dir), db_name, ours, demo=not args.no_demo
                    )
                finally:
                    shutil.rmtree(deps_dir, ignore_errors=True)
            conf = write_config(db_name)
            started = time.time()
            count = run_odoo_tests(conf, db_name, module, args.test_tags)
            results[module] = (count, time.time() - started)
            if not args.keep:
                drop_db_and_store(db_name)
    finally:
        if not args.keep:
            for name in made:
                drop_db_and_store(name)
    failed = []
    for module, (count, seconds) in results.items():
        if count is None:
            verdict = "FAILED"
            failed.append(module)
        elif count == 0:
            verdict = "no test ran"
            failed.append(module)
        else:
            verdict = f"{count} tests passed"
        log(f"{module} alone: {verdict} ({seconds:.0f}s)")
    if failed:
        raise DevError("modules failing alone: " + ", ".join(failed))
    return 0


# ---------------------------------------------------------------------------
# Upgrade check: from the previous release to this tree
# ---------------------------------------------------------------------------
UPGRADE_FROM = "18.0.1.1.0"
# the commit of that tag: a clone made without tags (``git clone --no-tags``,
# CI checkouts) still has it in main's history
UPGRADE_FROM_COMMIT = "37d1306fb5c38aa49fac79b3a51637e1f9a21674"


def _git_has_commit(rev):
    found = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    return found.returncode == 0


def resolve_upgrade_from(rev):
    """The git revision to take the previous release from: ``rev`` itself, else
    (the release tag missing in this clone) the release commit, fetched from
    ``origin`` when the clone is shallow."""
    if _git_has_commit(rev):
        return rev
    if rev != UPGRADE_FROM:
        raise DevError(f"git revision {rev} not found in this clone")
    if not _git_has_commit(UPGRADE_FROM_COMMIT):
        log(f"release {UPGRADE_FROM} ({UPGRADE_FROM_COMMIT[:10]}) not in this clone: fetching it from origin")
        subprocess.run(
            ["git", "-C", str(ROOT), "fetch", "--quiet", "origin", UPGRADE_FROM_COMMIT], check=False
        )
    if not _git_has_commit(UPGRADE_FROM_COMMIT):
        raise DevError(
            f"the previous release {UPGRADE_FROM} (commit {UPGRADE_FROM_COMMIT}) is not in this clone "
            "and could not be fetched: clone with its history (not --depth) or pass --from REV"
        )
    log(f"tag {UPGRADE_FROM} missing in this clone: using its commit {UPGRADE_FROM_COMMIT[:10]}")
    return UPGRADE_FROM_COMMIT


# a few test classes run against the upgraded database: stage gate, history,
# escalation cron, policies, on leads and on tickets
UPGRADE_TESTS = [
    "addons/crm_process_guide/tests/test_gate.py",
    "addons/crm_process_guide/tests/test_history.py",
    "addons/crm_escalation/tests/test_engine.py",
    "addons/crm_policy_compliance/tests/test_enforcement.py",
    "addons/helpdesk_process_guide/tests/test_ticket_guide.py",
    "addons/helpdesk_escalation/tests/test_ticket_escalation.py",
    "addons/helpdesk_policy_compliance/tests/test_ticket_policy.py",
]
# audit rows that must come through the upgrade unchanged (the columns they had)
UPGRADE_AUDIT_TABLES = ["guide_history", "guide_deviation", "compliance_log", "escalation_log"]
# Run in ``odoo-bin shell``: prints one JSON line (after the marker) describing
# the database: rows per table of every model of the product modules, checksums
# of the audit tables, duplicated configuration records, XML ids.
_SNAPSHOT_SCRIPT = r"""
import json, hashlib
from odoo.modules.module import get_module_path
PRODUCT = %(modules)r
AUDIT = %(audit)r
AUDIT_COLUMNS = %(audit_columns)r
cr = env.cr
out = {"tables": {}, "checksums": {}, "duplicates": [], "xmlid_missing": [], "xmlid_dangling": [],
       "xmlid_stale": []}
cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed' AND name = ANY(%%s)", [PRODUCT])
installed = sorted(r[0] for r in cr.fetchall())
out["installed"] = installed
cr.execute("SELECT DISTINCT m.model FROM ir_model m JOIN ir_model_data d ON d.model = 'ir.model' "
           "AND d.res_id = m.id WHERE d.module = ANY(%%s)", [PRODUCT])
for (model,) in cr.fetchall():
    if model in env and not env[model]._abstract and not env[model]._transient:
        table = env[model]._table
        cr.execute("SELECT count(*) FROM %%s" %% table)
        out["tables"][table] = cr.fetchone()[0]
# the tables of the models the product defines (not those it extends)
cr.execute("SELECT m.model FROM ir_model m JOIN ir_model_data d ON d.model = 'ir.model' AND d.res_id = m.id "
           "GROUP BY m.model HAVING bool_and(d.module = ANY(%%s))", [PRODUCT])
out["own_tables"] = sorted(model.replace(".", "_") for (model,) in cr.fetchall())
# the tables of the engines' models (base_*)
cr.execute("SELECT DISTINCT m.model FROM ir_model m JOIN ir_model_data d ON d.model = 'ir.model' "
           "AND d.res_id = m.id WHERE d.module = ANY(%%s) AND d.module LIKE 'base\\_%%%%'", [PRODUCT])
out["engine_tables"] = sorted(
    env[model]._table for (model,) in cr.fetchall()
    if model in env and not env[model]._abstract and not env[model]._transient
)
for table in AUDIT:
    cr.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %%s "
               "AND column_name NOT IN ('write_date', 'write_uid') ORDER BY column_name", [table])
    types = dict(cr.fetchall())
    columns = sorted(types)
    if table in AUDIT_COLUMNS:  # those it had before the update
        columns = [c for c in AUDIT_COLUMNS[table] if c in columns]
    if columns:
        # a text made translated by an update (jsonb, its text kept as the en_US value) is
        # compared by that text
        selected = ", ".join(
            ('"%%s"->>\'en_US\' AS "%%s"' %% (c, c)) if types[c] == "jsonb" else '"%%s"' %% c for c in columns
        )
        cr.execute("SELECT md5(string_agg(row_to_json(t)::text, '|' ORDER BY t.id)) FROM "
                   "(SELECT %%s FROM %%s) t" %% (selected, table))
        out["checksums"][table] = {"columns": columns, "md5": cr.fetchone()[0]}
DUPS = {
    "guide.deviation.reason": "SELECT name::text FROM guide_deviation_reason GROUP BY name::text "
                              "HAVING count(*) > 1",
    "ir.cron": "SELECT cron_name::text FROM ir_cron GROUP BY cron_name::text HAVING count(*) > 1",
    "ir.rule": "SELECT name || ' on ' || model_id FROM ir_rule GROUP BY name, model_id HAVING count(*) > 1",
    "ir.model.access": "SELECT name || ' ' || model_id || ' ' || coalesce(group_id, 0) FROM ir_model_access "
                       "GROUP BY name, model_id, group_id HAVING count(*) > 1",
    "ir.ui.menu": "SELECT name::text || ' under ' || coalesce(parent_id, 0) FROM ir_ui_menu "
                  "GROUP BY name::text, parent_id HAVING count(*) > 1",
    "res.groups": "SELECT name::text || ' in ' || coalesce(category_id, 0) FROM res_groups "
                  "GROUP BY name::text, category_id HAVING count(*) > 1",
}
for model, query in DUPS.items():
    if model in env:
        cr.execute(query)
        out["duplicates"] += ["%%s: %%s" %% (model, r[0]) for r in cr.fetchall()]
try:
    from odoo.addons.base_process_guide.tools.module_split import module_data_ids
except ImportError:  # the previous release
    installed_with_tool = []
else:
    installed_with_tool = installed
for module in installed_with_tool:
    if not get_module_path(module, display_warning=False):
        continue
    names = module_data_ids(module)
    cr.execute("SELECT name FROM ir_model_data WHERE module = %%s AND name = ANY(%%s)",
               [module, sorted(names)])
    owned = {r[0] for r in cr.fetchall()}
    out["xmlid_missing"] += sorted("%%s.%%s" %% (module, n) for n in names - owned)
    # records the module no longer declares and the update left behind (noupdate)
    cr.execute("SELECT name, model FROM ir_model_data WHERE module = %%s AND model NOT LIKE 'ir.model%%%%' "
               "AND NOT (name = ANY(%%s))", [module, sorted(names)])
    out["xmlid_stale"] += sorted("%%s.%%s (%%s)" %% (module, n, m) for n, m in cr.fetchall()
                                 if not n.endswith(("_ir_actions_server", "_res_partner")))
cr.execute("SELECT DISTINCT model FROM ir_model_data WHERE module = ANY(%%s)", [PRODUCT])
for (model,) in cr.fetchall():
    if model not in env or env[model]._abstract:
        cr.execute("SELECT module || '.' || name FROM ir_model_data WHERE module = ANY(%%s) AND model = %%s",
                   [PRODUCT, model])
        out["xmlid_dangling"] += ["%%s (no model %%s)" %% (r[0], model) for r in cr.fetchall()]
        continue
    cr.execute("SELECT d.module || '.' || d.name FROM ir_model_data d LEFT JOIN %%s t ON t.id = d.res_id "
               "WHERE d.module = ANY(%%s) AND d.model = %%%%s AND t.id IS NULL" %% (env[model]._table, "%%s"),
               [PRODUCT, model])
    out["xmlid_dangling"] += ["%%s (%%s)" %% (r[0], model) for r in cr.fetchall()]
cr.execute("SELECT m.name FROM ir_ui_menu m JOIN ir_model_data d ON d.model = 'ir.ui.menu' "
           "AND d.res_id = m.id WHERE d.module = ANY(%%s)", [PRODUCT])
out["menus"] = sorted(set(r[0] if isinstance(r[0], str) else json.dumps(r[0]) for r in cr.fetchall()))
cr.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
out["all_tables"] = sorted(r[0] for r in cr.fetchall())
print("@@SNAPSHOT@@" + json.dumps(out))
"""

_UNINSTALL_SCRIPT = r"""
modules = env["ir.module.module"].search([("name", "in", %(modules)r), ("state", "=", "installed")])
modules.button_immediate_uninstall()
"""


_SCRIPT_PRELUDE = """
import sys
import odoo
from odoo import SUPERUSER_ID, api
odoo.tools.config.parse_config(["-c", sys.argv[1], "-d", sys.argv[2], "--log-level=warn"])
odoo.netsvc.init_logger()
with odoo.modules.registry.Registry(sys.argv[2]).cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
"""


def _odoo_script(conf, db_name, script):
    """Run ``script`` with ``env`` (superuser) on ``db_name``, committed at the
    end: (stdout, stderr)."""
    body = "\n".join("    " + line for line in script.strip("\n").splitlines())
    cmd = [str(PYTHON), "-", str(conf), db_name]
    res = subprocess.run(
        cmd, input=_SCRIPT_PRELUDE + body + "\n", capture_output=True, text=True, check=False
    )
    if res.returncode:
        print(res.stdout[-2000:], res.stderr[-4000:], file=sys.stderr)
        raise DevError(f"the script on {db_name} failed")
    return res.stdout, res.stderr


def _snapshot(conf, db_name, modules, audit_columns=None):
    """What the checks compare; the audit tables' checksums over ``audit_columns``
    ({table: columns}) when given, else over every column."""
    script = _SNAPSHOT_SCRIPT % {
        "modules": modules,
        "audit": UPGRADE_AUDIT_TABLES,
        "audit_columns": audit_columns or {},
    }
    stdout, _log = _odoo_script(conf, db_name, script)
    for line in stdout.splitlines():
        if line.startswith("@@SNAPSHOT@@"):
            return json.loads(line[len("@@SNAPSHOT@@") :])
    raise DevError(f"no snapshot of {db_name}:\n{stdout[-2000:]}")


def _run_logged(cmd, logfile):
    """Run an Odoo command, its output teed to ``logfile``; its return code."""
    log("$ " + " ".join(str(c) for c in cmd))
    with (
        open(logfile, "w") as out,
        subprocess.Popen(
            [str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as proc,
    ):
        for line in proc.stdout:
            out.write(line)
    return proc.returncode


def _bad_log_lines(logfile, modules):
    """ERROR/CRITICAL lines, and WARNING lines of the product modules."""
    bad = []
    for line in Path(logfile).read_text().splitlines():
        if " ERROR " in line or " CRITICAL " in line:
            bad.append(line)
        elif " WARNING " in line and any(m in line for m in modules):
            bad.append(line)
    return bad


def _compare_snapshots(before, after):
    failures = []
    for table, count in sorted(before["tables"].items()):
        if table not in after["tables"]:
            failures.append(f"table {table} is gone ({count} rows before)")
        elif after["tables"][table] < count:
            failures.append(f"table {table} lost rows: {count} -> {after['tables'][table]}")
    for table, old in before["checksums"].items():
        new = after["checksums"].get(table)
        if not new:
            failures.append(f"audit table {table} is gone")
            continue
        missing = sorted(set(old["columns"]) - set(new["columns"]))
        if missing:
            failures.append(f"audit table {table} lost columns {', '.join(missing)}")
        elif new["md5"] != old["md5"]:
            failures.append(f"audit table {table} changed (checksum of its columns before the update)")
    new_dups = sorted(set(after["duplicates"]) - set(before["duplicates"]))
    failures += [f"duplicated: {d}" for d in new_dups]
    failures += [f"XML id not owned by its module: {x}" for x in after["xmlid_missing"]]
    failures += [f"XML id pointing at no record: {x}" for x in after["xmlid_dangling"]]
    failures += [f"record its module no longer declares: {x}" for x in after["xmlid_stale"]]
    return failures


def cmd_upgrade_check(args):
    """Install the previous release (git tag) with demo data, update it to this
    tree, and check that data, configuration, XML ids and logs came through."""
    cmd_setup()
    cmd_db()
    started = time.time()
    db_name = args.db or f"guide_upgrade_{os.getpid()}"
    workdir = Path(tempfile.mkdtemp(prefix="guide_upgrade_"))
    failures = []
    args.from_rev = resolve_upgrade_from(args.from_rev)
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.from_rev, "addons"], capture_output=True, check=False
        )
        if archive.returncode:
            raise DevError(f"git archive {args.from_rev} failed: {archive.stderr.decode()[-500:]}")
        subprocess.run(["tar", "-x", "-C", str(workdir)], input=archive.stdout, check=True)
        old_addons = workdir / "addons"
        old_modules = sorted(p.name for p in old_addons.iterdir() if (p / "__manifest__.py").is_file())
        product = sorted(set(old_modules) | set(our_modules()))
        old_conf = write_config(db_name, addons_dir=old_addons)
        drop_db_and_store(db_name)
        log(f"installing {args.from_rev} ({', '.join(old_modules)}) in {db_name}")
        install_modules(old_conf, db_name, EXTRA_MODULES + old_modules)
        before = _snapshot(old_conf, db_name, product)
        conf = write_config(db_name)
        log(f"before: {len(before['tables'])} tables, {sum(before['tables'].values())} rows")
        update_log = workdir / "update.log"
        code = _run_logged(
            odoo_cmd(conf, "-d", db_name, "-u", ",".join(before["installed"]), "--stop-after-init"),
            update_log,
        )
        if code:
            failures.append(f"the update exited with {code}")
        bad = _bad_log_lines(update_log, product)
        for line in bad:
            print(line)
        failures += [f"update log: {line}" for line in bad]
        columns = {table: value["columns"] for table, value in before["checksums"].items()}
        after = _snapshot(conf, db_name, product, columns)
        log(f"after: {len(after['tables'])} tables, {sum(after['tables'].values())} rows")
        # the modules that were installed, and the engines they now depend on (not the
        # modules the previous release did not have, e.g. the process intelligence)
        expected = set(before["installed"])
        for module in before["installed"]:
            expected |= set(our_dependencies(module)[0])
        expected = sorted(expected)
        missing = sorted(set(expected) - set(after["installed"]))
        failures += [f"module not installed after the update: {m}" for m in missing]
        failures += _compare_snapshots(before, after)
        if not args.no_tests:
            env = dict(os.environ, DEV_TEST_DB=db_name, DEV_TEST_CONF=str(conf))
            res = run(
                pytest_cmd(conf, db_name, [str(ROOT / p) for p in UPGRADE_TESTS], ["-q"]),
                check=False,
                env=env,
                cwd=ROOT,
            )
            if res.returncode:
                failures.append("tests on the upgraded database failed")
        if args.uninstall:
            failures += _uninstall_check(conf, db_name, after)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if not args.keep:
            drop_db_and_store(db_name)
    log(f"upgrade check from {args.from_rev}: {time.time() - started:.0f}s")
    for failure in failures:
        print(f"FAIL {failure}")
    if failures:
        raise DevError(f"upgrade from {args.from_rev}: {len(failures)} failure(s)")
    log(f"upgrade from {args.from_rev}: OK")
    return 0


def _uninstall_check(conf, db_name, after):
    """Uninstall the helpdesk bridges, then the CRM bridges (the engines keep
    their tables), then the engines (nothing of the product is left)."""
    failures = []
    ours = our_modules()
    engines = [m for m in ours if m.startswith("base_")]
    for step, modules in (
        ("helpdesk bridges", [m for m in ours if m.startswith("helpdesk_")]),
        ("CRM bridges", [m for m in ours if m.startswith("crm_")]),
        ("engines", engines),
    ):
        stdout, stderr = _odoo_script(conf, db_name, _UNINSTALL_SCRIPT % {"modules": modules})
        bad = []
        for line in stderr.splitlines():
            if "odoo.sql_db: bad query: b'DELETE FROM" in line:
                # a record of the module's data still in use (a demo stage with
                # leads): Odoo keeps it ("ir.model.data could not be deleted")
                print(f"note: uninstalling the {step} kept a record in use: {line}")
            elif " ERROR " in line or " CRITICAL " in line or "Traceback" in line:
                bad.append(line)
        failures += [f"uninstalling the {step}: {line}" for line in bad]
        snap = _snapshot(conf, db_name, ours)
        still = sorted(set(snap["installed"]) & set(modules))
        failures += [f"still installed after uninstalling the {step}: {m}" for m in still]
        if step == "CRM bridges":
            dropped = sorted(set(after["engine_tables"]) - set(snap["all_tables"]))
            failures += [f"engine table dropped with the bridges: {t}" for t in dropped]
            if not after["engine_tables"]:
                failures.append("no engine table found after the update")
            new_dups = sorted(set(snap["duplicates"]) - set(after["duplicates"]))
            failures += [f"after uninstalling the {step}: duplicated {d}" for d in new_dups]
        if step == "engines":
            left = sorted(set(after["own_tables"]) & set(snap["all_tables"]))
            failures += [f"table left after uninstalling everything: {t}" for t in left]
            if snap["tables"]:
                failures.append(f"models left: {', '.join(sorted(snap['tables']))}")
            failures += [f"menu left: {m}" for m in snap["menus"]]
            failures += [f"record of the product left: {x}" for x in snap["xmlid_dangling"]]
        log(f"uninstalled the {step}: {', '.join(modules)}")
    return failures


WHOOL_REQUIREMENT = "whool>=1.2,<2"


def _wheel_builder():
    """A small virtualenv of its own with whool (the build backend of each
    addon's pyproject.toml), so that pip builds the wheels without an isolated
    environment per add-on."""
    builder = STATE_DIR / "whool-venv"
    python = builder / "bin" / "python"
    stamp = builder / ".whool"
    if not (stamp.is_file() and stamp.read_text() == WHOOL_REQUIREMENT and python.exists()):
        base = PYTHON if PYTHON.exists() else Path(shutil.which("python3.11") or sys.executable)
        run([base, "-m", "venv", "--clear", builder])
        run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", WHOOL_REQUIREMENT])
        stamp.write_text(WHOOL_REQUIREMENT)
    return python


def cmd_wheels(args):
    """Build a wheel of each module of addons/ into dist/ (whool, as OCA does)."""
    modules = args.modules or our_modules()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("odoo_addon_*.whl"):
        stale.unlink()
    python = _wheel_builder()
    pip = [python, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"]
    run([*pip, "--no-deps", "--no-build-isolation", "--wheel-dir", out, *[ADDONS_DIR / m for m in modules]])
    for module in modules:
        wheels = list(out.glob(f"odoo_addon_{module}-18.0.*.whl"))
        if len(wheels) != 1:
            raise DevError(f"no wheel of {module} in {out}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            if f"odoo/addons/{module}/__manifest__.py" not in wheel.namelist():
                raise DevError(f"{wheels[0].name} does not hold odoo/addons/{module}/__manifest__.py")
        log(f"built {wheels[0]}")
    return 0


def cmd_lint(args):
    cmd_setup()
    bin_dir = VENV / "bin"
    failed = []
    modules = our_modules()
    catalogues = sorted(ADDONS_DIR.glob("*/i18n/*.po")) + sorted(ADDONS_DIR.glob("*/i18n/*.pot"))
    checks = [
        ("ruff check", [bin_dir / "ruff", "check", "addons", "tests", "tools", "bench"]),
        ("ruff format", [bin_dir / "ruff", "format", "--check", "addons", "tests", "tools", "bench"]),
        (
            "pylint-odoo",
            [
                bin_dir / "pylint",
                "--rcfile",
                ROOT / ".pylintrc-mandatory",
                *[ADDONS_DIR / m for m in modules],
            ],
        ),
        # OCA's optional checks: reported, never failing (as in OCA's pre-commit)
        (
            "pylint-odoo optional",
            [
                bin_dir / "pylint",
                "--rcfile",
                ROOT / ".pylintrc",
                "--exit-zero",
                *[ADDONS_DIR / m for m in modules],
            ],
        ),
        ("xml", [PYTHON, ROOT / "tools" / "check_xml.py", "addons"]),
        ("oca-checks", [bin_dir / "oca-checks-odoo-module", *[ADDONS_DIR / m for m in modules]]),
        # po-pretty-format is off in OCA's pre-commit too: its autofix empties a
        # translation equal to its source; format_po.py checks the layout instead
        ("oca-checks-po", [bin_dir / "oca-checks-po", "--disable=po-pretty-format", *catalogues]),
        ("po format", [PYTHON, ROOT / "tools" / "format_po.py", "--check", "addons"]),
        (
            "readme",
            [PYTHON, ROOT / "tools" / "gen_readme.py", "--check", *[ADDONS_DIR / m for m in our_modules()]],
        ),
    ]
    # each translation compiles, formats and plural forms checked (gettext)
    checks += [
        ("po syntax", ["msgfmt", "--check", "-o", os.devnull, po]) for po in catalogues if po.suffix == ".po"
    ]
    for name, cmd in checks:
        if run(cmd, check=False, cwd=ROOT).returncode:
            failed.append(name)
    if failed:
        raise DevError("lint failed: " + ", ".join(failed))
    log("lint passed")


# Odoo core and OCA suites that must pass unchanged with the product installed.
CORE_SUITES = ["crm", "sales_team", "base_automation", "helpdesk_mgmt"]


def core_test_paths(suites):
    """Test folders of modules that are not ours (Odoo's addons, or a wheel in the venv)."""
    paths = []
    for module in suites:
        candidates = [ODOO_SRC / "addons" / module / "tests", ODOO_SRC / "odoo" / "addons" / module / "tests"]
        candidates += sorted(VENV.glob(f"lib/python3*/site-packages/odoo/addons/{module}/tests"))
        found = next((path for path in candidates if path.is_dir()), None)
        if not found:
            raise DevError(f"no tests found for module {module}")
        paths.append(str(found))
    return paths


def cmd_core_tests(args):
    """Odoo core's and OCA's own suites on a database where the product is installed with demo data.

    Every test runs with the full registry (pytest-odoo), so crm's at-install
    tests see the product's modules as a user's database would."""
    cmd_setup()
    cmd_db()
    suites = args.suites or CORE_SUITES
    install = EXTRA_MODULES + [m for m in CORE_SUITES if m not in EXTRA_MODULES] + our_modules()
    db_name = args.db or f"guide_core_{os.getpid()}"
    conf = write_config(db_name)
    if not args.reuse:
        drop_db(db_name)
        install_modules(conf, db_name, install, demo=True)
    paths = core_test_paths(suites)
    # browser JS unit suites (helpdesk_mgmt's test_js.py re-exports web's whole
    # WebSuite) test the web client, not the ORM the product extends, and need
    # odoo-bin's test runner: run them with --test-tags if needed
    js_suites = [Path(path) / "test_js.py" for path in paths]
    ignore = [f"--ignore={suite}" for suite in js_suites if suite.is_file()]
    try:
        res = run(pytest_cmd(conf, db_name, paths, [*ignore, *args.pytest_args]), check=False, cwd=ROOT)
    finally:
        if not args.keep and not args.reuse:
            drop_db(db_name)
    return res.returncode


def cmd_bench(args):
    """Run the benchmarks in bench/ against a database without demo data."""
    cmd_setup()
    cmd_db()
    conf = write_config(args.db)
    if args.reset:
        drop_db(args.db)
    if not _db_exists(args.db):
        install_modules(conf, args.db, EXTRA_MODULES + our_modules(), demo=False)
    scripts = args.scripts or sorted(str(p) for p in (ROOT / "bench").glob("bench_*.py"))
    failed = 0
    for script in scripts:
        extra = list(args.extra)
        if Path(script).name == "bench_vanilla.py":
            # the baseline: a database of its own with only what the product extends
            vanilla_db = f"{args.db}_vanilla"
            if args.reset:
                drop_db(vanilla_db)
            if not _db_exists(vanilla_db):
                install_modules(write_config(vanilla_db), vanilla_db, ["crm", *EXTRA_MODULES], demo=False)
            extra = ["--vanilla-db", vanilla_db, *extra]
        failed |= run([PYTHON, script, "-c", conf, "-d", args.db, *extra], check=False).returncode
    return failed


def _db_has_demo(name):
    res = subprocess.run(
        ["psql", "-d", name, "-Atc", "SELECT demo FROM ir_module_module WHERE name = 'base'"],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return res.stdout.strip() == "t"


def _installed_modules(name):
    res = subprocess.run(
        ["psql", "-d", name, "-Atc", "SELECT name FROM ir_module_module WHERE state = 'installed'"],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return set(res.stdout.split())


def cmd_i18n(args):
    """Export each module's .pot template from a database where it is installed.

    The database has demo data, so that the demo records' translatable fields
    (process, step, item, level and policy names, instructions...) are exported
    too and the demo can ship its translations.
    """
    cmd_setup()
    cmd_db()
    conf = write_config(args.db)
    modules = args.modules or our_modules()
    if _db_exists(args.db) and not _db_has_demo(args.db):
        log(f"{args.db} has no demo data: recreating it")
        drop_db(args.db)
    if not _db_exists(args.db):
        install_modules(conf, args.db, EXTRA_MODULES + modules, demo=True)
    else:
        # installed modules are updated (their views and data as the code has them), the
        # others installed: ``-i`` on an installed module would load its data again in
        # "init" mode and run the demo's <function> tags a second time (duplicate history)
        installed = _installed_modules(args.db)
        cmd = odoo_cmd(conf, "-d", args.db, "--stop-after-init", "--log-level=warn")
        to_install = [module for module in modules if module not in installed]
        to_update = [module for module in modules if module in installed]
        if to_install:
            cmd += ["-i", ",".join(to_install)]
        if to_update:
            cmd += ["-u", ",".join(to_update)]
        run(cmd)
    for module in modules:
        pot = ADDONS_DIR / module / "i18n" / f"{module}.pot"
        pot.parent.mkdir(exist_ok=True)
        cmd = odoo_cmd(conf, "-d", args.db, "--i18n-export", pot, "--modules", module, "--log-level=warn")
        run(cmd)
    log("exported: " + ", ".join(modules))


def cmd_pytest(args):
    """Run pytest-odoo on given paths against an existing database (no install)."""
    cmd_setup()
    conf = write_config(args.db)
    return run(pytest_cmd(conf, args.db, args.paths), check=False, cwd=ROOT).returncode


def wait_http(url, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except OSError:
            time.sleep(2)
    raise DevError(f"{url} did not answer within {timeout}s")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="dev", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create the virtualenv (Odoo, test and lint tools)")
    sub.add_parser("db", help="make sure PostgreSQL runs with a superuser role for you")
    p_demo = sub.add_parser("demo", help="install the modules with demo data and serve Odoo on port 8069")
    p_demo.add_argument("--db", default=DEMO_DB)
    p_demo.add_argument("--reset", action="store_true", help="drop and recreate the demo database")
    p_demo.add_argument("--check", action="store_true", help="start the server, check the login page, stop")
    p_shots = sub.add_parser(
        "screenshots", help="take the README screenshots of the demo (headless Chromium)"
    )
    p_shots.add_argument("--db", default=DEMO_DB)
    p_shots.add_argument("--reset", action="store_true", help="drop and recreate the demo database first")
    p_shots.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    p_shots.add_argument("--chromium", default="/usr/bin/chromium")
    p_shots.add_argument("--only", nargs="*", help="names (prefixes) of the screenshots to take")
    p_shots.add_argument("--lang", help="users' language, e.g. ru_RU or zh_CN (files suffixed with it)")
    p_test = sub.add_parser("test", help="fresh database, install every module, run all tests")
    p_test.add_argument("paths", nargs="*", help="test paths (default: every module's tests and tests/)")
    p_test.add_argument("--db", help="database name (default: a new one per run)")
    p_test.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p_test.add_argument("--reuse", action="store_true", help="run against the existing --db, no install")
    p_test.add_argument("--no-demo", action="store_true", help="install without demo data")
    p_test.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="MODULE",
        help="leave a module out, with every module of addons/ that depends on it (repeatable)",
    )
    p_test.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[], help="passed to pytest")
    p_alone = sub.add_parser(
        "test-alone", help="each module alone on a fresh database, with Odoo's own test runner"
    )
    p_alone.add_argument("modules", nargs="*", help="modules of addons/ (default: all of them)")
    p_alone.add_argument("--db-prefix", help="prefix of the database names (default: one per run)")
    p_alone.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    p_alone.add_argument("--no-demo", action="store_true", help="install without demo data")
    p_alone.add_argument(
        "--test-tags",
        help="Odoo's --test-tags instead of /MODULE, e.g. /crm_escalation:TestPause.test_resume",
    )
    sub.add_parser("lint", help="ruff, pylint-odoo and XML checks")
    p_wheels = sub.add_parser("wheels", help="build a wheel of each module into dist/ (whool)")
    p_wheels.add_argument("modules", nargs="*", help="modules of addons/ (default: all of them)")
    p_wheels.add_argument("--out", default=str(ROOT / "dist"))
    p_bench = sub.add_parser("bench", help="run the benchmarks in bench/ (not part of the tests)")
    p_bench.add_argument("scripts", nargs="*", help="benchmark scripts (default: bench/bench_*.py)")
    p_bench.add_argument("--db", default="process_guide_bench")
    p_bench.add_argument("--reset", action="store_true", help="recreate the benchmark database")
    p_bench.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="passed to each script")
    p_core = sub.add_parser(
        "core-tests", help="Odoo core's and OCA's suites (crm, helpdesk_mgmt...) with the product installed"
    )
    p_core.add_argument(
        "suites", nargs="*", help=f"modules whose tests run (default: {', '.join(CORE_SUITES)})"
    )
    p_core.add_argument("--db", help="database name (default: a new one per run)")
    p_core.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p_core.add_argument("--reuse", action="store_true", help="run against the existing --db, no install")
    p_core.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[], help="passed to pytest")
    p_upgrade = sub.add_parser(
        "upgrade-check", help="install the previous release, update it to this tree, check data and logs"
    )
    p_upgrade.add_argument(
        "--from", dest="from_rev", default=UPGRADE_FROM, help="git revision (default: %(default)s)"
    )
    p_upgrade.add_argument("--db", help="database name (default: a new one per run)")
    p_upgrade.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p_upgrade.add_argument("--no-tests", action="store_true", help="skip the tests on the upgraded database")
    p_upgrade.add_argument(
        "--uninstall", action="store_true", help="then uninstall the bridges, then the engines, and check"
    )
    p_i18n = sub.add_parser("i18n", help="export the .pot translation templates")
    p_i18n.add_argument("modules", nargs="*", help="modules (default: all of ours)")
    p_i18n.add_argument("--db", default="process_guide_i18n")
    p_pytest = sub.add_parser("pytest", help="run pytest-odoo on paths against an existing database")
    p_pytest.add_argument("--db", required=True)
    p_pytest.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    handlers = {
        "setup": cmd_setup,
        "db": cmd_db,
        "demo": cmd_demo,
        "screenshots": cmd_screenshots,
        "test": cmd_test,
        "test-alone": cmd_test_alone,
        "wheels": cmd_wheels,
        "lint": cmd_lint,
        "pytest": cmd_pytest,
        "bench": cmd_bench,
        "core-tests": cmd_core_tests,
        "i18n": cmd_i18n,
        "upgrade-check": cmd_upgrade_check,
    }
    try:
        return handlers[args.command](args) or 0
    except DevError as exc:
        print(f"dev: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
