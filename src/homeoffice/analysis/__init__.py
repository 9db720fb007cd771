"""Analyses on score tables: thesis-style descriptives (more to come: reliability, CFA, trends)."""

from homeoffice.analysis.descriptives import describe_thesis_style

__all__ = ["describe_thesis_style"]
