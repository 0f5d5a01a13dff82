"""The catalog's natural keys and their formats.

- resource code 资源代码 ``前段码/后段码``: the front part is the category code — 类 (1 digit:
  1 base, 2 theme, 3 department), 项 (2 digits), 目 (3 digits), 细目 (0 to 6 digits) — and the
  back part a six-digit sequence number (1272 guide);
- department code 统一社会信用代码: 18 characters with the GB 32100 check character;
- region code 行政区划代码: six digits of GB/T 2260; ``100000`` stands for the nation.

Each `check_…` returns the normalised code or raises `InvalidValue` naming `field`.

    >>> check_resource_code("301001001/000001")
    '301001001/000001'
    >>> credit_check_character("11510100MB0000001")
    'Y'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from graph.enums import Level, ResourceKind
from graph.errors import InvalidValue

__all__ = [
    "CREDIT_ALPHABET",
    "NATION",
    "ResourceCode",
    "category_path",
    "check_credit_code",
    "check_region_code",
    "check_resource_code",
    "credit_check_character",
    "parse_resource_code",
    "region_level",
    "region_parent",
]

NATION = "100000"

# ASCII digits only, and no trailing newline (`$` would allow one; `\d` any script's digits).
_RESOURCE_CODE = re.compile(r"^([1-3])(\d{2})(\d{3})(\d{0,6})/(\d{6})\Z", re.ASCII)
_RESOURCE_ACCEPTED = (
    "前段码/后段码: 类 (1 digit, 1 base, 2 theme, 3 department), 项 (2 digits), 目 (3 digits), "
    "细目 (0 to 6 digits), '/', then a 6-digit sequence number, e.g. '301001001/000001'"
)


@dataclass(frozen=True, slots=True)
class ResourceCode:
    """A parsed resource code."""

    class_digit: str
    item: str
    catalog: str
    detail: str
    sequence: str

    @property
    def front(self) -> str:
        """前段码: the category code the resource is filed under."""
        return self.class_digit + self.item + self.catalog + self.detail

    @property
    def kind(self) -> ResourceKind:
        return ResourceKind.from_class_digit(self.class_digit)

    def __str__(self) -> str:
        return f"{self.front}/{self.sequence}"


def parse_resource_code(code: str, field: str = "code") -> ResourceCode:
    match = _RESOURCE_CODE.match(code) if isinstance(code, str) else None
    if match is None:
        raise InvalidValue(field, code, _RESOURCE_ACCEPTED)
    return ResourceCode(*match.groups())


def check_resource_code(code: str, field: str = "code") -> str:
    if type(code) is str and _RESOURCE_CODE.match(code):
        return code  # str(parse_resource_code(code)) is `code` whenever the pattern matches
    return str(parse_resource_code(code, field))


def category_path(front: str) -> list[str]:
    """The category codes from 类 down to the front code: 301001001 → 3, 301, 301001, 301001001."""
    path = [front[:1], front[:3], front[:6]]
    if len(front) > 6:
        path.append(front)
    return [p for i, p in enumerate(path) if p and (i == 0 or p != path[i - 1])]


# GB 32100-2015: the alphabet of the unified social credit code (no I, O, S, V, Z) and the
# weights of positions 1..17 (3^(i-1) mod 31).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{18}$")


def credit_check_character(first17: str) -> str:
    """The 18th character of a unified social credit code, from its first 17 (GB 32100 §4)."""
    if len(first17) != 17 or any(c not in CREDIT_ALPHABET for c in first17):
        raise ValueError(f"need 17 characters of {CREDIT_ALPHABET!r}, got {first17!r}")
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


# Every entry names its provider by this code, and an instance knows a few thousand departments.
_check_character = functools.lru_cache(maxsize=4096)(credit_check_character)


def check_credit_code(code: str, field: str = "provider_code") -> str:
    """A department's 统一社会信用代码; lower case is accepted and upper-cased."""
    normal = code.strip().upper() if isinstance(code, str) else code
    if not isinstance(normal, str) or not _CREDIT_SHAPE.match(normal):
        raise InvalidValue(
            field,
            code,
            f"18 characters of {CREDIT_ALPHABET} (no I, O, S, V, Z): a 统一社会信用代码 (GB 32100)",
        )
    expected = _check_character(normal[:17])
    if normal[17] != expected:
        raise InvalidValue(
            field,
            code,
            f"a valid GB 32100 check character: for {normal[:17]} it is {expected!r}, "
            f"not {normal[17]!r}",
        )
    return normal


# GB/T 2260 province-level prefixes (省、自治区、直辖市、特别行政区).
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 "
    "64 65 71 81 82".split()
)


def check_region_code(code: str, field: str = "region_code") -> str:
    ok = (
        isinstance(code, str)
        and len(code) == 6
        and code.isascii()
        and code.isdigit()
        and (code == NATION or code[:2] in _PROVINCES)
        and not (code[2:4] == "00" and code[4:] != "00")
    )
    if not ok:
        raise InvalidValue(
            field,
            code,
            "a six-digit GB/T 2260 code with a province prefix (11…82), e.g. 510000 四川, "
            "510100 成都, 510104 锦江区, or 100000 for the nation",
        )
    return code


def region_level(code: str) -> Level:
    if code == NATION:
        return Level.NATIONAL
    if code[2:] == "0000":
        return Level.PROVINCIAL
    if code[4:] == "00":
        return Level.MUNICIPAL
    return Level.COUNTY


def region_parent(code: str) -> str | None:
    """The region one level up: 510104 → 510100 → 510000 → 100000 → None."""
    level = region_level(code)
    if level is Level.NATIONAL:
        return None
    if level is Level.PROVINCIAL:
        return NATION
    if level is Level.MUNICIPAL:
        return code[:2] + "0000"
    return code[:4] + "00"
