from .engine_flags import engine_flag, engine_flag_get
