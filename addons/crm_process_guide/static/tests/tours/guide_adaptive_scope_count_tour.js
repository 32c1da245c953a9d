import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("guide_adaptive_scope_count_tour", {
    steps: () => [
        {
            content: "Open the process's milestones",
            trigger: ".o_notebook a.nav-link:contains('Milestones')",
            run: "click",
        },
        {
            content: "Open a milestone",
            trigger: ".o_field_widget[name=milestone_ids] .o_data_row:contains('Scope milestone') td[name=name]",
            run: "click",
        },
        {
            content: "Its condition counts the records of the process only",
            trigger:
                ".modal .o_field_widget[name=condition] .o_domain_show_selection_button:contains('2 record(s)')",
        },
        {
            content: "Close the milestone",
            trigger: ".modal .o_form_button_cancel",
            run: "click",
        },
        {
            content: "Back to the steps",
            trigger: "body:not(:has(.modal)) .o_notebook a.nav-link:contains('Steps')",
            run: "click",
        },
        {
            content: "Open a step",
            trigger: ".o_field_widget[name=step_ids] .o_data_row:contains('G-Qualification') td[name=name]",
            run: "click",
        },
        {
            content: "Open its optional tasks",
            trigger: ".modal .o_notebook a.nav-link:contains('Optional Tasks')",
            run: "click",
        },
        {
            content: "Open an optional task",
            trigger: ".modal .o_field_widget[name=task_ids] .o_data_row:contains('Scope task') td[name=name]",
            run: "click",
        },
        {
            content: "Its condition counts the records of the process only",
            trigger:
                ".modal .o_field_widget[name=suggest_domain] .o_domain_show_selection_button:contains('2 record(s)')",
        },
    ],
});
