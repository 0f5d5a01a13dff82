"""The catalog's natural keys and their formats.

- resource code 资源代码 ``前段码/后段码``: the front part is the category code — 类 (1 digit:
  1 base, 2 theme, 3 department), 项 (2 digits), 目 (3 digits), 细目 (0 to 6 digits) — and the
  back part a six-digit sequence number (1272 guide);
- department code 统一社会信用代码: 18 characters with the GB 32100 check character;
- region code 行政区划代码: six digits of GB/T 2260; ``100000`` stands for the nation.

Each `check_…` returns the normalised code or raises `InvalidValue` naming `field`.

Who numbers a new entry. A department names the category (前段码) a new entry is filed under;
the instance allocates its 后段码, the next number of that category's sequence (the 1272 guide's
顺序码), never the caller. The sequence is kept per 前段码, not per department: the code is the
key of the entry everywhere (一数一源), so two departments filing under one 细目 must not get the
same number. The two zones' instances of a region number apart by construction — each zone
allocates only from its own range of the six digits (`SEQUENCE_RANGES`: intranet 000001–499999,
extranet 500000–999999) — so a code allocated in one zone can never be one the other zone's
instances hold from another origin, not even a classified entry the extranet never sees.
Within its range an instance allocates past every code it holds or redacted, copies included;
codes that arrive with their origin (the sync, a loaded sample) keep the number they have. An
entry a department brings with its whole code — its catalog moved from another instance, an
export imported again — keeps it when the code is free here (`is_free`,
`CatalogStore.free_codes`): in the zone's range (`check_in_range`), held by no entry,
never redacted here, and never handed out by the sequence (past the last code it allocated).
Held, it is one the sequence then numbers past, as any held code. An
instance refuses to save an entry over a code it holds from another origin
(`check_own_code`): one resource, one origin.

    >>> check_resource_code("301001001/000001")
    '301001001/000001'
    >>> credit_check_character("11510100MB0000001")
    'Y'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from graph.enums import Level, ResourceKind, Zone
from graph.errors import InvalidValue

__all__ = [
    "CREDIT_ALPHABET",
    "MAX_ALLOCATED",
    "MUNICIPALITIES",
    "NATION",
    "SEQUENCE_RANGES",
    "ResourceCode",
    "category_path",
    "category_prefix",
    "check_allocation",
    "check_brought",
    "check_category",
    "check_category_code",
    "check_credit_code",
    "check_in_range",
    "check_own_code",
    "check_region_code",
    "check_resource_code",
    "child_category_length",
    "credit_check_character",
    "is_free",
    "next_code",
    "parse_resource_code",
    "region_level",
    "region_parent",
    "sequence_bounds",
]

NATION = "100000"

# 直辖市: province-level cities. GB/T 2260 files their districts under a 市辖区 code (110101
# under 110100; 重庆's counties under 500200 县), which is no level of government: a district
# of a 直辖市 answers to the city itself (`region_parent`).
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})

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


_CATEGORY_CODE = re.compile(r"^[1-3]\d{5}\d{0,6}\Z", re.ASCII)
_CATEGORY_ACCEPTED = (
    "a 前段码 alone — 类 (1 digit, 1 base, 2 theme, 3 department), 项 (2 digits), 目 (3 digits), "
    "细目 (0 to 6 digits), e.g. '301001001' — under which this catalog allocates the 后段码 of "
    "a new entry (1272 guide: the 后段码 is a sequence number, not the caller's choice)"
)

# The 后段码 each zone allocates from (first, last): disjoint, so the intranet and extranet
# instances of one region never number two entries alike.
SEQUENCE_RANGES: dict[Zone, tuple[int, int]] = {
    Zone.INTRANET: (1, 499_999),
    Zone.EXTRANET: (500_000, 999_999),
}


def check_category_code(front: str, field: str = "category") -> str:
    """The 前段码 a new entry is filed under; a whole code (with a 后段码) is refused."""
    if type(front) is str and _CATEGORY_CODE.match(front):
        return front
    raise InvalidValue(field, front, _CATEGORY_ACCEPTED)


# The most codes one `CatalogStore.allocate_codes` call hands out.
MAX_ALLOCATED = 10_000


def check_allocation(wanted: Mapping[str, int]) -> dict[str, int]:
    """How many codes under each 前段码 `wanted` asks for, checked: `InvalidValue` for a
    category that is no 前段码, a count that is no whole number ≥ 0, or more than
    `MAX_ALLOCATED` in all."""
    checked = {check_category_code(c): n for c, n in wanted.items()}
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in checked.values()):
        raise InvalidValue("wanted", dict(wanted), "a whole number ≥ 0 of codes per category")
    if sum(checked.values()) > MAX_ALLOCATED:
        raise InvalidValue(
            "wanted", sum(checked.values()), f"at most {MAX_ALLOCATED} codes in one allocation"
        )
    return checked


def check_brought(codes: Sequence[str], zone: Zone) -> list[str]:
    """The codes a `CatalogStore.free_codes` call asks about, checked: whole codes in `zone`'s
    range, at most `MAX_ALLOCATED`."""
    if len(codes) > MAX_ALLOCATED:
        raise InvalidValue("codes", len(codes), f"at most {MAX_ALLOCATED} codes in one question")
    return [check_in_range(code, zone) for code in codes]


def is_free(code: str, held: bool, redacted: bool, allocated: str | None) -> bool:
    """Whether an entry may be brought here with `code`: no entry holds it, it was not
    redacted, and the sequence of its 前段码 never handed it out — it lies past `allocated`,
    the last code the sequence allocated (None: none yet)."""
    return not held and not redacted and (allocated is None or code > allocated)


def sequence_bounds(front: str, zone: Zone) -> tuple[str, str]:
    """The first and last code under `front` that an instance of `zone` may allocate."""
    first, last = SEQUENCE_RANGES[zone]
    return f"{front}/{first:06d}", f"{front}/{last:06d}"


def check_in_range(code: str, zone: Zone, field: str = "code") -> str:
    """`code` (a whole resource code) when its 后段码 lies in `zone`'s range, else
    `InvalidValue` naming the range."""
    parsed = parse_resource_code(code, field)
    first, last = SEQUENCE_RANGES[zone]
    if not first <= int(parsed.sequence) <= last:
        raise InvalidValue(
            field,
            code,
            f"a 后段码 in this {zone.value.lower()} instance's range, "
            f"{parsed.front}/{first:06d} to {parsed.front}/{last:06d} (the other zone "
            "numbers the rest), or the 前段码 "
            f"{parsed.front} alone for this catalog to allocate one",
        )
    return str(parsed)


def next_code(front: str, zone: Zone, highest: str | None) -> str:
    """The code to allocate under `front` in `zone`, after `highest` — the highest code of the
    zone's range already allocated, held or redacted (None: none yet).

    >>> next_code("301001001", Zone.EXTRANET, "301001001/500041")
    '301001001/500042'
    """
    first, last = SEQUENCE_RANGES[zone]
    after = first - 1 if highest is None else int(parse_resource_code(highest).sequence)
    number = max(after + 1, first)
    if number > last:
        raise InvalidValue(
            "category",
            front,
            f"a 前段码 whose {zone.value.lower()} sequence has numbers left: "
            f"{front}/{first:06d} to {front}/{last:06d} are all allocated; file the entry "
            "under another 细目",
        )
    return f"{front}/{number:06d}"


def check_own_code(code: str, held_origin: str | None, origin: str) -> None:
    """Refuse to write the entry `code` of `origin` over one held here from another origin."""
    if held_origin is not None and held_origin != origin:
        raise InvalidValue(
            "code",
            code,
            f"a code held here from no other catalog: {code} is {held_origin}'s entry "
            "(one resource, one origin: 一数一源), maintained there",
        )


def category_path(front: str) -> list[str]:
    """The category codes from 类 down to the front code: 301001001 → 3, 301, 301001, 301001001."""
    path = [front[:1], front[:3], front[:6]]
    if len(front) > 6:
        path.append(front)
    return [p for i, p in enumerate(path) if p and (i == 0 or p != path[i - 1])]


_CATEGORY = re.compile(r"^[1-3](\d{2}(\d{3}(\d{1,6})?)?)?\Z", re.ASCII)


def check_category(code: str, field: str = "category") -> str:
    """A node of the 类/项/目/细目 tree to browse: 类 (1 digit), 项 (3), 目 (6) or a 细目 (7 to
    12 digits)."""
    if type(code) is str and _CATEGORY.match(code):
        return code
    raise InvalidValue(
        field,
        code,
        "a category code: 类 (1 digit: 1 base, 2 theme, 3 department), 项 (3 digits), "
        "目 (6 digits) or 细目 (7 to 12 digits), e.g. '3', '301', '301001', '301001001'",
    )


def category_prefix(code: str) -> str:
    """What the codes of the entries filed under category `code` begin with: 类, 项 and 目 hold
    every code that starts with them (a 前段码 has at least six digits); a 细目 is a leaf, so
    only the entries whose 前段码 is exactly it — not a longer sibling that starts alike.

    >>> category_prefix("301001"), category_prefix("301001001")
    ('301001', '301001001/')
    """
    code = check_category(code)
    return code if len(code) <= 6 else code + "/"


def child_category_length(code: str | None) -> int | None:
    """How many digits the categories one rank below `code` have: 类 under the root (1), 项
    under a 类 (3), 目 under a 项 (6); None under a 目 or 细目, whose entries are counted by
    their whole 前段码 (the 细目, or the 目 itself for an entry filed under no 细目)."""
    return {None: 1, 1: 3, 3: 6}.get(None if code is None else len(code))


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
    """The region one level up: 510104 → 510100 → 510000 → 100000 → None; a district of a
    直辖市 goes to the city itself: 110101 → 110000."""
    level = region_level(code)
    if level is Level.NATIONAL:
        return None
    if level is Level.PROVINCIAL:
        return NATION
    if level is Level.MUNICIPAL or code[:2] + "0000" in MUNICIPALITIES:
        return code[:2] + "0000"
    return code[:4] + "00"
