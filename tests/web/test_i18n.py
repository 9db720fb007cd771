"""Web texts are data: every key has nb and en with the same placeholders, no key twice."""

from __future__ import annotations

import pytest

from homeoffice.errors import InstrumentError
from homeoffice.web import i18n


def test_every_translation_file_is_valid():
    texts = i18n.catalogue()
    assert "site_name" in texts
    for key, pair in texts.items():
        assert set(pair) == {"nb", "en"}, key


def test_placeholders_are_filled_and_unknown_language_falls_back_to_nb():
    i18n.catalogue.cache_clear()
    assert i18n.t("skip_to_content", "en") == "Skip to content"
    assert i18n.t("skip_to_content", "de") == "Hopp til innholdet"


def test_broken_translation_files_are_refused(tmp_path, monkeypatch):
    bad = tmp_path / "translations.yaml"
    monkeypatch.setattr(i18n, "_files", lambda: [bad])
    for text, problem in [
        ("a: {nb: Hei}\n", "exactly nb and en"),
        ("a: {nb: 'Hei %(name)s', en: Hello}\n", "placeholders"),
        ("a: {nb: ' ', en: Hello}\n", "blank"),
    ]:
        bad.write_text(text, encoding="utf-8")
        i18n.catalogue.cache_clear()
        with pytest.raises(InstrumentError) as err:
            i18n.catalogue()
        assert problem in str(err.value) and "translations.yaml" in str(err.value)
    i18n.catalogue.cache_clear()
