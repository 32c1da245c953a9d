import { Domain } from "@web/core/domain";
import { registry } from "@web/core/registry";
import { GuideConditionField, guideConditionField } from "./guide_condition_field";

/**
 * Domain editor of a condition that applies within a scope (company, teams,
 * type...): the record count and the list of matching records only take the
 * records of the scope, given as domains by the field (or the list of fields)
 * of option ``scope_field`` (a checklist item's: its process's scope and
 * condition).
 */
export class GuideScopeDomainField extends GuideConditionField {
    static props = {
        ...GuideConditionField.props,
        scopeField: { type: [String, Array], optional: true },
    };

    getEvaluatedDomain(props = this.props) {
        const domain = super.getEvaluatedDomain(props);
        const names = [].concat(props.scopeField || []);
        const scopes = names
            .map((name) => props.record.data[name])
            .filter((scope) => scope && scope !== "[]");
        if (domain.isInvalid || !scopes.length) {
            return domain;
        }
        const context = this.getContext(props);
        try {
            const lists = scopes.map((scope) => new Domain(scope).toList(context));
            return Domain.and([...lists, domain]).toList();
        } catch {
            // a scope the client cannot evaluate: the condition alone, as Odoo's editor
            return domain;
        }
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
