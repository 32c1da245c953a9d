{
    "name": "CRM Process Guide",
    "summary": "Guided processes on the CRM pipeline: stage instructions, gating "
    "checklists, knowledge hints, justified deviations and stage history",
    "version": "18.0.2.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": ["crm", "base_process_guide"],
    "data": [
        "security/crm_process_guide_security.xml",
        "security/ir.model.access.csv",
        "security/guide_adaptive_security.xml",
        "views/guide_process_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_lead_detour_views.xml",
        "views/crm_lead_adaptive_views.xml",
        "views/crm_process_guide_menus.xml",
    ],
    "demo": [
        "demo/crm_process_guide_demo.xml",
        "demo/crm_process_guide_detour_demo.xml",
        "demo/crm_process_guide_adaptive_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_process_guide/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
}
