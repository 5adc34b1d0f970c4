"""`bake cache ls` and `bake cache prune`: listing and upkeep of the layer cache, rendered as text."""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec

from .cache import LayerCache
from .interfaces import CachedLayer

__all__ = ["cache_ls", "cache_prune", "format_age", "format_size", "parse_duration", "parse_size"]

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
# Binary multiples, as `du -h` and `docker system df` count; "G", "GB" and "GiB" all mean 2**30.
_SIZE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """Seconds in "7d", "12h", "30m", "45s", "2w" or a sequence like "1h30m"; ValueError otherwise."""
    s = text.strip().lower()
    if s == "0":
        return 0.0
    parts = _DURATION_PART.findall(s)
    if not s or "".join(n + u for n, u in parts) != s:
        raise ValueError(f"expected a duration like 7d, 12h or 30m (units s, m, h, d, w), got {text!r}")
    return sum(float(n) * _DURATION_UNITS[u] for n, u in parts)


def parse_size(text: str) -> int:
    """Bytes in "10G", "500M", "64K", "1.5GiB" or "1024" (binary multiples); ValueError otherwise."""
    m = _SIZE.fullmatch(text.strip())
    if not m:
        raise ValueError(f"expected a size like 10G, 500M or 64K (binary multiples), got {text!r}")
    return int(float(m[1]) * _SIZE_UNITS[(m[2] or "").lower()])


def format_size(n: int) -> str:
    """A size the way `parse_size` reads it: 512B, 1.5K, 500M, 10G (rounded)."""
    for unit in ("T", "G", "M", "K"):
        scale = _SIZE_UNITS[unit.lower()]
        if n >= scale:
            value = n / scale
            return f"{value:.1f}{unit}" if value < 10 else f"{value:.0f}{unit}"
    return f"{n}B"


def format_age(seconds: float) -> str:
    """A coarse age: "just now", "42s ago", "5m ago", "3h ago", "12d ago"."""
    s = int(seconds)
    if s < 1:
        return "just now"
    for unit, scale in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= scale:
            return f"{s // scale}{unit} ago"
    return f"{s}s ago"


def _short(key: str) -> str:
    """A key as a table shows it: 12 hex digits, and any suffix after them ("sha256:abc.../artifact")."""
    algo, sep, rest = key.partition(":")
    hexdigest, slash, suffix = rest.partition("/")
    return f"{algo}:{hexdigest[:12]}{slash}{suffix}" if sep else key[:19]


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]


def cache_ls(fmt: str = "text", cache: LayerCache | None = None) -> str:
    """List the cached layers, most recently used first.

    `fmt` "text": a table (short key, builder, size, last used) and a total line; "json": JSON
    Lines, one CachedLayer object per entry (full key, layer reference, unix times). Raises
    ValueError for another format and CacheError when the index cannot be read.
    """
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown format {fmt!r} (text or json)")
    cache = cache if cache is not None else LayerCache()
    entries = cache.entries()
    if fmt == "json":
        return "".join(msgspec.json.encode(e).decode() + "\n" for e in entries)
    if not entries:
        return f"no cached layers in {cache.root}\n"
    now = cache.now()
    rows: list[tuple[str, ...]] = [("KEY", "BUILDER", "SIZE", "LAST USED")]
    rows += [(_short(e.key), e.builder, format_size(e.size), format_age(now - e.last_used)) for e in entries]
    total = sum(e.size for e in entries)
    noun = "layer" if len(entries) == 1 else "layers"
    return "\n".join([*_table(rows), f"{len(entries)} {noun}, {format_size(total)} in {cache.root}"]) + "\n"


def cache_prune(
    older_than: str | None,
    max_size: str | None,
    cache: LayerCache | None = None,
    remove: Callable[[CachedLayer], None] | None = None,
) -> str:
    """Prune by age ("7d", "12h", "30m") and/or total size ("10G", "500M"), least recently used first.

    At least one limit is required. Entries of size 0 (a null builder's) fit any size limit;
    `older_than="0s"` removes everything not used in the current second. `remove` deletes a layer's
    builder-side object (a docker image) and may raise; it is the builder registry's job. Raises
    ValueError for bad or missing limits, CacheError when the index cannot be used.
    """
    if older_than is None and max_size is None:
        raise ValueError("give --older-than (like 7d) and/or --max-size (like 10G)")
    age = parse_duration(older_than) if older_than is not None else None
    size = parse_size(max_size) if max_size is not None else None
    cache = cache if cache is not None else LayerCache()
    removed = cache.prune(older_than=age, max_size=size, remove=remove)
    lines = [f"removed {_short(e.key)}  {e.builder}  {format_size(e.size)}" for e in removed]
    noun = "layer" if len(removed) == 1 else "layers"
    lines.append(
        f"removed {len(removed)} {noun} ({format_size(sum(e.size for e in removed))}); "
        f"{format_size(cache.total_size())} remain in {cache.root}"
    )
    return "\n".join(lines) + "\n"
