"""The public Mentors page: browse and search vetted mentors."""
