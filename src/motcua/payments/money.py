"""Money as Vietnamese write it on receipts: 1.500.000 đ, and the amount in words."""

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ", "tỷ tỷ")


def format_vnd(amount: int) -> str:
    """1500000 → '1.500.000 đ' (dots between thousands, a space, then đ)."""
    return f"{amount:,}".replace(",", ".") + " đ"


def _read_group(number: int, *, full: bool) -> list[str]:
    """Three digits; `full` reads leading zeros ('không trăm linh năm') inside a bigger number."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 4 and tens > 1:
        words.append("tư")
    elif units == 5 and tens >= 1:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def amount_in_words(amount: int) -> str:
    """1500000 → 'Một triệu năm trăm nghìn đồng'; 1005000 → 'Một triệu không trăm linh năm nghìn đồng'."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    if len(groups) > len(_GROUPS):
        raise ValueError("amount too large")
    words: list[str] = []
    top = len(groups) - 1
    for index in range(top, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _read_group(group, full=index != top)
        if _GROUPS[index]:
            words.append(_GROUPS[index])
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]
