import { Domain } from "@web/core/domain";
import { registry } from "@web/core/registry";
import { GuideConditionField, guideConditionField } from "./guide_condition_field";

/**
 * Domain editor of a condition that applies within a scope (company, teams,
 * type...): the record count and the list of matching records only take the
 * records of the scope, given as a domain by the field of option
 * ``scope_field``.
 */
export class GuideScopeDomainField extends GuideConditionField {
    static props = { ...GuideConditionField.props, scopeField: { type: String, optional: true } };

    getEvaluatedDomain(props = this.props) {
        const domain = super.getEvaluatedDomain(props);
        const scope = props.scopeField && props.record.data[props.scopeField];
        if (domain.isInvalid || !scope || scope === "[]") {
            return domain;
        }
        return Domain.and([scope, domain]).toList();
    }
}

registry.category("fields").add("guide_scope_domain", {
    ...guideConditionField,
    component: GuideScopeDomainField,
    extractProps(fieldInfo, dynamicInfo) {
        return {
            ...guideConditionField.extractProps(fieldInfo, dynamicInfo),
            scopeField: fieldInfo.options.scope_field,
        };
    },
});
