"""A municipality's members: invitations by e-mail, roles, deactivation, who did what (the
members page and /api/memberships/), personal API tokens, and single sign-on (SAML 2.0).

models.py    Invitation, MemberEvent, ApiToken (Membership itself is in plans.models)
services.py  every write, one transaction each, each writing its MemberEvent
selectors.py the reads the pages and the API start from
views.py     the members page, the invitation link, the tokens page
api.py       /api/memberships/ and /api/tokens/
tokens.py    the API's token authentication (Authorization: Token <key>), keys stored hashed
saml.py      the SAML settings from the environment and the djangosaml2 backend
"""
