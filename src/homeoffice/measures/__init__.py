"""Measures (tiltak): the catalogue as data and the engine that recommends them, with reasons.

Weakness rule: a resource scale is weak at or below 50 (the scale midpoint), a risk scale at or
above 50; a domain is weak when any of its scales is. See :mod:`homeoffice.measures.engine` for
the rules, the ranking and the pairing of thesis 5.4.3.
"""

from homeoffice.measures.catalogue import Catalogue, catalogue_from_dict, load_catalogue, load_catalogue_file
from homeoffice.measures.engine import (
    GroupRecommendation,
    Recommendation,
    WeakScale,
    recommend_for_group,
    recommend_for_respondent,
    recommendations_frame,
    weak_scales,
)
from homeoffice.measures.schema import DOMAINS

__all__ = [
    "DOMAINS",
    "Catalogue",
    "GroupRecommendation",
    "Recommendation",
    "WeakScale",
    "catalogue_from_dict",
    "load_catalogue",
    "load_catalogue_file",
    "recommend_for_group",
    "recommend_for_respondent",
    "recommendations_frame",
    "weak_scales",
]
