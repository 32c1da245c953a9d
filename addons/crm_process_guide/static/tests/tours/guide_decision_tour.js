import { registry } from "@web/core/registry";

const clean = ".o_form_status_indicator_buttons.invisible";

function noErrorDialog() {
    return {
        content: "No error dialog: the decision is taken in the wizard alone",
        trigger: "body:not(:has(.o_error_dialog)):not(:has(.modal:contains('Odoo Warning')))",
    };
}

/** Kanban drag past an Override gate: one dialog, then the card sits in the new column. */
registry.category("web_tour.tours").add("guide_decision_kanban_tour", {
    steps: () => [
        {
            content: "Drag the deal past the Override gate of its step",
            trigger: ".o_kanban_record:contains('Tour override deal')",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains('G-Negotiation')))",
        },
        {
            content: "The reason form opens directly, naming the target stage and what is not done",
            trigger:
                ".modal:contains('Override a Process Gate') .alert:contains('G-Negotiation'):contains('Proposal sent')",
        },
        noErrorDialog(),
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit The customer asked for the price list before the proposal",
        },
        {
            content: "Override and move",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The card is in the new column",
            trigger:
                "body:not(:has(.modal)) .o_kanban_group:has(.o_column_title:contains('G-Negotiation')) .o_kanban_record:contains('Tour override deal')",
        },
    ],
});

/** Statusbar click past an Override gate in the form: one dialog, then the form shows the record as it is. */
registry.category("web_tour.tours").add("guide_decision_form_tour", {
    steps: () => [
        {
            content: "Move forward in the statusbar",
            trigger: ".o_statusbar_status button[data-value]:contains('G-Negotiation')",
            run: "click",
        },
        {
            content: "The reason form opens directly with the missing item",
            trigger:
                ".modal:contains('Override a Process Gate') .alert:contains('G-Negotiation'):contains('Proposal sent')",
        },
        noErrorDialog(),
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Verbal agreement with the buyer",
        },
        {
            content: "Override and move",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The form shows the new stage, saved (nothing left to discard)",
            trigger: `body:not(:has(.modal)) .o_form_view:has(${clean}) .o_statusbar_status button.o_arrow_button_current:contains('G-Negotiation')`,
        },
    ],
});

/**
 * Statusbar click past a Block gate with an unsaved edit: the refusal, then the form shows
 * the stage the record is in, the edit saved.
 */
registry.category("web_tour.tours").add("guide_refused_move_form_tour", {
    steps: () => [
        {
            content: "Edit the deal's name without saving",
            trigger: ".o_field_widget[name=name] textarea",
            run: "edit Tour blocked form deal, renamed",
        },
        {
            content: "Move forward in the statusbar past the Block gate",
            trigger: ".o_statusbar_status button[data-value]:contains('G-Proposal')",
            run: "click",
        },
        {
            content: "The refusal names the stage and what is missing",
            trigger: ".modal:contains('Cannot move to G-Proposal'):contains('Budget confirmed')",
        },
        {
            content: "Close the refusal",
            trigger: ".modal .modal-footer button",
            run: "click",
        },
        {
            content: "The form shows the stage the record is in, with nothing left to save",
            trigger: `body:not(:has(.modal)) .o_form_view:has(${clean}) .o_statusbar_status button.o_arrow_button_current:contains('G-Qualification')`,
        },
        {
            content: "The guidance panel shows the step the record is in",
            trigger: ".o_guide_panel:contains('Budget confirmed'):contains('Qualify the budget')",
        },
        {
            content: "The edit made before the click is kept",
            trigger: ".o_field_widget[name=name] textarea:value('Tour blocked form deal, renamed')",
        },
    ],
});

/** Statusbar click past an Override gate, then Cancel: the form shows the stage the record is in. */
registry.category("web_tour.tours").add("guide_decision_cancel_form_tour", {
    steps: () => [
        {
            content: "Move forward in the statusbar past the Override gate",
            trigger: ".o_statusbar_status button[data-value]:contains('G-Negotiation')",
            run: "click",
        },
        {
            content: "The reason form opens",
            trigger: ".modal:contains('Override a Process Gate') .alert:contains('G-Negotiation')",
        },
        {
            content: "Change one's mind",
            trigger: ".modal .modal-footer button.btn-secondary",
            run: "click",
        },
        {
            content: "The form shows the stage the record is in, with nothing left to save",
            trigger: `body:not(:has(.modal)) .o_form_view:has(${clean}) .o_statusbar_status button.o_arrow_button_current:contains('G-Proposal')`,
        },
    ],
});
