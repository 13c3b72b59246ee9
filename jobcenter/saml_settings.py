"""Single sign-on (SAML 2.0) from the environment: pysaml2's configuration for djangosaml2, and
the portal's role mapping. SSO is on only when SAML_ENTITY_ID and the IdP's metadata
(SAML_IDP_METADATA_FILE or SAML_IDP_METADATA_URL) are set; without them the login page shows
the password form alone and /saml2/ answers 404. No Django imports: settings.py calls this.

SAML_ROLE_MAP says which attribute values give which role in which municipality (its official
code), either compactly, `value=code:role` separated by ";" or new lines:

    SAML_ROLE_MAP="jc-ringsted-analytiker=329:analyst;jc-ringsted-ledelse=329:admin"

or as JSON, a value to one or several "code:role": {"jc-ringsted-analytiker": "329:analyst"}.
Roles: committee, analyst, admin. A user asserted several roles in one municipality gets the
strongest.
"""

import json
import shutil

import saml2
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_UNSPECIFIED

ROLES = ("committee", "analyst", "admin")  # weakest first


class RoleMapError(ValueError):
    pass


def parse_role_map(text: str) -> dict[str, list[tuple[str, str]]]:
    """{attribute value: [(municipality code, role), …]} from either syntax."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        raw = json.loads(text)
        items = [(k, v) for k, values in raw.items()
                 for v in (values if isinstance(values, list) else [values])]  # fmt: skip
    else:
        items = []
        for part in text.replace("\n", ";").split(";"):
            if part.strip():
                value, _sep, target = part.rpartition("=")
                if not value:
                    raise RoleMapError(f"SAML_ROLE_MAP: {part!r} is not value=code:role")
                items.append((value.strip(), target.strip()))
    mapping: dict[str, list[tuple[str, str]]] = {}
    for value, target in items:
        code, _sep, role = str(target).partition(":")
        if role not in ROLES or not code.strip().isdigit():
            raise RoleMapError(f"SAML_ROLE_MAP: {value!r} → {target!r} is not code:role "
                               f"with a role among {', '.join(ROLES)}")  # fmt: skip
        mapping.setdefault(value, []).append((code.strip(), role))
    return mapping


def saml_settings(env) -> dict:
    """The settings SSO adds, {} when it is not configured. env(name, default) reads one."""
    entity_id = env("SAML_ENTITY_ID", "")
    metadata_file = env("SAML_IDP_METADATA_FILE", "")
    metadata_url = env("SAML_IDP_METADATA_URL", "")
    if not entity_id or not (metadata_file or metadata_url):
        return {"SAML_ENABLED": False}
    base_url = env("SAML_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    email = env("SAML_ATTRIBUTE_EMAIL", "email")
    name = env("SAML_ATTRIBUTE_NAME", "displayName")
    groups = env("SAML_ATTRIBUTE_GROUPS", "groups")
    metadata = {"local": [metadata_file]} if metadata_file else {"remote": [{"url": metadata_url}]}
    config = {
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "entityid": entity_id,
        # attribute names are taken as the IdP writes them (URIs for KOMBIT's Context Handler)
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": env("SAML_SP_NAME", "Jobcenter KPI portal"),
                "endpoints": {
                    "assertion_consumer_service": [
                        (f"{base_url}/saml2/acs/", saml2.BINDING_HTTP_POST)
                    ],
                    "single_logout_service": [
                        (f"{base_url}/saml2/ls/", saml2.BINDING_HTTP_REDIRECT),
                        (f"{base_url}/saml2/ls/post/", saml2.BINDING_HTTP_POST),
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_UNSPECIFIED],
                # Only answers to the portal's own requests, every assertion signed by the IdP.
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": bool(env("SAML_KEY_FILE", "")),
                "logout_requests_signed": bool(env("SAML_KEY_FILE", "")),
            },
        },
        "metadata": metadata,
        "accepted_time_diff": int(env("SAML_CLOCK_SKEW_SECONDS", "60")),
        "debug": False,
    }
    if env("SAML_KEY_FILE", "") and env("SAML_CERT_FILE", ""):
        config["key_file"] = env("SAML_KEY_FILE", "")
        config["cert_file"] = env("SAML_CERT_FILE", "")
        config["encryption_keypairs"] = [
            {"key_file": env("SAML_KEY_FILE", ""), "cert_file": env("SAML_CERT_FILE", "")}
        ]
    return {
        "SAML_ENABLED": True,
        "SAML_CONFIG": config,
        "SAML_ROLE_MAP": parse_role_map(env("SAML_ROLE_MAP", "")),
        "SAML_GROUPS_ATTRIBUTE": groups,
        # The user name is the e-mail address, as for invited users: one person, one user.
        "SAML_DJANGO_USER_MAIN_ATTRIBUTE": "username",
        "SAML_ATTRIBUTE_MAPPING": {email: ("username", "email"), name: ("first_name",)},
        "SAML_CREATE_UNKNOWN_USER": True,
        "SAML_ACS_FAILURE_RESPONSE_FUNCTION": "plans.members.saml.refused",
        "SAML_SESSION_COOKIE_NAME": "saml_session",
        "SAML_SESSION_COOKIE_SAMESITE": "None",
        "LOGIN_REDIRECT_URL_SSO": "plans:start",
    }
