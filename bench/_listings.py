"""Names and descriptions of synthetic studios and schools, shared by the directory and
import benchmarks (the leading underscore keeps `make bench` from running it alone)."""

FIRST = ["Canal", "Northern", "Copper", "Velvet", "Harbour", "Lantern", "Cedar", "Signal"]
SECOND = ["Sound", "Tape", "Rooms", "Audio", "Works", "Lab", "House", "Academy"]
DESCRIPTIONS = [
    "A live room, two control rooms and a vocal booth; takes an assistant engineer "
    "each season and opens its doors to students once a month.",
    "Courses in recording, mixing and music business, taught by engineers who still "
    "work on records; evening and weekend classes.",
    "A small production suite built around analogue tape and a vintage console, "
    "where interns learn patching, alignment and session etiquette.",
]
