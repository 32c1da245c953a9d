import { registry } from "@web/core/registry";
import {
    Many2ManyTagsField,
    many2ManyTagsField,
} from "@web/views/fields/many2many_tags/many2many_tags_field";

/**
 * Tags of steps next to the process they belong to (a rule's, a policy's, a hint's):
 * a step of the process the record shows (option ``process_field``, by default
 * ``process_id``) reads by its name alone; a step of another process, or any step
 * while the record names no process, reads "Process / Step".
 */
export class GuideStepTagsField extends Many2ManyTagsField {
    static props = {
        ...Many2ManyTagsField.props,
        processField: { type: String, optional: true },
    };
    static defaultProps = {
        ...Many2ManyTagsField.defaultProps,
        processField: "process_id",
    };

    getTagProps(record) {
        const props = super.getTagProps(record);
        // many2one values: [id, display name]
        const process = this.props.record.data[this.props.processField];
        const stepProcess = record.data.process_id;
        if (process && stepProcess && stepProcess[0] === process[0]) {
            props.text = record.data.name;
        }
        return props;
    }
}

export const guideStepTagsField = {
    ...many2ManyTagsField,
    component: GuideStepTagsField,
    relatedFields: (fieldInfo) => [
        ...many2ManyTagsField.relatedFields(fieldInfo),
        { name: "name", type: "char" },
        { name: "process_id", type: "many2one", relation: "guide.process" },
    ],
    extractProps(fieldInfo, dynamicInfo) {
        return {
            ...many2ManyTagsField.extractProps(fieldInfo, dynamicInfo),
            processField: fieldInfo.options.process_field,
        };
    },
};

registry.category("fields").add("guide_step_tags", guideStepTagsField);
