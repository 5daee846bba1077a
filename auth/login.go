package auth

import (
	"context"
	"errors"
	"fmt"
)

// Login is the sign-in of a program a person runs again and again (a CLI,
// a tool): it resumes the sign-in saved in cache when there is one that
// still works (renewing it if it must), and otherwise signs in with the
// browser (LoginWithBrowser) and saves the new sign-in to cache. Several
// processes may share one cache (see FileCache).
//
//	cache, err := auth.NewFileCache(path) // e.g. from auth.DefaultCachePath("my-tool")
//	src, err := auth.Login(ctx, p, cache)
//
// Options: those of LoginWithBrowser, except WithCache (cache is it).
func Login(ctx context.Context, p *Provider, cache TokenCache, opts ...Option) (*Source, error) {
	if cache == nil {
		return nil, errors.New("auth: Login: nil cache; use LoginWithBrowser to sign in without one")
	}
	cfg, err := newConfig(forLogin, opts)
	if err != nil {
		return nil, err
	}
	if cfg.cache != nil {
		return nil, errors.New("auth: Login: WithCache is not an option here; the cache is Login's argument")
	}
	src, err := NewRefreshingSource(p, nil, append(refreshOptions(cfg), WithCache(cache))...)
	if err == nil {
		if _, err = src.Token(); err == nil {
			return src, nil
		}
	}
	if !errors.Is(err, ErrReauthRequired) {
		return nil, fmt.Errorf("auth: Login: resuming the saved sign-in: %w", err)
	}
	return LoginWithBrowser(ctx, p, append(opts, WithCache(cache))...)
}
