{
    "name": "Base Process Intelligence",
    "summary": "Which parts of a process work: a live process map, variants and conformance, "
    "step effectiveness, agent and team scorecards, before and after, computed in SQL",
    "version": "18.0.2.1.2",
    "category": "Productivity",
    "license": "LGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": ["base_process_guide", "base_escalation", "base_policy_compliance"],
    "data": [
        "security/ir.model.access.csv",
        "security/guide_scorecard_security.xml",
        "data/guide_step_visit_data.xml",
        "views/guide_step_visit_views.xml",
        "views/guide_process_map_views.xml",
        "views/guide_effectiveness_views.xml",
        "views/guide_scorecard_views.xml",
        "wizard/guide_compare_wizard_views.xml",
        "views/guide_intelligence_scorecard_menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "base_process_intelligence/static/src/process_map/*",
        ],
        "web.assets_tests": [
            "base_process_intelligence/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "installable": True,
}
