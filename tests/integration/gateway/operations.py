"""The operations the tests and the benchmark send: the contract's, read from gateway/operations."""

from pathlib import Path

OPERATIONS = Path(__file__).resolve().parents[3] / "gateway" / "operations"
APPROACH_PAGE = (OPERATIONS / "ApproachPage.graphql").read_text(encoding="utf-8")
THERAPIST = (OPERATIONS / "Therapist.graphql").read_text(encoding="utf-8")
SEARCH = (OPERATIONS / "Search.graphql").read_text(encoding="utf-8")
FIND_MATCH = (OPERATIONS / "FindMatch.graphql").read_text(encoding="utf-8")
SEND_INQUIRY = (OPERATIONS / "SendInquiry.graphql").read_text(encoding="utf-8")
MY_INQUIRIES = (OPERATIONS / "MyInquiries.graphql").read_text(encoding="utf-8")
MARK_INQUIRY_ANSWERED = (OPERATIONS / "MarkInquiryAnswered.graphql").read_text(encoding="utf-8")
MY_PROFILE = (OPERATIONS / "MyProfile.graphql").read_text(encoding="utf-8")
CREATE_MY_PROFILE = (OPERATIONS / "CreateMyProfile.graphql").read_text(encoding="utf-8")
UPDATE_MY_PROFILE = (OPERATIONS / "UpdateMyProfile.graphql").read_text(encoding="utf-8")
CONFIRM_AVAILABILITY = (OPERATIONS / "ConfirmAvailability.graphql").read_text(encoding="utf-8")
SET_APPROACH_STATEMENT = (OPERATIONS / "SetApproachStatement.graphql").read_text(encoding="utf-8")
DELETE_MY_PROFILE = (OPERATIONS / "DeleteMyProfile.graphql").read_text(encoding="utf-8")
