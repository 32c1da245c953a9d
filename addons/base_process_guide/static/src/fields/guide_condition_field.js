import { _t } from "@web/core/l10n/translation";
import { DomainSelectorDialog } from "@web/core/domain_selector_dialog/domain_selector_dialog";
import { registry } from "@web/core/registry";
import { DomainField, domainField } from "@web/views/fields/domain/domain_field";

/**
 * Editor of a condition of the configuration screens: Odoo's domain editor, whose
 * button and dialog speak of a condition, not of a "domain" (developer wording).
 */
export class GuideConditionField extends DomainField {
    static template = "base_process_guide.GuideConditionField";

    onEditDialogBtnClick() {
        // resModel is assumed to be valid here (as in Odoo's editor)
        this.addDialog(DomainSelectorDialog, {
            resModel: this.getResModel(),
            domain: this.getDomain(),
            isDebugMode: !!this.env.debug,
            onConfirm: this.update.bind(this),
            title: _t("Edit Condition"),
        });
    }
}

export const guideConditionField = {
    ...domainField,
    component: GuideConditionField,
    // the layout of Odoo's domain editor
    additionalClasses: ["o_field_domain"],
};

registry.category("fields").add("guide_condition", guideConditionField);
