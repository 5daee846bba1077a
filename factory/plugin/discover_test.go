package plugin

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePins(t *testing.T) {
	t.Parallel()
	a := sha256.Sum256([]byte("a"))
	b := sha256.Sum256([]byte("b"))
	ha, hb := hexOf(a), hexOf(b)
	for _, tc := range []struct {
		name    string
		in      string
		want    map[string]digest
		wantErr string
	}{
		{"empty", "", map[string]digest{}, ""},
		{"text mode", ha + "  waooaw-template-a\n", map[string]digest{"waooaw-template-a": a}, ""},
		{"binary mode, ./, CRLF, upper case", strings.ToUpper(ha) + " *./waooaw-template-a\r\n" + hb + "  waooaw-template-b", map[string]digest{"waooaw-template-a": a, "waooaw-template-b": b}, ""},
		{"comments and blank lines", "# pins\n\n" + ha + "  waooaw-template-a\n", map[string]digest{"waooaw-template-a": a}, ""},
		{"same pin twice", ha + "  x\n" + ha + "  x\n", map[string]digest{"x": a}, ""},
		{"conflicting pins", ha + "  x\n" + hb + "  x\n", nil, "line 2: x is pinned twice with different hashes"},
		{"short hash", "abc  x\n", nil, "line 1: not a sha256sum line"},
		{"not hex", strings.Repeat("z", 64) + "  x\n", nil, "line 1: the hash is not 64 hex digits"},
		{"no name", ha + "  \n", nil, "line 1: no file name"},
		{"no separator", ha + "x\n", nil, "line 1: not a sha256sum line"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parsePins([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parsePins error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parsePins (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParsePins(f *testing.F) {
	h := hexOf(sha256.Sum256(nil))
	f.Add([]byte(h + "  waooaw-template-a\n"))
	f.Add([]byte(h + " *./x\r\n# c\n\n"))
	f.Add([]byte("abc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pins, err := parsePins(b)
		if err != nil {
			return
		}
		for name := range pins {
			if name == "" || !strings.Contains(string(b), name) {
				t.Errorf("pin for %q from %q", name, b)
			}
		}
	})
}

func hexOf(d digest) string { return fmt.Sprintf("%x", d) }
