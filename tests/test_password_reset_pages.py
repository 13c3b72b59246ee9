"""The password reset is the portal's own: every page of the flow extends templates/base.html
(the site's name in the header) and speaks Danish, and so does the e-mail. Django's admin-styled
defaults ("Django administration", English) are not shown."""

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

SITE = '<a class="site-name" href="/">KPI-portal for jobcentre</a>'


def portal_page(response, heading):
    html = response.content.decode()
    assert response.status_code == 200
    assert SITE in html, "not the portal's own page"
    assert '<html lang="da">' in html
    assert f"<h1>{heading}</h1>" in html
    assert "Django" not in html
    return html


def test_the_login_page_links_forgotten_password(client):
    html = client.get(reverse("login")).content.decode()
    assert f'<a href="{reverse("password_reset")}">Glemt adgangskode?</a>' in html


def test_every_page_of_the_reset_is_the_portals_and_danish(client, django_user_model):
    django_user_model.objects.create_user("bruger", "bruger@example.dk", "Gammel-kode-1")
    html = portal_page(client.get(reverse("password_reset")), "Glemt adgangskode")
    assert "E-mailadresse" in html and 'autocomplete="email"' in html
    sent = client.post(reverse("password_reset"), {"email": "bruger@example.dk"}, follow=True)
    portal_page(sent, "Tjek din e-mail")
    message = mail.outbox[0]
    assert message.subject == "Ny adgangskode til KPI-portal for jobcentre"
    assert "Vælg en ny adgangskode her" in message.body and "bruger" in message.body
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    html = portal_page(form, "Vælg en ny adgangskode")
    assert "Ny adgangskode" in html and "Gem den nye adgangskode" in html
    # A password the validators refuse is said in Danish, on the portal's page.
    refused = client.post(form.redirect_chain[-1][0], {"new_password1": "abc",
                          "new_password2": "abc"})  # fmt: skip
    assert "form-errors" in portal_page(refused, "Vælg en ny adgangskode")
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Ny-sikker-kode-42",
                       "new_password2": "Ny-sikker-kode-42"}, follow=True)  # fmt: skip
    portal_page(done, "Adgangskoden er ændret")
    # The link works once.
    again = client.get(link, follow=True)
    assert "Linket er ikke gyldigt" in portal_page(again, "Vælg en ny adgangskode")
