package cli

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"portalstudio/backend/audience"
	"portalstudio/backend/portal"
	"portalstudio/backend/server"
	"portalstudio/backend/storage/sqlite"
)

// The portal server's HTTP timeouts. Imports and snapshots extend their
// own deadlines (package server).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 60 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 15 * time.Second
)

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags("serve", env)
	data := fs.String("data", "", "the server's data folder: workspace.db, admin-token, identity-secret (created on first start)")
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on (port 0: any free port)")
	baseURL := fs.String("base-url", "", "the server's public base URL, for portal URLs (default: the one recorded, else http://<addr>); remembered")
	rotateToken := fs.Bool("rotate-admin-token", false, "make a new admin token (the old one stops working)")
	rotateSecret := fs.Bool("rotate-identity-secret", false, "make a new identity-verification secret (tokens signed with the old one stop working, and every portal session ends)")
	endSessions := fs.Bool("end-sessions", false, "end every customer portal session (customers sign in again); rotates nothing")
	maxTokenLifetime := fs.Duration("max-token-lifetime", server.DefaultMaxTokenLifetime, "how far ahead an identity token's exp may be (a Go duration: 1h, 90m)")
	logFormat := fs.String("log-format", "text", "the request log's format on stderr: text or json")
	allowHost := fs.String("allow-host", "", "more host names the server answers at, comma-separated, besides the --base-url's and loopback (other Host headers are refused)")
	rateLimits := fs.Bool("rate-limits", true, "limit sign-ins (10 a minute) and searches (5 a second) per client address; --rate-limits=false turns them off (behind a proxy every client shares its address)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	if *data == "" {
		return usagef("serve: --data DIR is required")
	}
	if err := oneOf("serve", "log-format", *logFormat, "text", "json"); err != nil {
		return err
	}
	if *maxTokenLifetime <= 0 {
		return usagef("serve: --max-token-lifetime must be positive, like 24h or 30m, not %s", *maxTokenLifetime)
	}
	if *baseURL != "" && !strings.HasPrefix(*baseURL, "http://") && !strings.HasPrefix(*baseURL, "https://") {
		return usagef("serve: --base-url must start with http:// or https://, not %q", *baseURL)
	}
	var handler slog.Handler = slog.NewTextHandler(env.Stderr, nil)
	if *logFormat == "json" {
		handler = slog.NewJSONHandler(env.Stderr, nil)
	}
	log := slog.New(handler)

	// Listen first: a taken address changes nothing in the data folder.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return portal.Errorf(portal.EPRECONDITION, "cannot listen on %s: %v; pick another --addr", *addr, err)
	}
	defer ln.Close()
	if err := os.MkdirAll(*data, 0o700); err != nil {
		return portal.Errorf(portal.EPRECONDITION, "cannot create the data folder %s: %v", *data, errReason(err))
	}
	dir, err := filepath.Abs(*data)
	if err != nil {
		return err
	}
	ws, err := openWorkspace(env, filepath.Join(dir, sqlite.WorkspaceFile))
	if err != nil {
		return err
	}
	defer ws.Close()
	// A long-running server: the audience engine loads in the background
	// now and catches up after every write.
	aud := audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath(), Keep: true, Notice: func(msg string) { log.Info(msg) }})
	defer aud.Close()
	sec, err := server.PrepareSecrets(ctx, ws, dir, server.SecretOptions{RotateAdminToken: *rotateToken, RotateIdentitySecret: *rotateSecret, EndSessions: *endSessions})
	if err != nil {
		return err
	}
	for _, note := range sec.Notes {
		log.Info(note)
	}

	base, slug, err := serverAddress(ctx, ws, dir, *baseURL, "http://"+ln.Addr().String())
	if err != nil {
		return err
	}
	// The portal URL is the server's own: the one it answers at.
	portalURL := base + "/portal/" + slug + "/"
	live, was, err := ws.PinPortalURL(ctx, portalURL)
	if err != nil {
		return err
	}
	if was != "" {
		log.Info("the live settings named another portal URL; they now name the server's (a new version)", "was", was, "portal", portalURL, "version", live.Version)
	}
	cfg := server.Config{Store: ws, Audiences: aud, IdentitySecret: sec.IdentitySecret, MaxTokenLifetime: *maxTokenLifetime, Slug: slug, BaseURL: base, Logger: log, Web: env.Web,
		AllowedHosts: allowedHosts(base, *allowHost)}
	if *rateLimits {
		cfg.RateLimits = server.DefaultRateLimits
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("portal server listening", "url", "http://"+ln.Addr().String(), "portal", portalURL,
		"data", dir, "admin_token_file", filepath.Join(dir, server.AdminTokenFile))

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing the requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Warn("shutdown did not finish in time; closing the remaining connections", "err", err)
		hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// serverAddress settles and records the server's base URL (the flag, else
// the one recorded, else the listening address) and slug (the one
// recorded, else one made from the data folder's name: it stays stable,
// since portal URLs carry it).
func serverAddress(ctx context.Context, ws *sqlite.Workspace, dir, flagURL, listenURL string) (string, string, error) {
	base, slug, err := ws.ServerAddress(ctx)
	if err != nil {
		return "", "", err
	}
	if flagURL != "" {
		base = flagURL
	} else if base == "" {
		base = listenURL
	}
	base = strings.TrimSuffix(base, "/")
	if slug == "" {
		slug = portal.Slug(filepath.Base(dir) + ".db")
	}
	if err := ws.SetServer(ctx, base, slug); err != nil {
		return "", "", err
	}
	return base, slug, nil
}

// allowedHosts is the host of the base URL and those of --allow-host.
func allowedHosts(base, flagHosts string) []string {
	var hosts []string
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	for _, h := range strings.Split(flagHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	return hosts
}
