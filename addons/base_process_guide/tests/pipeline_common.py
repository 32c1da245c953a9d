from contextlib import contextmanager
from unittest.mock import patch

# the documented pipeline of a guided change (README, "The write pipeline"),
# with the three engines installed
DOCUMENTED_PIPELINE = {
    "collect": ("_guide_collect_steps", "_policy_collect", "_escalation_collect"),
    "judge_before": ("_guide_judge_move",),
    "judge": ("_guide_judge_steps", "_policy_judge_change"),
    "after": (
        "_guide_record_steps",
        "_guide_record_detours",
        "_guide_milestones_after",
        "_escalation_record_clocks",
        "_policy_record_audit",
    ),
}


class PipelineCase:
    """Helpers checking the phases of a guided change on any guided model (mixed in
    a TransactionCase of a bridge)."""

    def _documented_pipeline(self, model):
        """The documented hooks, without those of an engine not installed."""
        return {
            phase: tuple(name for name in names if hasattr(model, name))
            for phase, names in DOCUMENTED_PIPELINE.items()
        }

    def _assert_pipeline_documented(self, model):
        self.assertEqual(model._guide_pipeline_hooks(), self._documented_pipeline(model))
        # whatever the order engines declare their hooks in (the order of module
        # loading): the sequence decides
        entries = model._guide_pipeline()
        for shuffled in (list(reversed(entries)), entries[1::2] + entries[::2]):
            with patch.object(type(model), "_guide_pipeline", lambda self, e=shuffled: e):
                model.env.registry.clear_cache()
                self.assertEqual(model._guide_pipeline_hooks(), self._documented_pipeline(model))
        model.env.registry.clear_cache()

    @contextmanager
    def _record_calls(self, model, names):
        """Record ``(name, records, args)`` of each call of the methods ``names`` of ``model``."""
        calls = []
        cls = type(model)
        patches = []
        for name in names:
            if not hasattr(cls, name):
                continue  # an engine not installed (a module tested alone)
            original = getattr(cls, name)

            def wrapper(self, *args, _name=name, _original=original, **kwargs):
                calls.append((_name, self, args))
                return _original(self, *args, **kwargs)

            patches.append(patch.object(cls, name, wrapper))
        for item in patches:
            item.start()
        try:
            yield calls
        finally:
            for item in reversed(patches):
                item.stop()
