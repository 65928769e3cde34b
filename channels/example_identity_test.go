package channels_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/botforge/dialogd/channels"
)

// identityToken is what a host site's server runs to mint a token for its
// signed-in visitor (the same function as in web/README.md).
func identityToken(secret []byte, sub, name, email string, ttl time.Duration) (string, error) {
	header := []byte(`{"alg":"HS256","typ":"JWT"}`)
	claims, err := json.Marshal(map[string]any{
		"sub": sub, "name": name, "email": email,
		"aud": "leadbot", // the bot's name; leave out to skip the check
		"exp": time.Now().Add(ttl).Unix(),
	})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil)), nil
}

// The host site mints a token with its copy of the bot's identity secret;
// the channel verifies it and derives the user id from sub.
func ExampleParseIdentityToken() {
	secret := []byte("a-32-byte-or-longer-random-secret-for-the-bot")
	token, err := identityToken(secret, "cust-42", "Ada Lovelace", "ada@example.com", 5*time.Minute)
	if err != nil {
		panic(err)
	}
	id, err := channels.ParseIdentityToken(token, secret, "leadbot", time.Now())
	fmt.Println(id.UserID, id.Name, id.Email, id.Verified, err)

	// Ten minutes later the token has expired.
	_, err = channels.ParseIdentityToken(token, secret, "leadbot", time.Now().Add(10*time.Minute))
	fmt.Println(err)
	// Output:
	// id:cust-42 Ada Lovelace ada@example.com true <nil>
	// identity token has expired
}
