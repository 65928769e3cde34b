package nodes

import "context"

// Identity is who the end user of a conversation is, as the channel
// established it when the connection opened.
//
// Anonymous users have only UserID (a server-issued, signed id the widget
// keeps) and Verified false. A user whose host site passed a signed
// identity token has Verified true, Subject set to the token's "sub" claim,
// and the optional Name, Email and Phone claims; their UserID is derived
// from the subject, so it is the same on every device.
//
// Name, Email and Phone are personal data: never log them.
type Identity struct {
	UserID   string // the user id the runtime keys user state and tokens by
	Subject  string // "sub" of a verified identity token; empty when anonymous
	Name     string // "name" claim, if any
	Email    string // "email" claim, if any
	Phone    string // "phone" claim, if any
	Verified bool   // true when the identity comes from a verified token
	// Lang, when set, fixes the reply language of the connection (the
	// widget's lang parameter or the token's locale claim); otherwise the
	// language of each message picks it.
	Lang string
}

// identityKey is the context key of an Identity; unexported so that only
// WithIdentity can set it.
type identityKey struct{}

// WithIdentity returns a copy of ctx that carries id.
func WithIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the Identity stored in ctx by WithIdentity and
// whether there was one.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}
