package sfsim

import (
	"html/template"
	"net/http"
)

// The HTML pages of the authorization-code flow. html/template escapes every
// value; nothing user-supplied is ever marked safe.
var (
	loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Login | Salesforce</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main id="login">
<h1>Log In</h1>
{{if .Error}}<div id="error" role="alert">{{.Error}}</div>{{end}}
<form method="post" action="/services/oauth2/login" autocomplete="off">
<input type="hidden" name="req" value="{{.Req}}">
<label for="username">Username</label>
<input id="username" name="username" type="email" value="{{.Username}}" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button id="Login" name="Login" type="submit">Log In</button>
</form>
</main>
</body>
</html>
`))

	consentPage = template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Allow Access? | Salesforce</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main id="consent">
<h1>Allow Access?</h1>
<p><strong>{{.App}}</strong> is asking to:</p>
<ul>{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
<p>You are logged in as {{.Username}}. Do you want to allow access?</p>
<form method="post" action="/services/oauth2/consent">
<input type="hidden" name="req" value="{{.Req}}">
<button id="oaapprove" name="approve" value="Allow" type="submit">Allow</button>
<button id="oadeny" name="deny" value="Deny" type="submit">Deny</button>
</form>
</main>
</body>
</html>
`))

	errorPage = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>OAuth Error | Salesforce</title></head>
<body>
<main id="oauth-error">
<h1>OAuth Error</h1>
<p>We can't authorize you because of an OAuth error. For more information, contact your Salesforce administrator.</p>
<p id="error-code">error={{.Code}}</p>
<p id="error-description">error_description={{.Description}}</p>
</main>
</body>
</html>
`))
)

// loginMessage is shown for every failed interactive login, whatever the
// reason, so the page never tells whether a username exists.
const loginMessage = "Please check your username and password. If you still can't log in, contact your Salesforce administrator."

type loginView struct {
	Req, Username, Error string
}

type consentView struct {
	Req, App, Username string
	Scopes             []string
}

// scopeLabels describes scopes on the consent page.
var scopeLabels = map[string]string{
	"api":            "Manage user data via APIs (api)",
	"refresh_token":  "Perform requests at any time (refresh_token, offline_access)",
	"offline_access": "Perform requests at any time (refresh_token, offline_access)",
	"id":             "Access the identity URL service (id, profile, email, address, phone)",
	"openid":         "Access unique user identifiers (openid)",
	"full":           "Full access (full)",
	"web":            "Manage user data via Web browsers (web)",
}

func scopeDescriptions(scopes []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, sc := range scopes {
		d, ok := scopeLabels[sc]
		if !ok {
			d = sc
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// renderPage writes an HTML page with status. Pages are never cached and may
// not be framed (clickjacking on the consent button).
func renderPage(w http.ResponseWriter, status int, t *template.Template, data any) {
	h := w.Header()
	h.Set("Content-Type", "text/html;charset=UTF-8")
	h.Set("Cache-Control", noStore)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_ = t.Execute(w, data)
}
