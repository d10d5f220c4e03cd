"""Summarise a py-spy `--format raw` profile: where the samples are, by function, inclusive and self.

python -m bench.profile_summary PROFILE [--top 25] [--match TEXT]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_STACK = re.compile(r"^(.+?) (\d+)$", re.MULTILINE | re.DOTALL)
_LOCATION = re.compile(r" \((?:.*/)?(site-packages/)?([^()]*?):\d+\)$")


def frame_name(frame: str) -> str:
    """`func (path/to/module.py:12)` -> `func (module.py)`, so lines of one function add up."""
    match = _LOCATION.search(frame)
    if not match:
        return frame
    return f"{frame[: match.start()]} ({match.group(2)})"


def summarise(path: str, top: int, match: str | None) -> str:
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    # A frame's name can hold a newline (a function defined in a multi-line string, such as SQL text), so a
    # stack is whatever runs up to a line that ends in its sample count.
    for stack, count_text in _STACK.findall(Path(path).read_text()):
        count = int(count_text)
        frames = [frame_name(frame) for frame in stack.split(";")]
        if match and not any(match in frame for frame in frames):
            continue
        total += count
        leaf[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples", "", "inclusive:"]
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "self:"]
    lines += [f"{100 * n / total:5.1f}%  {name}" for name, n in leaf.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", help="only stacks with a frame containing this text")
    arguments = parser.parse_args()
    print(summarise(arguments.profile, arguments.top, arguments.match))


if __name__ == "__main__":
    main()
