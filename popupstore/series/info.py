"""A series and its events as plain data: what a worker keeps and pages and matching use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class SeriesDay:
    """One event of a series, as pages and the matching need it."""

    id: int
    slug: str
    name: str
    city: str
    date: date
    is_demo: bool


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """A series with its events by date (then slug); plain data a worker may keep."""

    id: int
    slug: str
    name: str
    days: tuple[SeriesDay, ...]

    @property
    def event_names(self) -> dict[str, str]:
        """Event name by event slug."""
        return {day.slug: day.name for day in self.days}
