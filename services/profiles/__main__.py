"""Run the profiles service: `python -m services.profiles` (port from PROFILES_PORT)."""

from servicekit.logs import configure_logging
from servicekit.runner import serve
from servicekit.settings import ServiceSettings
from services.profiles.app import build_app


def main() -> None:
    settings = ServiceSettings.from_env("profiles")
    configure_logging(settings.service)
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
