"""Shared by the benchmarks that time writes of N records (not a benchmark itself)."""

import argparse
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
