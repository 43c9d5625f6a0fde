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
