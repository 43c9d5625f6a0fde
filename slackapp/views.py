"""The one endpoint Slack calls, the pages where a person connects their Slack user, and the
page where a team's manager picks the team's Slack channel."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_bolt.adapter.django import SlackRequestHandler

from learningday import parsing
from learningday.models import Team
from slackapp import channel, people, services
from slackapp.bolt import bolt_app
from slackapp.client import SlackRefused, SlackTryAgain
from slackapp.forms import TeamChannelForm
from slackapp.models import SlackAccount, TeamChannel


def _require_enabled() -> None:
    if not settings.SLACK_ENABLED:
        raise Http404("The Slack app is not set up here.")


@csrf_exempt  # Slack signs its requests instead; Bolt checks the signature
@login_not_required
@require_POST
def events(request: HttpRequest) -> HttpResponse:
    """Events, slash commands, interactivity and select options: Bolt checks and dispatches."""
    _require_enabled()
    return SlackRequestHandler(bolt_app()).handle(request)


def connect(request: HttpRequest, token: str) -> HttpResponse:
    """Tie the Slack user a link was made for to the signed-in account (asked, then posted)."""
    _require_enabled()
    try:
        slack_user_id, slack_team_id = people.read_connect_token(token)
    except signing.BadSignature:
        return render(request, "slackapp/connect_expired.html", status=400)
    if request.method == "POST":
        try:
            services.account_connect(user=request.user, slack_user_id=slack_user_id, slack_team_id=slack_team_id)
        except services.SlackAppError as error:
            messages.error(request, str(error))
            return redirect("profile")
        messages.success(request, "Your Slack user is connected: try /learned in Slack.")
        return redirect("profile")
    current = SlackAccount.objects.filter(user=request.user).first()
    return render(
        request,
        "slackapp/connect.html",
        {
            "slack_user_id": slack_user_id,
            "profile": people.profile_of(slack_user_id),
            "already": current if current is not None and current.slack_user_id != slack_user_id else None,
        },
    )


@require_POST
def disconnect(request: HttpRequest) -> HttpResponse:
    _require_enabled()
    if services.account_disconnect(user=request.user):
        messages.success(request, "Your Slack user is no longer connected.")
    return redirect("profile")


def team_channel(request: HttpRequest, slug: str) -> HttpResponse:
    """Pick the channel the team's new entries and morning digest go to (the team's managers
    and administrators). Lists the public channels; when Slack does not, asks for the id."""
    _require_enabled()
    team = get_object_or_404(Team, slug=parsing.parse_slug(slug))
    if not services.may_set_channel(request.user, team):
        raise PermissionDenied("Only an administrator or the team's manager can pick its Slack channel.")
    try:
        channels: list[tuple[str, str]] | None = channel.public_channels()
        unlisted = ""
    except (SlackTryAgain, SlackRefused) as error:
        channels, unlisted = None, str(error)
    current = TeamChannel.objects.filter(team=team).first()
    if request.method == "POST":
        form = TeamChannelForm(request.POST, channels=channels)
        if form.is_valid():
            channel_id, channel_name = form.chosen()
            had_webhook = bool(team.slack_webhook_url)
            try:
                chosen = services.team_channel_set(
                    user=request.user, team=team, channel_id=channel_id, channel_name=channel_name
                )
            except services.SlackAppError as error:
                form.add_error(None, str(error))
            else:
                if chosen is None:
                    messages.success(request, f"{team.name}'s entries are no longer posted in Slack by the app.")
                else:
                    messages.success(request, f"{team.name}'s new entries and digest now go to {_label(chosen)}.")
                    if had_webhook:
                        messages.info(
                            request,
                            "The team's incoming webhook is turned off: the app's channel replaces it, "
                            "so that nothing is posted twice.",
                        )
                return redirect("slackapp:team_channel", slug=team.slug)
        status = 400
    else:
        initial = {}
        if current is not None:
            initial = {"channel": current.channel_id} if current.channel_id in dict(channels or []) else {}
            initial.setdefault("channel_id", "" if initial else current.channel_id)
        form = TeamChannelForm(initial=initial, channels=channels)
        status = 200
    return render(
        request,
        "slackapp/team_channel.html",
        {"team": team, "form": form, "current": current, "unlisted": unlisted, "label": _label(current)},
        status=status,
    )


def _label(chosen: TeamChannel | None) -> str:
    if chosen is None:
        return ""
    return f"#{chosen.channel_name}" if chosen.channel_name else chosen.channel_id
