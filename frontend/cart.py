"""The session cart: product slugs and quantities, and what was chosen (options, personal
text) as it was typed. Prices, stock and the choice itself are checked fresh every time the
cart is shown, so the cart never holds a stale promise."""

import hashlib
import json

MAX_QUANTITY = 100
MAX_LINES = 50


def line_key(slug: str, chosen: dict | None) -> str:
    """A line per product and choice: two sizes, or two names, are two lines. Still a slug,
    so it fits the cart's addresses."""
    if not chosen or not any(chosen.values()):
        return slug
    canonical = json.dumps(chosen, sort_keys=True, ensure_ascii=False)
    return f"{slug}--c{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"


class Cart:
    KEY = "cart"
    # line key → {"slug", "options": {name: label}, "personalisation": {label: text}}
    CHOICES_KEY = "cart_choices"

    def __init__(self, session) -> None:
        self.session = session
        raw = session.get(self.KEY) or {}
        self.lines: dict[str, int] = {
            str(slug): int(qty) for slug, qty in raw.items() if str(qty).isdigit() and int(qty) > 0
        }
        choices = session.get(self.CHOICES_KEY) or {}
        self.choices: dict[str, dict] = {k: v for k, v in choices.items() if k in self.lines}

    def slug_of(self, key: str) -> str:
        return self.choices.get(key, {}).get("slug", key)

    def chosen_of(self, key: str) -> dict:
        entry = self.choices.get(key, {})
        return {
            "options": dict(entry.get("options") or {}),
            "personalisation": dict(entry.get("personalisation") or {}),
        }

    def add_chosen(self, slug: str, chosen: dict, quantity: int = 1) -> int:
        """Add a product with its choice; returns the line's new quantity (0: cart full)."""
        key = line_key(slug, chosen)
        if key != slug:
            self.choices[key] = {"slug": slug, **chosen}
        added = self.add(key, quantity)
        if not added:
            self.choices.pop(key, None)
        return added

    @property
    def count(self) -> int:
        return sum(self.lines.values())

    def __bool__(self) -> bool:
        return bool(self.lines)

    def add(self, slug: str, quantity: int = 1) -> int:
        """Add to what is there; returns the line's new quantity."""
        if slug not in self.lines and len(self.lines) >= MAX_LINES:
            return 0
        self.lines[slug] = min(self.lines.get(slug, 0) + quantity, MAX_QUANTITY)
        self._save()
        return self.lines[slug]

    def set(self, slug: str, quantity: int) -> None:
        if quantity <= 0:
            self.remove(slug)
            return
        if slug in self.lines:
            self.lines[slug] = min(quantity, MAX_QUANTITY)
            self._save()

    def remove(self, slug: str) -> None:
        self.choices.pop(slug, None)
        if self.lines.pop(slug, None) is not None:
            self._save()

    def clear(self) -> None:
        self.lines, self.choices = {}, {}
        self._save()

    def _save(self) -> None:
        self.session[self.KEY] = dict(self.lines)
        self.session[self.CHOICES_KEY] = {k: v for k, v in self.choices.items() if k in self.lines}
        self.session.modified = True
