"""Background work for profiles: reading the numbers of Bandcamp page links."""

from __future__ import annotations

from mentorapp import tasks


@tasks.task()
def read_bandcamp_pages(user_id: int, attempt: int = 1) -> int:
    """After a mentor saved their links: read the album or track number of each
    Bandcamp page link not read yet, so it shows Bandcamp's player. Safe twice: a page
    read is not read again. Pages that could not be read now are tried again later, by
    the same task with the next `attempt` (three in all)."""
    from mentorapp.profiles.bandcamp import read_pages

    return read_pages(user_id, attempt)
