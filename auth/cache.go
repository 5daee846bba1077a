package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/oauth2"
)

// TokenCache keeps a sign-in between runs of a program. FileCache is the
// one this package provides; a keychain could be another.
type TokenCache interface {
	// Load returns the saved token, or (nil, nil) when none is saved.
	Load() (*oauth2.Token, error)
	// Save replaces the saved token.
	Save(*oauth2.Token) error
	// Clear forgets the saved token; clearing an empty cache is no error.
	Clear() error
	// Lock holds off every other holder of the cache, in this process and
	// in others, until unlock is called; it gives up when ctx is done.
	Lock(ctx context.Context) (unlock func(), err error)
}

// FileCache is a TokenCache in one JSON file, readable by its owner only
// (mode 0600, directory 0700). Saves are atomic (a temporary file renamed
// over the old one), so a reader never sees half a token; the lock is a
// second file, path+".lock", locked with flock(2) on Unix.
type FileCache struct {
	path string
}

// NewFileCache returns a cache in the file at path (created on the first
// save, with its directory). Nothing is read or written yet.
func NewFileCache(path string) (*FileCache, error) {
	if path == "" {
		return nil, errors.New("auth: NewFileCache: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("auth: NewFileCache: %w", err)
	}
	return &FileCache{path: abs}, nil
}

// DefaultCachePath is where a program keeps its sign-in by default:
// waooaw/<name>.json under the user's configuration directory (for example
// ~/.config/waooaw/cli.json on Linux).
func DefaultCachePath(name string) (string, error) {
	if name == "" || name != filepath.Base(name) || name == "." || name == ".." {
		return "", fmt.Errorf("auth: DefaultCachePath: %q is not a plain file name", name)
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("auth: DefaultCachePath: %w", err)
	}
	return filepath.Join(dir, "waooaw", name+".json"), nil
}

// Path is the cache's file.
func (c *FileCache) Path() string { return c.path }

// cachedToken is the file's format.
type cachedToken struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	IDToken      string    `json:"id_token,omitempty"`
}

// Load reads the saved token. A file that others can read is refused (it
// holds a secret): make it private with chmod 600.
func (c *FileCache) Load() (*oauth2.Token, error) {
	f, err := os.Open(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auth: token cache: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("auth: token cache: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("auth: token cache %s can be read by others (mode %v); make it private with chmod 600", c.path, st.Mode().Perm())
	}
	var ct cachedToken
	dec := json.NewDecoder(&limitedReader{f, maxDocument})
	if err := dec.Decode(&ct); err != nil {
		return nil, fmt.Errorf("auth: token cache %s is damaged (%v); delete it and sign in again", c.path, err)
	}
	if ct.AccessToken == "" && ct.RefreshToken == "" {
		return nil, nil
	}
	tok := &oauth2.Token{
		AccessToken:  ct.AccessToken,
		TokenType:    ct.TokenType,
		RefreshToken: ct.RefreshToken,
		Expiry:       ct.Expiry,
	}
	if ct.IDToken != "" {
		tok = tok.WithExtra(map[string]any{"id_token": ct.IDToken})
	}
	return tok, nil
}

// Save writes tok atomically: to a private temporary file in the same
// directory, synced, then renamed over the cache.
func (c *FileCache) Save(tok *oauth2.Token) error {
	if tok == nil {
		return errors.New("auth: token cache: nil token; use Clear to forget the sign-in")
	}
	ct := cachedToken{
		AccessToken:  tok.AccessToken,
		TokenType:    tok.TokenType,
		RefreshToken: tok.RefreshToken,
		Expiry:       tok.Expiry.UTC(),
	}
	if id, ok := tok.Extra("id_token").(string); ok {
		ct.IDToken = id
	}
	data, err := json.MarshalIndent(ct, "", "  ")
	if err != nil {
		return fmt.Errorf("auth: token cache: %w", err)
	}
	dir := filepath.Dir(c.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("auth: token cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(c.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("auth: token cache: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// CreateTemp makes the file 0600 already; Chmod states it.
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("auth: token cache: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("auth: token cache: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("auth: token cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("auth: token cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.path); err != nil {
		os.Remove(tmp.Name())
		done = true
		return fmt.Errorf("auth: token cache: %w", err)
	}
	done = true
	return nil
}

// Clear removes the cache file.
func (c *FileCache) Clear() error {
	if err := os.Remove(c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("auth: token cache: %w", err)
	}
	return nil
}

// Lock takes the cache's lock file, waiting for other holders (polling,
// at most every 100ms) until ctx is done.
func (c *FileCache) Lock(ctx context.Context) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return nil, fmt.Errorf("auth: token cache lock: %w", err)
	}
	lockPath := c.path + ".lock"
	wait := 2 * time.Millisecond
	for {
		unlock, ok, err := tryLock(lockPath)
		if err != nil {
			return nil, fmt.Errorf("auth: token cache lock %s: %w", lockPath, err)
		}
		if ok {
			return unlock, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("auth: token cache lock %s: still held by another process: %w", lockPath, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, 100*time.Millisecond)
	}
}

// limitedReader fails reads past n bytes instead of truncating silently.
type limitedReader struct {
	f io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("file larger than 1 MiB")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}
