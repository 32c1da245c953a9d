"""Two requests at once, against real PostgreSQL concurrency, for the tests that commit
(each request in its own thread with its own connection, through Odoo's ``retrying`` as
an RPC call is). Mixed in before ``TransactionCase``:

    class TestTwice(ConcurrentRequests, TransactionCase):
        def test_x(self):
            first, second = self._at_once(call, call)
"""

import threading
import time
from functools import partial
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying
from odoo.tools import SQL, lazy_property


def reset_keeping_the_registry(transaction):
    """``Transaction.reset`` as a retried request runs it, without looking the registry up
    again (the same one in a test): Odoo's test runner holds the registries' lock while it
    runs a module's tests, and the request retried after a serialization failure waited on
    it for ever."""
    for env in transaction.envs:
        lazy_property.reset_all(env)
        env._cache_key.clear()
    transaction.clear()


class ConcurrentRequests:
    """Environments on real connections (``self.registry.cursor()``) and two requests run
    at once (``_at_once``)."""

    def _env(self, cr, context=None):
        """The superuser's environment on ``cr``, a connection of its own."""
        if cr.transaction is None:
            # the test's registry, not ``Registry(dbname)``: Odoo's test runner runs the
            # post-install tests holding the registries' lock, a request asking for it waits
            cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, context or {})

    def _at_once(self, first_call, second_call):
        """``first_call(env)`` and ``second_call(env)`` run by two requests at once: the
        second takes its snapshot before the first commits, and acts once the first did
        its part (it waits on the first's locks, or fails and is retried as a request is).
        Their results (or errors), first then second. No error may be logged."""
        added, snapshot = threading.Event(), threading.Event()
        results = {}

        def first(env):
            result = first_call(env)
            added.set()
            snapshot.wait(timeout=30)
            time.sleep(0.5)  # the second request waits on the first meanwhile
            return result

        def second(env):
            env.cr.execute(SQL("SELECT 1"))  # the snapshot, taken before the first commits
            snapshot.set()
            added.wait(timeout=30)
            return second_call(env)

        def request(name, func):
            threading.current_thread().testing = True  # no mail leaves the machine
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    results[name] = retrying(partial(func, env), env)
            except Exception as exc:  # noqa: BLE001 - reported by the test thread
                results[name] = exc

        threads = [
            threading.Thread(target=request, args=("first", first)),
            threading.Thread(target=request, args=("second", second)),
        ]
        with (
            patch.object(api.Transaction, "reset", reset_keeping_the_registry),
            self.assertNoLogs("odoo.sql_db", level="ERROR"),
        ):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertFalse(any(thread.is_alive() for thread in threads), "a request is stuck")
        return results["first"], results["second"]
