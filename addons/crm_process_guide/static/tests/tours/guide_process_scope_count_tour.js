import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("guide_process_scope_count_tour", {
    steps: () => [
        {
            content: "The condition counts the opportunities of the process's teams only",
            trigger:
                ".o_field_widget[name=domain] .o_domain_show_selection_button:contains('2 record(s)')",
        },
        {
            content: "Widen the scope to leads and opportunities",
            trigger: ".o_field_widget[name=lead_type] select",
            run: 'select "both"',
        },
        {
            content: "The count follows the unsaved scope",
            trigger:
                ".o_field_widget[name=domain] .o_domain_show_selection_button:contains('3 record(s)')",
        },
        {
            content: "The matching records are those of the scope",
            trigger: ".o_field_widget[name=domain] .o_domain_show_selection_button",
            run: "click",
        },
        {
            content: "Three records listed, none of the other team",
            trigger:
                ".modal .o_list_view:not(:has(.o_data_cell:contains('Scope count other team'))) .o_data_row:eq(2)",
        },
        {
            content: "Close",
            trigger: ".modal .btn-close",
            run: "click",
        },
        {
            content: "Discard the change of scope",
            trigger: "body:not(:has(.modal)) .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Back to the saved scope and its count",
            trigger:
                ".o_form_saved .o_field_widget[name=domain] .o_domain_show_selection_button:contains('2 record(s)')",
        },
        {
            content: "Open a step",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:contains('G-Qualification') td[name=name]",
            run: "click",
        },
        {
            content: "Open one of its checklist items",
            trigger: ".modal .o_field_widget[name=item_ids] .o_data_row:contains('Budget confirmed') td[name=name]",
            run: "click",
        },
        {
            content: "The item's condition counts the records of the process only, as the process's does",
            trigger:
                ".modal .o_field_widget[name=apply_domain] .o_domain_show_selection_button:contains('2 record(s)')",
        },
    ],
});
