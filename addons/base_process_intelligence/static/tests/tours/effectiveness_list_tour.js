import { registry } from "@web/core/registry";

// The step-effectiveness list at 1440 px in the user's language (Russian, Chinese):
// every column header is read whole, none cut by an ellipsis.
registry.category("web_tour.tours").add("base_process_intelligence_effectiveness_headers_tour", {
    steps: () => [
        {
            content: "The list shows the figures of the items",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "No column header is cut",
            trigger: ".o_list_view thead th span.text-truncate",
            run() {
                const cut = [...document.querySelectorAll(".o_list_view thead th span.text-truncate")]
                    .filter((span) => span.scrollWidth > span.clientWidth)
                    .map((span) => span.textContent);
                if (cut.length) {
                    throw new Error(`Column headers cut: ${cut.join(", ")}`);
                }
            },
        },
    ],
});
