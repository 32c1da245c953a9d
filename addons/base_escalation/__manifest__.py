{
    "name": "Base Escalation",
    "summary": "Multi-level, working-hours aware escalation rules on any guided model: "
    "SLA clocks with pause and targets, automatic and manual escalation, full log",
    "version": "18.0.2.2.3",
    "category": "Productivity",
    "license": "LGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": ["base_process_guide", "resource"],
    "data": [
        "security/base_escalation_security.xml",
        "security/ir.model.access.csv",
        "data/escalation_cron.xml",
        "views/escalation_rule_views.xml",
        "views/escalation_rule_milestone_views.xml",
        "views/escalation_clock_views.xml",
        "views/escalation_log_views.xml",
        "wizard/escalation_manual_wizard_views.xml",
        "views/base_escalation_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "base_escalation/static/src/scss/escalation_level.scss",
        ],
    },
    "pre_init_hook": "pre_init_hook",
    "installable": True,
}
