"""What can go wrong with a profile, as the kit's domain errors (the HTTP layer picks statuses)."""

from __future__ import annotations

from servicekit.errors import Conflict, NotFound


def profile_not_found(therapist_id: str) -> NotFound:
    return NotFound(f"No therapist profile with id {therapist_id!r}")


class ProfileExists(Conflict):
    """The account has a profile already (one per account); `existing_id` is that profile."""

    code = "profile_exists"

    def __init__(self, existing_id: str | None) -> None:
        details = (
            []
            if existing_id is None
            else [
                {
                    "message": "the account's profile",
                    "id": existing_id,
                    "location": f"/v1/therapists/{existing_id}",
                }
            ]
        )
        super().__init__("This account already has a therapist profile", details=details)
        self.existing_id = existing_id


class VersionConflict(Conflict):
    """The profile changed (or vanished) since it was read; nothing was written."""

    code = "concurrent_modification"

    def __init__(self, therapist_id: str) -> None:
        super().__init__("The profile kept changing while this request was applied; retry")
        self.therapist_id = therapist_id
