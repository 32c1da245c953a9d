import { registry } from "@web/core/registry";

// The process map of the hand case (crm_process_intelligence/tests/test_ui.py): the
// steps are drawn, the conformance and the variants are listed, and clicking a step
// lists its records — only the ones the user may read.
registry.category("web_tour.tours").add("base_process_intelligence_process_map_tour", {
    steps: () => [
        {
            content: "The map draws the steps of the process",
            trigger: ".o_guide_process_map svg .o_guide_map_node:contains(PI-B)",
        },
        {
            content: "Moves the design does not plan are drawn as such",
            trigger: ".o_guide_process_map .o_guide_map_edge.o_edge_skip",
        },
        {
            content: "The conformance of the process",
            trigger: ".o_guide_map_conformance:contains(20 %)",
        },
        {
            content: "The variants, ranked",
            trigger: ".o_guide_map_variants .o_guide_map_variant_row:contains(PI-A → PI-B → PI-C → PI-D)",
        },
        {
            content: "Click the step B",
            trigger: ".o_guide_process_map svg .o_guide_map_node:contains(PI-B)",
            run: "click",
        },
        {
            content: "Its records open in a list: the user's own",
            trigger: ".o_list_view .o_data_row:contains(PI lead r1)",
        },
        {
            content: "and not the colleague's",
            trigger: ".o_list_view:not(:has(.o_data_row:contains(PI lead r2)))",
        },
    ],
});
