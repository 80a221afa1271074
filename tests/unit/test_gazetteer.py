import pytest

from mentorapp.places.gazetteer import Gazetteer, distance_km, fold


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.load()


def test_the_data_is_loaded_once_per_process(gazetteer):
    assert Gazetteer.load() is gazetteer
    assert len(gazetteer) > 20_000


def test_the_most_populous_match_comes_first_with_its_country(gazetteer):
    results = gazetteer.search("London")
    assert results[0].label == "London, United Kingdom"
    assert "London, Canada" in [c.label for c in results]


def test_same_named_us_cities_are_told_apart_by_state(gazetteer):
    labels = [c.label for c in gazetteer.search("Springfield", limit=10)]
    assert "Springfield, Missouri, United States" in labels
    assert "Springfield, Illinois, United States" in labels


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sao paulo", "São Paulo"),
        ("SÃO PAULO", "São Paulo"),
        ("münchen", "Munich"),
        ("new york", "New York City"),
        ("  par ", "Paris"),
    ],
)
def test_accents_case_spaces_and_local_names_are_forgiven(gazetteer, query, expected):
    assert gazetteer.search(query)[0].name == expected


def test_nothing_is_found_for_nothing(gazetteer):
    assert gazetteer.search("") == []
    assert gazetteer.search("   ") == []
    assert gazetteer.search("qqqzzz") == []
    assert gazetteer.search("lon", limit=0) == []


def test_results_are_limited_and_distinct(gazetteer):
    results = gazetteer.search("s", limit=10)
    assert len(results) == 10
    assert len({c.geonameid for c in results}) == 10
    populations = [c.population for c in results]
    assert populations == sorted(populations, reverse=True)


def test_official_names_rank_before_alternate_names():
    records = [
        {
            "geonameid": 1,
            "name": "Bigtown",
            "countrycode": "XX",
            "population": 1_000_000,
            "latitude": 0,
            "longitude": 0,
            "alternatenames": ["Smallville Old"],
        },
        {
            "geonameid": 2,
            "name": "Smallville",
            "countrycode": "XX",
            "population": 20_000,
            "latitude": 0,
            "longitude": 0,
            "alternatenames": [],
        },
    ]
    gazetteer = Gazetteer.from_records(records, {"XX": "Examplia"}, {})
    assert [c.geonameid for c in gazetteer.search("smallv")] == [2, 1]
    assert gazetteer.get(1).label == "Bigtown, Examplia"


def test_great_circle_distances():
    london, paris = (51.5074, -0.1278), (48.8566, 2.3522)
    assert distance_km(*london, *paris) == pytest.approx(344, abs=2)
    assert distance_km(*london, *london) == 0
    assert distance_km(0, 0, 0, 180) == pytest.approx(20015, abs=5)


def test_fold_removes_accents_case_and_hyphens():
    assert fold("  Saint-Étienne ") == "saint etienne"


def test_named_finds_exact_names_only_most_populous_first(gazetteer):
    assert [c.country_code for c in gazetteer.named("london")] == ["GB", "CA"]
    assert [c.name for c in gazetteer.named("München")] == ["Munich"]
    assert gazetteer.named("Lond") == [] and gazetteer.named("  ") == []
