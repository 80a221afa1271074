"""Trust between people: vetted mentors, reports and blocks, feedback, minors and the
code of conduct."""
