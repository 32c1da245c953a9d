import { status } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { RPCError } from "@web/core/network/rpc";
import { UncaughtPromiseError } from "@web/core/errors/error_service";
import { FormController } from "@web/views/form/form_controller";
import { ListController } from "@web/views/list/list_controller";
import { StatusBarField } from "@web/views/fields/statusbar/statusbar_field";
import { useBus } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";

const DECISION_EXCEPTION = "odoo.addons.base_process_guide.exceptions.GuideDecisionRequired";
const DISCARD_EVENT = "GUIDE-DECISION:DISCARD";

/**
 * A change refused until the user decides (a reason for a gate override, a
 * justification for a policy, an approval request): open the wizard that takes
 * the decision directly, with the problems listed in it, instead of an error
 * dialog followed by a second one. The wizard makes the change and reloads the
 * view behind it (``soft_reload``), so the form or kanban shows the record as it is.
 *
 * Kanban drag, statusbar click and buttons (Won, Lost) all reach this handler:
 * their RPC error is not caught by the view. When the wizard holds the whole
 * refused change (``discard``), the form or the list row being edited drops its
 * unsaved copy of it, so that it shows the record as it is and does not submit the
 * change again.
 */
export function guideDecisionHandler(env, error, originalError) {
    if (!(error instanceof UncaughtPromiseError) || !(originalError instanceof RPCError)) {
        return false;
    }
    if (originalError.exceptionName !== DECISION_EXCEPTION) {
        return false;
    }
    const decision = originalError.data?.context?.guide_decision_action;
    if (!decision) {
        return false;
    }
    error.unhandledRejectionEvent?.preventDefault();
    if (originalError.data.context.guide_decision_discard) {
        env.bus.trigger(DISCARD_EVENT, originalError.data.context.guide_decision_discard);
    }
    env.services.action.doAction(decision);
    return true;
}

// before rpcErrorHandler (97), which would show the message in an error dialog
registry.category("error_handlers").add("guideDecisionHandler", guideDecisionHandler, { sequence: 90 });

patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        useBus(this.env.bus, DISCARD_EVENT, ({ detail }) => {
            const root = this.model.root;
            if (root.resModel === detail.res_model && detail.res_ids.includes(root.resId) && root.dirty) {
                root.discard();
            }
        });
    },
});

/** The same in an editable list: the row being edited drops its copy of the held change. */
patch(ListController.prototype, {
    setup() {
        super.setup(...arguments);
        useBus(this.env.bus, DISCARD_EVENT, ({ detail }) => {
            const root = this.model.root;
            const edited = root.editedRecord;
            if (
                edited &&
                root.resModel === detail.res_model &&
                detail.res_ids.includes(edited.resId) &&
                edited.dirty
            ) {
                root.leaveEditMode({ discard: true });
            }
        });
    },
});

/**
 * Whether ``error`` refuses a change of a record's step or stage (a gate, a policy, a
 * decision the user has not taken yet): ``guide_change_refused`` in its context.
 */
function isGuideRefusal(error) {
    return error instanceof RPCError && Boolean(error.data?.context?.guide_change_refused);
}

/**
 * A stage picked in the statusbar of a guided record that the process refuses (a
 * gate, a policy, a decision the user has not taken yet): the form drops the move
 * before the refusal or the decision dialog shows, so that the form, its guidance
 * panel included, shows the record as it is and not a move that did not happen (the
 * decision dialog makes the move itself and reloads the form). Other unsaved edits
 * are saved first, as the click would have saved them with the move: a refused move
 * never takes them with it. Other records and other errors keep Odoo's behaviour.
 */
patch(StatusBarField.prototype, {
    async selectItem(item) {
        const { name, record } = this.props;
        if (!("guide_step_id" in record.fields)) {
            return super.selectItem(...arguments);
        }
        if (record.dirty && !(await record.save())) {
            return;
        }
        const value = this.field.type === "many2one" ? [item.value, item.label] : item.value;
        await record.update({ [name]: value });
        await record.save({
            onError: (error, { discard }) => {
                if (isGuideRefusal(error)) {
                    discard();
                    // the statusbar keeps its items in a render made while it adjusts to
                    // its width (one frame after each render): render it once more after
                    this.guideRenderNextFrame();
                }
                throw error;
            },
        });
    },

    guideRenderNextFrame() {
        browser.requestAnimationFrame(() => {
            if (status(this) === "mounted") {
                this.render();
            }
        });
    },
});
