"""The operations the tests and the benchmark send: the contract's, read from gateway/operations."""

from pathlib import Path

from gateway.persisted import read_operation

OPERATIONS = Path(__file__).resolve().parents[3] / "gateway" / "operations"
APPROACH_PAGE = read_operation(OPERATIONS / "ApproachPage.graphql")
THERAPIST = read_operation(OPERATIONS / "Therapist.graphql")
SEARCH = read_operation(OPERATIONS / "Search.graphql")
FIND_MATCH = read_operation(OPERATIONS / "FindMatch.graphql")
SEND_INQUIRY = read_operation(OPERATIONS / "SendInquiry.graphql")
MY_INQUIRIES = read_operation(OPERATIONS / "MyInquiries.graphql")
MARK_INQUIRY_ANSWERED = read_operation(OPERATIONS / "MarkInquiryAnswered.graphql")
MY_PROFILE = read_operation(OPERATIONS / "MyProfile.graphql")
CREATE_MY_PROFILE = read_operation(OPERATIONS / "CreateMyProfile.graphql")
UPDATE_MY_PROFILE = read_operation(OPERATIONS / "UpdateMyProfile.graphql")
CONFIRM_AVAILABILITY = read_operation(OPERATIONS / "ConfirmAvailability.graphql")
SET_APPROACH_STATEMENT = read_operation(OPERATIONS / "SetApproachStatement.graphql")
DELETE_MY_PROFILE = read_operation(OPERATIONS / "DeleteMyProfile.graphql")
