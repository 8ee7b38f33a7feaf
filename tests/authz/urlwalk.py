"""Walk every URL pattern the project serves and turn each into a concrete, resolvable URL."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

# Sample values a converter or regex group can take when the object does not matter.
SAMPLES = ["1", "x", "1/", "x/", "abc-def", "some-page/", "1.json"]
CONVERTER_SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000001",
}


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern text, the matrix's key
    kwarg_names: tuple[str, ...]
    parts: tuple[object, ...]  # the pattern objects from the root to the view
    name: str | None
    callback: object


def walk() -> list[Route]:
    def _walk(patterns, prefix: str, parts: tuple) -> Iterator[Route]:
        for entry in patterns:
            text = prefix + str(entry.pattern)
            chain = (*parts, entry.pattern)
            if isinstance(entry, URLResolver):
                yield from _walk(entry.url_patterns, text, chain)
            elif isinstance(entry, URLPattern):
                names = tuple(
                    name
                    for p in chain
                    for name in (
                        p.converters.keys()
                        if isinstance(p, RoutePattern)
                        else re.compile(p._regex).groupindex.keys()
                    )
                )
                yield Route(text, names, chain, entry.name, entry.callback)

    return list(_walk(get_resolver().url_patterns, "", ()))


def _fill_route(route: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        return values.get(name) or CONVERTER_SAMPLES.get(converter, "x")

    return re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


def _fill_regex(regex: str, values: dict[str, str]) -> str:
    """A string the regex matches, using `values` for named groups and samples elsewhere."""
    text = regex.lstrip("^").rstrip("$").replace(r"\Z", "")
    # Named groups first, then unnamed ones.
    for match in list(re.finditer(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", text)):
        name, body = match.group(1), match.group(2)
        value = values.get(name) or next((s for s in SAMPLES if re.fullmatch(body, s)), "")
        text = text.replace(match.group(0), value, 1)
    while True:
        match = re.search(r"\(((?:[^()]|\([^()]*\))*)\)", text)
        if not match:
            break
        body = match.group(1)
        body_regex = body[2:] if body.startswith("?:") else body
        value = next((s for s in [*SAMPLES, ""] if re.fullmatch(body_regex, s)), "")
        text = text[: match.start()] + value + text[match.end() :]
    text = re.sub(r"\[[^\]]*\][*+?]?", "", text)
    return text.replace("\\", "").replace("?", "")


def build_url(route: Route, values: dict[str, str]) -> str:
    url = "/"
    for part in route.parts:
        if isinstance(part, RoutePattern):
            url += _fill_route(str(part), values)
        elif isinstance(part, RegexPattern):
            url += _fill_regex(part._regex, values)
    return url


def resolves_to(url: str, route: Route) -> bool:
    try:
        match = resolve(url)
    except Exception:
        return False
    return (
        match.func == route.callback or getattr(match.func, "__wrapped__", None) == route.callback
    )
