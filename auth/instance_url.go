package auth

import (
	"fmt"
	"net/url"
)

// checkInstanceURL checks the instance_url of a token response: it becomes
// the base of every relative service URL and a host the credential may be
// sent to, so it must be an absolute https URL (http only on loopback, for
// sfsim) of scheme and host alone. Empty is fine: not every provider sends
// one.
func checkInstanceURL(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Opaque != "" || u.Hostname() == "":
		return fmt.Errorf("auth: token response instance_url %.200q: not an absolute URL", raw)
	case u.User != nil:
		return fmt.Errorf("auth: token response instance_url %.200q: credentials do not belong in a URL", raw)
	case u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())):
		return fmt.Errorf("auth: token response instance_url %.200q: must be https (http only for 127.0.0.1 or localhost)", raw)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return fmt.Errorf("auth: token response instance_url %.200q: want scheme and host only", raw)
	}
	return nil
}
