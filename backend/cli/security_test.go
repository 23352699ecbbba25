package cli_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPathTraversal asks the real server (`portalstudio serve`, with its
// pages and static files) for its own secrets and database through every
// spelling of "..": none is ever served.
func TestPathTraversal(t *testing.T) {
	data := t.TempDir()
	p := startServer(t, data)
	defer p.stop(t)
	secrets := map[string]string{}
	for _, name := range []string{"admin-token", "identity-secret"} {
		b, err := os.ReadFile(filepath.Join(data, name))
		if err != nil {
			t.Fatal(err)
		}
		secrets[name] = strings.TrimSpace(string(b))
	}
	u, _ := url.Parse(p.url)
	var slug string
	{
		_, body := call(t, http.MethodGet, p.url+"/api/v1/workspace", secrets["admin-token"], "")
		if i := strings.Index(body, `"slug": "`); i >= 0 {
			slug = strings.SplitN(body[i+9:], `"`, 2)[0]
		}
	}
	if slug == "" {
		t.Fatal("no slug")
	}
	var paths []string
	for _, target := range []string{"admin-token", "identity-secret", "workspace.db", "workspace.db-wal"} {
		for _, pre := range []string{"/portal/" + slug + "/", "/portal/" + slug + "/assets/", "/portal/" + slug + "/static/", "/", "/api/v1/", "/app/"} {
			for _, dots := range []string{"../", "%2e%2e/", "%2e%2e%2f", "..%2f", "%252e%252e%252f", "..\\", "..%5c", "....//", ".%2e/", "%2e./", "..;/"} {
				paths = append(paths, pre+strings.Repeat(dots, 4)+target, pre+dots+target)
			}
			paths = append(paths, pre+target, pre+"%2f"+target)
		}
		paths = append(paths, "/"+target, "//"+data+"/"+target, "/portal/"+slug+"/"+url.PathEscape(filepath.Join(data, target)))
	}
	served := 0
	for _, path := range paths {
		status, body := rawGet(t, u.Host, path)
		served++
		for name, s := range secrets {
			if strings.Contains(body, s) {
				t.Fatalf("GET %s (%d) served the %s", path, status, name)
			}
		}
		if strings.Contains(body, "SQLite format 3") {
			t.Fatalf("GET %s (%d) served the database", path, status)
		}
		if status >= 500 {
			t.Errorf("GET %s: %d", path, status)
		}
	}
	t.Logf("%d traversal requests, none served a secret", served)
}

// rawGet sends path byte for byte (no client-side cleaning) and returns
// the status and body.
func rawGet(t *testing.T, host, path string) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
