import { registry } from "@web/core/registry";

// Before and After at 1440 px in the user's language (Russian, Chinese): once compared,
// every column header and every section of the figures is read whole, none cut by an
// ellipsis.
registry.category("web_tour.tours").add("base_process_intelligence_compare_headers_tour", {
    steps: () => [
        {
            content: "Compare",
            trigger: ".o_form_view .o_form_statusbar button[name=action_compare]",
            run: "click",
        },
        {
            content: "The figures are shown",
            trigger: ".o_field_widget[name=line_ids] .o_data_row",
        },
        {
            content: "No column header nor section is cut",
            trigger: ".o_field_widget[name=line_ids] thead th span.text-truncate",
            run() {
                const list = document.querySelector(".o_field_widget[name=line_ids]");
                const cut = [
                    ...list.querySelectorAll("thead th span.text-truncate"),
                    ...list.querySelectorAll("td[name=section]"),
                ]
                    .filter((el) => el.scrollWidth > el.clientWidth)
                    .map((el) => el.textContent);
                if (cut.length) {
                    throw new Error(`Cut: ${[...new Set(cut)].join(", ")}`);
                }
            },
        },
    ],
});
