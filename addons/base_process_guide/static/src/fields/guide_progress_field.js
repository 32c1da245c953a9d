import { registry } from "@web/core/registry";
import { ProgressBarField, progressBarField } from "@web/views/fields/progress_bar/progress_bar_field";

/**
 * A checklist's progress bar that turns red while mandatory items are missing, as the
 * kanban's pill does: ``options="{'danger_field': 'guide_blocked'}"`` names the boolean
 * field that says so.
 */
export class GuideProgressField extends ProgressBarField {
    static props = {
        ...ProgressBarField.props,
        dangerField: { type: String, optional: true },
    };

    get progressBarColorClass() {
        const { dangerField, record } = this.props;
        if (dangerField && record.data[dangerField]) {
            return "bg-danger";
        }
        return super.progressBarColorClass;
    }
}

registry.category("fields").add("guide_progressbar", {
    ...progressBarField,
    component: GuideProgressField,
    fieldDependencies: ({ options }) =>
        options.danger_field ? [{ name: options.danger_field, type: "boolean" }] : [],
    extractProps: (fieldInfo, dynamicInfo) => ({
        ...progressBarField.extractProps(fieldInfo, dynamicInfo),
        dangerField: fieldInfo.options.danger_field,
    }),
});
