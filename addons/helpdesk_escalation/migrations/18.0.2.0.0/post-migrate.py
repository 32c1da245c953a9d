from odoo import SUPERUSER_ID, api

# 18.0.2.0.0 dropped the rules letting sales managers configure every escalation
# rule and level from this module (helpdesk managers configure the ticket rules;
# sales managers get theirs from crm_escalation). The rules were ``noupdate``: the
# update does not delete them by itself.
DROPPED_RULES = [
    "escalation_rule_rule_sale_manager",
    "escalation_level_rule_sale_manager",
]


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    rules = env["ir.rule"]
    for name in DROPPED_RULES:
        rules |= env.ref(f"helpdesk_escalation.{name}", raise_if_not_found=False) or env["ir.rule"]
    rules.unlink()
