"""The session cart: product slugs and quantities, nothing more. Prices and stock are
read fresh every time the cart is shown, so the cart never holds a stale promise."""

MAX_QUANTITY = 100
MAX_LINES = 50


class Cart:
    KEY = "cart"

    def __init__(self, session) -> None:
        self.session = session
        raw = session.get(self.KEY) or {}
        self.lines: dict[str, int] = {
            str(slug): int(qty) for slug, qty in raw.items() if str(qty).isdigit() and int(qty) > 0
        }

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
        if self.lines.pop(slug, None) is not None:
            self._save()

    def clear(self) -> None:
        self.lines = {}
        self._save()

    def _save(self) -> None:
        self.session[self.KEY] = dict(self.lines)
        self.session.modified = True
