from . import guide_mixin_effectiveness
from . import guide_effectiveness_report
from . import guide_scorecard_report
