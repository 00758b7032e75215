"""Trigger path patterns: ``rooms/{roomId}/messages/{messageId}``, ``{rest=**}``, ``*``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PathPattern:
    segments: tuple[str, ...]

    @classmethod
    def parse(cls, pattern: str) -> PathPattern:
        return cls(tuple(part for part in pattern.strip("/").split("/") if part))

    @property
    def depth(self) -> int:
        """Segments a match spans, or -1 when a multi-segment wildcard makes it vary."""
        return -1 if any(_is_multi(s) for s in self.segments) else len(self.segments)

    def match(self, path: str) -> dict[str, str] | None:
        """The captured parameters when ``path`` matches, else None."""
        parts = [part for part in path.strip("/").split("/") if part]
        params: dict[str, str] = {}
        for i, segment in enumerate(self.segments):
            if _is_multi(segment):
                if i != len(self.segments) - 1:
                    raise ValueError("a multi-segment wildcard must come last")
                name = _capture_name(segment)
                if name:
                    params[name] = "/".join(parts[i:])
                return params
            if i >= len(parts):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                params[segment[1:-1]] = parts[i]
            elif segment != "*" and segment != parts[i]:
                return None
        return params if len(parts) == len(self.segments) else None


def _is_multi(segment: str) -> bool:
    return segment == "**" or (segment.startswith("{") and segment.endswith("=**}"))


def _capture_name(segment: str) -> str | None:
    return segment[1:-4] if segment.startswith("{") else None
