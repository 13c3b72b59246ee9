"""Login throttling: by user name across addresses, and by address across user names; the
client's address comes from X-Forwarded-For only through the configured trusted proxies; a
locked-out user gets a new password by e-mail, which lifts the lock."""

import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(django_user_model):
    return [
        django_user_model.objects.create_user(
            f"bruger{i}", f"bruger{i}@example.dk", "Rigtig-kode-1"
        )
        for i in range(7)
    ]


def login(client, username, password="forkert", **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def test_one_password_tried_against_every_user_is_throttled_by_address(client, users):
    for user in users[:4]:
        assert login(client, user.username, REMOTE_ADDR="10.0.0.9").status_code == 200
    # The fifth failure from the address locks it, whatever user name comes next
    assert login(client, users[4].username, REMOTE_ADDR="10.0.0.9").status_code == 429
    assert (
        login(client, users[5].username, "Rigtig-kode-1", REMOTE_ADDR="10.0.0.9").status_code == 429
    )
    # Another address is not locked out by it
    assert (
        login(client, users[6].username, "Rigtig-kode-1", REMOTE_ADDR="10.0.0.10").status_code
        == 302
    )


def test_one_user_name_tried_from_many_addresses_is_throttled_by_user_name(client, users):
    for n in range(5):
        login(client, "bruger0", REMOTE_ADDR=f"10.0.1.{n}")
    assert login(client, "bruger0", "Rigtig-kode-1", REMOTE_ADDR="10.0.2.1").status_code == 429
    assert login(client, "bruger1", "Rigtig-kode-1", REMOTE_ADDR="10.0.2.1").status_code == 302


def test_a_forwarded_for_header_is_ignored_without_a_trusted_proxy(client, users):
    for n in range(5):
        login(client, f"bruger{n}", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert login(client, "bruger5", REMOTE_ADDR="10.0.0.9",
                 HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429  # fmt: skip


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_each_client_keeps_its_own_address(client, users):
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    for n in range(5):  # an attacker behind the proxy, trying one password on many users
        login(client, f"bruger{n}", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
    assert login(client, "bruger5", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy).status_code == 429
    # A real user behind the same proxy is not locked out; nor can the attacker escape by
    # writing an address of its own in front of the one the proxy adds.
    real = login(client, "bruger6", "Rigtig-kode-1", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert real.status_code == 302
    client.logout()
    spoofed = login(client, "bruger6", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7", **proxy)
    assert spoofed.status_code == 429


def test_a_locked_out_user_resets_the_password_by_e_mail_and_logs_in(client, users):
    for n in range(5):
        login(client, "bruger0", REMOTE_ADDR=f"10.0.1.{n}")
    locked = login(client, "bruger0", "Rigtig-kode-1", REMOTE_ADDR="10.0.3.1")
    assert locked.status_code == 429 and reverse("password_reset") in locked.content.decode()
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()
    client.post(reverse("password_reset"), {"email": "bruger0@example.dk"}, REMOTE_ADDR="10.0.3.1")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True, REMOTE_ADDR="10.0.3.1")
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": "Ny-sikker-kode-42",
                       "new_password2": "Ny-sikker-kode-42"}, REMOTE_ADDR="10.0.3.1")  # fmt: skip
    assert done.status_code == 302
    assert login(client, "bruger0", "Ny-sikker-kode-42", REMOTE_ADDR="10.0.3.1").status_code == 302
