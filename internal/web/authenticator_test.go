package web

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// authenticator is a passkey authenticator in software, as a phone's or a
// laptop's is in hardware: one P-256 key, kept with the site's RP ID and the
// user handle it was made for, signing challenges with user presence and
// verification and a rising sign count. With it the tests go through both
// WebAuthn ceremonies against the real server code, no browser needed.
type authenticator struct {
	t          testing.TB
	key        *ecdsa.PrivateKey
	credID     []byte
	rpID       string
	userHandle []byte
	count      uint32
	// origin is what the browser would put in the client data.
	origin string
}

func newAuthenticator(t testing.TB) *authenticator {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &authenticator{t: t, key: key, credID: id, origin: "http://example.com"}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// serverOptions is what the server sends for either ceremony.
type serverOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		RPID string `json:"rpId"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func (a *authenticator) options(body []byte) serverOptions {
	a.t.Helper()
	var o serverOptions
	if err := json.Unmarshal(body, &o); err != nil || o.PublicKey.Challenge == "" {
		a.t.Fatalf("passkey options: %v: %s", err, body)
	}
	return o
}

// clientData is the browser's part of what is signed.
func (a *authenticator) clientData(kind, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": kind, "challenge": challenge, "origin": a.origin, "crossOrigin": false})
	return b
}

// authData is the authenticator's part: the RP ID's hash, the flags (user
// present and verified) and the sign count, then what is attested.
func (a *authenticator) authData(flags protocol.AuthenticatorFlags, attested []byte) []byte {
	rp := sha256.Sum256([]byte(a.rpID))
	out := append(rp[:], byte(flags|protocol.FlagUserPresent|protocol.FlagUserVerified))
	out = binary.BigEndian.AppendUint32(out, a.count)
	return append(out, attested...)
}

// create answers creation options as navigator.credentials.create does
// with a "none" attestation, and returns the JSON passkeys.js would send.
func (a *authenticator) create(options []byte) string {
	a.t.Helper()
	o := a.options(options)
	a.rpID = o.PublicKey.RP.ID
	handle, err := base64.RawURLEncoding.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		a.t.Fatalf("user handle %q: %v", o.PublicKey.User.ID, err)
	}
	a.userHandle = handle
	cose, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1, // P-256
		XCoord:        a.key.X.FillBytes(make([]byte, 32)),
		YCoord:        a.key.Y.FillBytes(make([]byte, 32)),
	})
	if err != nil {
		a.t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(a.credID)))
	attested = append(append(attested, a.credID...), cose...)
	object, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(protocol.FlagAttestedCredentialData, attested)})
	if err != nil {
		a.t.Fatal(err)
	}
	return a.answer(map[string]any{
		"clientDataJSON":    b64(a.clientData("webauthn.create", o.PublicKey.Challenge)),
		"attestationObject": b64(object),
		"transports":        []string{"internal"},
	}, map[string]any{"credProps": map[string]any{"rk": true}})
}

// get answers request options as navigator.credentials.get does: the sign
// count goes up by one, and the challenge is signed with the key.
func (a *authenticator) get(options []byte) string {
	a.t.Helper()
	o := a.options(options)
	if o.PublicKey.RPID != a.rpID {
		a.t.Fatalf("sign-in for RP ID %q, the passkey is for %q", o.PublicKey.RPID, a.rpID)
	}
	a.count++
	return a.sign(o.PublicKey.Challenge)
}

// sign signs a challenge at the current count.
func (a *authenticator) sign(challenge string) string {
	a.t.Helper()
	data := a.authData(0, nil)
	client := a.clientData("webauthn.get", challenge)
	hash := sha256.Sum256(client)
	digest := sha256.Sum256(append(append([]byte{}, data...), hash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		a.t.Fatal(err)
	}
	return a.answer(map[string]any{
		"clientDataJSON":    b64(client),
		"authenticatorData": b64(data),
		"signature":         b64(sig),
		"userHandle":        b64(a.userHandle),
	}, map[string]any{})
}

func (a *authenticator) answer(response, extensions map[string]any) string {
	b, err := json.Marshal(map[string]any{
		"id": b64(a.credID), "rawId": b64(a.credID), "type": "public-key", "authenticatorAttachment": "platform",
		"response": response, "clientExtensionResults": extensions,
	})
	if err != nil {
		a.t.Fatal(err)
	}
	return string(b)
}
