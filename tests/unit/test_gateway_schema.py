"""The schema's pure parts: checked-in SDL, argument mapping to the services, typed errors."""

from strawberry.types.unset import UNSET

from gateway import sdl
from gateway.clients import BackendResponse
from gateway.persisted import PersistedQueries, manifest_of, query_hash
from gateway.types.inquiries import (
    DEFAULT_RETRY_AFTER_SECONDS,
    InquiryInput,
    inquiry_body,
    retry_after_seconds,
)
from gateway.types.match import MatchFormat, MatchQuestionnaire, PaymentAnswers, answers_body
from gateway.types.mutations import (
    BioInput,
    LocationInput,
    TherapistProfilePatch,
    field_errors,
    merge_patch,
)
from gateway.types.search import FACETS, DistanceUnit, TherapistFilter, TherapistSort, search_params
from gateway.types.therapists import NewClientStatus, SessionFormat
from services.search.index import FACET_NAMES


def test_checked_in_sdl_matches_the_schema():
    # On failure, regenerate with: python -m gateway.sdl
    assert sdl.SDL_PATH.read_text(encoding="utf-8") == sdl.current_sdl()


def test_the_contract_operations_are_registered_operation_files():
    manifest = manifest_of([sdl.SDL_PATH.parent / "operations"])
    names = {query.split("(")[0].split()[-1] for query in manifest.values()}
    assert {
        "ApproachPage",
        "Therapist",
        "Search",
        "FindMatch",
        "SendInquiry",
        "MyInquiries",
        "MarkInquiryAnswered",
    } <= names


def test_every_filter_becomes_the_search_services_query_parameter():
    search_filter = TherapistFilter(
        approaches=["emdr", "gottman-method"],
        issues=["anxiety"],
        state="TX",
        city="Austin",
        zip="78701",
        radius=10.5,
        radiusUnit=DistanceUnit.MI,
        telehealthState="OK",
        formats=[SessionFormat.VIDEO],
        newClientStatus=[NewClientStatus.ACCEPTING],
        insurance="aetna",
        maxFee=150,
        slidingScale=True,
        languages=["es"],
        gender="woman",
        lgbtq=False,
        raceEthnicity="Black",
        faith="Jewish",
        ageGroup="adults",
        respondsWithinHours=24,
    )
    params = search_params("grief", search_filter, TherapistSort.DISTANCE, 5, "abc")
    assert params == [
        ("text", "grief"),
        ("approach", "emdr"),
        ("approach", "gottman-method"),
        ("issue", "anxiety"),
        ("format", "video"),
        ("newClientStatus", "newpt"),
        ("language", "es"),
        ("state", "TX"),
        ("city", "Austin"),
        ("zip", "78701"),
        ("radius", "10.5"),
        ("radiusUnit", "mi"),
        ("telehealthState", "OK"),
        ("insurance", "aetna"),
        ("maxFee", "150"),
        ("slidingScale", "true"),
        ("gender", "woman"),
        ("lgbtq", "false"),
        ("raceEthnicity", "Black"),
        ("faith", "Jewish"),
        ("ageGroup", "adults"),
        ("respondsWithinHours", "24"),
        ("sort", "distance"),
        ("first", "5"),
        ("after", "abc"),
    ]


def test_the_schema_offers_every_facet_the_search_service_counts():
    assert set(FACETS) == set(FACET_NAMES)


def test_no_filter_asks_for_the_default_page():
    assert search_params(None, None, None, None, None) == [("first", "20")]


def test_a_profile_patch_leaves_out_what_was_not_given_and_keeps_explicit_nulls():
    patch = TherapistProfilePatch(
        displayName="Ana María Ruiz-Okafor, LPC",
        pronouns=None,
        location=LocationInput(city="San Antonio"),
        bio=BioInput(about="Hello — I’m Ana."),
        newClientStatus=NewClientStatus.WAITLIST,
    )
    assert merge_patch(patch) == {
        "displayName": "Ana María Ruiz-Okafor, LPC",
        "pronouns": None,
        "location": {"city": "San Antonio"},
        "newClientStatus": "waitlist",
        "bio": {"about": "Hello — I’m Ana."},
    }
    assert merge_patch(TherapistProfilePatch()) == {}
    assert TherapistProfilePatch().title is UNSET


def test_field_errors_carry_their_path_as_a_list():
    errors = field_errors(
        [
            {"field": "location.state", "message": "unknown state", "type": "value_error"},
            {"field": "languages.2", "message": "not a BCP-47 tag"},
            "not a detail",
        ]
    )
    assert [e.path for e in errors] == [["location", "state"], ["languages", "2"]]
    assert errors[0].code == "value_error" and errors[1].code is None


def test_match_answers_leave_out_unanswered_questions():
    body = answers_body(
        MatchQuestionnaire(
            state="TX", concerns=["anxiety"], format=MatchFormat.ONLINE, payment=PaymentAnswers(maxFee=120)
        )
    )
    assert body == {
        "state": "TX",
        "concerns": ["anxiety"],
        "format": "online",
        "payment": {"maxFee": 120},
        "style": [],
        "first": 10,
    }


def test_an_inquiry_leaves_out_what_the_visitor_did_not_give():
    body = inquiry_body(
        InquiryInput(therapistId="t1", name="Sam", phone="+1 512 555 0100", message="Hi", consent=True)
    )
    assert body == {
        "therapistId": "t1",
        "name": "Sam",
        "phone": "+1 512 555 0100",
        "message": "Hi",
        "consent": True,
    }


def test_the_wait_of_a_rate_limit_comes_from_its_details_or_else_its_header():
    def limited(details: list, headers: dict) -> BackendResponse:
        return BackendResponse(
            429, {"error": {"code": "rate_limited", "message": "", "details": details}}, headers
        )

    assert (
        retry_after_seconds(limited([{"field": None, "retryAfterSeconds": 37}], {"Retry-After": "5"})) == 37
    )
    assert retry_after_seconds(limited([], {"Retry-After": "5"})) == 5
    assert retry_after_seconds(limited([], {})) == DEFAULT_RETRY_AFTER_SECONDS


def test_registered_only_mode_allows_only_the_manifest():
    query = "query Q { approaches { slug } }"
    persisted = PersistedQueries({query_hash(query): query}, only_registered=True)
    assert persisted.allows(query_hash(query))
    assert not persisted.allows(query_hash("query Other { approaches { name } }"))
    persisted.remember("abc", "query X { __typename }")
    assert persisted.lookup("abc") is None  # APQ cannot register new operations in this mode


async def test_validation_remembered_per_query_text_answers_each_text_with_its_own_errors():
    from gateway.schema import schema

    async def messages(query: str) -> list[str]:
        result = await schema.execute(query)
        return [error.message for error in result.errors or ()]

    first, second = "{ approaches { nope } }", "{ approaches { nada } }"
    for _ in range(2):  # the second round is answered from what the first remembered
        assert any("'nope'" in m for m in await messages(first)), await messages(first)
        assert any("'nada'" in m for m in await messages(second)), await messages(second)
        assert not any("'nope'" in m for m in await messages(second))
