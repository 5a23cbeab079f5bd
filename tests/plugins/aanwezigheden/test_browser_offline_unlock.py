"""Unlocking offline, in real headless Chromium (Playwright, Debian's chromium): the tablet gets
per-device PIN verifiers while online, so a caregiver who never unlocked *this* tablet online can
unlock it offline; wrong PINs lock the device offline too (also after a reload) and are reported
at the next sync; a changed PIN and a revoked device take effect at the next sync."""
from __future__ import annotations

from datetime import date, time

from playwright.sync_api import expect

from core.context import context_for
from core.models import Organisation, Role, User
from plugins.aanwezigheden.models import Device
from plugins.aanwezigheden.services.devices import pair_device, set_pin

DIRECTOR_PIN = "4821"
CAREGIVER_PIN = "7310"
NEW_PIN = "8642"

READ_PINS = """slug => new Promise((resolve, reject) => {
  const open = indexedDB.open('koepel-tablet-' + slug);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('kv').objectStore('kv').get('pins');
    get.onsuccess = () => { resolve(get.result ? JSON.stringify(get.result) : null); open.result.close(); };
  };
})"""


def seed(live_server):
    with live_server.seed() as f:
        org = f.org(name="Offline ontgrendelen vzw", modules={"aanwezigheden"})
        location = f.location(org, name="Kinderdagverblijf Slot", weekdays=range(7), opens=time(6, 0),
                              closes=time(20, 0))
        f.child(org, location=location, first_name="Sleutel", born=date(2025, 2, 1))
        director = f.user(org, Role.DIRECTOR)
        caregiver = f.user(org, Role.CAREGIVER, locations=[location])
        set_pin(context_for(f.session, org), director, DIRECTOR_PIN)
        set_pin(context_for(f.session, org), caregiver, CAREGIVER_PIN)
        device, token = pair_device(context_for(f.session, org), location, "Tablet slot", actor_id=director.id)
        return {"slug": org.slug, "org_id": org.id, "device_id": device.id, "token": token,
                "director": director.name, "caregiver": caregiver.name, "caregiver_id": caregiver.id}


def enter(page, pin):
    for digit in pin:
        page.locator(f".key[data-key='{digit}']").click()
    page.locator(".key[data-key='ok']").click()


def try_pin(page, name, pin):
    page.locator("#staff .person", has_text=name).click()
    enter(page, pin)


def toast(page, text):
    expect(page.locator("#toast")).to_contain_text(text)
    page.evaluate("() => { const t = document.getElementById('toast'); t.hidden = true; t.textContent = ''; }")


def lock(page):
    page.locator("#lock-btn").click()
    expect(page.locator("#lock")).to_be_visible()


def wait_pins(page, slug, predicate, what):
    for _ in range(150):  # bounded: about 15 s
        raw = page.evaluate(READ_PINS, slug)
        if predicate(raw):
            return raw
        page.wait_for_timeout(100)
    raise AssertionError(f"PIN verifiers never {what}: {raw}")


def paired_tablet(new_context, token: str, tablet: str):
    """A tablet-sized browser context holding the pairing cookie of ``token``, and its page."""
    context = new_context(tablet=True)
    context.add_cookies([{"name": "koepel_tablet", "value": token, "domain": "127.0.0.1",
                          "path": tablet, "httpOnly": True, "sameSite": "Strict"}])
    return context, context.new_page()


