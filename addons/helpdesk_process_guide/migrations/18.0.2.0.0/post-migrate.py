from odoo import SUPERUSER_ID, api

# 18.0.2.0.0 dropped the rules letting sales managers configure every process
# from this module (helpdesk managers configure the ticket processes; sales
# managers get theirs from crm_process_guide). The rules were ``noupdate``: the
# update does not delete them by itself.
DROPPED_RULES = [
    "guide_process_rule_sale_manager",
    "guide_step_rule_sale_manager",
    "guide_item_rule_sale_manager",
    "guide_hint_rule_sale_manager",
]


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    rules = env["ir.rule"]
    for name in DROPPED_RULES:
        rules |= env.ref(f"helpdesk_process_guide.{name}", raise_if_not_found=False) or env["ir.rule"]
    rules.unlink()
