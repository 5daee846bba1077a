package auth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/waooaw/waooaw-go/auth"
)

func TestStaticSource(t *testing.T) {
	t.Parallel()
	p := newIDP(newClock())
	live := p.mint(10 * time.Minute)
	noExp := p.mint(time.Minute, func(c jwt.MapClaims) { delete(c, "exp") })
	tests := []struct {
		name    string
		token   string
		advance time.Duration // before the constructor
		want    string        // "" for success
		expired bool
	}{
		{"live JWT", live, 0, "", false},
		{"with the Bearer prefix", "Bearer " + live, 0, "", false},
		{"expired at construction", live, 10 * time.Minute, "expired at 2026-01-02T10:10:00Z", true},
		{"no exp", noExp, 24 * time.Hour, "", false},
		{"opaque", "opaque-token", 0, "", false},
		{"empty", "  ", 0, "empty token", false},
		{"white space inside", "a b", 0, "white space", false},
		{"garbled JWT", "a.b.c", 0, "cannot be read", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			clock.Advance(tt.advance)
			src, err := auth.NewStaticSource(tt.token, auth.WithClock(clock))
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want one containing %q", err, tt.want)
				}
				if errors.Is(err, auth.ErrTokenExpired) != tt.expired || errors.Is(err, auth.ErrReauthRequired) != tt.expired {
					t.Errorf("ErrTokenExpired/ErrReauthRequired matching wrong: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.Token()
			if err != nil || tok.AccessToken != strings.TrimPrefix(tt.token, "Bearer ") || tok.Type() != "Bearer" {
				t.Fatalf("Token() = %v, %v", tok, err)
			}
		})
	}
}

func TestStaticSourceExpiresOnTheClock(t *testing.T) {
	t.Parallel()
	clock := newClock()
	p := newIDP(clock)
	src, err := auth.NewStaticSource(p.mint(5*time.Minute), auth.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(5*time.Minute - time.Second)
	if _, err := src.Token(); err != nil {
		t.Fatalf("a second before exp: %v", err)
	}
	clock.Advance(time.Second)
	_, err = src.Token()
	if !errors.Is(err, auth.ErrTokenExpired) || !strings.Contains(err.Error(), "get a new token") {
		t.Fatalf("at exp: %v", err)
	}
	if _, err := auth.NewStaticSource("x", auth.WithTimeout(time.Second)); err == nil {
		t.Error("WithTimeout was accepted by NewStaticSource")
	}
}

func FuzzStaticSource(f *testing.F) {
	f.Add("eyJhbGciOiJFZERTQSJ9.eyJleHAiOjF9.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, tok string) {
		src, err := auth.NewStaticSource(tok, auth.WithClock(newClock()))
		if err != nil {
			return
		}
		if _, err := src.Token(); err != nil {
			t.Fatalf("a source that was built fails at once: %v", err)
		}
	})
}
