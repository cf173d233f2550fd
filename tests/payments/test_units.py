"""Money in Vietnamese and the signature scheme shared with the platform (no database)."""

import pytest
from simulators import payment as simulator

from motcua.payments import client
from motcua.payments.money import amount_in_words, format_vnd


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1_500_000, "1.500.000 đ"), (0, "0 đ"), (999, "999 đ"), (20_000, "20.000 đ"), (1_234_567_890, "1.234.567.890 đ")],
)
def test_format_vnd(amount, text):
    assert format_vnd(amount) == text


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (1_500_000, "Một triệu năm trăm nghìn đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (150_000, "Một trăm năm mươi nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (24_000, "Hai mươi tư nghìn đồng"),
        (105, "Một trăm linh năm đồng"),
        (2_000_000_000, "Hai tỷ đồng"),
        (0, "Không đồng"),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_signature_scheme_is_the_simulators(settings):
    data = {"reference": "000.00.31.H29-260907-0001-P1", "amount": 1500000, "status": "success", "note": "a&b=c đ"}
    assert client.canonical_string(data) == simulator.canonical_string(data)
    assert client.canonical_string({**data, "signature": "x"}) == client.canonical_string(data)
    signature = simulator.sign(data, settings.PAYMENT_SECRET)
    assert client.verify(data, signature)
    assert client.verify({**data, "amount": "1500000"}, signature)  # query strings carry text
    assert not client.verify({**data, "amount": 1500001}, signature)
    assert not client.verify(data, simulator.sign(data, "another secret"))
    assert not client.verify(data, "")
    assert settings.PAYMENT_DEVELOPMENT_SECRET == simulator.DEVELOPMENT_SECRET
