"""Upper bounds of the durations and counts an administrator configures.

Checked when a rule is saved (``@api.constrains``), so that the engine never
computes with absurd values (a delay of 10**12 hours overflows ``datetime``).
"""

MAX_YEARS = 10
MAX_HOURS = MAX_YEARS * 366 * 24
MAX_DAYS = MAX_YEARS * 366
MAX_COUNT = 100


def hours_of(value, unit):
    """``value`` in ``unit`` ("hours" or "days") as hours."""
    return (value or 0.0) * (24.0 if unit == "days" else 1.0)
