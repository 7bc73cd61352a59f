import pickle

import pytest

from backend.cache import Serializer


@pytest.mark.parametrize("value", [0, 7, -3, 2**62, None, "text", b"", {"page": [1, 2]}, 1.5])
def test_values_come_back_as_they_went_in(value):
    serializer = Serializer()
    stored = serializer.dumps(value)
    if isinstance(stored, int):  # Redis keeps integers as their digits
        stored = str(stored).encode()

    assert serializer.loads(stored) == value


def test_an_integer_written_by_redis_itself_reads_as_an_integer():
    assert Serializer().loads(b"1732000000000000001") == 1732000000000000001


def test_a_large_value_is_unpickled_without_trying_it_as_an_integer(monkeypatch):
    value = {"results": ["x" * 100] * 500}
    data = pickle.dumps(value)
    tried = []
    monkeypatch.setattr("backend.cache.int", lambda *args: tried.append(args), raising=False)

    assert Serializer().loads(data) == value
    assert tried == []
