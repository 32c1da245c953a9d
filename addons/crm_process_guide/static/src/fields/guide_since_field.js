import { Component } from "@odoo/owl";
import { formatDateTime, formatDuration } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * Time elapsed since a date, written like the statusbar's time in stage
 * ("3 days, 4 hours"), with the date itself as tooltip.
 */
export class GuideSinceField extends Component {
    static template = "crm_process_guide.GuideSinceField";
    static props = { ...standardFieldProps };

    get date() {
        return this.props.record.data[this.props.name];
    }

    get duration() {
        const seconds = luxon.DateTime.now().diff(this.date, "seconds").seconds;
        return formatDuration(Math.max(seconds, 0), true);
    }

    get title() {
        return formatDateTime(this.date, { showSeconds: false });
    }
}

export const guideSinceField = {
    component: GuideSinceField,
    displayName: _t("Time since"),
    supportedTypes: ["datetime"],
};

registry.category("fields").add("guide_since", guideSinceField);
