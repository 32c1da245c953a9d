import { registry } from "@web/core/registry";
import { RPCError } from "@web/core/network/rpc";
import { UncaughtPromiseError } from "@web/core/errors/error_service";
import { FormController } from "@web/views/form/form_controller";
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
 * refused change (policies: ``discard``), the form drops its unsaved copy of it,
 * so that it shows the record as it is and does not submit the change again.
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
