import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_policy_compliance_approve_tour", {
    steps: () => [
        {
            content: "The request waits in the To Approve list, with what it changes",
            trigger: ".o_list_view .o_data_row:contains('Tour big deal'):contains('Large proposals')",
        },
        {
            content: "Approve it from the list",
            trigger: ".o_data_row:contains('Tour big deal') button[name=action_approve]",
            run: "click",
        },
        {
            content: "Decided: nothing left to decide on the request",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour big deal') button[name=action_approve]))",
        },
    ],
});
