import { registry } from "@web/core/registry";

// A process not saved yet: the conditions of its steps' checklist items, optional tasks
// and branches count the records of the scope as typed on its form (team "Unguided
// Team", opportunities only).
registry.category("web_tour.tours").add("guide_process_new_scope_count_tour", {
    steps: () => [
        {
            content: "A new process",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Scope count new process",
        },
        {
            content: "Its team",
            trigger: ".o_field_widget[name=crm_team_ids] input",
            run: "edit Unguided Team",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Unguided Team'):not(:contains('Create'))",
            run: "click",
        },
        {
            content: "Opportunities only",
            trigger: ".o_field_widget[name=lead_type] select",
            run: 'select "opportunity"',
        },
        {
            content: "The process's condition counts the typed scope",
            trigger:
                ".o_field_widget[name=domain] .o_domain_show_selection_button:contains('2 record(s)')",
        },
        {
            content: "Add a step",
            trigger: ".o_field_widget[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Scope count step",
        },
        {
            content: "Add a checklist item",
            trigger: ".modal .o_field_widget[name=item_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The item's condition counts the records of the scope typed on the process",
            trigger:
                ".modal .o_field_widget[name=apply_domain] .o_domain_show_selection_button:contains('2 record(s)')",
        },
        {
            content: "Discard the item",
            trigger: ".modal:has(.o_field_widget[name=apply_domain]) .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Its optional tasks",
            trigger: ".modal .o_notebook a.nav-link:contains('Optional Tasks')",
            run: "click",
        },
        {
            content: "Add an optional task",
            trigger: ".modal .o_field_widget[name=task_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The task's condition is edited on leads and counts the scope typed on the process",
            trigger:
                ".modal .o_field_widget[name=suggest_domain] .o_domain_show_selection_button:contains('2 record(s)')",
        },
        {
            content: "Discard the task",
            trigger: ".modal:has(.o_field_widget[name=suggest_domain]) .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Its branches",
            trigger:
                ".modal:not(:has(.o_field_widget[name=suggest_domain])) .o_notebook a.nav-link:contains('Branches')",
            run: "click",
        },
        {
            content: "Add a branch",
            trigger: ".modal .o_field_widget[name=branch_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The branch's condition is edited on leads and counts the scope typed on the process",
            trigger:
                ".modal .o_field_widget[name=branch_ids] .o_data_row .o_field_widget[name=domain] .o_domain_show_selection_button:contains('2 record(s)')",
        },
        {
            content: "Discard the step",
            trigger: ".modal:not(:has(.o_field_widget[name=apply_domain])) .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Discard the process",
            trigger: "body:not(:has(.modal)) .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Back to the list of processes",
            trigger: "body:not(:has(.o_form_view)) .o_list_button_add",
        },
    ],
});
