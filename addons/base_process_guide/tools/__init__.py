from .bounds import (
    MAX_COUNT,
    MAX_DAYS,
    MAX_HOURS,
    MAX_NAME,
    MAX_TEXT,
    MAX_URL,
    MAX_YEARS,
    client_id,
    finite,
    hours_of,
)
from .companies import works_for_every_company
from .concurrency import CONFLICTS, execute_handled, lock_free_rows, lock_rows
from .engine_flags import (
    cron_time_limit,
    engine_flag,
    engine_flag_get,
    engine_no_commit,
    module_uninstalling,
    refresh_registry_caches,
)
from .view_spec import view_spec
from .refusal import (
    audit_trail_uses,
    domain_field_names,
    emptied_scope,
    emptied_scope_lines,
    field_labels,
    group_names,
    json_ids,
    json_vals,
    json_value,
    labelled,
    quoted,
    refuse_archived_alone,
    refuse_deleted,
    refuse_emptied_scope,
    refuse_missing,
    refuse_not_one,
    refuse_related_written,
    refuse_unsearchable,
    refuse_unsortable,
    shortened,
    sorted_or_grouped_fields,
)
