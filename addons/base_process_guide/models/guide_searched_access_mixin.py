import functools

from odoo import api, models
from odoo.exceptions import AccessError


class GuideSearchedAccessMixin(models.AbstractModel):
    """Rows read by id exactly where a search finds them.

    A model whose ``_search`` keeps only the rows of what the user may read (the rows of
    a guided record, the tiers of an approval request) inherits this mixin so that
    reading, writing or deleting a row by id follows the same rule: the access rights
    and the company rules alone let every employee read any row by its id. The ids are
    decided in one query (a search among them); ``_guide_ids_to_search`` lets a model
    decide some of them without it."""

    _name = "guide.searched.access.mixin"
    _description = "Rows Read Where Searched"

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or self.env.su or operation == "create":
            return result
        ids = [id_ for id_ in self._ids if isinstance(id_, int)]
        rest = self.browse(ids)._guide_ids_to_search() if ids else []
        if not rest:
            return None
        allowed = set(self.with_context(active_test=False)._search([("id", "in", rest)]))
        forbidden = self.browse([id_ for id_ in rest if id_ not in allowed])
        if not forbidden:
            return None
        return forbidden, functools.partial(self._guide_access_error, forbidden)

    def _guide_ids_to_search(self):
        """Hook: the ids of ``self`` whose access a search decides (all of them here); the
        others are readable, decided without a query."""
        return list(self._ids)

    @api.model
    def _guide_access_error(self, forbidden):
        """Hook: the refusal of ``forbidden``, the rows the user's search does not find."""
        return AccessError(
            self.env._(
                "You cannot access %(rows)s (%(model)s, ids %(ids)s).",
                rows=self._description,
                model=self._name,
                ids=", ".join(str(id_) for id_ in forbidden.ids[:10]),
            )
        )
