"""`python -m services.approaches`: run the approaches service (APPROACHES_PORT, default 8002)."""

from servicekit.logs import configure_logging
from servicekit.runner import serve
from servicekit.settings import ServiceSettings
from services.approaches.app import build_app


def main() -> None:
    settings = ServiceSettings.from_env("approaches")
    configure_logging(settings.service)
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
