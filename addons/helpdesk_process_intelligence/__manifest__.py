{
    "name": "Helpdesk Process Intelligence",
    "summary": "Process map, variants and conformance of OCA helpdesk tickets, from the stage history",
    "version": "18.0.2.0.0",
    "category": "After-Sales",
    "license": "AGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": [
        "helpdesk_process_guide",
        "helpdesk_escalation",
        "helpdesk_policy_compliance",
        "base_process_intelligence",
    ],
    "data": [
        "security/ir.model.access.csv",
        "views/helpdesk_process_map_views.xml",
    ],
    "demo": ["demo/helpdesk_process_map_demo.xml"],
    "auto_install": True,
    "installable": True,
}
