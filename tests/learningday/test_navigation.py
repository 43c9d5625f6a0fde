"""The navigation shows Review, Finance and Impact only to those who may use them."""

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path

from learningday import navigation
from learningday import urls as site_urls
from learningday.navigation import nav_for


def _page(request):
    return HttpResponse("ok")


# The site's URLs, with stand-ins for the pages that the reading list and claims issues
# build, so that the links can be checked before those pages exist.
_stand_ins = {"reading/", "claims/"}
urlpatterns = [p for p in site_urls.urlpatterns if str(p.pattern) not in _stand_ins] + [
    path("reading/", include(([path("", _page, name="list")], "reading"))),
    path(
        "claims/",
        include(
            (
                [
                    path("", _page, name="mine"),
                    path("review/", _page, name="review"),
                    path("finance/", _page, name="finance"),
                ],
                "claims",
            )
        ),
    ),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def labels(user):
    return [item["label"] for item in nav_for(user)]


def test_member_sees_log_reading_claims_and_growth(member):
    assert labels(member) == ["Log", "Reading list", "Claims", "Growth"]


def test_manager_also_sees_participation_review_and_impact(manager):
    assert labels(manager) == ["Log", "Participation", "Reading list", "Claims", "Growth", "Review", "Impact"]


def test_leadership_sees_impact_and_nothing_of_a_manager_or_finance(db):
    from django.contrib.auth.models import Group

    from learningday.models import LEADERSHIP_GROUP
    from tests.factories import UserFactory

    leader = UserFactory(email="leadership@example.com")
    leader.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
    assert labels(leader) == ["Log", "Reading list", "Claims", "Growth", "Impact"]


def test_finance_also_sees_finance_but_not_participation(finance_user):
    assert labels(finance_user) == ["Log", "Reading list", "Claims", "Growth", "Finance"]


def test_current_page_is_marked(member):
    items = nav_for(member, "/claims/")
    assert [i["label"] for i in items if i["current"]] == ["Claims"]


def test_a_page_not_built_yet_is_left_out_rather_than_linked_to_a_404(member, monkeypatch):
    real_reverse = navigation.reverse

    def reverse_without_claims(name, *args, **kwargs):
        if name.startswith("claims:"):
            raise NoReverseMatch(name)
        return real_reverse(name, *args, **kwargs)

    monkeypatch.setattr(navigation, "reverse", reverse_without_claims)
    assert labels(member) == ["Log", "Reading list", "Growth"]


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("member", ['href="/claims/"'], ['href="/claims/review/"', 'href="/claims/finance/"', "/logs/participation/"]),
        ("manager", ['href="/claims/review/"', 'href="/logs/participation/"'], ['href="/claims/finance/"']),
        ("finance_user", ['href="/claims/finance/"'], ['href="/claims/review/"', "/logs/participation/"]),
    ],
)
def test_the_page_shows_each_role_its_links(client, request, who, shown, hidden):
    client.force_login(request.getfixturevalue(who))
    body = client.get("/").content.decode()
    for link in shown:
        assert link in body
    for link in hidden:
        assert link not in body


def test_only_the_most_specific_item_is_current(manager):
    items = nav_for(manager, "/claims/review/")
    assert [i["label"] for i in items if i["current"]] == ["Review"]
    items = nav_for(manager, "/logs/participation/")
    assert [i["label"] for i in items if i["current"]] == ["Participation"]
