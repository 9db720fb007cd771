"""The released result table of a wave: every submitted response scored together, frozen.

Built once when a wave is released (issue 4: group results only after release, so no report can be
compared with an earlier one of a slightly different population) and read by every dashboard,
report and export of that wave. Stored in the database (Parquet bytes) so it is backed up with the
answers and every server process sees the same table.
"""

from __future__ import annotations

import uuid

from django.db import models

from homeoffice.web.surveys.models import Wave


class WaveTable(models.Model):
    wave = models.OneToOneField(Wave, on_delete=models.CASCADE, primary_key=True, related_name="table")
    build_id = models.UUIDField(default=uuid.uuid4, editable=False)  # new on every build: the cache key
    built_on = models.DateField(auto_now_add=True)
    respondents = models.PositiveIntegerField()
    cut_policy = models.CharField(max_length=20)
    parquet = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.wave}: {self.respondents} respondents"


class SavedMapping(models.Model):
    """A column mapping made on the import screen, kept per organisation and instrument for the next file
    (issue 4, point 7: mappings are saved and reused).

    ``mapping`` is the plain data of a mapping file (:func:`homeoffice.io.mapping.mapping_to_dict`);
    ``units`` maps a value of the file's unit column to a unit id of the organisation; ``preset`` is the
    survey tool the file came from (empty: recognised from the header). No answers are stored.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="saved_mappings"
    )
    instrument_id = models.CharField(max_length=60)
    name = models.CharField(max_length=100)
    preset = models.CharField(max_length=30, blank=True, default="")
    mapping = models.JSONField(default=dict)
    units = models.JSONField(default=dict, blank=True)
    default_unit = models.ForeignKey(
        "organisations.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_on = models.DateField(auto_now=True)

    class Meta:
        ordering = ["organisation", "instrument_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instrument_id", "name"], name="one_saved_mapping_per_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.name} ({self.instrument_id})"
