{
    "name": "Helpdesk Policy Compliance",
    "summary": "Policies on OCA helpdesk tickets: block, warn, tiered approval and justified "
    "override at ticket transitions, with the compliance audit trail",
    "version": "18.0.2.0.0",
    "category": "After-Sales",
    "license": "AGPL-3",
    "author": "Process Guide Team",
    "website": "https://github.com/process-guide/odoo-process-guide",
    "maintainers": ["process-guide"],
    "development_status": "Beta",
    "depends": ["helpdesk_process_guide", "base_policy_compliance"],
    "data": [
        "security/helpdesk_policy_compliance_security.xml",
        "security/ir.model.access.csv",
        "views/compliance_policy_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/helpdesk_policy_compliance_menus.xml",
    ],
    "demo": ["demo/helpdesk_policy_compliance_demo.xml"],
    "auto_install": True,
    "installable": True,
    "uninstall_hook": "uninstall_hook",
}
