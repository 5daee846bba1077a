package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
)

func TestHelpExitsZero(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"-h"}, &out, &errb)
	if code := exitCode(err, &errb); code != 0 {
		t.Errorf("-h: exit %d (%v), want 0", code, err)
	}
	if !strings.Contains(errb.String(), "-addr") {
		t.Errorf("-h printed no usage: %q", errb.String())
	}
	if code := exitCode(run(context.Background(), []string{"-nope"}, io.Discard, io.Discard), io.Discard); code != 1 {
		t.Errorf("unknown flag: exit %d, want 1", code)
	}
}

// The process itself: go run ./cmd/waooaw-mock -h exits 0.
func TestHelpProcessExitsZero(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	cmd := exec.Command("go", "run", ".", "-h")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run . -h: %v\n%s", err, b)
	}
}

// The banner names the CI service account so users can copy it, and the
// curl it shows gets a token.
func TestBannerShowsTheCIServiceAccount(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-clock", "frozen"}, pw, io.Discard)
		pw.Close()
	}()
	defer func() {
		cancel()
		<-done
	}()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var banner []string
	timeout := time.After(10 * time.Second)
	for !strings.Contains(strings.Join(banner, "\n"), "grant_type=client_credentials") {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("banner ended: %q", banner)
			}
			banner = append(banner, l)
		case <-timeout:
			t.Fatalf("no CI service account in the banner: %q", banner)
		}
	}
	go func() {
		for range lines {
		}
	}()
	all := strings.Join(banner, "\n")
	if !strings.Contains(all, mockserver.CIClientID) || !strings.Contains(all, mockserver.CIClientSecret) {
		t.Fatalf("banner: %s", all)
	}
	url, _ := strings.CutPrefix(banner[0], "waooaw-mock listening on ")
	req, _ := http.NewRequest("POST", url+"/auth/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(mockserver.CIClientID, mockserver.CIClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("the banner's credentials: %d", resp.StatusCode)
	}
}
