from typing import Any


def only_api_v1(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list[Any]:
    """Keep the OpenAPI schema to our REST API; Wagtail's own admin and v2 APIs are not ours to
    document (and drf-spectacular cannot introspect them)."""
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith("/api/v1/") and endpoint[0] != "/api/v1/{path}"
    ]
