"""Text for a page's `<meta name="description">`: what search results show under its title."""

import html

from django import template
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString

register = template.Library()

# Search engines cut a snippet at about this many characters.
DESCRIPTION_MAX = 155


@register.filter
def meta_text(value, limit: int = DESCRIPTION_MAX) -> SafeString:
    """One line of plain text, cut at a word before `limit` characters, escaped once.

    It also works on already rendered (escaped) text, as `{% filter meta_text %}` gives it,
    so that a cut never falls inside an entity.
    """
    text = " ".join(strip_tags(html.unescape(str(value or ""))).split())
    if len(text) > limit:
        cut = text[: limit - 1]
        cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
        text = cut.rstrip(" ,.;:—-") + "…"
    return escape(text)
