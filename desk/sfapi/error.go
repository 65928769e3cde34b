package sfapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Error is an error response of Salesforce's REST API.
type Error struct {
	Status  int    // HTTP status
	Code    string // errorCode of the first error, e.g. INVALID_FIELD; "" when the body had none
	Message string // its message, or the start of a body that was not Salesforce's error list
}

func (e *Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("sfapi: salesforce answered %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("sfapi: salesforce answered %d %s: %s", e.Status, e.Code, e.Message)
}

// maxErrorMessage bounds the message kept from a body that is not
// Salesforce's error list (an HTML error page of a proxy, say).
const maxErrorMessage = 200

// decodeError reads Salesforce's [{"errorCode","message"}] (or the OAuth
// style {"error","error_description"}) from an error response body.
func decodeError(status int, body []byte) *Error {
	e := &Error{Status: status}
	var list []struct {
		ErrorCode string `json:"errorCode"`
		Message   string `json:"message"`
	}
	if json.Unmarshal(body, &list) == nil && len(list) > 0 {
		e.Code, e.Message = list[0].ErrorCode, list[0].Message
		return e
	}
	var one struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &one) == nil && one.Error != "" {
		e.Code, e.Message = one.Error, one.Description
		return e
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage]
		for !utf8.ValidString(msg) {
			msg = msg[:len(msg)-1]
		}
		msg += "…"
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	e.Message = msg
	return e
}

// Temporary reports whether err is an outage worth retrying later rather
// than a request Salesforce refuses: a connection that failed or timed
// out, a 5xx, or the org's request limit (REQUEST_LIMIT_EXCEEDED).
func Temporary(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Status >= 500 || e.Code == "REQUEST_LIMIT_EXCEEDED" || e.Code == "UNABLE_TO_LOCK_ROW"
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// unwrapURLError drops *url.Error's wrapping, whose text repeats the
// whole URL (query string included).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
