import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_process_guide_tour", {
    steps: () => [
        {
            content: "The guidance panel shows the step instructions",
            trigger: ".o_guide_panel:contains('Qualify the budget and the decision maker')",
        },
        {
            content: "Tick a manual checklist item",
            trigger: ".o_guide_panel tr:contains('Budget confirmed') button[name=action_check]",
            run: "click",
        },
        {
            content: "The item is done and can be undone",
            trigger: ".o_guide_panel tr:contains('Budget confirmed') button[name=action_uncheck]",
        },
        {
            content: "The panel lists what still blocks moving on",
            trigger: ".o_guide_panel .alert-warning:contains('Decision maker identified')",
        },
        {
            content: "The checklist's progress bar is red while mandatory items are missing, as the kanban's pill",
            trigger: ".o_guide_panel .o_progressbar .bg-danger",
        },
        {
            content: "Try to move forward in the statusbar",
            trigger: ".o_statusbar_status button[data-value]:contains('G-Proposal')",
            run: "click",
        },
        {
            content: "The move is refused with the missing items",
            trigger: ".modal:contains('Cannot move to G-Proposal'):contains('Decision maker identified')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The form shows the stage the record is in, with nothing left to save",
            trigger: "body:not(:has(.modal)) .o_form_view:has(.o_form_status_indicator_buttons.invisible)",
        },
        {
            content: "Back in the qualification step, with the ticked item",
            trigger: ".o_guide_panel tr:contains('Budget confirmed') button[name=action_uncheck]",
        },
    ],
});
