from flask import Blueprint, render_template
from flask_login import login_required

from mentorapp.forms import EmptyForm

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.get("/dashboard")
@login_required
def dashboard():
    return render_template("main/dashboard.html", resend_form=EmptyForm())
