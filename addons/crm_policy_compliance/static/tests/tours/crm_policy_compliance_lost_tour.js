import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_policy_compliance_lost_tour", {
    steps: () => [
        {
            content: "Mark the opportunity lost",
            trigger: ".o_form_view .o_statusbar_buttons button[data-hotkey=l]",
            run: "click",
        },
        {
            content: "The dialog says what the policy requires",
            trigger: ".modal .o_compliance_lost_alert:contains('Say why the deal is lost.')",
        },
        {
            content: "Confirm without a reason",
            trigger: ".modal .modal-footer button[name=action_lost_reason_apply]",
            run: "click",
        },
        {
            content: "The reason is asked in the same dialog, no second one",
            trigger: ".modal .o_field_widget[name=lost_reason_id].o_field_invalid",
        },
        {
            content: "Only one dialog",
            trigger: "body:not(:has(.modal ~ .modal)):not(:has(.o_error_dialog))",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=lost_reason_id] input",
            run: "edit Budget frozen",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-item:contains('Budget frozen')",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button[name=action_lost_reason_apply]",
            run: "click",
        },
        {
            content: "The opportunity is lost",
            trigger: "body:not(:has(.modal)) .o_form_view .ribbon:contains('Lost')",
        },
    ],
});
