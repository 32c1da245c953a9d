import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_process_guide_detour_tour", {
    steps: () => [
        {
            content: "Enter an alternate step from the guidance panel",
            trigger: ".o_guide_panel button[name=action_guide_open_alternate_wizard]",
            run: "click",
        },
        {
            content: "Choose the alternate step",
            trigger: ".modal .o_field_widget[name=step_id] input",
            run: "edit Waiting",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Waiting on the customer')",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Customer on holiday until Monday",
        },
        {
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The panel shows the alternate step and what completes it",
            trigger: ".o_guide_alternate:contains('Waiting on the customer'):contains('Customer answered')",
        },
        {
            content: "Its heading names the step it returns to",
            trigger: ".o_guide_alternate [name=guide_alt_heading]:contains('returns to G-Proposal')",
        },
        {
            content: "The step's checklist is told not to be needed to complete it, without its warning",
            trigger:
                ".o_guide_panel:not(:has([name=guide_move_on])) [name=guide_alt_stage_note]:contains('not needed to complete the alternate step')",
        },
        {
            content: "Tick its checklist",
            trigger: ".o_guide_alternate .o_guide_checklist button[name=action_check]",
            run: "click",
        },
        {
            trigger: ".o_guide_alternate .o_guide_checklist button[name=action_uncheck]",
        },
        {
            content: "Its one-item checklist shows that item only, no blank rows under it",
            trigger: ".o_guide_alternate .o_guide_checklist tbody:has(> tr.o_data_row)",
            run() {
                const rows = [...this.anchor.querySelectorAll(":scope > tr:not(.o_data_row)")];
                if (rows.some((row) => row.offsetParent !== null)) {
                    throw new Error("The panel's checklist shows blank rows under its items");
                }
            },
        },
        {
            content: "Complete the alternate step",
            trigger: ".o_guide_alternate button[name=action_guide_complete_alternate]",
            run: "click",
        },
        {
            content: "Back on the usual path",
            trigger: ".o_guide_panel:not(:has(.o_guide_alternate)) button[name=action_guide_open_alternate_wizard]",
        },
        {
            content: "The step's checklist is the one to do again",
            trigger:
                ".o_guide_panel:not(:has([name=guide_alt_stage_note])) [name=guide_move_on]:contains('Proposal sent')",
        },
    ],
});

registry.category("web_tour.tours").add("crm_process_guide_branch_tour", {
    steps: () => [
        {
            content: "The panel tells the next step and why",
            trigger: ".o_guide_panel [name=guide_next]:contains('G-Negotiation'):contains('by default')",
        },
    ],
});
