import { registry } from "@web/core/registry";

const clean = ".o_form_status_indicator_buttons.invisible";

/** Statusbar click on a move held for approval: the request form opens directly (one dialog). */
registry.category("web_tour.tours").add("crm_policy_compliance_tour", {
    steps: () => [
        {
            content: "Move the large deal to the proposal stage",
            trigger: ".o_statusbar_status button[data-value]:contains('P-Proposal')",
            run: "click",
        },
        {
            content: "The approval request form opens directly, with the policy not met",
            trigger: ".modal:contains('Request Approval'):contains('Proposals above 50,000 need approval.')",
        },
        {
            content: "No error dialog before it, no API wording",
            trigger:
                "body:not(:has(.o_error_dialog)):not(:has(.modal:contains('compliance_request_approval')))",
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
            trigger: ".o_notification:contains('Your request was sent to the approvers')",
        },
        {
            content: "The form shows the deal where it is, saved, awaiting approval",
            trigger: `body:not(:has(.modal)) .o_form_view:has(${clean}) .o_statusbar_status button.o_arrow_button_current:contains('P-New')`,
        },
    ],
});

/** Kanban drag on a move held for approval: one dialog, the card stays in its column. */
registry.category("web_tour.tours").add("crm_policy_compliance_kanban_tour", {
    steps: () => [
        {
            content: "Drag the large deal to the proposal stage",
            trigger: ".o_kanban_record:contains('Tour kanban big deal')",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains('P-Proposal')))",
        },
        {
            content: "The approval request form opens directly, with the policy not met",
            trigger: ".modal:contains('Request Approval'):contains('Proposals above 50,000 need approval.')",
        },
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog))",
        },
        {
            content: "Explain why to the approvers",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Framework contract",
        },
        {
            content: "Send the request",
            trigger: ".modal .modal-footer button:contains('Request Approval')",
            run: "click",
        },
        {
            content: "The card stays in its column",
            trigger:
                "body:not(:has(.modal)) .o_kanban_group:has(.o_column_title:contains('P-New')) .o_kanban_record:contains('Tour kanban big deal')",
        },
    ],
});

/** A card dragged past a step's gate into a step whose policy needs approval: one dialog,
 * the gate's, says both, and its one justification overrides the gate and asks the approvers. */
registry.category("web_tour.tours").add("crm_policy_compliance_gate_approval_tour", {
    steps: () => [
        {
            content: "Drag the large deal past the gate to the proposal stage",
            trigger: ".o_kanban_record:contains('Tour gated big deal')",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains('P-Proposal')))",
        },
        {
            content: "The gate's dialog lists what is not done and the approval the move needs",
            trigger:
                ".modal:contains('NDA signed'):contains('This move also needs approval'):contains('Proposals above 50,000 need approval.')",
        },
        {
            content: "Explain why",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Customer in a hurry",
        },
        {
            content: "Override and request the approval in one click",
            trigger: ".modal .modal-footer button:contains('Override and Request Approval')",
            run: "click",
        },
        {
            content: "The user is told the request was sent",
            trigger: ".o_notification:contains('Your request was sent to the approvers.')",
        },
        {
            content: "No second dialog, and the card stays in its column",
            trigger:
                "body:not(:has(.modal)) .o_kanban_group:has(.o_column_title:contains('P-New')) .o_kanban_record:contains('Tour gated big deal')",
        },
    ],
});

/** The Won button on a win held for approval: the request form opens directly (one dialog). */
registry.category("web_tour.tours").add("crm_policy_compliance_won_tour", {
    steps: () => [
        {
            content: "Mark the large deal won",
            trigger: ".o_form_view button[name=action_set_won_rainbowman]",
            run: "click",
        },
        {
            content: "The approval request form opens directly, with the policy not met",
            trigger: ".modal:contains('Request Approval'):contains('Wins above 50,000 need approval.')",
        },
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog))",
        },
        {
            content: "Explain why to the approvers",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Signed by the customer",
        },
        {
            content: "Send the request",
            trigger: ".modal .modal-footer button:contains('Request Approval')",
            run: "click",
        },
        {
            content: "The form shows the deal not won yet, saved",
            trigger: `body:not(:has(.modal)) .o_form_view:has(${clean}) .o_statusbar_status button.o_arrow_button_current:contains('P-New')`,
        },
    ],
});
