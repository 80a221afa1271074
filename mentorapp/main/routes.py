from flask import Blueprint, render_template
from flask_login import current_user, login_required

from mentorapp import timezones
from mentorapp.apprenticeships import services as apprenticeships
from mentorapp.availability import waiting
from mentorapp.directory import listings as directory_listings
from mentorapp.directory import search as directory_search
from mentorapp.forms import EmptyForm
from mentorapp.models import Role
from mentorapp.profiles import services as profiles

bp = Blueprint("main", __name__)

# Every time a page shows goes through this one filter: {{ moment|local_time }}.
bp.add_app_template_filter(timezones.local_time, "local_time")


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    progress = {
        role: profiles.checks_for(current_user, role)
        for role in (Role.MENTEE, Role.MENTOR)
        if current_user.has_role(role)
    }
    return render_template(
        "main/dashboard.html",
        resend_form=EmptyForm(),
        progress=progress,
        percent=profiles.percent_complete,
        overview=apprenticeships.overview(current_user)
        if current_user.is_mentor or current_user.is_mentee
        else None,
        labels=apprenticeships.STATE_LABELS,
        nearby=directory_search.near(current_user, limit=3)
        if current_user.is_mentor or current_user.is_mentee
        else [],
        has_city=directory_search.seeker_for(current_user) is not None,
        kinds=directory_listings.KIND_LABELS,
        limit=apprenticeships.OPEN_REQUEST_LIMIT,
        waiting_lists=waiting.lists_of(current_user) if current_user.is_mentee else [],
    )
