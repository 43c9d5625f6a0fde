"""The baseline page: the least a signed-in page can cost here.

It goes through the whole middleware stack (session, login, time zone, CSP), renders
``base.html`` with its navigation, and runs one query of its own. Every key page in
bench/http.py is compared with it.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from learningday.models import Team


def baseline(request: HttpRequest) -> HttpResponse:
    teams = list(Team.objects.filter(memberships__user=request.user).values_list("name", flat=True)[:5])
    return render(request, "bench/baseline.html", {"teams": teams})
