"""Loads knowledge/resources.yml (regions, their helplines and the words of the safety replies)
and chooses the helplines for a region and a set of risks.

Content is data: every number, name and sentence lives in knowledge/resources.yml; this module
only reads, matches country names and selects. ``Resources.help_for`` is the one place that
decides which services a person is shown; every safety action uses it.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Text, Tuple

import yaml

from actions.knowledge import KNOWLEDGE_DIR

RISKS = ("being_harmed", "self_harm", "partner_self_harm", "may_harm_others", "child_at_risk")
GENERAL = "general"
INTERNATIONAL = "international"
PAYLOAD_TYPE = "safety_resources"
PAYLOAD_FIELDS = ("name", "phone", "text", "chat_url", "hours", "source")

# Words around a country name in a short answer ("i live in the us", "us please"): stripped
# before an exact_only alias is compared with the whole message.
_LEADING_FILLER = {"i", "im", "am", "i'm", "live", "living", "based", "currently", "now",
                   "in", "from", "the", "its", "it", "is", "were", "we", "are", "my", "country",
                   "a", "an", "um", "uh", "oh", "ok", "okay", "yes", "yeah"}
_TRAILING_FILLER = {"please", "pls", "thanks", "thank", "you", "thx", "now", "atm", "currently"}


def normalise(text: Any) -> Text:
    """Lower case, apostrophes and dots dropped ("u.k." -> "uk"), other punctuation as spaces."""
    text = str(text or "").lower().replace("\u2019", "").replace("'", "").replace(".", "")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def _strip_filler(words: List[Text]) -> List[Text]:
    while words and words[0] in _LEADING_FILLER:
        words = words[1:]
    while words and words[-1] in _TRAILING_FILLER:
        words = words[:-1]
    return words


def _text(value: Any) -> Optional[Text]:
    """A field as text, or None when it is empty."""
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


@dataclass(frozen=True)
class Resource:
    name: Text
    risks: Tuple[Text, ...]
    phone: Optional[Text]
    text: Optional[Text]
    chat_url: Optional[Text]
    hours: Optional[Text]
    source: Optional[Text]
    checked: Optional[datetime.date]
    verified: bool = True

    def serves(self, risk: Text) -> bool:
        return risk in self.risks

    def entry(self) -> Dict[Text, Optional[Text]]:
        """The resource as it is sent in the json payload (missing fields as None)."""
        return {field: getattr(self, field) for field in PAYLOAD_FIELDS}


@dataclass(frozen=True)
class Region:
    code: Text
    name: Text
    emergency: Text
    resources: Tuple[Resource, ...]
    aliases: Tuple[Text, ...] = ()
    exact_only: Tuple[Text, ...] = ()
    button: Optional[Text] = None

    @property
    def international(self) -> bool:
        return self.code == INTERNATIONAL

    @property
    def shown(self) -> Tuple[Resource, ...]:
        """Only verified resources are ever shown."""
        return tuple(r for r in self.resources if r.verified)


@dataclass(frozen=True)
class Help:
    """What one safety reply shows: a region, the risks it answers and the services for them."""

    region: Region
    known: bool  # False when the country is not known (the international help is shown)
    risks: Tuple[Text, ...]  # the risks asked for, or ("general",)
    resources: Tuple[Resource, ...]

    @property
    def primary(self) -> Text:
        return self.risks[0] if self.risks else GENERAL

    def payload(self) -> Dict[Text, Any]:
        return {
            "type": PAYLOAD_TYPE,
            "risk": self.primary,
            "region": self.region.code,
            "resources": [r.entry() for r in self.resources],
        }


@dataclass
class Resources:
    regions: Dict[Text, Region]
    international: Region
    general_risks: Tuple[Text, ...]
    data: Dict[Text, Any]  # the whole file, for the words of the replies

    @property
    def lines(self) -> Dict[Text, Text]:
        return {k: " ".join(str(v).split()) for k, v in self.data["lines"].items()}

    def section(self, name: Text) -> Dict[Text, Any]:
        return self.data[name]

    # ------------------------------------------------------------------ regions

    def all_regions(self) -> List[Region]:
        return list(self.regions.values()) + [self.international]

    def region(self, value: Any) -> Optional[Region]:
        """A region from a code ("gb", "GB"), "international" or an alias ("britain")."""
        key = normalise(value)
        if not key:
            return None
        for region in self.all_regions():
            if key == normalise(region.code):
                return region
        for region in self.all_regions():
            if key in {normalise(a) for a in region.aliases + region.exact_only}:
                return region
        return None

    def region_from_locale(self, locale: Any) -> Optional[Region]:
        """The region part of a BCP 47 / POSIX locale: "en-GB", "en_au", "en-Latn-IN"."""
        if not isinstance(locale, str):
            return None
        for part in re.split(r"[-_.@]", locale.strip())[1:]:
            if len(part) == 2 and part.isalpha():
                return self.regions.get(part.upper())
        return None

    def region_in_text(self, text: Any) -> Optional[Region]:
        """A country named in a message: the longest alias found as whole words, or an exact_only
        alias that is the whole (short) message."""
        words = normalise(text).split()
        if not words:
            return None
        core = " ".join(_strip_filler(words))
        for region in self.all_regions():
            if core and core in {normalise(a) for a in region.exact_only + region.aliases}:
                return region
        padded = f" {' '.join(words)} "
        best: Optional[Tuple[int, Region]] = None
        for region in self.all_regions():
            for alias in region.aliases:
                alias = normalise(alias)
                if alias and f" {alias} " in padded and (best is None or len(alias) > best[0]):
                    best = (len(alias), region)
        return best[1] if best else None

    # ------------------------------------------------------------------ services

    def help_for(self, region_code: Optional[Text], risks: Iterable[Text]) -> Help:
        """The services to show for a region (None: unknown) and risks (unknown: general).

        Services of the region that serve the risks, in the file's order, risk by risk; the
        international directory too when the region has no verified service for one of them.
        Unverified entries are never included."""
        region = self.region(region_code) if region_code else None
        known = region is not None
        region = region or self.international
        asked = tuple(dict.fromkeys(r for r in risks or () if r in RISKS))
        wanted = asked or self.general_risks
        chosen: List[Resource] = []
        for risk in wanted:
            for resource in region.shown:
                if resource.serves(risk) and resource not in chosen:
                    chosen.append(resource)
        uncovered = [risk for risk in wanted if not any(r.serves(risk) for r in chosen)]
        if uncovered:
            chosen.extend(r for r in self.international.shown if r not in chosen)
        return Help(region=region, known=known, risks=asked or (GENERAL,), resources=tuple(chosen))


def _resource(raw: Dict[Text, Any]) -> Resource:
    checked = raw.get("checked")
    if isinstance(checked, str):
        checked = datetime.date.fromisoformat(checked)
    return Resource(
        name=str(raw["name"]),
        risks=tuple(raw.get("risks") or ()),
        phone=_text(raw.get("phone")),
        text=_text(raw.get("text")),
        chat_url=_text(raw.get("chat_url")),
        hours=_text(raw.get("hours")),
        source=_text(raw.get("source")),
        checked=checked,
        verified=raw.get("verified", True) is not False,
    )


def _region(code: Text, raw: Dict[Text, Any]) -> Region:
    return Region(
        code=code,
        name=str(raw["name"]),
        emergency=str(raw["emergency"]),
        resources=tuple(_resource(r) for r in raw.get("resources") or ()),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        exact_only=tuple(str(a) for a in raw.get("exact_only") or ()),
        button=_text(raw.get("button")),
    )


def parse_resources(data: Dict[Text, Any]) -> Resources:
    regions = {code.upper(): _region(code.upper(), raw) for code, raw in data["regions"].items()}
    return Resources(
        regions=regions,
        international=_region(INTERNATIONAL, data["international"]),
        general_risks=tuple(data.get("general_risks") or ("being_harmed", "self_harm")),
        data=data,
    )


def read_resources_file(path: Path = KNOWLEDGE_DIR / "resources.yml") -> Dict[Text, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def load_resources(path: Path = KNOWLEDGE_DIR / "resources.yml") -> Resources:
    return parse_resources(read_resources_file(path))


def join_options(options: Sequence[Text]) -> Text:
    """ "a", "a or b", "a, b or c"."""
    options = list(options)
    if len(options) <= 1:
        return "".join(options)
    return ", ".join(options[:-1]) + " or " + options[-1]
