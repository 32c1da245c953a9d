import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_escalation_escalate_tour", {
    steps: () => [
        {
            content: "Escalate the opportunity by hand",
            trigger: ".o_form_view .o_form_statusbar button[name=action_escalation_open_wizard]",
            run: "click",
        },
        {
            content: "Escalate to the team leader",
            trigger: ".modal .o_field_widget[name=user_id] input",
            run: "edit Tess Team Leader",
        },
        {
            content: "Pick the team leader",
            trigger: ".o-autocomplete--dropdown-item:contains('Tess Team Leader')",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Customer asks for a specialist",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The escalation is in the chatter",
            trigger: ".o-mail-Message:contains('Customer asks for a specialist')",
        },
    ],
});

registry.category("web_tour.tours").add("crm_escalation_acknowledge_tour", {
    steps: () => [
        {
            content: "The new owner acknowledges the escalation",
            trigger: ".o_form_view .o_form_statusbar button[name=action_escalation_acknowledge]",
            run: "click",
        },
        {
            content: "Nothing left to acknowledge",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_escalation_acknowledge]))",
        },
    ],
});

registry.category("web_tour.tours").add("crm_escalation_hand_over_tour", {
    steps: () => [
        {
            content: "An own-documents salesperson escalates their opportunity by hand",
            trigger: ".o_form_view .o_form_statusbar button[name=action_escalation_open_wizard]",
            run: "click",
        },
        {
            content: "Hand it to a colleague",
            trigger: ".modal .o_field_widget[name=user_id] input",
            run: "edit Carl Colleague",
        },
        {
            content: "Pick the colleague",
            trigger: ".o-autocomplete--dropdown-item:contains('Carl Colleague')",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Carl speaks the customer's language",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Back on the pipeline, without an error dialog",
            trigger:
                "body:not(:has(.modal)) .o_kanban_view .o_breadcrumb .active:contains('Pipeline')",
        },
        {
            content: "The opportunity handed over is no longer there",
            trigger: ".o_kanban_view:not(:has(.o_kanban_record:contains('Tour hand over')))",
        },
    ],
});

registry.category("web_tour.tours").add("crm_escalation_level_dialog_tour", {
    steps: () => [
        {
            content: "Add a level to the rule",
            trigger: ".o_field_widget[name=level_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The level dialog opens on its sections' titles: no empty band above When",
            trigger: ".modal .o_escalation_level_form .o_horizontal_separator:contains('When')",
            run() {
                const body = this.anchor.closest(".modal-body").getBoundingClientRect();
                const gap = this.anchor.getBoundingClientRect().top - body.top;
                if (gap > 32) {
                    throw new Error(`${gap}px of empty band above the level dialog's first section`);
                }
            },
        },
        {
            content: "Discard the level",
            trigger: ".modal .o_form_button_cancel",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal .o_escalation_level_form))",
        },
    ],
});
