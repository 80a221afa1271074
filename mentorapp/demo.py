"""Demo data: realistic people with full profiles in real cities (`flask seed-demo`)."""

from __future__ import annotations

import hashlib
import random
import secrets
import zlib
from datetime import date, timedelta

from sqlalchemy import select

from mentorapp.auth.passwords import hash_password
from mentorapp.demo_listings import seed_listings
from mentorapp.extensions import db
from mentorapp.models import (
    Apprenticeship,
    ConsentState,
    Feedback,
    Goal,
    GuardianConsent,
    MenteeAspiration,
    MenteeProfile,
    MenteeWant,
    MentorApplication,
    MentorCredit,
    MentorProfile,
    Notification,
    Reference,
    State,
    ThreadMessage,
    User,
    Vetting,
    WorkSession,
)
from mentorapp.models.types import utcnow
from mentorapp.places.gazetteer import Gazetteer, fold
from mentorapp.profiles import services as profiles
from mentorapp.profiles.vocabulary import GENRES, SLOT_BITS, Experience, Path
from mentorapp.trust import vetting
from mentorapp.trust.conduct import CONDUCT_VERSION

DEMO_PASSWORD = "studio-demo-pass"  # noqa: S105 (documented demo login)

# (email, name, mentor?, mentee?, admin?, city, country code)
NAMED_PEOPLE: list[tuple[str, str, bool, bool, bool, str, str]] = [
    ("admin@example.com", "Ada Okafor", False, False, True, "", ""),
    ("mentor@example.com", "Marcus Lindqvist", True, False, False, "London", "GB"),
    ("mentee@example.com", "Priya Raman", False, True, False, "London", "GB"),
    ("sofia.alvarez@example.com", "Sofía Álvarez", True, False, False, "Madrid", "ES"),
    ("kenji.watanabe@example.com", "Kenji Watanabe", True, False, False, "Tokyo", "JP"),
    ("amara.nwosu@example.com", "Amara Nwosu", True, False, False, "Lagos", "NG"),
    ("liam.obrien@example.com", "Liam O'Brien", True, True, False, "Dublin", "IE"),
    ("fatima.zahra@example.com", "Fatima Zahra Benali", True, False, False, "Paris", "FR"),
    ("jonas.becker@example.com", "Jonas Becker", True, False, False, "Berlin", "DE"),
    ("chloe.martin@example.com", "Chloé Martin", True, False, False, "Montreal", "CA"),
    ("diego.santos@example.com", "Diego Santos", True, False, False, "São Paulo", "BR"),
    ("hannah.cohen@example.com", "Hannah Cohen", True, False, False, "New York City", "US"),
    ("tariq.hassan@example.com", "Tariq Hassan", False, True, False, "Manchester", "GB"),
    ("mia.kowalski@example.com", "Mia Kowalski", False, True, False, "Berlin", "DE"),
    ("noah.jensen@example.com", "Noah Jensen", False, True, False, "Copenhagen", "DK"),
    ("aisha.bello@example.com", "Aisha Bello", False, True, False, "Lagos", "NG"),
    ("lucas.ferreira@example.com", "Lucas Ferreira", False, True, False, "Rio de Janeiro", "BR"),
    ("yuki.tanaka@example.com", "Yuki Tanaka", False, True, False, "Osaka", "JP"),
    ("emma.rossi@example.com", "Emma Rossi", False, True, False, "Milan", "IT"),
    ("oscar.nilsson@example.com", "Oscar Nilsson", False, True, False, "Stockholm", "SE"),
    ("zanele.dlamini@example.com", "Zanele Dlamini", False, True, False, "Johannesburg", "ZA"),
    ("mateo.garcia@example.com", "Mateo García", False, True, False, "Mexico City", "MX"),
    ("ines.moreau@example.com", "Inès Moreau", False, True, False, "Lyon", "FR"),
    ("ravi.patel@example.com", "Ravi Patel", False, True, False, "Mumbai", "IN"),
]

