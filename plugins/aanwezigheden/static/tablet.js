/* Koepel tablet: touch registration of arrivals, departures, absences and parents' confirmations.
 * Offline first: every registration gets a client-generated id; when the network is away it is
 * queued in IndexedDB (which survives reloads and restarts) and sent to the idempotent sync
 * endpoint when the network returns. No inline script (CSP: script-src 'self'). */
(function () {
  "use strict";

  var body = document.body;
  var BASE = body.dataset.base;                 // /o/<org>/aanwezigheden/tablet/
  var DB_NAME = "koepel-tablet-" + body.dataset.org;
  var LOCK_MS = (parseInt(body.dataset.lockMinutes, 10) || 5) * 60000;
  var L = document.getElementById("labels").dataset;
  var state = { today: null, staff: [], user: null, lastActivity: Date.now(), online: navigator.onLine, pin: "", pinUser: null };
  var syncing = false;
  var lockMinutesCache = 15;                    // pin_lock_minutes setting, from the last PIN verifiers

  // --- IndexedDB ---------------------------------------------------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = function () {
      var db = req.result;
      db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      db.createObjectStore("kv");
    };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });

  function tx(store, mode, fn) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var result = fn(t.objectStore(store));
        t.oncomplete = function () { resolve(result instanceof IDBRequest ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function kvGet(key) { return tx("kv", "readonly", function (s) { return s.get(key); }); }
  function kvSet(key, value) { return tx("kv", "readwrite", function (s) { return s.put(value, key); }); }
  function queueAll() { return tx("queue", "readonly", function (s) { return s.getAll(); }); }
  function queueAdd(item) { return tx("queue", "readwrite", function (s) { return s.add(item); }); }
  function queueDelete(seqs) {
    return tx("queue", "readwrite", function (s) { seqs.forEach(function (k) { s.delete(k); }); });
  }

  // --- helpers -----------------------------------------------------------------------------
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function hhmm(date) { return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") { node.className = attrs[k]; } else if (k.indexOf("-") > 0) { node.setAttribute(k, String(attrs[k])); } else { node[k] = attrs[k]; }
    });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  var toastTimer = null;
  function toast(message, isError) {
    var t = document.getElementById("toast");
    t.textContent = message;
    t.className = "toast" + (isError ? " error" : "");
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, isError ? 8000 : 2500);
  }
  function api(path, options) {
    options = options || {};
    var headers = { "X-Koepel-Tablet": "1", "Accept": "application/json" };
    if (options.body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(BASE + "api/" + path, {
      method: options.method || "GET", headers: headers, credentials: "same-origin", cache: "no-store",
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }
  function setOnline(value) {
    state.online = value;
    var net = document.getElementById("net");
    net.textContent = value ? L.online : L.offlineStatus;
    net.className = "net " + (value ? "on" : "off");
  }

  // --- unlocking offline: per-device PIN verifiers from the server (PBKDF2 + HMAC in Web Crypto) ---
  // The server sends, per staff member, the PBKDF2 salt and iterations and HMAC(device key,
  // PBKDF2(PIN)); the set is replaced at every sync and wiped when the device is revoked. Wrong
  // PINs count per device here too (kv "pinlock"), and are reported to the server at the next sync.
  function hexBytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return out;
  }
  function bytesHex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function pinBase(entry, pin) {
    var subtle = crypto.subtle;
    return subtle.importKey("raw", new TextEncoder().encode(pin), "PBKDF2", false, ["deriveBits"]).then(function (key) {
      return subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: hexBytes(entry.salt), iterations: entry.iterations }, key, 256);
    });
  }
  function offlineVerifier(pins, entry, pin) {
    return pinBase(entry, pin).then(function (bits) {
      return crypto.subtle.importKey("raw", hexBytes(pins.device_key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]).then(function (hkey) {
        return crypto.subtle.sign("HMAC", hkey, bits).then(function (sig) { state.proofBits = bits; return bytesHex(sig); });
      });
    });
  }
  // Registrations queued offline carry a proof that the staff member who unlocked the device
  // typed the PIN: HMAC(PBKDF2(PIN), device|staff|unlock time|client id|child|time). The PBKDF2
  // value stays in memory while the device is unlocked; the server, which knows it, checks the proof.
  function startProof(bits) {
    state.proofKey = null;
    state.unlockAt = new Date().toISOString();
    if (!bits) { return Promise.resolve(null); }
    return crypto.subtle.importKey("raw", bits, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]).then(function (key) {
      state.proofKey = key;
    }, function () { return null; });
  }
  function proofFromPin(userId, pin) {
    return kvGet("pins").then(function (pins) {
      var entry = pins && pins.staff && pins.staff[String(userId)];
      return entry ? pinBase(entry, pin) : null;
    }).then(startProof, function () { return startProof(null); });
  }
  function signItem(item) {
    if (!state.proofKey || !state.user) { return Promise.resolve(item); }
    item.staff_id = state.user.id;
    item.unlock_at = state.unlockAt;
    var message = [body.dataset.device, item.staff_id, item.unlock_at, item.client_id, item.child_id, item.at].join("|");
    return crypto.subtle.sign("HMAC", state.proofKey, new TextEncoder().encode(message)).then(function (sig) {
      item.staff_proof = bytesHex(sig);
      return item;
    }, function () { return item; });
  }
  function same(a, b) {
    if (!a || !b || a.length !== b.length) { return false; }
    var diff = 0;
    for (var i = 0; i < a.length; i++) { diff |= a.charCodeAt(i) ^ b.charCodeAt(i); }
    return diff === 0;
  }
  function pinLock() {
    return kvGet("pinlock").then(function (v) { return v || { failures: 0, until: 0, unreported: 0 }; });
  }
  function lockDeviceLocally(minutes) {
    return pinLock().then(function (lock) {
      lock.failures = 0;
      lock.until = Date.now() + minutes * 60000;
      return kvSet("pinlock", lock);
    });
  }
  function storePins(pins) {
    body.dataset.offlinePins = String(pins ? Object.keys(pins.staff || {}).length : 0);
    if (pins) { lockMinutesCache = pins.lock_minutes || 15; }
    if (!pins) { return tx("kv", "readwrite", function (s) { s.delete("pins"); }); }
    var done = kvSet("pins", pins);
    if (pins.locked_until) {   // locked on the server: locked offline as well
      var until = Date.parse(pins.locked_until);
      done = done.then(pinLock).then(function (lock) {
        if (until > lock.until) { lock.until = until; return kvSet("pinlock", lock); }
        return null;
      });
    }
    return done;
  }
  function wipeDevice() {
    // revoked or expired: forget the PIN verifiers, the staff and today's children (the queue stays)
    state.staff = [];
    return Promise.all([storePins(null), tx("kv", "readwrite", function (s) { s.delete("staff"); s.delete("today"); })])
      .then(function () {
        if (window.caches) { return caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); }); }
        return null;
      });
  }
  function refreshPins() {
    return api("pins").then(function (r) {
      if (r.ok) { return storePins(r.data); }
      if (r.status === 401 || r.status === 403) { return wipeDevice(); }
      return null;
    }, function () { return null; });
  }

  // --- lock screen -----------------------------------------------------------------------------
  function saveUnlock() {
    if (state.user) {
      sessionStorage.setItem("koepel-unlock", JSON.stringify({ user: state.user, t: state.lastActivity, d: body.dataset.device }));
    } else {
      sessionStorage.removeItem("koepel-unlock");
    }
  }
  function showLock() {
    state.user = null;
    state.proofKey = null;
    saveUnlock();
    document.getElementById("lock").hidden = false;
    document.getElementById("board").hidden = true;
    document.getElementById("lock-btn").hidden = true;
    document.getElementById("who").textContent = "";
    document.getElementById("pinpad").hidden = true;
    document.getElementById("staff").hidden = false;
    renderStaff();
  }
  function showBoard() {
    document.getElementById("lock").hidden = true;
    document.getElementById("board").hidden = false;
    document.getElementById("lock-btn").hidden = false;
    document.getElementById("who").textContent = state.user ? state.user.name : "";
    render();
  }
  function renderStaff() {
    var list = document.getElementById("staff");
    list.textContent = "";
    document.getElementById("no-staff").hidden = state.staff.length > 0;
    state.staff.forEach(function (person) {
      var button = el("button", { type: "button", "class": "person", "data-user": person.id }, person.name);
      button.addEventListener("click", function () {
        state.pinUser = person;
        state.pin = "";
        document.getElementById("pin-for").textContent = person.name;
        document.getElementById("pin-dots").textContent = "";
        document.getElementById("staff").hidden = true;
        document.getElementById("pinpad").hidden = false;
      });
      list.appendChild(button);
    });
  }
  function pinKey(key) {
    if (key === "clear") { state.pin = state.pin.slice(0, -1); }
    else if (key === "ok") { tryUnlock(); return; }
    else if (state.pin.length < 8) { state.pin += key; }
    document.getElementById("pin-dots").textContent = "•".repeat(state.pin.length);
  }
  function unlocked(user) {
    state.user = user;
    state.lastActivity = Date.now();
    state.pin = "";
    saveUnlock();
    showBoard();
  }
  function clearPin() {
    state.pin = "";
    document.getElementById("pin-dots").textContent = "";
  }
  function tryUnlock() {
    var person = state.pinUser, pin = state.pin;
    if (!person || !pin) { return; }
    function offlineUnlock() {
      return Promise.all([kvGet("pins"), pinLock()]).then(function (r) {
        var pins = r[0], lock = r[1];
        clearPin();
        if (pins && pins.expires_at && Date.parse(pins.expires_at) <= Date.now()) {   // expired pairing, even offline
          toast(L.expired, true);
          return wipeDevice();
        }
        if (lock.until > Date.now()) { toast(L.deviceLocked, true); return null; }
        var entry = pins && pins.staff && pins.staff[String(person.id)];
        if (!entry) { toast(L.offlineUnlock, true); return null; }
        return offlineVerifier(pins, entry, pin).then(function (v) {
          if (same(v, entry.verifier)) {
            lock.failures = 0;
            var bits = state.proofBits;
            state.proofBits = null;
            return Promise.all([kvSet("pinlock", lock), startProof(bits)]).then(function () { unlocked(person); });
          }
          state.proofBits = null;
          lock.failures += 1;
          lock.unreported = (lock.unreported || 0) + 1;
          if (lock.failures >= (pins.max_failures || 5)) {
            lock.failures = 0;
            lock.until = Date.now() + (pins.lock_minutes || 15) * 60000;
            toast(L.deviceLocked, true);
          } else {
            toast(L.wrongPin, true);
          }
          return kvSet("pinlock", lock);
        });
      });
    }
    if (!state.online) { offlineUnlock(); return; }
    api("unlock", { method: "POST", body: { user_id: person.id, pin: pin } }).then(function (r) {
      if (r.ok) {
        pinLock().then(function (lock) { lock.failures = 0; lock.until = 0; return kvSet("pinlock", lock); }).then(refreshPins)
          .then(function () { return proofFromPin(r.data.user.id, pin); });
        unlocked(r.data.user);
      } else {
        if (r.data.error === "device_locked") { lockDeviceLocally(pinLockMinutes()); }
        if (r.status === 403) { wipeDevice(); }
        toast(r.data.message || L.wrongPin, true);
        clearPin();
      }
    }, function () { setOnline(false); offlineUnlock(); });
  }
  function pinLockMinutes() { return lockMinutesCache; }

  // --- the children --------------------------------------------------------------------------
  function statusText(child) {
    if (child.status === "present") { return L.present + " " + child.arrived_at + (child.pending ? " (" + L.offline + ")" : ""); }
    if (child.status === "left") { return L.left + " " + child.departed_at + (child.pending ? " (" + L.offline + ")" : ""); }
    if (child.status === "absent") { return L.absent + (child.absence ? " · " + child.absence : ""); }
    if (child.status === "expected") { return L.expected + (child.planned ? " " + child.planned : ""); }
    return L.other;
  }
  function render() {
    if (!state.today) { return; }
    var list = document.getElementById("children");
    list.textContent = "";
    document.getElementById("today").textContent = state.today.day.split("-").reverse().join("/");
    state.today.children.forEach(function (child) {
      var li = el("li", { "class": "child status-" + child.status, "data-child": child.id });
      var main = el("button", { type: "button", "class": "tile", "data-action": "tap" });
      main.appendChild(el("span", { "class": "avatar", "aria-hidden": true }, child.initials));
      var text = el("span", { "class": "text" });
      text.appendChild(el("span", { "class": "name" }, child.first_name + " " + child.last_name));
      text.appendChild(el("span", { "class": "state" }, statusText(child)));
      if (child.own_child) { text.appendChild(el("span", { "class": "tag" }, L.own)); }
      if (child.confirmed) { text.appendChild(el("span", { "class": "tag ok" }, L.confirmed)); }
      var verb = child.status === "present" ? L.depart : (child.status === "left" ? "" : L.arrive);
      if (verb) { text.appendChild(el("span", { "class": "verb" }, verb)); }
      main.appendChild(text);
      main.addEventListener("click", function () { tap(child); });
      li.appendChild(main);
      var extra = el("div", { "class": "extra" });
      if (child.status === "expected" || child.status === "absent") {
        var absent = el("button", { type: "button", "class": "secondary", "data-action": "absence" }, L.absence);
        absent.addEventListener("click", function () { openAbsence(child); });
        extra.appendChild(absent);
      }
      if (child.status === "left" && !child.confirmed) {
        var confirm = el("button", { type: "button", "class": "secondary", "data-action": "confirm" }, L.confirm);
        confirm.addEventListener("click", function () { openConfirm(child); });
        extra.appendChild(confirm);
      }
      li.appendChild(extra);
      list.appendChild(li);
    });
    document.getElementById("empty").hidden = state.today.children.length > 0;
    var n = { present: 0, expected: 0, left: 0, absent: 0 };
    state.today.children.forEach(function (c) { if (n[c.status] !== undefined) { n[c.status] += 1; } });
    document.getElementById("summary").textContent = L.summary.replace("__P__", n.present)
      .replace("__E__", n.expected).replace("__L__", n.left).replace("__A__", n.absent);
  }
  function findChild(id) {
    var all = state.today.children;
    for (var i = 0; i < all.length; i++) { if (all[i].id === id) { return all[i]; } }
    return null;
  }
  function applyLocal(item, serverTime) {
    var child = findChild(item.child_id);
    if (!child) {
      var other = (state.today.others || []).filter(function (o) { return o.id === item.child_id; })[0];
      if (!other) { return; }
      child = { id: other.id, first_name: other.first_name, last_name: other.last_name, initials: other.initials,
                own_child: other.own_child, expected: false, planned: "", status: "other", confirmed: false };
      state.today.children.push(child);
      state.today.others = state.today.others.filter(function (o) { return o.id !== other.id; });
    }
    var time = serverTime || hhmm(new Date(item.at));
    if (item.type === "event" && item.kind === "arrival") { child.status = "present"; child.arrived_at = time; child.departed_at = null; }
    if (item.type === "event" && item.kind === "departure") { child.status = "left"; child.departed_at = time; }
    if (item.type === "absence") { child.status = "absent"; child.absence = item.kind === "auto" ? "" : item.kind; }
    if (item.type === "confirmation") { child.confirmed = true; }
    child.pending = !serverTime;
    kvSet("today", state.today);
    render();
  }
  function touch() { state.lastActivity = Date.now(); saveUnlock(); }

  function submit(item, onlinePath, onlineBody) {
    touch();
    if (!state.online) { return enqueue(item); }
    return api(onlinePath, { method: "POST", body: onlineBody }).then(function (r) {
      if (r.ok) {
        applyLocal(item, r.data.time || hhmm(new Date()));
        toast(L.saved);
        if (onlinePath === "register" && r.data.status === "accepted") { offerUndo(item.client_id); }
      } else if (r.status === 401 && r.data.error === "locked") {
        toast(r.data.message, true);
        showLock();
      } else {
        toast(r.data.message || "?", true);   // refused: a clear message, nothing queued
      }
    }, function () {
      setOnline(false);
      return enqueue(item);
    });
  }
  // --- undo: the last tap of this tablet, for a short while (undo_seconds) -------------------------
  var undoTimer = null, undoId = null;
  function offerUndo(clientId) {
    var button = document.getElementById("undo-btn");
    undoId = clientId;
    button.hidden = false;
    clearTimeout(undoTimer);
    undoTimer = setTimeout(function () { button.hidden = true; undoId = null; },
                           ((state.today && state.today.undo_seconds) || 60) * 1000);
  }
  function undoLast() {
    var button = document.getElementById("undo-btn");
    if (!undoId) { button.hidden = true; return; }
    touch();
    var clientId = undoId;
    undoId = null;
    button.hidden = true;
    api("undo", { method: "POST", body: { client_id: clientId } }).then(function (r) {
      if (r.ok) { toast(L.undone); return refresh(); }
      toast(r.data.message || "?", true);
      return null;
    }, function () { setOnline(false); });
  }
  function enqueue(item) {
    item.offline = true;
    return signItem(item).then(queueAdd).then(function () {
      applyLocal(item, null);
      updateQueueCount();
    });
  }
  function tap(child) {
    if (child.status === "left") { return; }
    var kind = child.status === "present" ? "departure" : "arrival";
    var item = { type: "event", client_id: uuid(), child_id: child.id, kind: kind, at: new Date().toISOString(), staff_id: state.user && state.user.id };
    submit(item, "register", { client_id: item.client_id, child_id: child.id, kind: kind });
  }

  // --- dialogs -------------------------------------------------------------------------------
  function openDialog(id) { var d = document.getElementById(id); if (d.showModal) { d.showModal(); } else { d.setAttribute("open", ""); } return d; }
  function closeDialog(d) { if (d.close) { d.close(); } else { d.removeAttribute("open"); } }
  Array.prototype.forEach.call(document.querySelectorAll("dialog .close"), function (b) {
    b.addEventListener("click", function () { closeDialog(b.closest("dialog")); });
  });
  function openAbsence(child) {
    var dialog = openDialog("absence-dialog");
    document.getElementById("absence-title").textContent = L.absenceTitle + " " + child.first_name;
    var box = document.getElementById("absence-options");
    box.textContent = "";
    var options = [["auto", "", L.auto]];
    (state.today.reasons || []).forEach(function (r) { options.push(["gerechtvaardigd", r, r]); });
    options.push(["ongerechtvaardigd", "", L.unjustified], ["sluiting", "", L.closing]);
    options.forEach(function (o) {
      var b = el("button", { type: "button", "data-kind": o[0], "data-reason": o[1] }, o[2]);
      b.addEventListener("click", function () {
        closeDialog(dialog);
        var item = { type: "absence", client_id: uuid(), child_id: child.id, kind: o[0], reason: o[1], at: new Date().toISOString(), staff_id: state.user && state.user.id };
        submit(item, "absence", { client_id: item.client_id, child_id: child.id, kind: o[0], reason: o[1] });
      });
      box.appendChild(b);
    });
  }
  var confirmChild = null;
  function openConfirm(child) {
    confirmChild = child;
    openDialog("confirm-dialog");
    document.getElementById("confirm-title").textContent = L.confirmTitle + " " + child.first_name;
    document.getElementById("confirm-name").value = "";
    document.getElementById("confirm-name").focus();
  }
  function sendConfirm(kind) {
    var name = document.getElementById("confirm-name").value.trim();
    if (name.length < 2) { document.getElementById("confirm-name").focus(); return; }
    closeDialog(document.getElementById("confirm-dialog"));
    var item = { type: "confirmation", client_id: uuid(), child_id: confirmChild.id, kind: kind, confirmed_by: name, at: new Date().toISOString() };
    submit(item, "confirm", { client_id: item.client_id, child_id: confirmChild.id, kind: kind, confirmed_by: name });
  }
  document.getElementById("confirm-pickup").addEventListener("click", function () { sendConfirm("pickup"); });
  document.getElementById("confirm-week").addEventListener("click", function () { sendConfirm("week"); });
  document.getElementById("add-other").addEventListener("click", function () {
    var dialog = openDialog("others-dialog");
    var list = document.getElementById("others");
    list.textContent = "";
    (state.today.others || []).forEach(function (o) {
      var b = el("button", { type: "button", "class": "tile", "data-child": o.id });
      b.appendChild(el("span", { "class": "avatar", "aria-hidden": true }, o.initials));
      b.appendChild(el("span", { "class": "name" }, o.first_name + " " + o.last_name));
      b.addEventListener("click", function () {
        closeDialog(dialog);
        var item = { type: "event", client_id: uuid(), child_id: o.id, kind: "arrival", at: new Date().toISOString(), staff_id: state.user && state.user.id };
        submit(item, "register", { client_id: item.client_id, child_id: o.id, kind: "arrival" });
      });
      var li = el("li", { "class": "child" });
      li.appendChild(b);
      list.appendChild(li);
    });
  });

  // --- queue and sync ------------------------------------------------------------------------
  function updateQueueCount() {
    return queueAll().then(function (items) {
      var q = document.getElementById("queue");
      q.dataset.count = String(items.length);
      q.textContent = items.length === 0 ? "" : (items.length === 1 ? q.dataset.one : q.dataset.template.replace("__N__", items.length));
      return items.length;
    });
  }
  function sync() {
    if (syncing || !state.online) { return Promise.resolve(); }
    syncing = true;
    return Promise.all([queueAll(), pinLock()]).then(function (got) {
      var items = got[0], lock = got[1], reported = lock.unreported || 0;
      if (!items.length && !reported) { return null; }
      var batch = items.slice(0, 100);
      return api("sync", { method: "POST", body: { items: batch, pin_failures: reported } }).then(function (r) {
        if (!r.ok) {
          if (r.status === 401 || r.status === 403) { toast(r.data.message || L.notPaired, true); if (r.status === 403) { return wipeDevice(); } }
          return null;
        }
        var reportedDone = reported ? pinLock().then(function (now) {
          now.unreported = Math.max(0, (now.unreported || 0) - reported);
          return kvSet("pinlock", now);
        }) : Promise.resolve();
        var done = [];
        var byId = {};
        r.data.results.forEach(function (res) { if (res.client_id) { byId[res.client_id] = res; } });
        batch.forEach(function (item) {
          var res = byId[item.client_id];
          if (!res) { return; }
          done.push(item.seq);   // the server has it (accepted, duplicate, or stored as refused for the director)
          if (res.status === "rejected") { toast(L.rejected + " " + (res.message || ""), true); }
        });
        return reportedDone.then(function () { return queueDelete(done); }).then(function () { return refresh(); });
      });
    }).then(function () { syncing = false; return updateQueueCount(); }, function () { syncing = false; setOnline(false); });
  }

  // --- data ----------------------------------------------------------------------------------
  function refresh() {
    return Promise.all([api("today"), api("staff"), refreshPins()]).then(function (r) {
      var today = r[0], staff = r[1];
      setOnline(navigator.onLine);   // the browser may have gone offline while the answers were on their way
      if (today.status === 401 || today.status === 403) {
        toast(today.data.message || L.notPaired, true);
        return today.status === 403 ? wipeDevice() : null;
      }
      if (staff.ok) {
        state.staff = staff.data.staff;
        kvSet("staff", state.staff);
        if (!state.user) { renderStaff(); }
      }
      if (!today.ok) { return null; }
      return queueAll().then(function (pending) {
        state.today = today.data;
        pending.forEach(function (item) { applyLocal(item, null); });   // still waiting: keep showing it
        kvSet("today", state.today);
        render();
      });
    }, function () { setOnline(false); });
  }

  // --- start -----------------------------------------------------------------------------------
  document.querySelectorAll(".key").forEach(function (b) { b.addEventListener("click", function () { pinKey(b.dataset.key); }); });
  document.getElementById("pin-cancel").addEventListener("click", showLock);
  document.getElementById("undo-btn").addEventListener("click", undoLast);
  document.getElementById("lock-btn").addEventListener("click", function () {
    if (state.online) { api("lock", { method: "POST", body: {} }).catch(function () {}); }
    showLock();
  });
  ["click", "touchstart", "keydown"].forEach(function (name) {
    document.addEventListener(name, function () { if (state.user) { touch(); } }, { passive: true });
  });
  setInterval(function () {
    if (state.user && Date.now() - state.lastActivity > LOCK_MS) { showLock(); }
  }, 5000);
  window.addEventListener("online", function () { setOnline(true); refreshPins().then(sync); });
  window.addEventListener("offline", function () { setOnline(false); });
  setInterval(function () { if (navigator.onLine) { if (!state.online) { setOnline(true); } sync(); } }, 10000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(BASE + "sw.js", { scope: BASE }).catch(function () {});
  }
  setOnline(navigator.onLine);
  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem("koepel-unlock") || "null"); } catch (e) { saved = null; }
  Promise.all([kvGet("today"), kvGet("staff"), kvGet("pins")]).then(function (cached) {
    if (cached[2]) { lockMinutesCache = cached[2].lock_minutes || 15; body.dataset.offlinePins = String(Object.keys(cached[2].staff || {}).length); }
    if (cached[1]) { state.staff = cached[1]; }
    if (cached[0]) { state.today = cached[0]; }
    if (saved && saved.d === body.dataset.device && Date.now() - saved.t < LOCK_MS) {
      state.user = saved.user; state.lastActivity = saved.t; showBoard();
    } else {
      showLock();
    }
    updateQueueCount();
    body.dataset.ready = "1";
    if (navigator.onLine) { return refresh().then(sync); }
  }).then(function () { if (state.user) { render(); } else { renderStaff(); } });
})();
