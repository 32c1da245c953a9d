import { localization } from "@web/core/l10n/localization";
import { registry } from "@web/core/registry";

// The process map in the user's language (crm_process_intelligence/tests/test_ui.py,
// Russian and Chinese): long step names stay inside their node, the 90th percentile
// is named in the language, numbers follow the user's localization.
registry.category("web_tour.tours").add("base_process_intelligence_process_map_localized_tour", {
    steps: () => [
        {
            content: "The map draws the steps",
            trigger: ".o_guide_process_map svg .o_guide_map_node .o_guide_map_node_name",
        },
        {
            content: "Every step name stays inside its node",
            trigger: ".o_guide_process_map .o_guide_map_steps",
            run() {
                const spilling = [...document.querySelectorAll(".o_guide_map_node")]
                    .filter((node) => {
                        const box = node.querySelector("rect").getBoundingClientRect();
                        const name = node.querySelector(".o_guide_map_node_name").getBoundingClientRect();
                        return (
                            name.left < box.left ||
                            name.right > box.right ||
                            name.top < box.top ||
                            name.bottom > box.bottom
                        );
                    })
                    .map((node) => node.querySelector(".o_guide_map_node_name").textContent);
                if (spilling.length) {
                    throw new Error(`Step names past their node: ${spilling.join(", ")}`);
                }
            },
        },
        {
            content: "The 90th percentile is named in the user's language",
            trigger: ".o_guide_map_steps th",
            run() {
                const english = [...document.querySelectorAll(".o_guide_process_map th")]
                    .map((th) => th.textContent.trim())
                    .filter((text) => ["p90", "90th percentile"].includes(text));
                if (english.length) {
                    throw new Error(`Untranslated headers: ${english.join(", ")}`);
                }
            },
        },
        {
            content: "Durations are written with the user's decimal separator",
            trigger: ".o_guide_map_steps td",
            run() {
                const point = localization.decimalPoint;
                const times = [...document.querySelectorAll(".o_guide_map_node_time")]
                    .map((el) => el.textContent)
                    .filter((text) => /\d/.test(text));
                const wrong = times.filter((text) => !text.includes(`${point}`) || (point !== "." && /\d\.\d/.test(text)));
                if (!times.length || wrong.length) {
                    throw new Error(`Durations not in the localization (${point}): ${wrong.join(" | ")}`);
                }
            },
        },
    ],
});
