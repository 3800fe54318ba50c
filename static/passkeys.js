// Passkeys: add one on the account page, sign in with one on the sign-in
// page. The server keeps each challenge and verifies every answer; this only
// carries them between the server (JSON, bytes as base64url) and the
// browser's WebAuthn API (ArrayBuffers). Without WebAuthn the passkey
// controls stay hidden and the password forms work as ever.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) return;

  function fromBase64url(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buf) {
    if (!buf) return undefined;
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withBytes(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: fromBase64url(c.id) }); });
  }

  // creationOptions and requestOptions turn the server's options into what
  // navigator.credentials.create and get take.
  function creationOptions(o) {
    var pk = Object.assign({}, o.publicKey);
    pk.challenge = fromBase64url(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: fromBase64url(pk.user.id) });
    pk.excludeCredentials = withBytes(pk.excludeCredentials);
    return { publicKey: pk };
  }

  function requestOptions(o) {
    var pk = Object.assign({}, o.publicKey);
    pk.challenge = fromBase64url(pk.challenge);
    pk.allowCredentials = withBytes(pk.allowCredentials);
    return { publicKey: pk };
  }

  // credentialJSON is a PublicKeyCredential as the server reads it.
  function credentialJSON(c) {
    var r = c.response;
    var response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      response.userHandle = toBase64url(r.userHandle);
    }
    return {
      id: c.id,
      rawId: toBase64url(c.rawId),
      type: c.type,
      authenticatorAttachment: c.authenticatorAttachment || undefined,
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
      response: response
    };
  }

  // post sends JSON to the server and returns its answer; a problem
  // document's detail becomes the error's message.
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (doc) {
        if (!resp.ok) throw new Error(doc.detail || "Something went wrong on our side. Please try again in a moment.");
        return doc;
      });
    });
  }

  // say explains a failure in the page, for everyone and screen readers.
  function say(el, err) {
    var msg = err && err.message ? err.message : String(err);
    switch (err && err.name) {
      case "NotAllowedError":
      case "AbortError":
        msg = "The passkey was not used: the request was canceled or timed out.";
        break;
      case "InvalidStateError":
        msg = "This device already holds a passkey for your account.";
        break;
      case "SecurityError":
        msg = "Passkeys cannot be used on this address of the site.";
        break;
      case "NotSupportedError":
        msg = "This device cannot make a passkey.";
        break;
    }
    el.textContent = msg;
    el.hidden = false;
  }

  // run does one passkey step with its button disabled meanwhile.
  function run(button, errorEl, step) {
    errorEl.hidden = true;
    errorEl.textContent = "";
    button.disabled = true;
    step().then(function (doc) {
      location.assign(doc._links.account ? doc._links.account.href : doc._links.next.href);
    }).catch(function (err) {
      button.disabled = false;
      say(errorEl, err);
    });
  }

  function addPasskey(form) {
    var button = form.querySelector("button");
    var errorEl = document.getElementById("passkey-add-error");
    var name = form.querySelector('input[name="name"]').value;
    run(button, errorEl, function () {
      return post("/account/passkeys/challenges", { name: name }).then(function (options) {
        return navigator.credentials.create(creationOptions(options));
      }).then(function (cred) {
        return post("/account/passkeys/commands/add", { credential: credentialJSON(cred) });
      });
    });
  }

  function signIn(button) {
    var errorEl = document.getElementById("passkey-sign-in-error");
    var next = document.querySelector('input[name="next"]');
    run(button, errorEl, function () {
      return post("/account/sign-in/passkey/challenges", {}).then(function (options) {
        return navigator.credentials.get(requestOptions(options));
      }).then(function (cred) {
        return post("/account/sign-in/passkey", { credential: credentialJSON(cred), next: next ? next.value : "" });
      });
    });
  }

  function start() {
    document.querySelectorAll("[data-passkeys]").forEach(function (el) { el.hidden = false; });
    var form = document.getElementById("passkey-add");
    if (form) {
      form.addEventListener("submit", function (e) { e.preventDefault(); addPasskey(form); });
    }
    var button = document.getElementById("passkey-sign-in");
    if (button) {
      button.addEventListener("click", function () { signIn(button); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
