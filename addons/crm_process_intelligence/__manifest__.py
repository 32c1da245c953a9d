{
    "name": "CRM Process Intelligence",
    "summary": "Process map, variants and conformance, step effectiveness, scorecards and "
    "before/after on the CRM pipeline: won rate and time to close, CRM reporting menus",
    "version": "18.0.2.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": [
        "crm_process_guide",
        "crm_escalation",
        "crm_policy_compliance",
        "base_process_intelligence",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/crm_process_intelligence_scorecard_security.xml",
        "views/crm_process_map_views.xml",
        "views/guide_effectiveness_views.xml",
        "views/guide_scorecard_views.xml",
        "views/crm_process_intelligence_scorecard_menus.xml",
    ],
    "demo": ["demo/crm_process_map_demo.xml"],
    "installable": True,
}
