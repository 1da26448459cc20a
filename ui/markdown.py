"""Show user-supplied text inside Streamlit's Markdown as plain text, never as live Markdown."""

from __future__ import annotations

import re

# Backslash-escape what could make quoted input live: links and images ([...](...)), autolinks
# and HTML (<...>), Streamlit directives (:red[...], :material/...:... need "["), code (`) and
# LaTeX ($). Emphasis characters are left alone: at worst they italicise, and escaping them
# would make messages such as "input_shape ..." harder to read in the page source.
_SPECIAL = re.compile(r"([\\`\[\]<>$])")


def escape(text: str) -> str:
    """Returns ``text`` on one line with the characters that make Markdown live escaped.

    >>> print(escape("![x](p.png) <b>"))
    !\\[x\\](p.png) \\<b\\>
    """
    return _SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))
