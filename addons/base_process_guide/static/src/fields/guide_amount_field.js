import { registry } from "@web/core/registry";
import { FloatField, floatField } from "@web/views/fields/float/float_field";
import { formatFloat } from "@web/views/fields/formatters";

/**
 * A duration, delay or percentage typed by a designer: shown as typed, without
 * trailing zeros ("3 Days", "80", "1.5 Hours", not "3.00 Days" or "80.00").
 */
export class GuideAmountField extends FloatField {
    get formattedValue() {
        if (this.props.inputType === "number" && !this.props.readonly && this.value) {
            return this.value;
        }
        return formatFloat(this.value, {
            digits: this.props.digits,
            field: this.props.record.fields[this.props.name],
            trailingZeros: false,
        });
    }
}

registry.category("fields").add("guide_amount", {
    ...floatField,
    component: GuideAmountField,
});
