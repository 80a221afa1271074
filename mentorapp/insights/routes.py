from flask import Blueprint, Response, abort, request

from mentorapp.admin.routes import require_admin
from mentorapp.insights import charts, services
from mentorapp.insights.forms import SpanForm, span_from

bp = Blueprint("insights", __name__, url_prefix="/admin/charts")
bp.before_request(require_admin)

# An SVG shown as an image runs no script and loads nothing; its own styles are inline.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@bp.get("/<key>.svg")
def chart(key: str):
    found = services.chart(span_from(SpanForm(request.args)), key)
    if found is None:
        abort(404)
    response = Response(charts.draw(found), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "private, max-age=60"
    return response
