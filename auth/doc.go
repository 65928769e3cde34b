// Package auth is the credential layer of service nodes: it turns a bot's
// auth_profiles (bot.yaml) into credentials on outgoing requests, obtains
// and refreshes OAuth tokens, keeps them encrypted in the session store, and
// serves the OAuth callback that completes an end user's in-chat sign-in.
//
// # Profiles
//
// A [Profile] is one auth_profiles entry; dialog's strict decoder reads it
// through its yaml tags. Kinds: oauth2 (authorization code with PKCE S256),
// oauth2_password (password + security token), oauth2_jwt_bearer (RS256
// assertion, iss = client_id, sub = username, aud = audience),
// oauth2_client_credentials, basic, api_key, bearer and none. Every secret
// is a [SecretRef] ({env: NAME} or {file: PATH}); a literal is refused with
// [ErrLiteralSecret]. The salesforce: {login: …} preset fills the OAuth
// endpoints from a login host (production, sandbox, a My Domain, or sfsim on
// a loopback address) and makes the token response's instance_url the
// profile's base URL. [Profile.Validate] checks a profile without reading
// secrets. Every grant goes through golang.org/x/oauth2 (its jwt and
// clientcredentials packages for those grants).
//
// Mode pre_authorized keeps one token per bot and profile: the password,
// JWT and client-credentials kinds fetch it on first use; an oauth2 profile
// uses the token an administrator stored with [Manager.AdminAuthURL] and the
// callback. Mode per_user (oauth2 only) keeps one token per bot, user and
// profile; without one, Apply returns a *nodes.AuthorizationRequiredError
// whose URL is the authorize link (the hop below), and the service node
// parks.
//
// # Wiring
//
//	kr, _ := auth.KeyringFromSecrets([]byte(os.Getenv("BOT_SECRET_KEY")))
//	m, err := auth.NewManager("acme", profiles, store, auth.Options{PublicURL: "https://bots.example.com", Keyring: kr})
//	env.Auth = m // nodes.Authorizer, nodes.Refresher, nodes.BaseURLer
//	mux.Handle("GET /oauth/start", auth.Start(managerOf, auth.OnRefused(count)))
//	mux.Handle("GET /oauth/callback", auth.Callback(managerOf, resume, auth.OnDenied(denied), auth.OnRefused(count)))
//
// The redirect URI to register with the provider is [Manager.CallbackURL]:
// the public URL + /oauth/callback; links point at [Manager.StartURL], the
// public URL + /oauth/start. Both handlers refuse requests on any other
// path, and states minted for another redirect URI.
//
// # The authorize link
//
// The OAuth state is base64url(bot) "." followed by 32 random bytes. The
// random part is the key (hashed) of a sealed record in the store holding
// the session, user, profile, node, PKCE verifier and redirect URI, valid
// for Options.StateTTL (10 minutes).
//
// The link sent to the user is the first-party hop [Start] with the state
// (PublicURL/oauth/start?state=…). The hop binds the link to the first
// browser that opens it: it sets a random, HttpOnly, SameSite=Lax cookie
// (Secure and __Secure- on https, path /oauth/, as long-lived as the link),
// stores the cookie's digest in the state record, and redirects to the
// provider's authorize URL. The same browser may open it again; another
// one gets 403 (StateOpenedElsewhere).
//
// The callback takes the state under a store lease on the nonce, so it is
// single use across processes: a replay gets "already used", a late click
// "expired", a forged or foreign state "not valid" (all status 400). A
// callback without the link's binding cookie, or with another value, gets
// 403 (StateUnbound, StateWrongBinding) and consumes nothing, so the
// browser that opened the link can still finish. error=access_denied
// shows a page and calls the OnDenied hook. On success the token is
// stored, the cookie deleted, a self-closing page sent, and
// onAuthorized(bot, session, user) lets the runtime resume the parked
// node, wherever the user's socket is. OnRefused reports every refusal of
// either handler with a reason from a small fixed set (for a metric).
//
// # Tokens at rest
//
// Tokens and states are sealed with AES-256-GCM under the [Keyring]'s
// current key (derived with HKDF-SHA256 from a secret such as
// BOT_SECRET_KEY); each value carries the key's id, so old keys can stay in
// the ring for reading while new values use the new key, and values read
// with an old key are rewritten. The store key is the GCM additional data:
// a value copied to another user's, bot's or profile's slot does not
// decrypt. Store keys carry the bot and profile names and a digest of the
// user id:
//
//	auth:tok:<bot>:<profile>:u<digest>   a user's token (TTL UserTokenTTL)
//	auth:tok:<bot>:<profile>:@bot        the bot's token (pre_authorized)
//	auth:state:<bot>:<digest of nonce>   an authorize link's state
//	auth:status:<bot>:<profile>          "degraded" after a refused credential
//
// Tokens, secrets, codes, verifiers, states and session ids are never
// logged, at any level.
//
// # Refresh
//
// Salesforce returns no expiry, so a token is used until a call gets 401;
// the service node then calls [Manager.Refresh] and retries once. Refresh
// renews the token the turn's Apply sent unless another turn already did:
// concurrent turns of one bot, user and profile share one refresh in a
// process, and across processes the refresh runs under a store lease
// ("authrefresh:<bot>:<user>:<profile>") after which the stored token is
// read again. When the provider refuses the refresh (invalid_grant), a
// per_user token is deleted and Refresh returns a new authorize link; a
// pre_authorized profile is marked degraded ([Manager.Status]), logged at
// error level, and Refresh returns an error wrapping [ErrAdminReconnect].
//
// [Manager.Revoke] posts the token to the revoke endpoint and deletes it.
package auth
