"""Rules over whole profiles that the models alone cannot check: that a licence's verification
changes only by an administrator's decision, and which approaches a statement may be written for."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from integration_events.therapists import VerificationStatus
from servicekit.errors import Forbidden, InvalidInput
from services.profiles.domain.profile import Licence, PracticedApproach, ProfileContent, TherapistProfile


def check_verification_unchanged(before: TherapistProfile | None, after: ProfileContent) -> None:
    """A licence's verification changes only by an administrator's decision
    (`domain.verification`): a profile write may keep the status held, or reset it to unverified,
    never set one (an administrator's write neither: the decision is what the audit log records)."""
    held = {lic_key(lic): lic.verificationStatus for lic in (before.licences if before is not None else [])}
    for index, lic in enumerate(after.licences):
        if lic.verificationStatus == VerificationStatus.UNVERIFIED:
            continue
        if held.get(lic_key(lic)) != lic.verificationStatus:
            raise Forbidden(
                "A licence's verificationStatus is set only by an administrator's decision "
                "(POST /v1/therapists/{id}/licence-verifications)",
                field=f"licences.{index}.verificationStatus",
            )


def lic_key(licence: Licence) -> tuple[str, str, str]:
    """What names one licence of a profile: its kind, issuing state and number."""
    return (licence.kind, licence.state, licence.number)


def kept_verification(before: TherapistProfile | None, after: ProfileContent) -> ProfileContent:
    """`after` with each verified licence's `verifiedAt` as held (whatever was sent), and none on
    a licence that is not verified."""
    held = {lic_key(lic): lic.verifiedAt for lic in (before.licences if before is not None else [])}
    licences = []
    for lic in after.licences:
        at = held.get(lic_key(lic)) if lic.verificationStatus == VerificationStatus.VERIFIED else None
        licences.append(lic if lic.verifiedAt == at else lic.model_copy(update={"verifiedAt": at}))
    if licences == after.licences:
        return after
    return after.model_copy(update={"licences": licences})


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
