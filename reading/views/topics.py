"""A team's home topics, set by its managers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from learningday import parsing
from learningday.models import Team
from reading import services
from reading.forms import HomeTopicsForm


def _managed_team(request: HttpRequest, slug: str) -> Team:
    """The team, to its managers; 403 to its other members, 404 to everyone else."""
    team = get_object_or_404(Team, slug=parsing.parse_slug(slug))
    user = request.user
    if services.may_set_home_topics(user, team):
        return team
    if team.pk in user.team_ids:
        raise PermissionDenied("Only the team's managers set its home topics.")
    raise Http404("No such team.")


def home_topics(request: HttpRequest, slug: str) -> HttpResponse:
    team = _managed_team(request, slug)
    form = HomeTopicsForm(
        request.POST if request.method == "POST" else None, initial={"topics": list(team.home_topics.all())}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_home_topics_set(user=request.user, team=team, topics=form.cleaned_data["topics"])
        except services.ReadingError as error:
            form.add_error(None, str(error))
        else:
            names = ", ".join(topic.name for topic in form.cleaned_data["topics"]) or "none"
            messages.success(request, f"Home topics of {team.name}: {names}.")
            return redirect("reading:home_topics", slug=team.slug)
    return render(request, "reading/home_topics.html", {"team": team, "form": form}, status=400 if form.errors else 200)
