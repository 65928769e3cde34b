// Package sfsim is a Salesforce emulator: one in-memory org that answers the
// OAuth, REST data, SOQL/SOSL and SOAP calls dialogd makes the way
// Salesforce does, for tests (as a library) and demos (cmd/sfsim).
//
// The specification is /work/shared/reference/salesforce-api.md; status
// codes, JSON shapes, error codes and messages follow it. Where it says
// UNCONFIRMED, the choices sfsim makes are listed at the end of this comment.
//
// # Use in tests
//
//	s, err := sfsim.New()                 // built-in demo org (demo.yaml)
//	ts := httptest.NewServer(s)            // OAuth, data API and SOAP on one origin
//	g, err := s.IssueToken("demo@dialogd.example")
//	// call ts.URL+"/services/data/v62.0/..." with "Authorization: Bearer "+g.AccessToken
//
// Options: [WithFixture] (seed from a [Fixture], see [LoadFixture] and
// [ParseFixture]), [WithClock] (expiry tests), [WithDataFile] (persistence;
// [Server.Save], [Server.SaveIfChanged], [Server.Close]) and [WithMyDomain].
// [Server.Credentials] gives the password-flow credentials of the org.
//
// # Endpoints
//
//   - /services/oauth2/{authorize,token,revoke,userinfo}, /id/<org>/<user>:
//     OAuth 2.0 (oauth*.go, jwt*.go, pages*.go).
//   - /services/Soap/u/NN.N: partner SOAP login and convertLead (soap*.go).
//   - /services/data/: versions (v20.0 … v67.0), the version resource map,
//     sobjects (global and per-object describe, basic info, create, read,
//     update, delete, upsert and read/delete by external id), query, queryAll
//     and query/{locator} paging (Sforce-Query-Options: batchSize),
//     search (SOSL), parameterizedSearch, composite, composite/sobjects
//     (create, update, upsert, delete, retrieve) and limits. Every
//     authenticated data response carries Sforce-Limit-Info.
//   - /services/apexrest/dialogd/presence: the Apex REST class dialogd
//     ships for Omni-Channel presence (docs/salesforce/DialogdPresence.cls),
//     as if installed (apexrest.go): POST {"userId","status"} sets the
//     user's status by DeveloperName, GET ?userId= reads it. Apex REST
//     calls are authenticated, counted and faulted like data calls.
//   - /__sim__/: the emulator-only control API (see serveControl in
//     control.go): fault injection, latency, token expiry and revocation,
//     user deactivation, Omni-Channel presence, outages, the request log.
//
// # Fault injection and inspection (Go API)
//
// [Server.FailNext] (503 SERVER_UNAVAILABLE, 403 REQUEST_LIMIT_EXCEEDED, 400
// UNABLE_TO_LOCK_ROW for the next N data calls, optionally by path prefix),
// [Server.SetDown] (an outage of unknown length: every call 503 until
// lifted), [Server.SetLatency], [Server.ClearFaults],
// [Server.ExpireAccessTokens], [Server.ExpireTokensAfter] (a token expiry at
// an exact point of a sync, e.g. between two query pages; query cursors
// outlive it), [Server.RevokeRefreshTokens], [Server.SetUserActive],
// [Server.SetPresence], [Server.CurrentPresence],
// [Server.SetAPIUsage], [Server.SetDailyAPILimit], [Server.APIUsage],
// [Server.Requests], [Server.ResetRequests], [Server.RunQuery].
//
// # Seeding records with past timestamps
//
// [Server.SeedRecords] inserts records (validated like a REST create,
// duplicate rules off, all or nothing) whose CreatedDate, LastModifiedDate
// and SystemModstamp are a given time instead of the clock's, and
// [Server.TouchRecords] moves the modification stamps of existing records:
// fixtures for imports that take "what changed in the last year" and then
// "what changed since the last run". Like Salesforce, sfsim never holds a
// Lead or Contact without LastName nor an Account without Name, so a
// record "without a name" is one whose name is a placeholder:
// [NamePlaceholder] ("[not provided]", what Web-to-Lead stores for a blank
// required field) or only spaces and punctuation. An importer that keeps
// "only records that have a name" skips those.
//
// # Objects
//
// Lead, Contact, Account, Opportunity, Case, Task, Campaign (full CRUD);
// User and LeadStatus (read and query only); ServicePresenceStatus (CRUD);
// UserServicePresence (query, read and delete only, as in Salesforce: REST
// DML gets 405; rows are created by [Server.SetPresence], the control
// endpoint and the Apex REST class). A fixture may add custom fields (name ending in
// __c), for example an external id for upsert. Records are indexed on Id
// and on Email, Phone and external-id fields.
//
// # Choices where the specification is silent or UNCONFIRMED
//
// Core and REST (engineer A):
//   - Object names in URLs are matched case-insensitively; responses use the
//     canonical names. Field names in bodies are case-insensitive too.
//   - Ids are the key prefix, "Rk" and a ten-digit base-62 serial; the API
//     returns 18-character ids and accepts 15- or 18-character ones, the
//     latter in any case.
//   - A read, update or delete of a well-formed id that does not exist gives
//     404 NOT_FOUND "The requested resource does not exist" (not
//     INVALID_CROSS_REFERENCE_KEY); a deleted record gives 404
//     ENTITY_IS_DELETED.
//   - A reference field naming an id of the wrong object type (or not an id)
//     gives 400 MALFORMED_ID "<Label>: id value of incorrect type: <v>"; a
//     well-typed id of a record that does not exist gives 400
//     INVALID_CROSS_REFERENCE_KEY "invalid cross reference id".
//   - An unknown field in a create/update body gives INVALID_FIELD "No such
//     column 'f' on sobject of type X"; in fields= lists and SOQL the longer
//     "No such column 'f' on entity 'X'. If you are attempting to use a custom
//     field, …" wording. Read-only fields give
//     INVALID_FIELD_FOR_INSERT_UPDATE "Unable to create/update fields: F. …".
//   - Wrongly typed values give JSON_PARSER_ERROR "Cannot deserialize
//     instance of <type> from <JSON kind> value <v> …"; syntax errors
//     "Unexpected character in JSON body at [line:l, column:c]".
//   - A GET of a record without fields= returns every field, unset ones as
//     null, in describe order after "attributes". Numbers are JSON numbers.
//   - Objects that cannot be written answer 405 METHOD_NOT_ALLOWED "HTTP
//     Method 'POST' not allowed. Allowed are GET, HEAD".
//   - Upsert: ?updateOnly=true (v61+) with no match gives 404 NOT_FOUND. The
//     Id field works as an external id: PATCH …/X/Id/<id> updates an existing
//     record and 404s otherwise; POST …/X/Id (v37+) inserts. Several matches
//     give 300 with the record URLs. sObject Collections upsert with several
//     matches gives DUPLICATE_EXTERNAL_ID for that record.
//   - Stock picklists and defaults: Lead.Status (restricted, default "Open -
//     Not Contacted"), Case.Status (restricted, "New"), Case.Priority
//     ("Medium"), Task.Status (restricted, "Not Started"), Task.Priority
//     (restricted, "Normal"), Opportunity.StageName (restricted, required).
//     CaseNumber counts up from 00001001. Deleting an Account does not
//     cascade.
//   - Duplicate rules match one field exactly, case-insensitively, against
//     live records; the rule is Standard_<Object>_Duplicate_Rule, the match
//     rule Standard_<Object>_Match_Rule_v1_1, the engine FuzzyMatchEngine,
//     confidence 100. Custom fields with unique: true give DUPLICATE_VALUE.
//   - Access tokens expire a fixed session timeout after issue (not sliding).
//     Tokens of inactive users are refused like expired ones.
//   - The daily API count covers every authenticated data call, faulted
//     ones included, a composite request counting once; it resets when the
//     server clock's UTC date changes. Calls refused with 401 or 403
//     REQUEST_LIMIT_EXCEEDED are not counted. Sforce-Limit-Info carries only
//     api-usage. GET /services/data/ needs no token and is not counted.
//   - Query paging: batch size from Sforce-Query-Options clamped to
//     200…2000, default 2000; nextRecordsUrl is
//     /services/data/vNN.N/query/<01g… locator>-<offset> (queryAll for
//     queryAll), under the request's version. The 500 newest cursors are
//     kept; an unknown locator gives 400 INVALID_QUERY_LOCATOR "invalid query
//     locator".
//   - Composite: more than 25 subrequests gives 400 LIMIT_EXCEEDED; with
//     allOrNone a failure rolls back every earlier subrequest and all the
//     others report 400 PROCESSING_HALTED "The transaction was rolled back
//     since another operation in the same transaction failed."; an
//     unresolvable @{ref} gives PROCESSING_HALTED "Invalid reference
//     specified. …". sObject Collections hold more than 200 records with 400
//     EXCEEDED_ID_LIMIT; records without attributes.type get INVALID_TYPE.
//   - Injected faults: 503 SERVER_UNAVAILABLE "Server is temporarily
//     unavailable. Please try again later.", 400 UNABLE_TO_LOCK_ROW "unable
//     to obtain exclusive access to this record or 1 records", 403
//     REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded.".
//   - parameterizedSearch searches its q text as a literal phrase.
//   - Omni-Channel presence: a status change closes the user's current
//     UserServicePresence row (IsCurrentState false, StatusEndDate,
//     StatusDuration in seconds) and opens a new current one; IsAway is set
//     for statuses named Away or Busy; ConfiguredCapacity is 5. Status
//     names match without regard to case. "Offline", when the org has no
//     status of that name, logs the user out: the row closes and none
//     replaces it (real orgs have no Offline status; the demo org has one).
//   - The Apex REST class (apexrest.go) answers 200 {"presenceId",
//     "statusId","status","applied":true}; errors are Salesforce's array:
//     400 INVALID_STATUS (unknown status), INVALID_USER (no such or
//     inactive user), REQUIRED_FIELD_MISSING, JSON_PARSER_ERROR (also
//     "Unexpected parameter encountered during deserialization: x" for a
//     key that is no parameter); GET of an offline user 404 NOT_FOUND;
//     other methods 405; other apexrest paths 404 NOT_FOUND "Could not find
//     a match for URL /x". sfsim applies a change at once; the real class
//     hands it to the agent's console (docs/salesforce/README.md), answers
//     "applied":false and a null presenceId, so clients must not depend on
//     presenceId.
//   - Outage (SetDown, POST /__sim__/outage): OAuth, SOAP, data and Apex
//     REST all answer 503 SERVER_UNAVAILABLE in the data API's JSON array
//     (a real maintenance page is HTML); no API call is counted. A fault
//     path prefix for Apex REST is /apexrest/….
//   - The -data file is JSON holding the org, users (with passwords), apps,
//     records (deleted ones too) and grants; it is written atomically.
//
// SOQL and SOSL (engineer B, package soql; details in its doc):
//   - Positional errors carry Salesforce's caret diagnostics; a statement
//     that does not start with SELECT gets "unexpected token: 'x'"; end of
//     input is "unexpected token: '<EOF>'".
//   - Illegal escapes are MALFORMED_QUERY "Invalid string literal '…'.
//     Illegal character sequence '\q' in string literal."; \% and \_ only
//     inside LIKE.
//   - AND and OR mixed without parentheses is MALFORMED_QUERY at the second
//     operator. An empty string literal compares as null; != and NOT IN match nulls.
//   - ORDER BY puts nulls first by default; strings sort case-insensitively.
//   - Date literals are evaluated in UTC, weeks start on Sunday, fiscal =
//     calendar; LAST_N_DAYS:n = today and the n days before.
//   - Type mismatches in filters give INVALID_FIELD "value of filter criterion
//     for field 'F' must be of type … and should [not] be enclosed in
//     quotes"; a malformed id literal INVALID_QUERY_FILTER_OPERATOR "invalid
//     ID field: x"; OFFSET > 2000 NUMBER_OUTSIDE_VALID_RANGE.
//   - COUNT() stands alone; COUNT(field) returns one AggregateResult
//     {"expr0": n}. Empty lookups and child subqueries are null.
//   - Semi-/anti-joins on id fields are supported; GROUP BY, HAVING, TYPEOF,
//     FOR UPDATE, WITH, FIELDS() and bind variables are not.
//   - SOSL: words (whole, case-insensitive, * and ? wildcards), quoted
//     phrases, AND/OR/AND NOT and parentheses; scopes ALL, NAME, EMAIL,
//     PHONE; digits-only terms also match phone numbers by digits; fewer than
//     two letters or digits is MALFORMED_SEARCH "search term must be longer
//     than one character". Without RETURNING, Account, Campaign, Case,
//     Contact, Lead and Opportunity are searched and return Id only.
//
// OAuth, identity and SOAP (engineer C):
//   - Token endpoint: query and form parameters are merged (body wins);
//     GET gives invalid_request "must use HTTP POST"; client credentials come
//     from the Basic header first, else the body; unknown client →
//     invalid_client_id, wrong or missing required secret → invalid_client.
//     Errors are always JSON with Cache-Control
//     no-cache,must-revalidate,max-age=0,no-store,private.
//   - password: password+security token, or the bare password from a
//     trusted IP range; every failure is invalid_grant "authentication
//     failure"; an inactive user gets inactive_user "User is inactive". No
//     refresh token.
//   - client_credentials: only on the My Domain host (port ignored), checked
//     before client authentication; no run-as user → "no client credentials
//     user enabled".
//   - JWT bearer: RS256 only; bad format or signature → "invalid assertion";
//     aud may be login/test.salesforce.com, the My Domain or the request's
//     own URL; exp (number or numeric string) must be in the future, else
//     "expired authorization code"; the subject must be pre-approved or have
//     approved the app with refresh_token scope, else "user hasn't approved
//     this consumer". No issued_at, signature or refresh token.
//   - authorization_code: single use even when redemption fails, 15 minutes;
//     redirect_uri must match the authorize one; PKCE mismatch or missing
//     verifier → "invalid code verifier". refresh_token: unknown, revoked or
//     another app's → "expired access/refresh token"; rotation per app.
//   - signature = Base64(HMAC-SHA256(consumer secret, id + issued_at)); no
//     id_token for openid. id and instance_url use the request's scheme and
//     host.
//   - authorize: errors before the redirect URI is trusted are an HTML page
//     with status 400; later ones redirect with error, error_description and
//     state. prompt=login/select_account force the login page,
//     prompt=consent the consent page; login_hint pre-fills the username;
//     display and nonce are ignored. The login and consent forms post to
//     /services/oauth2/login and /services/oauth2/consent with a per-browser
//     CSRF token; pages send X-Frame-Options: DENY. The interactive login
//     takes the bare password and never reveals which usernames exist.
//   - revoke: 200 with an empty body; missing token → 400
//     unsupported_token_type, unknown → 400 invalid_token; no JSONP.
//   - userinfo and the identity URL: token from Bearer/OAuth header or
//     oauth_token=; plain-text errors 403 Bad_OAuth_Token / Wrong_Org, 404
//     Bad_Id; JSON only.
//   - SOAP: only login and convertLead; other operations → 500 soapenv:Client
//     fault. login failures are all sf:INVALID_LOGIN; the sessionId is an
//     ordinary access token. convertLead: each LeadConvert succeeds or fails
//     alone and atomically; errors INVALID_CROSS_REFERENCE_KEY,
//     CANNOT_UPDATE_CONVERTED_LEAD, INVALID_STATUS, plus the REST validation
//     and duplicate errors; a new Opportunity is "<Company>-", Prospecting,
//     closing at the end of the quarter.
//   - Not modelled: invalid_app_access, login-hour/IP restrictions,
//     inactive_org, rate_limit_exceeded, "HTTPS required". Approvals, browser
//     sessions and codes are not persisted by -data.
package sfsim
