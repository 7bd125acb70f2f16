"""Who may open which staff page: BRMs (and admins) build surveys, admins manage users."""

import datetime as dt

import pytest

from survey.store import surveys as store
from survey.store.staff import get_staff_user, list_staff_users


@pytest.fixture
def ids(db):
    survey = store.create_survey(db, "Pulse")
    question = store.add_question(db, survey.id, "text", "What should IT change?")
    today = dt.date.today()
    wave = store.create_wave(db, survey.id, "Q1", today, today, "invitation")
    return {"survey": survey.id, "question": question.id, "wave": wave.id}


BUILDER_PAGES = [
    ("get", "/staff/surveys/new"),
    ("post", "/staff/surveys/new"),
    ("get", "/staff/surveys/{survey}"),
    ("post", "/staff/surveys/{survey}"),
    ("post", "/staff/surveys/{survey}/questions"),
    ("post", "/staff/surveys/{survey}/copy"),
    ("get", "/staff/questions/{question}"),
    ("post", "/staff/questions/{question}"),
    ("post", "/staff/questions/{question}/move"),
    ("post", "/staff/questions/{question}/delete"),
    ("get", "/staff/surveys/{survey}/waves/new"),
    ("post", "/staff/surveys/{survey}/waves/new"),
    ("get", "/staff/waves/{wave}"),
    ("get", "/staff/waves/{wave}/edit"),
    ("post", "/staff/waves/{wave}/edit"),
    ("post", "/staff/waves/{wave}/codes"),
    ("get", "/staff/waves/{wave}/email"),
    ("post", "/staff/waves/{wave}/email"),
    ("get", "/staff/surveys/{survey}/email-templates"),
    ("post", "/staff/surveys/{survey}/email-templates"),
]
ADMIN_PAGES = [
    ("get", "/staff/admin/users"),
    ("post", "/staff/admin/users"),
    ("post", "/staff/admin/users/1/active"),
    ("get", "/staff/admin/webhooks/"),
    ("post", "/staff/admin/webhooks/"),
    ("post", "/staff/admin/webhooks/1/test"),
    ("post", "/staff/admin/webhooks/1/active"),
    ("post", "/staff/admin/webhooks/1/delete"),
]


def call(client, method, url, ids):
    return getattr(client, method)(url.format(**ids), data={})


def statuses(client, pages, ids):
    """Map each page to the status code it answers (one sign-in serves every page: fast tests)."""
    return {f"{method.upper()} {url}": call(client, method, url, ids).status_code for method, url in pages}


def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_page(client, ids):
    for method, url in BUILDER_PAGES + ADMIN_PAGES + [("get", "/staff/")]:
        response = call(client, method, url, ids)
        assert response.status_code == 302, f"{method} {url}"
        assert "/staff/login" in response.headers["Location"]


def test_culture_leads_get_403_on_every_builder_and_admin_page(staff_login, ids):
    client = staff_login("culture_lead")
    assert statuses(client, BUILDER_PAGES + ADMIN_PAGES, ids) == {
        f"{method.upper()} {url}": 403 for method, url in BUILDER_PAGES + ADMIN_PAGES}
    assert "does not have access" in client.get("/staff/surveys/new").get_data(as_text=True)


def test_brms_get_403_on_every_admin_page(staff_login, db, ids):
    client = staff_login("brm")
    assert set(statuses(client, ADMIN_PAGES, ids).values()) == {403}
    assert all(user.active for user in list_staff_users(db))


@pytest.mark.parametrize("role", ["brm", "admin"])
def test_brms_and_admins_open_every_builder_page(staff_login, ids, role):
    pages = [("get", "/staff/")] + [page for page in BUILDER_PAGES if page[0] == "get"]
    assert set(statuses(staff_login(role), pages, ids).values()) == {200}


def test_culture_leads_see_the_survey_list_read_only(staff_login, ids):
    page = staff_login("culture_lead").get("/staff/").get_data(as_text=True)
    assert "Pulse" in page
    assert "New survey" not in page and f"/staff/surveys/{ids['survey']}" not in page
    assert "/staff/admin/users" not in page


def test_the_navigation_shows_users_only_to_admins(staff_login):
    assert "/staff/admin/users" not in staff_login("brm").get("/staff/").get_data(as_text=True)
    assert "/staff/admin/users" in staff_login("admin").get("/staff/").get_data(as_text=True)


def test_admins_create_and_deactivate_accounts_but_not_their_own(staff_login, client, db):
    staff_login("admin")
    response = client.post("/staff/admin/users", data={"username": "lead", "role": "culture_lead",
                                                      "password": "long password 1",
                                                      "confirm": "long password 1"})
    assert response.status_code == 302
    lead = next(user for user in list_staff_users(db) if user.username == "lead")
    assert (lead.role, lead.active) == ("culture_lead", True)
    client.post(f"/staff/admin/users/{lead.id}/active")
    assert get_staff_user(db, lead.id).active is False
    me = next(user for user in list_staff_users(db) if user.role == "admin")
    response = client.post(f"/staff/admin/users/{me.id}/active", follow_redirects=True)
    assert "cannot deactivate your own account" in response.get_data(as_text=True)
    assert get_staff_user(db, me.id).active is True


@pytest.mark.parametrize("data, message", [
    ({"username": "x", "role": "brm", "password": "short", "confirm": "short"}, "at least 10 characters"),
    ({"username": "x", "role": "brm", "password": "long password 1", "confirm": "long password 2"},
     "The passwords differ."),
    ({"username": "admin-user", "role": "brm", "password": "long password 1", "confirm": "long password 1"},
     "is taken"),
    ({"username": "x", "role": "root", "password": "long password 1", "confirm": "long password 1"},
     "Not a valid choice"),
])
def test_bad_new_accounts_are_refused_with_a_message(staff_login, db, data, message):
    response = staff_login("admin").post("/staff/admin/users", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert [user.username for user in list_staff_users(db)] == ["admin-user"]


def test_a_deactivated_account_can_no_longer_sign_in(staff_login, client, db):
    staff_login("brm")
    staff_login.logout()
    staff_login("admin")
    brm = next(user for user in list_staff_users(db) if user.role == "brm")
    client.post(f"/staff/admin/users/{brm.id}/active")
    staff_login.logout()
    response = client.post("/staff/login", data={"username": "brm-user", "password": "correct horse battery"})
    assert response.status_code == 401
