import pytest

from learningday.models import User

pytestmark = pytest.mark.django_db


def test_profile_shows_the_persons_name_and_time_zone(member_client):
    page = member_client.get("/profile/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'value="Tom Member"' in body
    assert '<option value="Europe/Berlin" selected>' in body
    assert '<label for="id_timezone">' in body


def test_person_changes_name_and_time_zone(member_client, member):
    response = member_client.post("/profile/", {"display_name": "Tom B.", "timezone": "Pacific/Auckland"}, follow=True)
    assert "Your profile is saved." in response.content.decode()
    member.refresh_from_db()
    assert (member.display_name, member.timezone) == ("Tom B.", "Pacific/Auckland")


def test_invalid_time_zone_is_refused_and_the_name_is_kept(member_client, member):
    response = member_client.post("/profile/", {"display_name": "Tom B.", "timezone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "is not one of the available choices" in body or "is not a time zone" in body
    assert 'value="Tom B."' in body  # nothing typed is lost
    assert 'aria-invalid="true"' in body
    assert 'role="alert"' in body
    member.refresh_from_db()
    assert member.timezone == "Europe/Berlin"
    assert member.display_name == "Tom Member"


def test_the_model_refuses_an_invalid_time_zone_too():
    from django.core.exceptions import ValidationError

    person = User(email="x@example.com", timezone="Europe/Atlantis")
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean(exclude=["password"])
    assert "is not a time zone" in str(excinfo.value)


def test_profile_changes_only_the_signed_in_person(client, member, outsider):
    client.force_login(outsider)
    client.post("/profile/", {"display_name": "Hacked", "timezone": "UTC", "email": "member@example.com"})
    member.refresh_from_db()
    outsider.refresh_from_db()
    assert member.display_name == "Tom Member"
    assert outsider.email == "other@example.com"  # email changes go through allauth's verified flow


# --- How and when reminders come --------------------------------------------------------


def connect_slack(user):
    from slackapp.models import SlackAccount

    return SlackAccount.objects.create(user=user, slack_user_id="U1", slack_team_id="T0LEARN")


def test_the_hours_offered_are_the_organisations_bounds_and_are_saved(member_client, member):
    body = member_client.get("/profile/").content.decode()
    assert '<option value="" selected>The usual time (09:00)</option>' in body
    assert '<option value="7">07:00</option>' in body and '<option value="11">11:00</option>' in body
    assert '<option value="6">' not in body and '<option value="12">' not in body
    assert '<option value="18">18:00</option>' in body  # the nudge: 13:00 to 18:00

    data = {"display_name": "Tom", "timezone": "Europe/Berlin", "morning_hour": "7", "nudge_hour": "17"}
    member_client.post("/profile/", data)
    member.refresh_from_db()
    assert (member.morning_hour, member.nudge_hour) == (7, 17)
    member_client.post("/profile/", {**data, "morning_hour": "", "nudge_hour": ""})
    member.refresh_from_db()
    assert (member.morning_hour, member.nudge_hour) == (None, None)  # the organisation's default again


@pytest.mark.parametrize(("field", "hour", "message"), [
    ("morning_hour", "6", "Pick a time from 07:00 to 11:00, or the usual time."),
    ("nudge_hour", "19", "Pick a time from 13:00 to 18:00, or the usual time."),
    ("nudge_hour", "nine", "Pick a time from 13:00 to 18:00, or the usual time."),
])  # fmt: skip
def test_an_hour_outside_the_bounds_is_refused_and_the_form_stays_filled(member_client, member, field, hour, message):
    response = member_client.post(
        "/profile/", {"display_name": "Tom B.", "timezone": "Europe/Berlin", "morning_hour": "10", field: hour}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'value="Tom B."' in body
    if field == "nudge_hour":
        assert '<option value="10" selected>10:00</option>' in body
    member.refresh_from_db()
    assert (member.display_name, member.morning_hour, member.nudge_hour) == ("Tom Member", None, None)


def test_the_bounds_are_the_organisations_to_set(member_client, member, settings):
    settings.REMINDER_MORNING_HOURS = (8, 10)
    body = member_client.get("/profile/").content.decode()
    assert '<option value="7">' not in body and '<option value="10">10:00</option>' in body
    response = member_client.post("/profile/", {"display_name": "Tom", "timezone": "UTC", "morning_hour": "7"})
    assert "Pick a time from 08:00 to 10:00, or the usual time." in response.content.decode()


def test_slack_is_offered_only_once_the_person_has_connected_it(member_client, member, slack_api):
    assert 'name="reminders_via"' not in member_client.get("/profile/").content.decode()
    # Posted anyway: nothing changes, reminders stay email.
    member_client.post("/profile/", {"display_name": "Tom", "timezone": "UTC", "reminders_via": "slack"})
    member.refresh_from_db()
    assert member.reminders_via == "email"

    connect_slack(member)
    body = member_client.get("/profile/").content.decode()
    assert 'value="slack"' in body and "Slack direct message" in body and "Email and Slack" in body
    member_client.post("/profile/", {"display_name": "Tom", "timezone": "UTC", "reminders_via": "both"})
    member.refresh_from_db()
    assert member.reminders_via == "both"


def test_without_the_slack_app_slack_is_not_offered_even_to_a_connected_person(member_client, member, settings):
    connect_slack(member)
    settings.SLACK_ENABLED = False
    assert 'name="reminders_via"' not in member_client.get("/profile/").content.decode()


def test_a_channel_that_does_not_exist_is_refused_clearly(member_client, member, slack_api):
    connect_slack(member)
    response = member_client.post(
        "/profile/", {"display_name": "Tom B.", "timezone": "UTC", "reminders_via": "pigeon", "nudge_hour": "16"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Pick email, Slack, or both." in body
    assert '<option value="16" selected>16:00</option>' in body
    member.refresh_from_db()
    assert member.reminders_via == "email"
