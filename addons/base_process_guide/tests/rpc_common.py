"""Attack as a real user over HTTP: XML-RPC and JSON-RPC against the test server.

Test classes mix ``RpcCase`` in before their fixture class:

    class TestAttacks(RpcCase, GuideCommon):
        def test_x(self):
            fault = self.rpc_fault(self.user_salesman, "crm.lead", "write", [ids, vals])
            self.assertIn("Cannot move", fault)

Users must have been created with ``new_test_user`` (password = login).
"""

import json
import xmlrpc.client

from odoo.tests import HttpCase


class RpcError(Exception):
    """A refusal returned by the server: ``message`` and the exception ``name``."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name
        self.message = message


class RpcCase(HttpCase):
    """Calls model methods as a given user through /xmlrpc/2/object or /jsonrpc."""

    def xmlrpc(self, user, model, method, args=(), kwargs=None):
        """``execute_kw`` over XML-RPC; a server refusal raises ``RpcError``."""
        try:
            return self.xmlrpc_object.execute_kw(
                self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs or {}
            )
        except xmlrpc.client.Fault as fault:
            text = fault.faultString or ""
            name = text.splitlines()[0] if text else ""
            raise RpcError(name, text) from None

    def jsonrpc(self, user, model, method, args=(), kwargs=None):
        """``execute_kw`` over JSON-RPC; a server refusal raises ``RpcError``."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs or {}],
            },
        }
        response = self.url_open(
            "/jsonrpc", data=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        body = response.json()
        if "error" in body:
            data = body["error"].get("data") or {}
            raise RpcError(data.get("name", ""), data.get("message", body["error"].get("message", "")))
        return body["result"]

    def rpc_fault(self, user, model, method, args=(), kwargs=None, protocol="xmlrpc"):
        """The refusal message of a call that must fail; fails the test if it succeeds."""
        call = self.xmlrpc if protocol == "xmlrpc" else self.jsonrpc
        with self.assertRaises(RpcError) as caught:
            call(user, model, method, args, kwargs)
        return caught.exception.message

    def assert_ids_refused(self, user, calls):
        """Each ``(model, method, single)`` of ``calls``, called by ``user`` on id 0 (or on ids
        that are no positive integers), is refused
        as a record that does not exist (the ORM reads id 0 as an empty new record, whose
        empty values an action then named, or failed on); ``single`` (an action of one
        record: a button, a dialog), on two ids, as an action of one record at a time (where
        ``ensure_one`` raised a ``ValueError``). Nothing is logged as an error."""
        with self.assertNoLogs("odoo.http", "ERROR"), self.assertNoLogs("odoo.sql_db", "ERROR"):
            for model, method, single in calls:
                description = self.env["ir.model"]._get(model).name
                with self.subTest(model=model, method=method):
                    fault = self.rpc_fault(user, model, method, [[0]])
                    self.assertIn(f"{description} 0 does not exist or has been deleted.", fault)
                    # ids that are no positive integers, which the database refused with an ERROR
                    fault = self.rpc_fault(user, model, method, [["T", -1]])
                    self.assertIn(f"{description} 'T', -1 does not exist or has been deleted.", fault)
                    # a boolean and a list, which the database refused, or Python (unhashable)
                    fault = self.rpc_fault(user, model, method, [[True, [1]]], protocol="jsonrpc")
                    self.assertIn(f"{description} True, [1] does not exist or has been deleted.", fault)
                    if single:
                        fault = self.rpc_fault(user, model, method, [[2**31 - 1, 2**31 - 2]])
                        self.assertIn(
                            f"{description}: this action works on one record at a time, not 2.", fault
                        )
