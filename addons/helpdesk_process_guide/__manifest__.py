{
    "name": "Helpdesk Process Guide",
    "summary": "Guided processes on OCA helpdesk tickets: stage instructions, gating "
    "checklists, knowledge hints, justified deviations and stage history",
    "version": "18.0.2.2.0",
    "category": "After-Sales",
    "license": "AGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": ["helpdesk_mgmt", "base_process_guide"],
    "data": [
        "security/helpdesk_process_guide_security.xml",
        "security/ir.model.access.csv",
        "security/guide_adaptive_security.xml",
        "views/guide_process_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_ticket_detour_views.xml",
        "views/helpdesk_ticket_adaptive_views.xml",
        "views/helpdesk_ticket_portal_templates.xml",
        "views/helpdesk_process_guide_menus.xml",
    ],
    "demo": [
        "demo/helpdesk_process_guide_demo.xml",
        "demo/helpdesk_process_guide_detour_demo.xml",
        "demo/helpdesk_process_guide_adaptive_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "helpdesk_process_guide/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "auto_install": True,
    "installable": True,
}
