"""Rules over whole profiles that the models alone cannot check: who may set a licence's
verification, and which approaches a statement may be written for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from integration_events.therapists import VerificationStatus
from servicekit.errors import Forbidden, InvalidInput
from services.profiles.domain.profile import PracticedApproach, ProfileContent, TherapistProfile


def check_verification_unchanged(before: TherapistProfile | None, after: ProfileContent) -> None:
    """Only administrators verify licences: anyone else may keep a status, never set one."""
    held = {
        (lic.kind, lic.state, lic.number): lic.verificationStatus
        for lic in (before.licences if before is not None else [])
    }
    for index, lic in enumerate(after.licences):
        if lic.verificationStatus == VerificationStatus.UNVERIFIED:
            continue
        if held.get((lic.kind, lic.state, lic.number)) != lic.verificationStatus:
            raise Forbidden(
                "Only an administrator can set a licence's verificationStatus",
                field=f"licences.{index}.verificationStatus",
            )


def unknown_approach(slug: str, *, field: str, code: str = InvalidInput.code) -> InvalidInput:
    return InvalidInput(
        f"Unknown approach {slug!r}: no approach with this slug is known to the directory",
        code=code,
        field=field,
    )


def canonical_statements(
    content: ProfileContent, current_slugs: Mapping[str, str], already_held: Iterable[str]
) -> ProfileContent:
    """Statements under each approach's current slug; a slug not known (and not held) is refused.

    `current_slugs` maps every slug the service knows (current or previous) to the current one.
    """
    held = set(already_held)
    approaches = []
    for index, item in enumerate(content.approaches):
        slug = current_slugs.get(item.slug)
        if slug is None:
            if item.slug not in held:
                raise unknown_approach(item.slug, field=f"approaches.{index}.slug")
            slug = item.slug
        approaches.append(PracticedApproach(slug=slug, statement=item.statement))
    slugs = [a.slug for a in approaches]
    if len(set(slugs)) != len(slugs):
        raise InvalidInput("Two statements name the same approach", field="approaches")
    return content.model_copy(update={"approaches": approaches})
