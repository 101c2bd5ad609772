"""`python -m services.search`: run the search service (SEARCH_PORT, default 8003)."""

from servicekit.logs import configure_logging
from servicekit.runner import serve
from servicekit.settings import ServiceSettings
from services.search.app import build_app


def main() -> None:
    settings = ServiceSettings.from_env("search")
    configure_logging(settings.service)
    serve(build_app(settings), settings)


if __name__ == "__main__":
    main()