# Cities for the generated people, spread over every continent.
CITIES: list[tuple[str, str]] = [
    ("London", "GB"),
    ("Bristol", "GB"),
    ("Glasgow", "GB"),
    ("Paris", "FR"),
    ("Lyon", "FR"),
    ("Berlin", "DE"),
    ("Hamburg", "DE"),
    ("Munich", "DE"),
    ("Amsterdam", "NL"),
    ("Brussels", "BE"),
    ("Madrid", "ES"),
    ("Barcelona", "ES"),
    ("Lisbon", "PT"),
    ("Rome", "IT"),
    ("Milan", "IT"),
    ("Stockholm", "SE"),
    ("Oslo", "NO"),
    ("Helsinki", "FI"),
    ("Warsaw", "PL"),
    ("Prague", "CZ"),
    ("Vienna", "AT"),
    ("New York City", "US"),
    ("Los Angeles", "US"),
    ("Nashville", "US"),
    ("Atlanta", "US"),
    ("Chicago", "US"),
    ("Austin", "US"),
    ("Toronto", "CA"),
    ("Montreal", "CA"),
    ("Mexico City", "MX"),
    ("São Paulo", "BR"),
    ("Buenos Aires", "AR"),
    ("Bogotá", "CO"),
    ("Lagos", "NG"),
    ("Accra", "GH"),
    ("Nairobi", "KE"),
    ("Johannesburg", "ZA"),
    ("Cairo", "EG"),
    ("Mumbai", "IN"),
    ("Seoul", "KR"),
    ("Tokyo", "JP"),
    ("Melbourne", "AU"),
    ("Sydney", "AU"),
    ("Auckland", "NZ"),
]

FIRST_NAMES = [
    "Alex",
    "Sam",
    "Maya",
    "Jonah",
    "Leila",
    "Tomás",
    "Ingrid",
    "Kofi",
    "Ana",
    "Rhys",
    "Nadia",
    "Ibrahim",
    "Chen",
    "Freya",
    "Mateus",
    "Aiko",
    "Dev",
    "Lena",
    "Omar",
    "Clara",
    "Yara",
    "Felix",
    "Nia",
    "Hugo",
    "Sienna",
    "Arjun",
    "Elif",
    "Bruno",
    "Mei",
    "Kwame",
    "Astrid",
    "Luca",
    "Zara",
    "Pablo",
    "Ines",
    "Theo",
]
LAST_NAMES = [
    "Morgan",
    "Okafor",
    "Schneider",
    "Silva",
    "Nakamura",
    "Haddad",
    "Kowalczyk",
    "Mensah",
    "Larsen",
    "Costa",
    "Ivanova",
    "Park",
    "Dubois",
    "Rossi",
    "Fischer",
    "Achebe",
    "Moreno",
    "Novak",
    "Singh",
    "Kaya",
    "Walsh",
    "Lindgren",
    "Adeyemi",
    "Tanaka",
    "Ferreira",
    "Bauer",
    "Osei",
    "Quinn",
    "Romero",
    "Ahmed",
]

HEADLINES = {
    "engineer": [
        "Recording and mixing engineer, {genre} and live bands",
        "Studio engineer: tracking, mixing, the odd mastering job",
    ],
    "mentor_producer": [
        "Producer who works on the artist as much as the song",
        "Artist coach and producer for singer-songwriters",
    ],
    "musician_producer": [
        "Multi-instrumentalist producer and arranger",
        "Keys player, arranger and producer of {genre} records",
    ],
    "artist_producer": [
        "Self-producing artist with five releases of my own",
        "Beat maker and artist, everything from idea to release",
    ],
    "phenom": [
        "Producer with charting {genre} records and a wide network",
        "A&R-minded producer with a record of hits",
    ],
}
BIO_OPENERS = [
    "I have run my own room for {years} years and still learn something every session.",
    "I started out making tapes in my bedroom and have produced for a living for {years} years.",
    "I split my week between my own studio and sessions for other artists.",
]
BIO_ENDINGS = [
    "An apprentice with me sits in on real sessions from the first week.",
    "I take one or two people at a time so there is room to ask every question.",
    "Bring curiosity and a project you care about; we will work on it together.",
]
ABOUTS = [
    "I make {genre} in my bedroom and want to learn how a real studio works.",
    "I have been finishing tracks for a couple of years and want honest feedback.",
    "Guitarist turned producer, trying to get my demos to sound like records.",
    "I sing and write, and want to learn to produce my own songs properly.",
]
GOALS = [
    "Sit in on sessions, learn to mix properly, and build a portfolio.",
    "Get my first credits and references from someone working in the industry.",
    "Learn the technical basics well enough to apply for a studio assistant job.",
    "Understand the business side and how people actually get paid.",
]


