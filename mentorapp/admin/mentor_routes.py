"""The admins' queue of mentor applications and re-checks, and the decisions on them.
Registered on the admin blueprint, so its one access check covers them."""

from flask import abort, render_template, request, url_for
from flask_login import current_user

from mentorapp.admin import decisions
from mentorapp.admin.decisions import Refused
from mentorapp.admin.routes import bp
from mentorapp.directory import review
from mentorapp.directory.forms import DecisionForm
from mentorapp.trust import vetting_review

DECISION_DONE = {
    "approve": "Approved: they carry the vetted mark now.",
    "reject": "Rejected. The mentor sees your reason.",
    "request_changes": "Sent back for changes. The mentor sees your note.",
}
SECTION_TITLES = {
    "new": "New mentor applications",
    "rechecks": "Vetted mentors who changed their credits or studio",
}


def _where() -> dict:
    return decisions.where(vetting_review.SECTIONS)


@bp.get("/mentors")
def mentors():
    return _queue_page()


def _queue_page(refused: Refused | None = None):
    where = _where()
    waiting = vetting_review.queue(where.get("section"), where.get("page", 1))
    page = render_template(
        "admin/mentors.html",
        queue=waiting,
        where=where,
        studios=vetting_review.studios_named(waiting.pages),
        changed=vetting_review.changed_since_approval,
        form=DecisionForm(formdata=None),
        refused=refused,
        section_titles=SECTION_TITLES,
        version=review.version,  # what a decision form carries of the version shown
    )
    return page, 422 if refused else 200


@bp.post("/mentors/<id:mentor_id>/<decision>")
def decide_mentor(mentor_id: int, decision: str):
    if decision not in review.DECISIONS:
        abort(404)
    return decisions.act(
        lambda why: vetting_review.decide(
            current_user, mentor_id, decision, why, seen=request.form.get("seen")
        ),
        DECISION_DONE[decision],
        f"m{mentor_id}",
        _queue_page,
        url_for("admin.mentors", **_where()),
    )
