"""Flags the engine sets for itself, out of a client's reach.

A context key can be sent by any RPC or JSON-RPC caller, so the engine never
reads its internal switches (collect held changes, skip a re-synchronisation,
the approved requests being applied...) from the context. It keeps them on the
database cursor of the request instead, for the duration of a ``with`` block:
nothing a client sends can set them.
"""

import threading
from contextlib import contextmanager

from odoo import modules
from odoo.tools import config

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

_KEY = "guide_engine_flags"
_MISSING = object()


@contextmanager
def engine_flag(env, key, value=True):
    """Set the engine flag ``key`` to ``value`` on ``env``'s cursor within the block."""
    flags = env.cr.cache.setdefault(_KEY, {})
    previous = flags.get(key, _MISSING)
    flags[key] = value
    try:
        yield
    finally:
        if previous is _MISSING:
            flags.pop(key, None)
        else:
            flags[key] = previous


def engine_flag_get(env, key, default=None):
    """The value of the engine flag ``key`` on ``env``'s cursor (``default`` when unset)."""
    return env.cr.cache.get(_KEY, {}).get(key, default)


def module_uninstalling(env):
    """Whether records are being deleted by a module's uninstallation: Odoo's uninstall
    flag set by the superuser (who uninstalls modules). The flag alone is a context key
    any client can send, and it skips the ``@api.ondelete(at_uninstall=False)`` checks."""
    return env.su and bool(env.context.get(MODULE_UNINSTALL_FLAG))


def engine_no_commit(env, key):
    """Whether a batch job must not commit its chunks: under tests, while the registry
    loads (demo data runs the crons), or when its caller set the engine flag ``key``
    (a benchmark or a script running the job inside its own transaction)."""
    return bool(
        engine_flag_get(env, key)
        or getattr(threading.current_thread(), "testing", False)
        or modules.module.current_test
        or env.registry.in_test_mode()
        or not env.registry.ready
    )


def cron_time_limit(time_limit=None):
    """The seconds a batch job may use in one run: ``time_limit`` when given, otherwise
    half of the cron's real-time limit (the rest is left to the next run)."""
    if time_limit is not None:
        return time_limit
    limit = config["limit_time_real_cron"]
    if not limit or limit < 0:
        limit = config["limit_time_real"]
    return (limit or 120) / 2


def refresh_registry_caches(env):
    """Clear the caches of ``env``'s registry that another process invalidated (a
    configuration saved meanwhile); returns False when the registry itself changed
    (modules installed or updated: the caller stops, its next run goes on in the new
    registry).

    Odoo checks the invalidations other processes signalled when a cron job starts
    only; a long batch job committing chunk after chunk calls this before each chunk,
    so that every chunk applies the configuration as it is then, not as it was when
    the run started. Nothing to do under tests (one process)."""
    registry = env.registry
    if registry.in_test_mode() or not registry.ready:
        return True
    return registry.check_signaling() is registry
