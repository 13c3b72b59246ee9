"""Single sign-on with SAML 2.0 against an IdP made here with pysaml2's own Server: a key and a
self-signed certificate generated for the test, the IdP's metadata given to the portal, and the
portal's AuthnRequest answered with a signed assertion posted to its ACS (HTTP-POST binding).

Needs Debian's xmlsec1 (pysaml2 signs and verifies with it). Without it these tests are
skipped, unless REQUIRE_XMLSEC=1 (as in CI), where its absence is a failure."""

import base64
import datetime
import os
import shutil
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from jobcenter.saml_settings import RoleMapError, parse_role_map, saml_settings
from plans.members.models import MemberEvent
from plans.models import Membership
from tests.builders import make_municipality

XMLSEC = shutil.which("xmlsec1")
if not XMLSEC and os.environ.get("REQUIRE_XMLSEC") == "1":
    raise RuntimeError("SAML tests required (REQUIRE_XMLSEC=1) but xmlsec1 is missing")
needs_xmlsec = pytest.mark.skipif(
    not XMLSEC, reason="needs Debian's xmlsec1 (apt-get install xmlsec1); CI requires it"
)

IDP = "https://idp.test/saml/idp"
EVIL = "https://evil.test/saml/idp"
ROLE_MAP = "jc-ringsted-analytiker=329:analyst;jc-ringsted-ledelse=329:admin"


