"""One Jinja environment for every page: Babel's i18n extension and locale-aware filters."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from channel.roles import PartnerStatus, Permission
from portal import i18n, messages
from pricing.catalogue import name_in

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@cache
def static_url(name: str) -> str:
    """``/static/<name>?v=<content hash>``: browsers cache assets until they change."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def query_with(request: Any, **changes: Any) -> str:
    """The request's query string with some parameters replaced (``None`` removes one)."""
    params = {k: v for k, v in request.query_params.items() if k not in changes}
    params.update({k: v for k, v in changes.items() if v is not None})
    return urlencode(params)


def tier_label(kind: str, depth: int) -> str:
    """ "Tier-2 distributor", "Store" ...: how the channel names a partner's place."""
    if kind == "distributor":
        return i18n.gettext("Tier-{n} distributor").format(n=depth)
    return i18n.gettext(messages.KIND_LABELS.get(kind, kind))


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "jinja"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        money=i18n.format_money,
        number=i18n.format_number,
        percent=i18n.format_percent,
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        localized=lambda names: name_in(names or {}, i18n.current_locale()),
    )
    env.globals.update(
        date_span=i18n.format_period,
        static=static_url,
        languages=i18n.SUPPORTED_LOCALES,
        current_locale=i18n.current_locale,
        message=messages.message,
        term=lambda word: i18n.gettext(messages.TERMS.get(word, word)),
        role_labels=messages.ROLE_LABELS,
        status_labels=messages.STATUS_LABELS,
        kind_labels=messages.KIND_LABELS,
        lead_status_labels=messages.LEAD_STATUS_LABELS,
        quote_status_labels=messages.QUOTE_STATUS_LABELS,
        registration_status_labels=messages.REGISTRATION_STATUS_LABELS,
        evidence_text=messages.evidence_text,
        notification_text=messages.notification_text,
        promotion_kind_labels=messages.PROMOTION_KIND_LABELS,
        order_status_labels=messages.ORDER_STATUS_LABELS,
        return_status_labels=messages.RETURN_STATUS_LABELS,
        promotion_status_labels=messages.PROMOTION_STATUS_LABELS,
        benefit_kind=lambda benefit: type(benefit).__struct_config__.tag,
        lead_stage_labels=messages.LEAD_STAGE_LABELS,
        lead_event_labels=messages.LEAD_EVENT_LABELS,
        query_with=query_with,
        tier_label=tier_label,
        activity_label=messages.activity_label,
        activity_details=messages.activity_details,
        field_label=messages.field_label,
        permissions=Permission,
        kind_options=lambda kinds: [(k.value, i18n.gettext(messages.KIND_LABELS[k.value])) for k in kinds],
        level_options=lambda levels: [(level.code, level.name) for level in levels],
        region_options=lambda regions: [(region.code, region.name) for region in regions],
        status_options=lambda: [
            (s.value, i18n.gettext(messages.STATUS_LABELS[s.value])) for s in PartnerStatus
        ],
        category_options=lambda categories: [
            (c.code, "\u00a0\u00a0" * c.depth + name_in(c.names, i18n.current_locale())) for c in categories
        ],
        manager_options=lambda managers: [(m.id, f"{m.display_name} ({m.email})") for m in managers],
    )
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(build_environment()))
