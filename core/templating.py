"""Jinja helpers: named slots filled by the enabled modules, date and money filters."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from markupsafe import Markup

from core.clock import to_local

# slot name -> (hook name, extra kwargs the template must pass)
SLOTS = {
    "child.detail.panels": ("child_detail_panels", ("child",)),
    "dashboard.widgets": ("dashboard_widgets", ()),
}


class UnknownSlot(KeyError):
    pass


def render_slot(name: str, **kwargs):
    """Collect the items the organisation's enabled modules give for a named slot."""
    from core.db import session
    from core.tenancy import collect, tenant_hook

    if name not in SLOTS:
        raise UnknownSlot(name)
    hook_name, required = SLOTS[name]
    missing = [k for k in required if k not in kwargs]
    if missing:
        raise TypeError(f"slot {name} needs {missing}")
    org = g.get("org")
    if org is None:
        return []
    relay = tenant_hook(session(), org)
    return collect(getattr(relay, hook_name)(org=org, user=current_user, **kwargs))


def visible_org():
    """``g.org`` when the visitor may enter it, else None: a page reached through another
    organisation's slug (an error page, a public tablet page) must not name or menu it."""
    from core.security import user_may_enter

    org = g.get("org")
    if org is None or not current_user.is_authenticated or not user_may_enter(current_user, org):
        return None
    return org


def navigation():
    """The organisation's menu: the items of core and the enabled modules that the visitor may
    open (``core.security.may_open``: the endpoint's declared Action and module gate)."""
    from core.context import context_for
    from core.db import session
    from core.security import may_open
    from core.tenancy import collect

    org = visible_org()
    if org is None:
        return []
    ctx = context_for(session(), org)
    items = collect(ctx.hook.menu_items(org=org, user=current_user))
    return [item for item in items if may_open(current_user, item.endpoint, ctx.modules)]


def koepel_navigation():
    """Menu entries of koepel-wide pages (e.g. central allocation), for coordinators only."""
    from core.models import Role
    from core.security import may_open
    from core.tenancy import collect, plugin_manager

    if not current_user.is_authenticated or current_user.role != Role.COORDINATOR:
        return []
    items = collect(plugin_manager().hook.koepel_menu_items(user=current_user))
    return [item for item in items if may_open(current_user, item.endpoint)]


def _date(value, fmt="medium"):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(to_local(value), "short")
    if isinstance(value, date):
        return format_date(value, fmt)
    return value


#: The ``|date`` filter (a datetime in Europe/Brussels, in the reader's format), for the loket's
#: Jinja environment too.
date_filter = _date


def css_string(value) -> Markup:
    """Text for inside a CSS string ``content: "..."`` (PDF footers). HTML entities are not decoded
    in a <style> element, so the already HTML-escaped text is unescaped once and then escaped for
    CSS: quotes and backslashes, line breaks, and '<' (no '</style>' can end the element)."""
    import html

    text = html.unescape(str(value))
    out = []
    for char in text:
        if char in '"\\' or char in "<>\n\r" or ord(char) < 32:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return Markup("".join(out))


def _money(cents: int | None):
    from core.values import Money

    return "" if cents is None else str(Money(cents))


def format_number(value) -> str:
    """A quantity in the reader's locale without trailing zeros: 10 (not 10,000), 2,5, 0,6."""
    from decimal import Decimal

    from flask_babel import format_decimal

    if value is None:
        return ""
    value = Decimal(str(value))
    return format_decimal(value.normalize() if value == value.to_integral() else value, format="#,##0.###")


def init_jinja(app: Flask) -> None:
    app.jinja_env.globals.update(
        render_slot=render_slot, navigation=navigation, koepel_navigation=koepel_navigation, visible_org=visible_org, get_locale=get_locale
    )
    from core.labels import field_label, value_label, yes_no

    app.jinja_env.globals.update(field_label=field_label, value_label=value_label, yes_no=yes_no, to_local=to_local)
    app.jinja_env.filters.update(date=_date, money=_money, number=format_number, css_string=css_string)
    app.jinja_env.globals["Markup"] = Markup
    from core.branding import logo_url

    app.jinja_env.globals["logo_url"] = logo_url
    from core.views.locations import PICKER_FROM, location_detail, many_locations

    app.jinja_env.globals.update(location_detail=location_detail, many_locations=many_locations,
                                 picker_from=PICKER_FROM)
