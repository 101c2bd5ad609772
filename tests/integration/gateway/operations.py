"""The operations the tests and the benchmark send: the contract's, read from gateway/operations."""

from pathlib import Path

OPERATIONS = Path(__file__).resolve().parents[3] / "gateway" / "operations"
APPROACH_PAGE = (OPERATIONS / "ApproachPage.graphql").read_text(encoding="utf-8")
THERAPIST = (OPERATIONS / "Therapist.graphql").read_text(encoding="utf-8")
SEARCH = (OPERATIONS / "Search.graphql").read_text(encoding="utf-8")
FIND_MATCH = (OPERATIONS / "FindMatch.graphql").read_text(encoding="utf-8")