def test_offline_unlock_with_server_verifiers_lockout_and_invalidation(live_server, new_context):
    d = seed(live_server)
    slug = d["slug"]
    tablet = f"/o/{slug}/aanwezigheden/tablet/"
    context, page = paired_tablet(new_context, d["token"], tablet)

    page.goto(tablet)
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.locator("body")).to_have_attribute("data-offline-pins", "2")
    stored = wait_pins(page, slug, bool, "arrived")
    assert CAREGIVER_PIN not in stored and DIRECTOR_PIN not in stored  # verifiers only, never a PIN
    first_salt = stored

    # Offline, a caregiver who never unlocked this tablet online gets in with her PIN.
    context.set_offline(True)
    expect(page.locator("#net")).to_contain_text("Offline")
    try_pin(page, d["caregiver"], CAREGIVER_PIN)
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#who")).to_contain_text(d["caregiver"])
    lock(page)

    # Wrong PINs are counted on the device; the fifth locks it, even for the right PIN.
    for _ in range(4):
        try_pin(page, d["caregiver"], "1111")
        toast(page, "Verkeerde pincode")
    try_pin(page, d["director"], "2222")
    toast(page, "tijdelijk vergrendeld")
    try_pin(page, d["caregiver"], CAREGIVER_PIN)
    toast(page, "tijdelijk vergrendeld")
    expect(page.locator("#board")).to_be_hidden()

    # The lock survives a reload (IndexedDB), still offline.
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    try_pin(page, d["caregiver"], CAREGIVER_PIN)
    toast(page, "tijdelijk vergrendeld")
    expect(page.locator("#board")).to_be_hidden()

    # Back online: the offline failures reach the server, which locks the device as well.
    context.set_offline(False)
    for _ in range(150):
        with live_server.session() as s:
            locked_until = s.get(Device, d["device_id"]).locked_until
        if locked_until is not None:
            break
        page.wait_for_timeout(100)
    assert locked_until is not None

    # A director lifts the lock (here: directly); an online unlock then clears the tablet's lock.
    with live_server.session() as s:
        s.get(Device, d["device_id"]).locked_until = None
    try_pin(page, d["director"], DIRECTOR_PIN)
    expect(page.locator("#board")).to_be_visible()
    lock(page)

    # The caregiver changes her PIN: after the next sync the old one no longer works offline.
    with live_server.seed() as f:
        set_pin(context_for(f.session, f.session.get(Organisation, d["org_id"])),
                f.session.get(User, d["caregiver_id"]), NEW_PIN)
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    wait_pins(page, slug, lambda raw: raw and raw != first_salt, "renewed")
    context.set_offline(True)
    expect(page.locator("#net")).to_contain_text("Offline")
    try_pin(page, d["caregiver"], CAREGIVER_PIN)
    toast(page, "Verkeerde pincode")
    try_pin(page, d["caregiver"], NEW_PIN)
    expect(page.locator("#board")).to_be_visible()
    lock(page)

    # The director revokes the device: at the next contact the tablet forgets the verifiers.
    with live_server.session() as s:
        from core.clock import clock

        s.get(Device, d["device_id"]).revoked_at = clock.now()
    context.set_offline(False)
    expect(page.locator("body")).to_have_attribute("data-offline-pins", "0")
    assert wait_pins(page, slug, lambda raw: raw is None, "wiped") is None
    context.set_offline(True)
    expect(page.locator("#net")).to_contain_text("Offline")
    try_pin(page, d["caregiver"], NEW_PIN)
    toast(page, "kent de pincode van deze persoon nog niet")
    expect(page.locator("#board")).to_be_hidden()
    assert page.console_errors == []  # collected by browser_support for every page


def test_an_expired_pairing_stops_offline_unlocking_too(live_server, new_context):
    from datetime import timedelta

    from core.clock import clock

    d = seed(live_server)
    slug = d["slug"]
    tablet = f"/o/{slug}/aanwezigheden/tablet/"
    expiry = clock.now() + timedelta(seconds=8)
    with live_server.session() as s:
        s.get(Device, d["device_id"]).expires_at = expiry
    context, page = paired_tablet(new_context, d["token"], tablet)
    page.goto(tablet)
    expect(page.locator("body")).to_have_attribute("data-ready", "1")
    expect(page.locator("body")).to_have_attribute("data-offline-pins", "2")
    context.set_offline(True)
    expect(page.locator("#net")).to_contain_text("Offline")
    left = (expiry - clock.now()).total_seconds()
    page.wait_for_timeout(max(0, left) * 1000 + 500)
    try_pin(page, d["caregiver"], CAREGIVER_PIN)
    toast(page, "verlopen")
    expect(page.locator("#board")).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-offline-pins", "0")
