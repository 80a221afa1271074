"""Running a programme: cohorts an admin pairs at once (intake, preview, commit)."""
