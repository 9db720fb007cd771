"""Analyses on score tables: thesis-style descriptives and group analyses for the dashboards."""

from homeoffice.analysis.descriptives import describe_thesis_style
from homeoffice.analysis.groups import (
    GroupSummary,
    HeatMap,
    WaveComparison,
    compare_waves,
    group_summary,
    heat_map,
    measure_follow_up,
    trajectory,
)

__all__ = [
    "GroupSummary",
    "HeatMap",
    "WaveComparison",
    "compare_waves",
    "describe_thesis_style",
    "group_summary",
    "heat_map",
    "measure_follow_up",
    "trajectory",
]