def _city(gazetteer: Gazetteer, name: str, country: str):
    for city in gazetteer.search(name, limit=10):
        if city.country_code == country and fold(city.name).startswith(fold(name)[:4]):
            return city
    return None


def _generated_people(rng: random.Random, mentors: int, mentees: int):
    people = []
    used = set()
    for index in range(mentors + mentees):
        while True:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            if (first, last) not in used:
                used.add((first, last))
                break
        email = f"{fold(first).replace(' ', '')}.{fold(last).replace(' ', '')}@example.com"
        city, country = CITIES[index % len(CITIES)]
        is_mentor = index < mentors
        people.append((email, f"{first} {last}", is_mentor, not is_mentor, False, city, country))
    return people


def seed_demo(mentors: int = 60, mentees: int = 90) -> int:
    """Create demo people that do not exist yet, with full profiles. Returns how many."""
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    gazetteer = Gazetteer.load()
    archetypes = profiles.archetypes()
    specialties = profiles.specialties()
    existing = set(db.session.scalars(select(User.email)))
    password_hash = hash_password(DEMO_PASSWORD)
    created = 0
    for email, name, is_mentor, is_mentee, is_admin, city_name, country in (
        NAMED_PEOPLE + _generated_people(rng, mentors, mentees)
    ):
        if email in existing:
            continue
        existing.add(email)
        user = User(
            email=email,
            display_name=name,
            password_hash=password_hash,
            is_mentor=is_mentor,
            is_mentee=is_mentee,
            is_admin=is_admin,
            email_verified_at=utcnow(),
            **_joined(email),
        )
        db.session.add(user)
        city = _city(gazetteer, city_name, country) if city_name else None
        place = profiles.ensure_place(city.geonameid) if city else None
        if is_mentor:
            user.mentor_profile = _mentor_profile(rng, place, archetypes, specialties)
            _storefront(email, user.mentor_profile)
        if is_mentee:
            user.mentee_profile = _mentee_profile(rng, place, archetypes, specialties)
            if email == "mentee@example.com":
                # The demo apprentice sees a full page of suggestions.
                user.mentee_profile.remote_ok = True
                user.mentee_profile.travel_km = 50
        created += 1
    db.session.flush()
    _seed_apprenticeships()
    by_email = {
        u.email: u
        for u in db.session.scalars(
            select(User).where(
                User.email.in_(["admin@example.com", "mentor@example.com", "mentee@example.com"])
            )
        )
    }
    if "admin@example.com" in by_email and "mentee@example.com" in by_email:
        seed_listings(
            by_email["admin@example.com"],
            by_email["mentee@example.com"],
            by_email.get("mentor@example.com"),
        )
    created += _seed_applicants(gazetteer, existing, password_hash, archetypes, specialties)
    _vet_demo_mentors()
    _seed_reports()
    return created


def _seed_reports() -> None:
    """Reports for the demo admin: one mentor reported by three apprentices (on top of
    the queue), and one older report on a profile. Only on a database that has none."""
    from mentorapp.models import Report
    from mentorapp.trust.reports import profile_text

    if db.session.scalar(select(Report.id).limit(1)) is not None:
        return
    people = list(
        db.session.scalars(
            select(User)
            .where(User.email.like("%@example.com"), User.is_admin.is_(False))
            .order_by(User.id)
        )
    )
    named = {"mentor@example.com", "mentee@example.com"}
    mentors = [u for u in people if u.mentor_profile and u.email not in named]
    mentees = [u for u in people if u.mentee_profile and u.email not in named]
    if len(mentors) < 2 or len(mentees) < 4:
        return
    now, reported, other = utcnow(), mentors[-1], mentors[-2]
    words = (
        ("spam", "Sent me a link to pay for a 'masterclass' before we had even talked."),
        ("spam", "Asked for a fee up front to listen to my tracks."),
        ("in_person_safety", "Wanted the first session at his flat, late in the evening."),
    )
    for days, (reporter, (reason, text)) in enumerate(zip(mentees[:3], words, strict=True)):
        db.session.add(
            Report(
                reporter_id=reporter.id,
                reported_id=reported.id,
                subject="profile",
                subject_id=reported.id,
                reason=reason,
                description=text,
                reported_name=reported.display_name,
                snapshot=profile_text(reported),
                created_at=now - timedelta(days=days + 1),
            )
        )
    db.session.add(
        Report(
            reporter_id=mentees[3].id,
            reported_id=other.id,
            subject="person",
            subject_id=other.id,
            reason="impersonation",
            description="The credits on this profile look like another producer's.",
            reported_name=other.display_name,
            snapshot=profile_text(other),
            created_at=now - timedelta(days=6),
        )
    )
    db.session.flush()


