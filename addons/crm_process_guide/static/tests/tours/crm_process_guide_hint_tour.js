import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_process_guide_hint_tour", {
    steps: () => [
        {
            content: "The hint is shown with its text",
            trigger: ".o_guide_hints .o_kanban_record:contains('Large deal'):contains('Involve an architect')",
        },
        {
            content: "Acknowledge the hint",
            trigger: ".o_guide_hints .o_kanban_record:contains('Large deal') button[name=action_acknowledge]",
            run: "click",
        },
        {
            content: "The record shows the acknowledgement, the hint steps back",
            trigger: ".o_guide_hints .o_kanban_record:contains('Large deal') .badge:contains('Acknowledged')",
        },
        {
            content: "The text of an acknowledged hint is folded",
            trigger: ".o_guide_hints .o_kanban_record:contains('Large deal'):not(:contains('Involve an architect'))",
        },
        {
            content: "Mark the hint not helpful",
            trigger: ".o_guide_hints .o_kanban_record:contains('Large deal') button[name=action_mark_unhelpful]",
            run: "click",
        },
        {
            content: "The mark shows, with a way back",
            trigger: ".o_guide_hints .o_kanban_record:contains('marked this hint as not helpful') button[name=action_undo_unhelpful]",
            run: "click",
        },
        {
            content: "Undone: the hint can be marked again",
            trigger: ".o_guide_hints .o_kanban_record:contains('Large deal') button[name=action_mark_unhelpful]",
        },
        {
            content: "The acknowledgement stays",
            trigger: ".o_guide_hints .o_kanban_record:contains('Large deal') .badge:contains('Acknowledged')",
        },
    ],
});
