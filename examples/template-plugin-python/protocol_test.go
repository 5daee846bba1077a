package templatepluginpython_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostCert is a one-time host certificate in PEM, as a host sends it.
func hostCert(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestPythonPluginProtocol drives the Python plugin as a host would, without
// one: the handshake line (version negotiation, unix socket in the socket
// directory, its certificate), and the stdin rule (EOF on stdin: it exits
// and removes its socket directory).
func TestPythonPluginProtocol(t *testing.T) {
	t.Parallel()
	exe := filepath.Join(build(t), "waooaw-template-py-webhook")
	for _, tt := range []struct {
		offered, want string
	}{{"1,2", "2"}, {"1", "1"}, {"2,3", "2"}} {
		t.Run(tt.offered, func(t *testing.T) {
			t.Parallel()
			sockDir := filepath.Join(t.TempDir(), "plugin-1")
			if err := os.Mkdir(sockDir, 0o700); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(exe)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"),
				"WAOOAW_TEMPLATE_PLUGIN=8f0c5b7e-waooaw-template", "PLUGIN_PROTOCOL_VERSIONS=" + tt.offered,
				"PLUGIN_CLIENT_CERT=" + hostCert(t), "PLUGIN_UNIX_SOCKET_DIR=" + sockDir,
				"WAOOAW_TEMPLATE_PLUGIN_WATCH=stdin"}
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			line, err := bufio.NewReader(stdout).ReadString('\n')
			go func() { exited <- cmd.Wait() }()
			if err != nil {
				t.Fatalf("no handshake line: %v; stderr:\n%s", err, stderr.String())
			}
			f := strings.Split(strings.TrimSuffix(line, "\n"), "|")
			if len(f) != 6 || f[0] != "1" || f[1] != tt.want || f[2] != "unix" || f[4] != "grpc" {
				t.Fatalf("handshake line %q, want 1|%s|unix|<socket>|grpc|<cert>", line, tt.want)
			}
			if filepath.Dir(f[3]) != sockDir {
				t.Errorf("socket %s, want it in the socket directory %s", f[3], sockDir)
			}
			if info, err := os.Stat(f[3]); err != nil || info.Mode()&os.ModeSocket == 0 {
				t.Errorf("socket %s: %v, want a unix socket", f[3], err)
			}
			der, err := base64.RawStdEncoding.DecodeString(f[5])
			if err != nil {
				t.Fatalf("certificate is not unpadded standard base64: %v", err)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil || cert.VerifyHostname("localhost") != nil {
				t.Fatalf("certificate: %v; want one for localhost", err)
			}

			stdin.Close() // the host is gone
			select {
			case <-exited:
			case <-time.After(5 * time.Second):
				t.Fatal("the plugin still runs 5s after EOF on its stdin")
			}
			if _, err := os.Stat(sockDir); !os.IsNotExist(err) {
				t.Errorf("socket directory after exit: %v, want it removed", err)
			}
		})
	}
	t.Run("no common version", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(exe)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "WAOOAW_TEMPLATE_PLUGIN=8f0c5b7e-waooaw-template",
			"PLUGIN_PROTOCOL_VERSIONS=3,4", "PLUGIN_CLIENT_CERT=" + hostCert(t)}
		out, err := cmd.CombinedOutput()
		if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), "host speaks template protocol [3, 4], this plugin [2, 1]") {
			t.Errorf("with versions 3,4: %v, %s; want exit 1 naming both sides' versions", err, out)
		}
	})
	t.Run("no cookie", func(t *testing.T) {
		t.Parallel()
		out, err := exec.Command(exe).CombinedOutput()
		if !strings.Contains(string(out), "is a waooaw template plugin") || err == nil {
			t.Errorf("run by hand: %v, %s; want the usage and exit 1", err, out)
		}
	})
}
