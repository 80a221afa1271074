"""What every admin queue's decision views share: running a decision, and showing a
refused one again with its reason (listings, mentors)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import abort, flash, redirect, request

from mentorapp.directory.forms import DecisionForm
from mentorapp.errors import DomainError, NotAllowed
from mentorapp.paging import page_number


@dataclass(frozen=True)
class Refused:
    """A decision refused for its reason: shown again next to that form's field."""

    key: str  # which form on the page
    reason: str  # what the admin typed, kept
    message: str


def where(sections: Iterable[str]) -> dict:
    """The queue page a decision was sent from (its form's URL carries it)."""
    section = request.args.get("section")
    if section not in sections:
        return {}
    return {"section": section, "page": page_number(request.args.get("page"))}


def act(do: Callable[[str], object], done: str, key: str, again: Callable, back: str):
    """Run a decision. A missing or too long reason shows the page again (`again`) with
    the message next to the field and the typing kept; a refusal of another kind
    (already decided, changed meanwhile) is a message on the page `back` leads to."""
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        messages = " ".join(m for ms in form.errors.values() for m in ms)
        return again(Refused(key, request.form.get("reason", ""), messages))
    try:
        do(form.reason.data or "")
    except NotAllowed:
        abort(404)
    except DomainError as error:
        if error.field == "reason":
            return again(Refused(key, form.reason.data or "", error.message))
        flash(error.message, "error")
    else:
        flash(done, "success")
    return redirect(back)
