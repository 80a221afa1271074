from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from mentorapp.extensions import db


class Place(db.Model):
    """A city from the GeoNames gazetteer, stored once someone chooses it."""

    __tablename__ = "places"

    # The GeoNames id: stable across gazetteer versions, so it is the key.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(200), default="")
    country_code: Mapped[str] = mapped_column(String(2))
    country: Mapped[str] = mapped_column(String(200))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    population: Mapped[int] = mapped_column(default=0)

    @property
    def label(self) -> str:
        return place_label(self.name, self.region, self.country)

    def __repr__(self) -> str:
        return f"<Place {self.id} {self.name}>"


def place_label(name: str, region: str | None, country: str | None) -> str:
    """How a place is named on a page: "Lyon, Auvergne-Rhône-Alpes, France"."""
    return ", ".join(part for part in (name, region, country) if part)
