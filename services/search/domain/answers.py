"""What the service answers: pages of cards with their cursors, facet counts, and matches.

These models document the answers (the OpenAPI document is built from them, and tests validate
real answers against them); the API writes the JSON itself, copying stored cards in as bytes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.search.domain.cards import SearchCard

_EXACT = ConfigDict(extra="forbid")


class PageInfo(BaseModel):
    model_config = _EXACT
    hasNextPage: bool
    endCursor: str | None


class FacetCount(BaseModel):
    model_config = _EXACT
    value: str
    count: int


class SearchFacets(BaseModel):
    """Counts over the whole result set, per filter with values to choose from (most first)."""

    model_config = _EXACT
    approaches: list[FacetCount]
    issues: list[FacetCount]
    states: list[FacetCount]
    cities: list[FacetCount] = Field(description="'City, ST'; the 25 most frequent")
    formats: list[FacetCount]
    newClientStatus: list[FacetCount]
    insurance: list[FacetCount]
    languages: list[FacetCount] = Field(description="The 30 most frequent")
    genders: list[FacetCount]
    ageGroups: list[FacetCount]
    slidingScale: list[FacetCount]
    telehealthStates: list[FacetCount]
    raceEthnicity: list[FacetCount]
    faiths: list[FacetCount]
    lgbtq: list[FacetCount]
    maxFee: list[FacetCount] = Field(
        description="Per fee ceiling in USD (the value), how many results' lowest fee is at most it"
    )


class SearchEdge(BaseModel):
    model_config = _EXACT
    cursor: str
    node: SearchCard


class SearchPage(BaseModel):
    """Matching cards, facet counts over all matches."""

    model_config = _EXACT
    totalCount: int
    pageInfo: PageInfo
    edges: list[SearchEdge]
    facets: SearchFacets


class SpecialistEdge(BaseModel):
    model_config = _EXACT
    cursor: str
    statement: str = Field(description="The therapist's own words about this approach")
    node: SearchCard


class SpecialistsPage(BaseModel):
    """Therapists practising an approach, each with their statement."""

    model_config = _EXACT
    totalCount: int
    pageInfo: PageInfo
    edges: list[SpecialistEdge]


class MatchEdge(BaseModel):
    model_config = _EXACT
    node: SearchCard
    score: float = Field(description="Share of the preference points earned (0 to 1)")
    reasons: list[str] = Field(description="Why this therapist matched, in words")


class MatchPage(BaseModel):
    """Matches with the reasons they matched."""

    model_config = _EXACT
    totalCount: int
    edges: list[MatchEdge]
