import logging

from odoo.exceptions import UserError


def guide_change_refused(message):
    """The ``UserError`` refusing a change of a record's step or stage (a gate, a policy).

    Its ``context`` (sent in the error's ``data.context`` by
    ``odoo.http.serialize_exception``) marks it for the web client, which drops the move
    of a refused statusbar click from the form (``static/src/js/guide_decision_handler.js``):
    the form does not show a move that did not happen. RPC clients get a plain ``UserError``.
    """
    error = UserError(message)
    error.context = {"guide_change_refused": True}
    return error


class GuideDecisionRequired(UserError):
    """A change the user may still make, once they decide: give a reason, a
    justification, or request an approval.

    An ordinary refusal (a ``UserError``, logged at INFO, never as an error),
    carrying the action of the wizard that takes the decision. The web client
    receives it in the error's ``data.context`` (``odoo.http.serialize_exception``
    sends the exception's ``context``) and opens that wizard directly
    (``static/src/js/guide_decision_handler.js``); RPC clients get the message.
    The action is not put in ``args``: ``args`` make the message of the error
    (XML-RPC fault, JSON-RPC ``message``), which must stay readable.
    """

    loglevel = logging.INFO

    def __init__(self, message, action, discard=None):
        """:param discard: ``{"res_model": ..., "res_ids": [...]}`` when the wizard holds the
        whole refused change: the web client drops the unsaved copy of it in the form."""
        super().__init__(message)
        self.action = action
        self.context = {
            "guide_change_refused": True,
            "guide_decision_action": action,
            "guide_decision_discard": discard or False,
        }
