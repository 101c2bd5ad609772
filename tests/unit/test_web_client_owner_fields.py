"""The web client's owner view and the registered operations' shared fragment select the same
fields: the browser module cannot read the .graphql file, so the two are held together here."""

from __future__ import annotations

import re

from gateway.persisted import OPERATIONS, WEB_STATIC


def tokens(selection: str) -> list[str]:
    return re.findall(r"\w+|[{}]", selection)


def test_the_web_clients_profile_fields_are_the_fragments():
    fragment = (OPERATIONS / "fragments" / "MyProfileFields.graphql").read_text(encoding="utf-8")
    body = fragment[fragment.index("{") + 1 : fragment.rindex("}")]
    module = (WEB_STATIC / "pages" / "me" / "operations.js").read_text(encoding="utf-8")
    web_client = re.search(r"const PROFILE_FIELDS = `(.*?)`;", module, re.S)
    assert web_client is not None
    assert tokens(web_client.group(1)) == tokens(body)
