{
    "name": "CRM Policy Compliance",
    "summary": "Policies enforced at transitions of CRM leads: block, warn, approval, "
    "justified override with expiry, immutable audit trail and compliance reports",
    "version": "18.0.2.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": ["crm_process_guide", "base_policy_compliance"],
    "data": [
        "security/crm_policy_compliance_security.xml",
        "security/ir.model.access.csv",
        "wizard/crm_lead_lost_views.xml",
        "views/compliance_policy_views.xml",
        "views/compliance_log_views.xml",
        "views/compliance_approval_request_views.xml",
        "views/crm_lead_views.xml",
        "views/compliance_menus.xml",
    ],
    "demo": ["demo/compliance_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "crm_policy_compliance/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "uninstall_hook": "uninstall_hook",
}
