{
    "name": "CRM Process Guide",
    "summary": "Guided processes on the CRM pipeline: stage instructions, gating "
    "checklists, knowledge hints, justified deviations and stage history",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": ["crm"],
    "data": [
        "security/crm_process_guide_security.xml",
        "security/ir.model.access.csv",
        "data/guide_reason_data.xml",
        "data/guide_apply_job_data.xml",
        "wizard/guide_override_wizard_views.xml",
        "views/guide_process_views.xml",
        "views/guide_step_views.xml",
        "views/guide_hint_views.xml",
        "views/guide_history_views.xml",
        "views/guide_line_views.xml",
        "views/guide_deviation_views.xml",
        "views/guide_feedback_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_process_guide_menus.xml",
    ],
    "demo": [
        "demo/crm_process_guide_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "crm_process_guide/static/src/**/*",
        ],
        "web.assets_tests": [
            "crm_process_guide/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
}
