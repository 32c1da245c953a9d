from . import guide_mixin_process_map
from . import guide_step_visit
from . import guide_record_variant
from . import guide_process_map
