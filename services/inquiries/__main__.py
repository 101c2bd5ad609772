"""`python -m services.inquiries`: run the inquiries service (INQUIRIES_PORT, default 8004)."""

from servicekit.logs import configure_logging
from servicekit.runner import serve
from servicekit.settings import ServiceSettings
from services.inquiries.app import build_app
from services.inquiries.settings import InquirySettings


def main() -> None:
    settings = ServiceSettings.from_env("inquiries")
    configure_logging(settings.service)
    serve(build_app(settings, inquiry_settings=InquirySettings.from_env()), settings)


if __name__ == "__main__":
    main()
