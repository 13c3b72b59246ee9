"""The markdown filter reuses one converter per thread: each text converts as if alone."""

from plans.templatetags.portal import markdown


def test_one_text_leaves_nothing_for_the_next():
    first = markdown("Se [rapporten][r].\n\n[r]: https://example.org/rapport")
    assert 'href="https://example.org/rapport"' in first
    # the reference of the first text is not known to the second
    assert "href" not in markdown("Se [rapporten][r].")
    assert markdown("| a | b |\n|---|---|\n| 1 | 2 |").count("<td>") == 2  # tables
    assert markdown(None) == markdown("") == ""
