"""The content security policy allows the portal's own scripts only, and everything still works
under it: the API's documentation pages and the Django admin too. (Every browser test fails on
anything the policy blocked: see the page fixture.)"""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_documentation_renders_under_the_policy(page, live_server, demo):
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() > 10


def test_the_admin_works_under_the_policy(page, live_server, demo, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.dk", "pw-root-1")
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-root-1")
    page.click("input[type=submit]")
    page.click("a[href='/admin/plans/target/']")  # the targets' list: filters and search
    page.wait_for_selector("#result_list")
    page.locator("#result_list tbody a").first.click()
    page.wait_for_selector("#target_form")


def test_the_policy_header_is_on_every_page(page, live_server, demo):
    response = page.goto(live_server.url + "/")
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
