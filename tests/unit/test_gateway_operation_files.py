"""The registered operation files: each document stands alone, with the shared fragments it
spreads appended from gateway/operations/fragments/."""

from __future__ import annotations

from pathlib import Path

from graphql import FragmentDefinitionNode, parse

from gateway.persisted import manifest_of, read_operation

OPERATIONS = Path(__file__).resolve().parents[2] / "gateway" / "operations"


def fragment_names(text: str) -> list[str]:
    return [d.name.value for d in parse(text).definitions if isinstance(d, FragmentDefinitionNode)]


def test_an_operation_gets_the_shared_fragments_it_spreads_and_no_other():
    assert fragment_names(read_operation(OPERATIONS / "MyProfile.graphql")) == ["MyProfileFields"]
    assert fragment_names(read_operation(OPERATIONS / "ApproachPage.graphql")) == []


def test_the_manifest_registers_self_contained_documents(tmp_path):
    (tmp_path / "fragments").mkdir()
    (tmp_path / "fragments" / "Names.graphql").write_text("fragment Names on Approach { slug name }\n")
    (tmp_path / "List.graphql").write_text("query List { approaches { ...Names } }\n")
    (tmp_path / "Plain.graphql").write_text("query Plain { approaches { slug } }\n")
    documents = sorted(manifest_of([tmp_path]).values())
    assert documents == [
        "query List { approaches { ...Names } }\n\nfragment Names on Approach { slug name }\n",
        "query Plain { approaches { slug } }\n",
    ]
