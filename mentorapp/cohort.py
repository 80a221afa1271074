"""Moved to mentorapp.programme.planning; these names stay here for the command line's
CSV code and anything else that imported them."""

from mentorapp.programme.planning import (  # noqa: F401
    STRATEGIES,
    CohortPlan,
    Person,
    plan_cohort,
    summary_lines,
    write_csv,
)
