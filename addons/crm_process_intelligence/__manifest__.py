{
    "name": "CRM Process Intelligence",
    "summary": "Process map, variants and conformance of the CRM pipeline, from the stage history",
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
        "views/crm_process_map_views.xml",
    ],
    "demo": ["demo/crm_process_map_demo.xml"],
    "installable": True,
}
