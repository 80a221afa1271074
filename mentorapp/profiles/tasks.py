"""Background work for profiles: reading the numbers of Bandcamp page links."""

from __future__ import annotations

from mentorapp import tasks


@tasks.task(retries=2, retry_delay=60)
def read_bandcamp_pages(user_id: int) -> int:
    """After a mentor saved their links: read the album or track number of each
    Bandcamp page link not read yet, so it shows Bandcamp's player. Safe twice: a page
    read is not read again; a run that could not read some raises, and huey tries again
    (twice at most)."""
    from mentorapp.profiles.bandcamp import read_pages

    return read_pages(user_id)
