import { registry } from "@web/core/registry";

// A process designed in one go from the menu: steps, their checklist and milestones are
// added before the process is first saved (the rows' parent is set by the save).
registry.category("web_tour.tours").add("guide_process_new_tour", {
    steps: () => [
        {
            content: "A new process",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "From the CRM menu, a new process applies to leads: no other choice is offered",
            trigger: ".o_field_widget[name=model_name].o_readonly_modifier:not(:has(select))",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour new process",
        },
        {
            content: "Add a step",
            trigger: ".o_field_widget[name=step_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The dialog is titled with one step, not the list of steps",
            trigger: ".modal .modal-title:contains('Create Step'):not(:contains('Steps'))",
        },
        {
            content: "The step dialog asks for no process: it is the one being designed",
            trigger: ".modal:not(:has(.o_field_widget[name=process_id])) .o_field_widget[name=name] input",
            run: "edit Tour step",
        },
        {
            content: "Its stage",
            trigger: ".modal .o_field_widget[name=crm_stage_id] input",
            run: "edit G-Proposal",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('G-Proposal')",
            run: "click",
        },
        {
            content: "Add a checklist item",
            trigger: ".modal .o_field_widget[name=item_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The item dialog asks for no step either",
            trigger:
                ".modal:has(.o_inner_group .o_field_widget[name=name]):not(:has(.o_field_widget[name=step_id])) .o_inner_group .o_field_widget[name=name] input",
            run: "edit Tour item",
        },
        {
            trigger: ".modal:has(.o_inner_group .o_field_widget[name=name]) .o_form_button_save",
            run: "click",
        },
        {
            content: "The item is listed in the step",
            trigger:
                "body:not(:has(.modal .o_inner_group .o_field_widget[name=name])) .modal .o_field_widget[name=item_ids] .o_data_cell:contains('Tour item')",
        },
        {
            content: "Save the step",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The step is listed",
            trigger: "body:not(:has(.modal)) .o_field_widget[name=step_ids] .o_data_cell:contains('Tour step')",
        },
        {
            content: "Milestones",
            trigger: ".o_notebook .nav-link[name=milestones]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=milestone_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The milestone dialog asks for no process",
            trigger: ".modal:not(:has(.o_field_widget[name=process_id])) .o_field_widget[name=name] input",
            run: "edit Tour milestone",
        },
        {
            content: "Its condition is edited in user words (no \"domain\")",
            trigger:
                ".modal .o_field_widget[name=condition] .o_field_domain_dialog_button:contains('Edit Condition'):not(:contains('Domain'))",
        },
        {
            content: "Reached by hand",
            trigger: ".modal .o_field_widget[name=reach_mode] input[data-value=manual]",
            run: "click",
        },
        {
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "Save the process",
            trigger: "body:not(:has(.modal)) .o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved .o_field_widget[name=milestone_ids] .o_data_cell:contains('Tour milestone')",
        },
    ],
});
