from . import guide_mixin
from . import guide_step_visit
from . import guide_record_variant
from . import guide_process_map
from . import guide_effectiveness_report
from . import guide_scorecard_report
from . import guide_process_version