# Two producers whose mentor applications wait for the demo admin.
# (email, name, city, country code, credits, portfolio links, links to check)
APPLICANTS: list[tuple[str, str, str, str, str, list[str], list[str]]] = [
    (
        "lena.brandt@example.com",
        "Lena Brandt",
        "Berlin",
        "DE",
        "Mixed the EP “Glass Rooms” (2025) and two singles for a Berlin electronic label; "
        "assistant engineer on a string quartet album.",
        ["https://lenabrandt.example.org/mixes"],
        ["https://credits.example.org/lena-brandt", "https://label.example.org/glass-rooms"],
    ),
    (
        "tomas.ferreira@example.com",
        "Tomás Ferreira",
        "Lisbon",
        "PT",
        "Beats for three independent rap releases since 2022; sound design for a short film.",
        ["https://tomasferreira.example.org"],
        ["https://credits.example.org/tomas-ferreira"],
    ),
]


def _seed_applicants(gazetteer, existing, password_hash, archetypes, specialties) -> int:
    rng = random.Random(7)  # noqa: S311 (demo data, not security)
    created = 0
    for days, (email, name, city_name, country, credits, links, evidence) in enumerate(
        APPLICANTS, start=1
    ):
        if email in existing:
            continue
        existing.add(email)
        city = _city(gazetteer, city_name, country)
        place = profiles.ensure_place(city.geonameid) if city else None
        profile = _mentor_profile(rng, place, archetypes, specialties)
        profile.credits, profile.portfolio_links = credits, links
        profile.credit_list = [MentorCredit(position=0, title=credits)]
        sent = utcnow() - days * DAY
        application = MentorApplication(
            state=Vetting.PENDING,
            evidence_links=evidence,
            data=vetting.application_data(profile, evidence, ""),
            submitted_at=sent,
            created_at=sent,
        )
        db.session.add(
            User(
                email=email,
                display_name=name,
                password_hash=password_hash,
                is_mentor=True,
                email_verified_at=sent,
                mentor_profile=profile,
                mentor_application=application,
                **_joined(email),
            )
        )
        created += 1
    db.session.flush()
    return created


def _vet_demo_mentors() -> None:
    """Every demo mentor without an application is vetted, with what their profile says."""
    vetted_at = utcnow() - 30 * DAY
    for user in db.session.scalars(
        select(User).where(User.is_mentor.is_(True), ~User.mentor_application.has())
    ):
        data = vetting.application_data(user.mentor_profile, [], "")
        user.mentor_application = MentorApplication(
            state=Vetting.APPROVED,
            data=data,
            approved_data=data,
            submitted_at=vetted_at,
            decided_at=vetted_at,
            vetted_at=vetted_at,
        )
    db.session.flush()


DAY = timedelta(days=1)


