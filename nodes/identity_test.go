package nodes

import (
	"context"
	"testing"
)

func TestIdentityContext(t *testing.T) {
	if got, ok := IdentityFrom(context.Background()); ok {
		t.Errorf("IdentityFrom(empty ctx) = %+v, true; want false", got)
	}
	want := Identity{UserID: "id:42", Subject: "42", Name: "Ada", Email: "ada@example.com", Phone: "+441234", Verified: true}
	ctx := WithIdentity(context.Background(), want)
	got, ok := IdentityFrom(ctx)
	if !ok || got != want {
		t.Errorf("IdentityFrom(WithIdentity(%+v)) = %+v, %v; want it back, true", want, got, ok)
	}
	// An inner identity shadows the outer one; the outer ctx is unchanged.
	inner := Identity{UserID: "anon"}
	if got, _ := IdentityFrom(WithIdentity(ctx, inner)); got != inner {
		t.Errorf("inner IdentityFrom = %+v; want %+v", got, inner)
	}
	if got, _ := IdentityFrom(ctx); got != want {
		t.Errorf("outer IdentityFrom after shadowing = %+v; want %+v", got, want)
	}
	// A value of another type under a look-alike key is not an Identity.
	type otherKey struct{}
	if _, ok := IdentityFrom(context.WithValue(context.Background(), otherKey{}, want)); ok {
		t.Error("IdentityFrom found an Identity stored under a foreign key")
	}
}
