{
    "name": "CRM Escalation",
    "summary": "Multi-level, working-hours aware escalation rules on guided records: "
    "SLA clocks with pause and targets, automatic and manual escalation, full log",
    "version": "18.0.2.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": ["crm_process_guide", "base_escalation"],
    "data": [
        "security/escalation_rule_security.xml",
        "security/ir.model.access.csv",
        "views/escalation_crm_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_team_views.xml",
        "views/res_config_settings_views.xml",
        "views/escalation_menus.xml",
    ],
    "demo": ["demo/escalation_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "crm_escalation/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "uninstall_hook": "uninstall_hook",
}