def _joined(email: str) -> dict:
    """An adult's date of birth (the same for an email on every run, without touching
    the random numbers the profiles are drawn from) and the code of conduct accepted."""
    n = zlib.crc32(email.encode())
    born = date(1970 + n % 30, 1 + n // 30 % 12, 1 + n // 360 % 28)
    return {
        "date_of_birth": born,
        "conduct_version": CONDUCT_VERSION,
        "conduct_accepted_at": utcnow(),
    }


def _with_guardian_consent(minor: User, guardian: str, now) -> None:
    """A demo apprentice of 16 whose guardian consented ten days ago."""
    today = now.date()
    minor.date_of_birth = today.replace(year=today.year - 16, day=min(today.day, 28)) - 40 * DAY
    asked = now - 11 * DAY
    db.session.add(
        GuardianConsent(
            minor_id=minor.id,
            guardian_email=f"{fold(guardian).replace(' ', '.').lower()}@example.com",
            # A token nobody knows: the demo link is spent already.
            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            state=ConsentState.GIVEN,
            created_at=asked,
            expires_at=asked + 7 * DAY,
            answered_at=now - 10 * DAY,
            guardian_name=guardian,
        )
    )


def _seed_apprenticeships() -> None:
    """A running apprenticeship, requests both ways and a finished one with a reference,
    for the demo mentor and the demo apprentice. Only on a database that has none."""
    if db.session.scalar(select(Apprenticeship.id).limit(1)) is not None:
        return
    people = {
        u.email: u
        for u in db.session.scalars(
            select(User).where(User.email.like("%@example.com")).order_by(User.id)
        )
    }
    marcus, priya = people.get("mentor@example.com"), people.get("mentee@example.com")
    if marcus is None or priya is None or marcus.mentor_profile is None:
        return
    mentors = [u for u in people.values() if u.mentor_profile and u is not marcus]
    mentees = [u for u in people.values() if u.mentee_profile and u is not priya]
    if len(mentors) < 3 or len(mentees) < 4:
        return
    now = utcnow()
    marcus.mentor_profile.capacity = max(marcus.mentor_profile.capacity, 4)
    marcus.mentor_profile.accepting = True

    # Marcus teaches one apprentice now and finished with another; two more are asking.
    running = _pair(marcus, mentees[0], State.ACCEPTED, now - 40 * DAY)
    running.messages = [
        ThreadMessage(author_id=mentees[0].id, body=m, created_at=now - d * DAY)
        for m, d in (
            ("Thanks for taking me on! Could we start with how you set up a vocal chain?", 38),
        )
    ] + [
        ThreadMessage(author_id=marcus.id, body=m, created_at=now - d * DAY)
        for m, d in (("Gladly. Bring two takes of the same verse on Thursday.", 37),)
    ]
    running.goals = [
        Goal(title="Record and comp a lead vocal", added_by_id=marcus.id, done_at=now - 20 * DAY),
        Goal(title="Mix one song to a finished demo", added_by_id=marcus.id),
        Goal(title="Send two mixes out for feedback", added_by_id=mentees[0].id),
    ]
    running.sessions = [
        WorkSession(
            held_on=(now - d * DAY).date(),
            minutes=m,
            covered=c,
            logged_by_id=marcus.id,
            confirmed_at=now - d * DAY,
        )
        for d, m, c in (
            (35, 120, "Vocal chain: mic choice, preamp gain, a first compressor."),
            (21, 150, "Comping three takes into one lead; tuning by ear first."),
        )
    ] + [
        WorkSession(
            held_on=(now - 7 * DAY).date(),
            minutes=90,
            covered="Bus compression on drums.",
            logged_by_id=mentees[0].id,
        )
    ]
    finished = _pair(marcus, mentees[1], State.COMPLETED, now - 200 * DAY, ended=now - 30 * DAY)
    finished.sessions = [
        WorkSession(
            held_on=(now - d * DAY).date(),
            minutes=180,
            covered="Arranging and mixing.",
            logged_by_id=marcus.id,
            confirmed_at=now - d * DAY,
        )
        for d in (190, 160, 120, 90, 60)
    ]
    db.session.flush()
    finished.reference = Reference(
        author_id=marcus.id,
        learned=(
            f"{mentees[1].display_name} came to me able to record demos and left able to run a "
            "whole session: setting up, tracking a band, comping and a clean rough mix the "
            "artist could sign off. They listen before they touch anything."
        ),
        work="Co-produced two singles with me, and mixed an EP for a local singer on their own.",
        recommendation="highest",
        confirmed_minutes=15 * 60,
        shown_on_profile=True,
        created_at=now - 29 * DAY,
    )
    _seed_feedback(finished, mentors, mentees, now)
    for index, mentee in enumerate(mentees[2:4]):
        _pair(marcus, mentee, State.REQUESTED, now - (2 + 3 * index) * DAY)
    # The first of them is 16: Marcus takes apprentices under 18 and sees the consent.
    marcus.mentor_profile.takes_minors = True
    _with_guardian_consent(mentees[2], f"Ewa {mentees[2].display_name.split()[-1]}", now)
    marcus.mentor_profile.apprentice_count = 1

    # Priya learns with one mentor and waits for another's answer.
    teacher = mentors[0]
    teacher.mentor_profile.capacity = max(teacher.mentor_profile.capacity, 2)
    teacher.mentor_profile.apprentice_count = 1
    teacher.mentor_profile.accepting = True
    with_priya = _pair(teacher, priya, State.ACCEPTED, now - 20 * DAY)
    with_priya.messages = [
        ThreadMessage(
            author_id=teacher.id,
            body="Welcome aboard. What are you working on?",
            created_at=now - 19 * DAY,
        ),
        ThreadMessage(
            author_id=priya.id,
            body="A four-track EP; the drums sound thin.",
            created_at=now - 19 * DAY + timedelta(hours=3),
        ),
    ]
    with_priya.goals = [Goal(title="Drums that hit on the EP", added_by_id=priya.id)]
    mentors[1].mentor_profile.accepting = True
    if mentors[1].mentor_profile.apprentice_count >= mentors[1].mentor_profile.capacity:
        mentors[1].mentor_profile.capacity = mentors[1].mentor_profile.apprentice_count + 1
    _pair(mentors[1], priya, State.REQUESTED, now - 3 * DAY)
    db.session.flush()
    for apprenticeship in (running, with_priya):
        db.session.add(
            Notification(
                user_id=apprenticeship.mentee_id,
                kind="answer",
                text=f"{apprenticeship.mentor.display_name} accepted: your apprenticeship "
                "has started.",
                apprenticeship_id=apprenticeship.id,
                created_at=apprenticeship.decided_at,
                read_at=apprenticeship.decided_at,
            )
        )
    for apprenticeship in _waiting_on(marcus):
        db.session.add(
            Notification(
                user_id=marcus.id,
                kind="request",
                text=f"{apprenticeship.mentee.display_name} asks you for an apprenticeship.",
                apprenticeship_id=apprenticeship.id,
                created_at=apprenticeship.created_at,
            )
        )
    db.session.flush()


def _seed_feedback(finished: Apprenticeship, mentors: list[User], mentees: list[User], now):
    """Both sides' feedback on Marcus's finished apprenticeship, its testimonial shown on
    his profile; and a mentor whose recent ratings are low, for the admin to see flagged."""
    finished.feedback = [
        Feedback(
            author_id=finished.mentee.id,
            side="mentee",
            rating=5,
            private_words="Always prepared, always on time. I felt safe in the studio.",
            testimonial=(
                "Marcus let me run real sessions from the second month and told me plainly "
                "what was not working yet. I left knowing how to finish a record."
            ),
            testimonial_shown=True,
            created_at=now - 28 * DAY,
        ),
        Feedback(
            author_id=finished.mentor.id,
            side="mentor",
            rating=5,
            private_words="Curious and reliable; ready to assist on paid sessions.",
            created_at=now - 29 * DAY,
        ),
    ]
    if len(mentors) < 3 or len(mentees) < 7:
        return
    flagged = mentors[2]
    for days, mentee, rating, words in (
        (120, mentees[4], 3, "Sessions were often moved at the last minute."),
        (60, mentees[5], 2, "Cancelled four sessions out of ten."),
        (15, mentees[6], 1, "Stopped answering messages after the first month."),
    ):
        over = _pair(flagged, mentee, State.ENDED, now - (days + 90) * DAY, ended=now - days * DAY)
        over.reason = "not_working"
        over.ended_by_id = mentee.id
        over.feedback = [
            Feedback(
                author_id=mentee.id,
                side="mentee",
                rating=rating,
                private_words=words,
                created_at=now - (days - 1) * DAY,
            )
        ]


def _waiting_on(marcus: User) -> list[Apprenticeship]:
    return list(
        db.session.scalars(
            select(Apprenticeship).where(
                Apprenticeship.mentor_id == marcus.id, Apprenticeship.state == State.REQUESTED
            )
        )
    )


def _pair(mentor: User, mentee: User, state: State, since, ended=None) -> Apprenticeship:
    apprenticeship = Apprenticeship(
        mentor_id=mentor.id,
        mentee_id=mentee.id,
        mentor=mentor,
        mentee=mentee,
        state=state,
        requested_by="mentee",
        message=(
            f"Hello {mentor.display_name.split()[0]}, I have been producing in my bedroom for "
            "a couple of years and would love to learn how you work with artists. I am free "
            "most evenings and weekends."
        ),
        created_at=since,
        remind_at=since + 7 * DAY,
        expires_at=since + 14 * DAY,
        decided_at=since + DAY if state != State.REQUESTED else None,
        ended_at=ended,
        ended_by_id=mentor.id if ended else None,
    )
    db.session.add(apprenticeship)
    return apprenticeship


def _slots(rng: random.Random) -> int:
    return sum(rng.sample(list(SLOT_BITS.values()), rng.randint(2, 4)))


def _mentor_profile(rng, place, archetypes, specialties) -> MentorProfile:
    kinds = rng.sample(archetypes, rng.randint(1, 2))
    genre_slugs = [slug for slug, _ in rng.sample(GENRES, rng.randint(2, 4))]
    genre_name = dict(GENRES)[genre_slugs[0]].lower()
    years = rng.randint(4, 30)
    in_person = rng.random() < 0.85
    return MentorProfile(
        headline=rng.choice(HEADLINES[kinds[0].slug]).format(genre=genre_name),
        bio=f"{rng.choice(BIO_OPENERS).format(years=years)}\n\n{rng.choice(BIO_ENDINGS)}",
        genres=genre_slugs,
        years_producing=years,
        credits="",
        portfolio_links=[],
        place=place,
        works_in_person=in_person,
        works_remotely=not in_person or rng.random() < 0.5,
        travel_km=rng.choice([15, 25, 40, 60, 100]),
        availability=_slots(rng),
        capacity=rng.randint(1, 4),
        accepting=rng.random() < 0.9,
        archetypes=kinds,
        specialties=rng.sample(specialties, rng.randint(2, 5)),
    )


# A demo mentor's work: credits, links on the four players' hosts, terms, DAW and tools.
# Drawn from a generator of their own (per email), so the profiles above stay the same.
CREDIT_TITLES = [
    "Night Ferry",
    "Glass Rooms",
    "Low Tide",
    "Paper Suns",
    "Quiet Engines",
    "Salt Road",
    "Afterglow Sessions",
    "Northern Line",
    "Copper Hearts",
    "Late Bloom",
]
CREDIT_ARTISTS = [
    "Harbour",
    "Mira Vale",
    "The Lanterns",
    "Kojo & the Night Shift",
    "Sea Wall",
    "Ines Kaur",
]
CREDIT_ROLES = ["producer", "mixing engineer", "recording engineer", "co-writer", "arranger"]
DEMO_LINKS = [
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://soundcloud.com/demo-label/night-ferry",
    "https://bandcamp.com/EmbeddedPlayer/album=1234567/size=large/",
    "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
]
WEEKS = [
    "Two evening sessions in the studio, and one track of your own we listen to together.",
    "You sit in on client sessions on Tuesdays and Thursdays; Fridays we mix your songs.",
    "One long remote session a week, plus notes on what you send between sessions.",
]


def _storefront(email: str, profile: MentorProfile) -> None:
    from mentorapp.profiles.credits import summary
    from mentorapp.profiles.vocabulary import TOOLS

    rng = random.Random(zlib.crc32(email.encode()))  # noqa: S311 (demo data)
    profile.credit_list = [
        MentorCredit(
            position=position,
            title=title,
            artist=rng.choice(CREDIT_ARTISTS),
            role=rng.choice(CREDIT_ROLES),
            year=rng.randint(2012, 2026),
        )
        for position, title in enumerate(rng.sample(CREDIT_TITLES, rng.randint(2, 4)))
    ]
    profile.credits = summary(profile.credit_list)
    profile.portfolio_links = rng.sample(DEMO_LINKS, rng.randint(2, 4))
    profile.terms = rng.choice(["free", "paid", "work_for_learning"])
    profile.terms_rate = "£35 a session, the first one free" if profile.terms == "paid" else ""
    profile.typical_week = rng.choice(WEEKS)
    chosen = {slug for slug, _ in rng.sample(TOOLS, rng.randint(1, 3))}
    profile.tools = [slug for slug, _ in TOOLS if slug in chosen]


def _mentee_profile(rng, place, archetypes, specialties) -> MenteeProfile:
    genre_slugs = [slug for slug, _ in rng.sample(GENRES, rng.randint(1, 3))]
    profile = MenteeProfile(
        about=rng.choice(ABOUTS).format(genre=dict(GENRES)[genre_slugs[0]].lower()),
        goals=rng.choice(GOALS),
        genres=genre_slugs,
        experience=rng.choice(list(Experience)).value,
        path=rng.choice(list(Path)).value,
        place=place,
        travel_km=rng.choice([10, 25, 50, 80]),
        remote_ok=rng.random() < 0.7,
        availability=_slots(rng),
    )
    profile.aspirations = [
        MenteeAspiration(archetype=a, rank=rank)
        for rank, a in enumerate(rng.sample(archetypes, rng.randint(1, 3)), 1)
    ]
    profile.wants = [
        MenteeWant(specialty=s, rank=rank)
        for rank, s in enumerate(rng.sample(specialties, rng.randint(2, 4)), 1)
    ]
    return profile
