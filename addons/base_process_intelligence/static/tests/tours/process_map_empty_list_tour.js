import { registry } from "@web/core/registry";

// The records behind a node of the process map, for a user who may read none of them:
// the list says why it is empty, in words, instead of the model's made-up sample records.
registry.category("web_tour.tours").add("base_process_intelligence_process_map_empty_list_tour", {
    steps: () => [
        {
            content: "Click the step B",
            trigger: ".o_guide_process_map svg .o_guide_map_node:contains(PI-B)",
            run: "click",
        },
        {
            content: "The empty list says why, as a heading and a sentence (not as HTML source)",
            trigger:
                ".o_list_view .o_view_nocontent .o_view_nocontent_empty_folder:contains(No record here that you may open)",
        },
        {
            content: "and shows no sample records",
            trigger: ".o_list_view:not(:has(.o_view_sample_data)):not(:has(.o_data_row))",
        },
    ],
});
