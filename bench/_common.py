"""Shared by the benchmarks that time writes of N records (not a benchmark itself)."""

import argparse
import os
import time

import odoo
from odoo.tools import config


def measure(env, func):
    """(seconds, queries) of ``func()``, flushed and with the end-of-request mail tracking."""
    env.flush_all()
    env.invalidate_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    func()
    env.flush_all()
    env.cr.precommit.run()  # mail tracking, as at the end of a real request
    env.flush_all()
    return time.perf_counter() - start, env.cr.sql_log_count - queries


def pin_to_one_cpu(cursors):
    """Run this process and the database backends of ``cursors`` on one CPU; return it.

    A query's round trip costs about 18 µs when the backend runs on the caller's CPU
    and about 90 µs when it has to be woken on another one (measured on these virtual
    machines). The scheduler places each backend as it likes, and a placement lasts
    long enough to slow one side of a comparison on every query it makes. On one CPU
    every query of both sides pays the same (the lower) price, so ratios show work
    done, not placement. Returns None where that cannot be done (not Linux, a remote
    server, no permission): the output says so.
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    pids = []
    for cr in cursors:
        cr.execute("SELECT pg_backend_pid()")
        pids.append(cr.fetchone()[0])
    cpu = min(os.sched_getaffinity(0))
    pinned = {}  # pid: its affinity before, restored if one of them cannot be pinned
    try:
        for pid in pids:
            with open(f"/proc/{pid}/comm") as comm:  # a local server's backend, not a remote pid
                if comm.read().strip() != "postgres":
                    return None
        for pid in [*pids, 0]:
            before = os.sched_getaffinity(pid)
            os.sched_setaffinity(pid, {cpu})
            pinned[pid] = before
    except OSError:
        for pid, before in pinned.items():
            os.sched_setaffinity(pid, before)
        return None
    return cpu


def main_sized(run):
    """Command line of a sized benchmark: ``run(env, sizes)`` in a transaction rolled back."""
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", default="10,100,1000")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": False})
        try:
            run(env, [int(s) for s in args.sizes.split(",")])
        finally:
            cr.rollback()
