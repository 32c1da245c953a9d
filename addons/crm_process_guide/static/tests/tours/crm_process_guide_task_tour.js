import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_process_guide_task_tour", {
    steps: () => [
        {
            content: "The panel suggests the task",
            trigger: ".o_guide_suggested_tasks .o_data_row:contains('Tour questionnaire')",
        },
        {
            content: "Add a task from the panel",
            trigger: ".o_guide_adaptive button.o_guide_add_task",
            run: "click",
        },
        {
            content: "Choose the task",
            trigger: ".modal .o_field_widget[name=task_id] input",
            run: "edit Tour questionnaire",
        },
        {
            content: "Pick it",
            trigger: ".ui-autocomplete .dropdown-item:contains('Tour questionnaire')",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Public sector customer",
        },
        {
            content: "Add it",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The task is on the checklist, and blocks moving on",
            trigger: ".o_guide_checklist .o_data_row:contains('Tour questionnaire')",
        },
        {
            content: "No longer suggested",
            trigger: ".o_guide_panel:not(:has(.o_guide_suggested_tasks .o_data_row:contains('Tour questionnaire')))",
        },
    ],
});
