#!/usr/bin/env python3
"""Take the README screenshots from a running demo server with headless Chromium.

Run by ``./dev screenshots`` (which installs or updates the demo database and
starts the server); usable alone against any server holding the demo data:

    python tools/screenshots.py --url http://localhost:8069 --db process_guide_demo --out docs/screenshots

Drives Debian's ``chromium`` through the DevTools protocol (``websocket-client``):
logs in through ``/web/session/authenticate``, opens each screen, waits for it to
be rendered and saves a PNG.
"""

import argparse
import base64
import itertools
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xmlrpc.client
from http.cookies import SimpleCookie
from pathlib import Path

import websocket

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--hide-scrollbars",
    "--mute-audio",
]
DESKTOP = (1440, 900)
MOBILE = (400, 800)


class Browser:
    """The little of the DevTools protocol the screenshots need."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="pg-shots-")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.proc = subprocess.Popen(
            [
                binary,
                *CHROMIUM_FLAGS,
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ids = itertools.count(1)
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as resp:
                    pages = [t for t in json.load(resp) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.3)
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60)

    def call(self, method, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def viewport(self, width, height):
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 768,
        )

    def wait_for(self, selector, timeout=45):
        """Wait until ``selector`` is shown and the web client is idle."""
        check = (
            f"!!document.querySelector({json.dumps(selector)})"
            " && !document.querySelector('.o_blockUI, .o_loading_indicator, .o-overlay-item .o_loading')"
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(check):
                time.sleep(1.5)  # animations, images, lazy widgets
                return True
            time.sleep(0.3)
        return False

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            shutil.rmtree(self.profile, ignore_errors=True)


def session_cookie(url, db, login, password):
    body = json.dumps(
        {"jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": login, "password": password}}
    ).encode()
    request = urllib.request.Request(
        f"{url}/web/session/authenticate", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as resp:
        answer = json.load(resp)
        if answer.get("error"):
            raise RuntimeError(f"cannot log in as {login}: {answer['error']['data']['message']}")
        cookie = SimpleCookie(resp.headers.get("Set-Cookie"))
    return cookie["session_id"].value


class Demo:
    """Finds the demo records worth showing (XML-RPC as the administrator)."""

    def __init__(self, url, db, login="admin", password="admin"):
        self.db, self.password = db, password
        self.uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, login, password, {})
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def first(self, model, domain, order="id"):
        ids = self.models.execute_kw(
            self.db, self.uid, self.password, model, "search", [domain], {"limit": 1, "order": order}
        )
        return ids[0] if ids else None

    def xmlid(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.models.execute_kw(
            self.db,
            self.uid,
            self.password,
            "ir.model.data",
            "search_read",
            [[("module", "=", module), ("name", "=", name)]],
            {"fields": ["res_id"]},
        )
        return rows[0]["res_id"] if rows else None

    def call(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    def set_language(self, code, logins):
        """Install ``code`` (with the modules' translations) and give it to the users of
        ``logins``; return their previous languages, for ``restore_languages``."""
        langs = self.call("res.lang", "search", [("code", "=", code)], context={"active_test": False})
        if not langs:
            raise RuntimeError(f"unknown language {code}")
        wizard = self.call("base.language.install", "create", {"lang_ids": [(6, 0, langs)]})
        self.call("base.language.install", "lang_install", [wizard])
        users = self.call("res.users", "search_read", [("login", "in", logins)], fields=["lang"])
        for user in users:
            self.call("res.users", "write", [user["id"]], {"lang": code})
        return {user["id"]: user["lang"] for user in users}

    def restore_languages(self, previous):
        for user_id, lang in previous.items():
            self.call("res.users", "write", [user_id], {"lang": lang})


def shots(demo):
    """(file name, login, viewport, url path, selector to wait for, javascript opening a dialog)."""
    marc = demo.xmlid("base.user_demo")
    lead_agent = demo.first(
        "crm.lead",
        [("user_id", "=", marc), ("guide_step_id", "!=", False), ("type", "=", "opportunity")],
        order="expected_revenue desc",
    )
    lead_hint = (
        demo.first(
            "crm.lead",
            [("user_id", "=", marc), ("guide_step_id", "!=", False), ("expected_revenue", ">=", 50000)],
        )
        or lead_agent
    )
    lead_override = demo.first(
        "crm.lead",
        [("user_id", "=", marc), ("guide_gate_mode", "=", "override"), ("guide_blocked", "=", True)],
    )
    lead_awaiting = demo.first("crm.lead", [("compliance_awaiting_approval", "=", True)])
    request = demo.first("compliance.approval.request", [("state", "=", "pending")])
    ticket = demo.first("helpdesk.ticket", [("guide_step_id", "!=", False)], order="priority desc")
    lead_detour = demo.first("crm.lead", [("guide_alt_step_id", "!=", False)])
    lead_milestones = demo.first("crm.lead", [("guide_milestone_ids", "!=", False)])
    pipeline = "/odoo/action-crm.crm_lead_action_pipeline"
    result = [
        ("01-pipeline-kanban", "admin", DESKTOP, pipeline, ".o_kanban_record", None),
        ("02-guided-form", "demo", DESKTOP, f"{pipeline}/{lead_agent}", ".o_guide_panel", None),
        (
            "03-hints",
            "demo",
            DESKTOP,
            f"{pipeline}/{lead_hint}",
            ".o_guide_hints .o_kanban_record",
            "document.querySelector('.o_guide_panel .card-body .row').scrollIntoView()",
        ),
    ]
    if lead_override:
        click_next = (
            "[...document.querySelectorAll('.o_statusbar_status button[data-value]')]"
            ".find(b => b.classList.contains('o_arrow_button_current'))"
            "?.previousElementSibling?.click()"
        )
        result.append(
            ("04-override", "demo", DESKTOP, f"{pipeline}/{lead_override}", ".o_guide_panel", click_next)
        )
    if lead_awaiting:
        result.append(
            ("05-awaiting-approval", "admin", DESKTOP, f"{pipeline}/{lead_awaiting}", ".o_form_view", None)
        )
    result.append(
        (
            "06-to-approve",
            "admin",
            DESKTOP,
            "/odoo/action-crm_policy_compliance.compliance_approval_request_action_to_approve",
            ".o_list_view",
            None,
        )
    )
    if request:
        result.append(
            (
                "07-approval-request",
                "admin",
                DESKTOP,
                f"/odoo/action-crm_policy_compliance.compliance_approval_request_action/{request}",
                ".o_form_view",
                None,
            )
        )
    result += [
        (
            "08-process-analysis",
            "admin",
            DESKTOP,
            "/odoo/action-crm_process_guide.guide_history_action_analysis",
            ".o_pivot",
            None,
        ),
        (
            "09-compliance-report",
            "admin",
            DESKTOP,
            "/odoo/action-crm_policy_compliance.compliance_log_action_report",
            ".o_pivot",
            None,
        ),
    ]
    if ticket:
        result.append(
            (
                "10-helpdesk-ticket",
                "admin",
                DESKTOP,
                f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket}",
                ".o_guide_panel",
                None,
            )
        )
    result.append(
        (
            "12-process-map",
            "admin",
            DESKTOP,
            "/odoo/action-crm_process_intelligence.guide_process_map_action_crm",
            ".o_guide_map_node",
            None,
        )
    )
    if lead_detour:
        result.append(
            (
                "13-alternate-step",
                "admin",
                DESKTOP,
                f"{pipeline}/{lead_detour}",
                ".o_guide_alternate",
                "document.querySelector('.o_guide_alternate').scrollIntoView()",
            )
        )
    if lead_milestones:
        result.append(
            (
                "14-milestones-tasks",
                "admin",
                DESKTOP,
                f"{pipeline}/{lead_milestones}",
                ".o_guide_adaptive",
                "document.querySelector('.o_guide_adaptive').scrollIntoView()",
            )
        )
    result += [
        (
            "15-step-effectiveness",
            "admin",
            DESKTOP,
            "/odoo/action-crm_process_intelligence.guide_effectiveness_summary_action_crm",
            ".o_list_view",
            None,
        ),
        (
            "16-scorecards",
            "admin",
            DESKTOP,
            "/odoo/action-crm_process_intelligence.guide_scorecard_report_action_crm",
            ".o_pivot",
            None,
        ),
    ]
    result.append(
        (
            "11-mobile-form",
            "demo",
            MOBILE,
            f"{pipeline}/{lead_agent}",
            ".o_guide_panel",
            "document.querySelector('.o_guide_panel').scrollIntoView()",
        )
    )
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "screenshots"))
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--only", nargs="*", help="names (prefixes) of the screenshots to take")
    parser.add_argument(
        "--lang", help="language of the users (e.g. ru_RU): installed, the files are suffixed with it"
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    passwords = {"admin": "admin", "demo": "demo"}
    demo = Demo(args.url, args.db)
    previous_langs = demo.set_language(args.lang, list(passwords)) if args.lang else {}
    todo = shots(demo)
    if args.only:
        todo = [shot for shot in todo if any(shot[0].startswith(name) for name in args.only)]
    browser = Browser(args.chromium)
    failed = []
    try:
        browser.call("Page.enable")
        browser.call("Network.enable")
        current = None
        for name, login, (width, height), path, selector, script in todo:
            if login != current:
                browser.call("Network.clearBrowserCookies")
                browser.call(
                    "Network.setCookie",
                    name="session_id",
                    value=session_cookie(args.url, args.db, login, passwords[login]),
                    url=args.url,
                )
                current = login
            browser.viewport(width, height)
            browser.call("Page.navigate", url=f"{args.url}{path}")
            ok = browser.wait_for(selector)
            if ok and script:
                browser.evaluate(script)
                # a script that clicks opens a dialog: the screenshot shows it
                ok = browser.wait_for(".modal .modal-body" if "click()" in script else selector)
            target = out / (f"{name}-{args.lang}.png" if args.lang else f"{name}.png")
            browser.screenshot(target)
            print(f"{'saved' if ok else 'saved (not fully rendered)'}: {target}", flush=True)
            if not ok:
                failed.append(name)
    finally:
        browser.close()
        demo.restore_languages(previous_langs)
    if failed:
        print("not rendered in time: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
