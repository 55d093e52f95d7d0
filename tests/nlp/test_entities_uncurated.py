"""Names the KB does not know (derived ids, short forms, handles, old names) and descriptions."""

import pytest

from nlp.entities.uncurated import slugify, uncurated_id
from nlp.pipeline import Analyzer


def _links(analyzer: Analyzer, text: str) -> list[tuple[str, str | None]]:
    return [(m.text, m.entity_id) for m in analyzer.analyze(text).entities]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Maria Lopez", "maria-lopez"),
        ("María López", "maria-lopez"),
        ("Acme Research", "acme-research"),
        ("Edward J. Markey", "edward-j-markey"),
        ("Kevin O'Leary", "kevin-o-leary"),
        ("Leishman’s", "leishman"),
        ("  Valor Equity Partners ", "valor-equity-partners"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize(
    ("name", "entity_type", "expected"),
    [
        ("Maria Lopez", "PERSON", "person:maria-lopez"),
        ("Acme Research", "COMPANY", "org:acme-research"),
        ("Nebraska Public Power District", "ORGANIZATION", "org:nebraska-public-power-district"),
        ("Ministry of Public Works", "GOV_BODY", "org:ministry-of-public-works"),
        ("Q3 2024", "EVENT", None),
        ("!!!", "PERSON", None),
    ],
)
def test_uncurated_id(name: str, entity_type: str, expected: str | None) -> None:
    assert uncurated_id(name, entity_type) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a full name, then its surname or first name alone
        ("Priya Ramaswamy, an analyst at Quillfeather Capital, said prices would rise. "
         "Ramaswamy added more.",
         [("Priya Ramaswamy", "person:priya-ramaswamy"),
          ("Quillfeather Capital", "org:quillfeather-capital"),
          ("Ramaswamy", "person:priya-ramaswamy")]),
        ("Courtney Dentlinger told lawmakers that mining helps. \"It pays,\" Dentlinger said.",
         [("Courtney Dentlinger", "person:courtney-dentlinger"),
          ("Dentlinger", "person:courtney-dentlinger")]),
        ("Lisa Neigut spoke in Austin. Neigut expects growth.",
         [("Lisa Neigut", "person:lisa-neigut"), ("Neigut", "person:lisa-neigut")]),
    ],
)  # fmt: skip
def test_unknown_names_get_ids_and_short_forms_follow(
    analyzer: Analyzer, text: str, expected: list[tuple[str, str | None]]
) -> None:
    found = _links(analyzer, text)
    for pair in expected:
        assert pair in found


def test_two_people_sharing_a_surname_are_not_merged(analyzer: Analyzer) -> None:
    text = (
        "Maria Lopez, a strategist at Quillfeather Capital, expects gains. "
        "Daniel Lopez, a trader, disagrees. Lopez said the rally is over."
    )
    found = _links(analyzer, text)
    assert ("Maria Lopez", "person:maria-lopez") in found
    assert ("Daniel Lopez", "person:daniel-lopez") in found
    bare = [entity_id for surface, entity_id in found if surface == "Lopez"]
    assert bare and all(entity_id is None for entity_id in bare)


def test_the_same_name_is_one_id_across_articles(analyzer: Analyzer) -> None:
    first = _links(analyzer, "Maria Lopez of Quillfeather Capital expects a rally.")
    second = _links(analyzer, "A note by Maria Lopez warned of a drop; Lopez cited outflows.")
    assert ("Maria Lopez", "person:maria-lopez") in first
    assert ("Maria Lopez", "person:maria-lopez") in second
    assert ("Lopez", "person:maria-lopez") in second


def test_mentions_say_whether_the_kb_knows_them(analyzer: Analyzer) -> None:
    mentions = analyzer.analyze("Maria Lopez said Bitcoin would rise.").entities
    curated = {m.text: m.curated for m in mentions}
    assert curated == {"Maria Lopez": False, "Bitcoin": True}


@pytest.mark.parametrize(
    ("text", "surface", "entity_id"),
    [
        ("Quillfeather Capital expects a rally, @QuillfeatherCapital wrote on X.",
         "@QuillfeatherCapital", "org:quillfeather-capital"),
        ("Analyst Maria Lopez (@marialopez) expects a rally.", "@marialopez",
         "person:maria-lopez"),
    ],
)  # fmt: skip
def test_handles_take_the_named_entity(
    analyzer: Analyzer, text: str, surface: str, entity_id: str
) -> None:
    assert (surface, entity_id) in _links(analyzer, text)


def test_a_handle_nobody_in_the_article_owns_stays_out(analyzer: Analyzer) -> None:
    assert all(m.text != "@someone" for m in analyzer.analyze("@someone said BTC is up.").entities)


@pytest.mark.parametrize(
    ("text", "old"),
    [
        (
            "Quillfeather Capital (formerly Inkwell Partners) raised a fund. "
            "Inkwell Partners had tried before.",
            "Inkwell Partners",
        ),
        (
            "Quillfeather Capital, formerly known as Inkwell Partners, raised a fund.",
            "Inkwell Partners",
        ),
        ("Quillfeather Capital (previously Inkwell Partners) raised a fund.", "Inkwell Partners"),
    ],
)
def test_formerly_names_are_the_same_entity(analyzer: Analyzer, text: str, old: str) -> None:
    found = _links(analyzer, text)
    new_id = dict(found)["Quillfeather Capital"]
    assert new_id is not None
    olds = [entity_id for surface, entity_id in found if surface == old]
    assert olds and all(entity_id == new_id for entity_id in olds)


@pytest.mark.parametrize(
    ("text", "fund", "entity_id"),
    [
        ("ARK bought shares through the ARK Innovation ETF on Tuesday.", "ARK Innovation ETF",
         "etf:ark-innovation-etf"),
        ("It also used the ARK Next Generation Internet ETF.", "ARK Next Generation Internet ETF",
         "etf:ark-next-generation-internet-etf"),
        ("Investors bought the VanEck Merk Gold Trust.", "VanEck Merk Gold Trust",
         "etf:vaneck-merk-gold-trust"),
    ],
)  # fmt: skip
def test_a_fund_named_after_its_issuer_is_not_the_issuer(
    analyzer: Analyzer, text: str, fund: str, entity_id: str
) -> None:
    found = {m.text: (m.entity_id, m.type, m.curated) for m in analyzer.analyze(text).entities}
    assert found[fund] == (entity_id, "ETF", False)
