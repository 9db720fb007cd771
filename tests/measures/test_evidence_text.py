"""Every measure's evidence reads in the person's language: the catalogue's English citations with
their fixed words in bokmål for nb (and the thesis sections still found by the dialogue points)."""

from __future__ import annotations

import re

import pytest

from homeoffice.measures import load_catalogue
from homeoffice.measures.engine import evidence_text

CATALOGUE = load_catalogue()
ENGLISH_WORDS = re.compile(r"\b(thesis|cited|interviews|and)\b")


@pytest.mark.parametrize("measure", CATALOGUE.measures, ids=lambda m: m.id)
def test_the_norwegian_evidence_has_no_english_words_left(measure):
    nb = evidence_text(measure.evidence, "nb")
    assert not ENGLISH_WORDS.search(nb), nb
    assert nb.startswith("oppgaven ")
    assert evidence_text(measure.evidence, "en") == measure.evidence


def test_a_citation_chain_reads_in_bokmal():
    text = "thesis 4.7.1, 5.2; Karasek & Theorell (1990) and Nytrø (1995), cited in Eiken & Saksvik (2011)"
    assert evidence_text(text, "nb") == (
        "oppgaven 4.7.1, 5.2; Karasek & Theorell (1990) og Nytrø (1995), sitert i Eiken & Saksvik (2011)"
    )