def key_and_certificate(folder, name):
    """A fresh RSA key and a self-signed certificate for it, as PEM files (test-only)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))  # fmt: skip
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def idp_config(entity_id, keys, sp_metadata, lifetime_minutes=15):
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.config import IdPConfig

    key_file, cert_file = keys
    config = IdPConfig()
    config.load({
        "entityid": entity_id,
        "xmlsec_binary": XMLSEC,
        "service": {"idp": {
            "endpoints": {"single_sign_on_service": [(f"{entity_id}/sso", BINDING_HTTP_REDIRECT)]},
            "policy": {"default": {"lifetime": {"minutes": lifetime_minutes},
                                   "attribute_restrictions": None}},
            "name_id_format": ["urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"],
        }},
        "key_file": key_file,
        "cert_file": cert_file,
        "allow_unknown_attributes": True,
        **({"metadata": {"inline": [sp_metadata]}} if sp_metadata else {}),
    })  # fmt: skip
    return config


@pytest.fixture
def sso(settings, tmp_path):
    """The portal configured for an IdP made here; returns make(entity_id, lifetime) → Server."""
    return configure_sso(settings, tmp_path)


def configure_sso(settings, tmp_path, base_url="http://testserver"):
    """The portal, at base_url, configured for an IdP made here (also the browser tests')."""
    from djangosaml2.conf import get_config
    from saml2.metadata import create_metadata_string
    from saml2.server import Server

    make_municipality("Ringsted", "329")
    idp_keys = key_and_certificate(tmp_path, "idp")
    evil_keys = key_and_certificate(tmp_path, "evil")
    # the IdP's metadata needs the SP's, and the SP's settings need the IdP's file: first the
    # IdP's from a config without the SP, then the portal's, then the IdPs with the portal's
    bare = idp_config(IDP, idp_keys, sp_metadata="")
    metadata_file = tmp_path / "idp-metadata.xml"
    metadata_file.write_bytes(create_metadata_string(None, config=bare, sign=False))
    env = {"SAML_ENTITY_ID": f"{base_url}/saml2/metadata/",
           "SAML_IDP_METADATA_FILE": str(metadata_file), "SAML_BASE_URL": base_url,
           "SAML_ROLE_MAP": ROLE_MAP}  # fmt: skip
    for name, value in saml_settings(lambda n, d="": env.get(n, d)).items():
        setattr(settings, name, value)
    sp_metadata = create_metadata_string(None, config=get_config(), sign=False).decode()

    def make(entity_id=IDP, lifetime_minutes=15):
        keys = idp_keys if entity_id == IDP else evil_keys
        return Server(config=idp_config(entity_id, keys, sp_metadata, lifetime_minutes))

    return make


def answer(client, idp, groups, email="Medarbejder@Ringsted.dk", tamper=None, reader=None):
    """Starts a sign-in at the portal, lets the IdP answer it, posts the answer to the ACS.
    reader: the IdP the portal's request went to, when another one answers."""
    start = client.get(reverse("saml2_login"), {"next": "/"})
    assert start.status_code == 302, start.content[:300]
    request = parse_qs(urlparse(start["Location"]).query)["SAMLRequest"][0]
    body = idp_answer(idp, request, groups, email=email, tamper=tamper, reader=reader)
    return client.post(reverse("saml2_acs"), {"SAMLResponse": body, "RelayState": "/"})


def idp_answer(idp, request, groups, email="Medarbejder@Ringsted.dk", tamper=None, reader=None):
    """The IdP's signed answer to the portal's SAMLRequest (HTTP-Redirect), as the base64
    SAMLResponse the browser posts to the ACS."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

    authn_request = (reader or idp).parse_authn_request(request, BINDING_HTTP_REDIRECT).message
    response = idp.create_authn_response(
        identity={"email": [email], "displayName": ["Mette Medarbejder"], "groups": groups},
        in_response_to=authn_request.id,
        destination=authn_request.assertion_consumer_service_url,
        sp_entity_id=authn_request.issuer.text,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text="mette-123"),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
               "authn_auth": idp.config.entityid},
        sign_assertion=True, sign_response=False, userid="mette-123",
    )  # fmt: skip
    xml = str(response)
    if tamper:
        xml = tamper(xml)
    return base64.b64encode(xml.encode()).decode()


def signed_in(client):
    return "_auth_user_id" in client.session


@needs_xmlsec
@pytest.mark.django_db
def test_a_signed_assertion_signs_in_with_the_mapped_role(client, sso):
    response = answer(client, sso(), ["jc-ringsted-analytiker", "en-anden-gruppe"])
    assert response.status_code == 302, response.content.decode()[:500]
    assert signed_in(client)
    membership = Membership.objects.get(user__username="medarbejder@ringsted.dk")
    assert (membership.role, membership.source, membership.is_active) == ("analyst", "sso", True)
    assert membership.user.email == "medarbejder@ringsted.dk"
    assert membership.user.first_name == "Mette Medarbejder"
    assert not membership.user.has_usable_password()
    assert set(MemberEvent.objects.values_list("action", flat=True)) == {
        "sso_role_set", "sso_signed_in"}  # fmt: skip
    # the next sign-in follows the IdP: a stronger group gives the stronger role, …
    client.logout()
    answer(client, sso(), ["jc-ringsted-analytiker", "jc-ringsted-ledelse"])
    assert Membership.objects.get(pk=membership.pk).role == "admin"
    # … and a group taken away takes the role away (here the last one: refused, no session)
    client.logout()
    refused = answer(client, sso(), ["en-anden-gruppe"])
    assert refused.status_code == 403 and not signed_in(client)


@needs_xmlsec
@pytest.mark.django_db
def test_the_idps_post_needs_no_csrf_token(sso):
    """The IdP's page posts from its own origin: the ACS takes it without the portal's CSRF
    token (found by the browser test; Django's test client skips the check by default)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = answer(client, sso(), ["jc-ringsted-analytiker"])
    assert response.status_code == 302, response.content.decode()[:500]
    assert signed_in(client)


@needs_xmlsec
@pytest.mark.django_db
def test_a_portal_given_role_is_not_undone_by_single_sign_on(client, sso, django_user_model):
    from kpis.models import Area

    guldborgsund = make_municipality("Guldborgsund", "376")
    user = django_user_model.objects.create_user("medarbejder@ringsted.dk")
    Membership.objects.create(user=user, municipality=guldborgsund, role="committee")
    answer(client, sso(), ["jc-ringsted-analytiker"])
    assert dict(Membership.objects.filter(user=user).values_list("municipality", "role")) == {
        guldborgsund.pk: "committee", Area.objects.get(code="329").pk: "analyst"}  # fmt: skip


def _tampered(xml):
    assert "jc-ringsted-analytiker" in xml
    return xml.replace("jc-ringsted-analytiker", "jc-ringsted-ledelse")


@needs_xmlsec
@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    ["tampered", "expired", "unknown issuer"],
)
def test_an_invalid_assertion_is_refused_without_a_session(client, sso, case):
    idp = {"tampered": sso(), "expired": sso(lifetime_minutes=-10), "unknown issuer": sso(EVIL)}
    response = answer(client, idp[case], ["jc-ringsted-analytiker"], reader=sso(),
                      tamper=_tampered if case == "tampered" else None)  # fmt: skip
    assert response.status_code == 403, response.content.decode()[:500]
    assert not signed_in(client)
    assert "kunne ikke godkendes" in response.content.decode()
    assert not Membership.objects.exists()


@needs_xmlsec
@pytest.mark.django_db
def test_a_user_without_a_mapped_role_gets_a_clear_page(client, sso):
    response = answer(client, sso(), ["en-gruppe-portalen-ikke-kender"])
    assert response.status_code == 403
    page = response.content.decode()
    assert "ingen rolle i portalen" in page
    assert not signed_in(client) and not Membership.objects.exists()


@needs_xmlsec
@pytest.mark.django_db
def test_the_login_page_offers_single_sign_on_when_configured(client, sso):
    assert "Log ind med din organisation" in client.get(reverse("login")).content.decode()
    metadata = client.get(reverse("saml2_metadata"))
    assert metadata.status_code == 200 and b"AssertionConsumerService" in metadata.content


@pytest.mark.django_db
def test_without_configuration_there_is_no_single_sign_on(client):
    page = client.get(reverse("login")).content.decode()
    assert "Log ind med din organisation" not in page and 'name="password"' in page
    for name in ("saml2_login", "saml2_acs", "saml2_metadata"):
        assert client.get(reverse(name)).status_code == 404


def test_the_role_map_reads_both_syntaxes():
    compact = parse_role_map("jc-a=329:analyst; jc-b=329:admin\njc-a=250:committee")
    assert compact == {"jc-a": [("329", "analyst"), ("250", "committee")],
                       "jc-b": [("329", "admin")]}  # fmt: skip
    as_json = parse_role_map('{"jc-a": ["329:analyst", "250:committee"], "jc-b": "329:admin"}')
    assert as_json == compact
    # a value may hold "=" (a DN): the last one separates it from the role
    assert parse_role_map("cn=jc,o=kommune=329:admin") == {"cn=jc,o=kommune": [("329", "admin")]}
    for wrong in ("jc-a=329:chef", "jc-a=ringsted:admin", "ingen-rolle"):
        with pytest.raises(RoleMapError):
            parse_role_map(wrong)
