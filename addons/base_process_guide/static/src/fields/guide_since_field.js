import { Component } from "@odoo/owl";
import { formatDateTime, formatDuration } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * Time elapsed since a date, written like the statusbar's time in stage
 * ("3 days, 4 hours"), with the date itself as tooltip: the guidance panel's
 * time in the step, since the engine's entry time, from which its due time
 * counts. With the option ``stage_field`` on a model tracking stage durations
 * (``duration_tracking``, e.g. crm.lead), it reads the statusbar's figure
 * instead (the time spent in the stage over all visits).
 */
export class GuideSinceField extends Component {
    static template = "base_process_guide.GuideSinceField";
    static props = { ...standardFieldProps, stageField: { type: String, optional: true } };

    get date() {
        return this.props.record.data[this.props.name];
    }

    get duration() {
        const data = this.props.record.data;
        const stage = this.props.stageField && data[this.props.stageField];
        const tracked = stage && data.duration_tracking && data.duration_tracking[stage[0] ?? stage.id];
        const seconds = tracked || luxon.DateTime.now().diff(this.date, "seconds").seconds;
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
    extractProps: ({ options }) => ({ stageField: options.stage_field }),
};

registry.category("fields").add("guide_since", guideSinceField);
