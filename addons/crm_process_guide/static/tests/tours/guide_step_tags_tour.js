import { registry } from "@web/core/registry";

// a form naming a process (a hint's, an escalation rule's, a policy's) with the step
// "Tag Qualif" of process "B2B Sales"
registry.category("web_tour.tours").add("guide_step_tags_tour", {
    steps: () => [
        {
            content: "A step of the process the form shows reads by its name alone",
            trigger:
                ".o_form_view .o_field_widget[name=step_ids] .o_tag:contains('Tag Qualif'):not(:contains('B2B Sales'))",
        },
        {
            content: "Clear the process",
            trigger: ".o_form_view .o_field_widget[name=process_id] input",
            run: "clear",
        },
        {
            content: "Leave the field",
            trigger: ".o_form_view .oe_title h1 input",
            run: "click",
        },
        {
            content: "No process shown: the step reads with its process",
            trigger: ".o_form_view .o_field_widget[name=step_ids] .o_tag:contains('B2B Sales / Tag Qualif')",
        },
        {
            content: "Discard",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
    ],
});

registry.category("web_tour.tours").add("guide_hint_step_tags_tour", {
    steps: () => [
        {
            content: "A hint of the process: its step by its name, the process in the column beside",
            trigger:
                ".o_data_row:contains('Tag hint of the process') .o_field_widget[name=step_ids] .o_tag:contains('Tag Qualif'):not(:contains('B2B Sales'))",
        },
        {
            content: "A hint of every process: its step with its process",
            trigger:
                ".o_data_row:contains('Tag hint of every process') .o_field_widget[name=step_ids] .o_tag:contains('B2B Sales / Tag Qualif')",
        },
    ],
});
