"""Organisations and their units: a tree such as company > department > team."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_on = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of an organisation; ``parent`` empty for the top (the company itself)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "parent", "name"], name="unit_name_unique_in_parent"),
            # NULL parents are distinct in SQL, so top-level names need their own rule.
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=models.Q(parent__isnull=True),
                name="top_unit_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return " > ".join(u.name for u in self.lineage())

    def lineage(self) -> list[Unit]:
        """From the top unit down to this one."""
        chain, node, seen = [], self, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def clean(self) -> None:
        if self.parent_id is not None:
            if self.parent.organisation_id != self.organisation_id:
                raise ValidationError({"parent": "The parent unit belongs to another organisation."})
            node = self.parent
            while node is not None:
                if node.pk == self.pk:
                    raise ValidationError({"parent": "A unit cannot be placed under itself."})
                node = node.parent

    def descendants(self) -> list[Unit]:
        """This unit and every unit below it."""
        out, todo = [], [self]
        while todo:
            node = todo.pop()
            out.append(node)
            todo.extend(node.children.all())
        return out
