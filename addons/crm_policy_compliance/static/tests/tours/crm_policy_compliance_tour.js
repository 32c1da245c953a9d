import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_policy_compliance_tour", {
    steps: () => [
        {
            content: "Move the large deal to the proposal stage",
            trigger: ".o_statusbar_status button[data-value]:contains('P-Proposal')",
            run: "click",
        },
        {
            content: "The move is held: the policy needs approval",
            trigger: ".modal:contains('Needs approval'):contains('Proposals above 50,000 need approval.')",
        },
        {
            content: "Ask for the approval",
            trigger: ".modal .modal-footer button:contains('Request approval')",
            run: "click",
        },
        {
            content: "Explain why to the approvers",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Strategic account, first order of a framework contract",
        },
        {
            content: "Send the request",
            trigger: ".modal .modal-footer button:contains('Request Approval')",
            run: "click",
        },
        {
            content: "The request is sent",
            trigger: ".o_notification:contains('approval request(s) sent')",
        },
        {
            content: "Discard the held change in the form",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "The deal stays in its stage",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('P-New')",
        },
    ],
});
