"""Container health check: exit 0 when this container's service answers its probe with 200.

Run inside the image (`python /opt/directory/healthcheck.py [path]`, path `/readyz` by default).
The service is named by DIRECTORY_SERVICE (set by each image target); its port is read from the
same variable the service itself reads (`<SERVICE>_PORT`), so an overridden port is honoured.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

from servicekit.settings import DEFAULT_PORTS, service_port


def probe_url(service: str, path: str = "/readyz") -> str:
    return f"http://127.0.0.1:{service_port(service)}{path}"


def main(argv: list[str]) -> int:
    service = os.environ.get("DIRECTORY_SERVICE", "")
    if service not in DEFAULT_PORTS:
        print(f"DIRECTORY_SERVICE must be one of {sorted(DEFAULT_PORTS)}", file=sys.stderr)
        return 2
    url = probe_url(service, argv[1] if len(argv) > 1 else "/readyz")
    try:
        with urllib.request.urlopen(url, timeout=2.5) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"{url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
