{
    "name": "Helpdesk Process Intelligence",
    "summary": "Step effectiveness, scorecards and before/after comparison on OCA helpdesk "
    "tickets: time to close, helpdesk-team leaders' scorecards, helpdesk reporting menus",
    "version": "18.0.2.0.0",
    "category": "After-Sales",
    "license": "LGPL-3",
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
        "views/guide_effectiveness_views.xml",
        "views/guide_scorecard_views.xml",
        "views/helpdesk_process_intelligence_scorecard_menus.xml",
    ],
    "installable": True,
}
