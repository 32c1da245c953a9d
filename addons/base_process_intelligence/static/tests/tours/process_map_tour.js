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
            content: "Each node says its visits in one sentence",
            trigger: ".o_guide_process_map svg .o_guide_map_node_visits:contains(visits)",
        },
        {
            content: "The conformance of the process, its share set in large type within the sentence",
            trigger:
                ".o_guide_map_conformance p:has(span.fs-3:contains(20 %)):contains(records followed the designed process.)",
        },
        {
            content: "The variants: their count and the outcome rate of the model",
            trigger: "h5:contains(Variants) small.text-muted:contains(distinct paths)",
        },
        {
            content: "The outcome rate column names the model's success",
            trigger: ".o_guide_map_variants th:contains(rate)",
        },
        {
            content: "The variants, ranked",
            trigger: ".o_guide_map_variants .o_guide_map_variant_row:contains(PI-A → PI-B → PI-C → PI-D)",
        },
        {
            content: "The map filters by version of the process",
            trigger: "select.o_guide_map_version",
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
