"""Danish is the portal's language: every UI string has a Danish translation, compiled."""

import gettext
import re
from pathlib import Path

PO = Path(__file__).parents[1] / "locale/da/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def po_entries():
    """(context, msgid, [msgstr…], flags) for every entry of the .po file."""
    entries, current, field = [], None, None
    for line in PO.read_text("utf-8").splitlines() + [""]:
        if not line.strip():
            if current and current["msgid"]:
                entries.append(current)
            current, field = None, None
            continue
        current = current or {"msgctxt": "", "msgid": "", "msgstr": {}, "flags": ""}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif match := re.match(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d)\])?) "(.*)"$', line):
            key, index, text = match.groups()
            field = ("msgstr", index or "0") if key.startswith("msgstr") else (key, None)
            if field[0] == "msgstr":
                current["msgstr"][field[1]] = text
            else:
                current[key] = text
        elif line.startswith('"') and field:
            if field[0] == "msgstr":
                current["msgstr"][field[1]] += line[1:-1]
            else:
                current[field[0]] += line[1:-1]
    return entries


def test_every_string_has_a_danish_translation():
    entries = po_entries()
    assert len(entries) > 200
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_the_compiled_catalogue_matches_the_translations():
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    for entry in po_entries():
        msgid = entry["msgid"].encode().decode("unicode_escape").encode("latin-1").decode()
        if entry["msgctxt"]:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            continue
        expected = entry["msgstr"]["0"].encode().decode("unicode_escape").encode("latin-1")
        assert catalogue.gettext(msgid) == expected.decode(), f"recompile: {msgid!r}"
