import { registry } from "@web/core/registry";

/**
 * An editable list row whose contact and stage are edited together, past an Override gate:
 * one dialog, then the row shows both changes (the dialog makes the whole write, not the
 * move alone).
 */
registry.category("web_tour.tours").add("guide_decision_list_tour", {
    steps: () => [
        {
            content: "Edit the deal's contact",
            trigger: ".o_data_row:contains('Tour override list deal') td[name=contact_name]",
            run: "click",
        },
        {
            content: "Type the new contact name",
            trigger: ".o_selected_row .o_field_widget[name=contact_name] input",
            run: "edit Jane Buyer",
        },
        {
            content: "Edit its stage",
            trigger: ".o_selected_row .o_field_widget[name=stage_id] input",
            run: "edit G-Negotiation",
        },
        {
            content: "Pick the stage past the Override gate",
            trigger: ".o-autocomplete--dropdown-item:contains('G-Negotiation')",
            run: "click",
        },
        {
            content: "Save the row",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "The reason form opens directly, naming the target stage and what is not done",
            trigger:
                ".modal:contains('Override a Process Gate') .alert:contains('G-Negotiation'):contains('Proposal sent')",
        },
        {
            content: "No error dialog: the decision is taken in the wizard alone",
            trigger: "body:not(:has(.o_error_dialog)):not(:has(.modal:contains('Odoo Warning')))",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Signed on the phone",
        },
        {
            content: "Override and move",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The row shows both changes, saved",
            trigger:
                "body:not(:has(.modal)) .o_list_view:not(:has(.o_selected_row)) .o_data_row:contains('Tour override list deal'):contains('Jane Buyer'):contains('G-Negotiation')",
        },
    ],
});
