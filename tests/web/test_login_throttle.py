"""Five wrong passwords for a user name within 15 minutes lock that name for the rest of the window;
a right password clears the count. Nothing but a hash of the name and the time is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from homeoffice.web.accounts.models import LoginFailure
from homeoffice.web.accounts.throttle import MAX_FAILURES, WINDOW

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def _login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login") + "?lang=en", {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_name_even_for_the_right_one():
    get_user_model().objects.create_user("hr-person", password=PASSWORD)
    client = Client()
    for _ in range(MAX_FAILURES):
        res = _login(client, "hr-person", "wrong-password")
        assert res.status_code == 200 and "Too many" not in res.content.decode()
    res = _login(client, "HR-Person", PASSWORD)  # the name in another case is the same account
    assert res.status_code == 200 and "Too many wrong passwords" in res.content.decode()
    assert "_auth_user_id" not in client.session
    assert not LoginFailure.objects.filter(account__contains="hr-person").exists()  # only a hash is stored


def test_the_lock_ends_with_the_window_and_a_right_password_clears_the_count():
    get_user_model().objects.create_user("manager", password=PASSWORD)
    client = Client()
    for _ in range(MAX_FAILURES):
        _login(client, "manager", "wrong-password")
    LoginFailure.objects.update(at=dt.datetime.now(dt.UTC) - WINDOW - dt.timedelta(seconds=1))
    res = _login(client, "manager", PASSWORD)
    assert res.status_code == 302
    assert not LoginFailure.objects.exists()


def test_another_name_is_not_locked():
    get_user_model().objects.create_user("safety", password=PASSWORD)
    client = Client()
    for _ in range(MAX_FAILURES):
        _login(client, "someone-else", "wrong-password")
    assert _login(Client(), "safety", PASSWORD).status_code == 302
