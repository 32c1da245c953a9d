{
    "name": "Helpdesk Process Intelligence",
    "summary": "Process map, variants and conformance, step effectiveness, scorecards and "
    "before/after on OCA helpdesk tickets: resolution time, helpdesk reporting menus",
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
        "security/helpdesk_process_intelligence_scorecard_security.xml",
        "views/helpdesk_process_map_views.xml",
        "views/guide_effectiveness_views.xml",
        "views/guide_scorecard_views.xml",
        "views/helpdesk_process_intelligence_scorecard_menus.xml",
    ],
    "demo": ["demo/helpdesk_process_map_demo.xml"],
    "auto_install": True,
    "installable": True,
}
