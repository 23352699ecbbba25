package cli

import (
	"context"
	"errors"
	"fmt"
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
	"portalstudio/backend/storage/postgres"
	"portalstudio/backend/storage/sqlite"
)

// DatabaseEnv names the environment variable serve reads the PostgreSQL
// connection string from when --database is not given.
const DatabaseEnv = "PORTALSTUDIO_DATABASE"

// servedStore is the store a server serves, and what starting it settled.
type servedStore struct {
	store interface {
		server.Store
		Close() error
	}
	secret     []byte
	base, slug string
	dir        string // the data folder ("" for a replica without one)
}

// openDataFolder opens the SQLite workspace of a data folder (creating
// the folder, 0700), prepares its secrets and records its address.
func openDataFolder(ctx context.Context, env *Env, log *slog.Logger, data, flagURL, listenURL string, opt server.SecretOptions) (servedStore, error) {
	var st servedStore
	if err := os.MkdirAll(data, 0o700); err != nil {
		return st, portal.Errorf(portal.EPRECONDITION, "cannot create the data folder %s: %v", data, errReason(err))
	}
	dir, err := filepath.Abs(data)
	if err != nil {
		return st, err
	}
	ws, err := openWorkspace(env, filepath.Join(dir, sqlite.WorkspaceFile))
	if err != nil {
		return st, err
	}
	ok := false
	defer func() {
		if !ok {
			ws.Close()
		}
	}()
	sec, err := server.PrepareSecrets(ctx, ws, dir, opt)
	if err != nil {
		return st, err
	}
	for _, note := range sec.Notes {
		log.Info(note)
	}
	base, slug, err := serverAddress(ctx, ws, dir, flagURL, listenURL)
	if err != nil {
		return st, err
	}
	if err := pinPortalURL(ctx, log, ws, base+"/portal/"+slug+"/"); err != nil {
		return st, err
	}
	ok = true
	return servedStore{store: ws, secret: sec.IdentitySecret, base: base, slug: slug, dir: dir}, nil
}

// pinPortalURL makes the server's own portal URL the live settings'.
func pinPortalURL(ctx context.Context, log *slog.Logger, ws interface {
	PinPortalURL(ctx context.Context, url string) (*portal.Settings, string, error)
}, portalURL string) error {
	live, was, err := ws.PinPortalURL(ctx, portalURL)
	if err != nil {
		return err
	}
	if was != "" {
		log.Info("the live settings named another portal URL; they now name the server's (a new version)", "was", was, "portal", portalURL, "version", live.Version)
	}
	return nil
}

// openReplica opens the PostgreSQL store at dbURL (applying its
// migrations once) and, holding the database's start lock so that
// replicas starting together do it once, prepares the shared secrets
// (written to data when this replica creates them), records the address
// and pins the portal URL.
func openReplica(ctx context.Context, env *Env, log *slog.Logger, dbURL, data, flagSlug, flagURL, listenURL string, opt server.SecretOptions) (servedStore, error) {
	var st servedStore
	dir := ""
	if data != "" {
		if err := os.MkdirAll(data, 0o700); err != nil {
			return st, portal.Errorf(portal.EPRECONDITION, "cannot create the data folder %s: %v", data, errReason(err))
		}
		var err error
		if dir, err = filepath.Abs(data); err != nil {
			return st, err
		}
	}
	pg, err := postgres.Open(ctx, dbURL, postgres.Options{Notice: func(msg string) { fmt.Fprintf(env.Stderr, "portalstudio: %s\n", msg) }})
	if err != nil {
		return st, err
	}
	ok := false
	defer func() {
		if !ok {
			pg.Close()
		}
	}()
	var base, slug string
	var secret []byte
	err = pg.Locked(ctx, func() error {
		sec, err := server.PrepareSharedSecrets(ctx, pg, dir, opt)
		if err != nil {
			return err
		}
		for _, note := range sec.Notes {
			log.Info(note)
		}
		secret = sec.IdentitySecret
		recBase, recSlug, err := pg.ServerAddress(ctx)
		if err != nil {
			return err
		}
		base, slug = recBase, recSlug
		if flagURL != "" {
			base = flagURL
		} else if base == "" {
			base = listenURL
		}
		base = strings.TrimSuffix(base, "/")
		switch {
		case slug != "" && flagSlug != "" && portal.Slug(flagSlug+".db") != slug:
			return portal.Errorf(portal.EPRECONDITION, "this database's workspace has the slug %q (portal URLs carry it), not %q; leave --slug out", slug, flagSlug)
		case slug != "":
		case flagSlug != "":
			slug = portal.Slug(flagSlug + ".db")
		case dir != "":
			slug = portal.Slug(filepath.Base(dir) + ".db")
		default:
			slug = portal.Slug(pg.DatabaseName() + ".db")
		}
		if base, slug, err = recordAddress(ctx, pg, base, slug); err != nil {
			return err
		}
		return pinPortalURL(ctx, log, pg, base+"/portal/"+slug+"/")
	})
	if err != nil {
		return st, err
	}
	ok = true
	return servedStore{store: pg, secret: secret, base: base, slug: slug, dir: dir}, nil
}

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
	data := fs.String("data", "", "the server's data folder: workspace.db, admin-token, identity-secret (created on first start); with --database, where this replica writes the secrets it creates")
	database := fs.String("database", "", "keep everything in this PostgreSQL database (a connection string; default $"+DatabaseEnv+"): serve processes on one database are replicas")
	slugFlag := fs.String("slug", "", "with --database: the workspace's slug on its first start (default: the --data folder's name, else the database's)")
	replica := fs.String("replica", "", "with --database: this replica's name in the log (default: host name and process id)")
	addr := fs.String("addr", "127.0.0.1:8080", "the address to listen on (port 0: any free port)")
	baseURL := fs.String("base-url", "", "the server's public base URL, for portal URLs (default: the one recorded, else http://<addr>); remembered")
	rotateToken := fs.Bool("rotate-admin-token", false, "make a new admin token (the old one stops working)")
	rotateSecret := fs.Bool("rotate-identity-secret", false, "make a new identity-verification secret (tokens signed with the old one stop working, and every portal session ends)")
	endSessions := fs.Bool("end-sessions", false, "end every customer portal session (customers sign in again); rotates nothing")
	maxTokenLifetime := fs.Duration("max-token-lifetime", server.DefaultMaxTokenLifetime, "how far ahead an identity token's exp may be (a Go duration: 1h, 90m)")
	logFormat := fs.String("log-format", "text", "the request log's format on stderr: text or json")
	allowHost := fs.String("allow-host", "", "more host names the server answers at, comma-separated, besides the --base-url's and loopback (other Host headers are refused)")
	rateLimits := fs.Bool("rate-limits", true, "limit sign-ins (10 a minute) and searches (5 a second) per client address; --rate-limits=false turns them off (behind a proxy every client shares its address)")
	trustedProxy := fs.String("trusted-proxy", "", "reverse proxies (CIDRs or addresses, comma-separated) whose X-Forwarded-For names the client for the rate limits; none by default (the header is ignored)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	trusted, perr := server.ParseTrustedProxies(*trustedProxy)
	if perr != nil {
		return usagef("serve: %s", portal.ErrorMessage(perr))
	}
	dbURL := strings.TrimSpace(*database)
	if dbURL == "" {
		dbURL = strings.TrimSpace(os.Getenv(DatabaseEnv))
	}
	if *data == "" && dbURL == "" {
		return usagef("serve: --data DIR is required (or --database URL, or $%s, for PostgreSQL)", DatabaseEnv)
	}
	if dbURL == "" && (*slugFlag != "" || *replica != "") {
		return usagef("serve: --slug and --replica go with --database")
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
	if dbURL != "" {
		name := *replica
		if name == "" {
			host, _ := os.Hostname()
			name = fmt.Sprintf("%s-%d", host, os.Getpid())
		}
		log = log.With("replica", name)
	}

	// Listen first: a taken address changes nothing in the data folder.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return portal.Errorf(portal.EPRECONDITION, "cannot listen on %s: %v; pick another --addr", *addr, err)
	}
	defer ln.Close()
	var st servedStore
	if dbURL != "" {
		st, err = openReplica(ctx, env, log, dbURL, *data, *slugFlag, *baseURL, "http://"+ln.Addr().String(),
			server.SecretOptions{RotateAdminToken: *rotateToken, RotateIdentitySecret: *rotateSecret, EndSessions: *endSessions})
	} else {
		st, err = openDataFolder(ctx, env, log, *data, *baseURL, "http://"+ln.Addr().String(),
			server.SecretOptions{RotateAdminToken: *rotateToken, RotateIdentitySecret: *rotateSecret, EndSessions: *endSessions})
	}
	if err != nil {
		return err
	}
	defer st.store.Close()
	// A long-running server: the audience engine loads in the background
	// now and catches up after every write.
	notice := func(msg string) { log.Info(msg) }
	var aud *audience.Engine
	if ws, ok := st.store.(*sqlite.Workspace); ok {
		aud = audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath(), Keep: true, Notice: notice})
	} else {
		aud = audience.NewEngine(st.store.(*postgres.Store), audience.Options{Keep: true, Notice: notice})
	}
	defer aud.Close()
	base, slug, portalURL := st.base, st.slug, st.base+"/portal/"+st.slug+"/"
	cfg := server.Config{Store: st.store, Audiences: aud, IdentitySecret: st.secret, SharedIdentitySecret: dbURL != "", MaxTokenLifetime: *maxTokenLifetime, Slug: slug, BaseURL: base, Logger: log, Web: env.Web,
		AllowedHosts: allowedHosts(base, *allowHost)}
	if *rateLimits {
		cfg.RateLimits = server.DefaultRateLimits
	}
	cfg.TrustedProxies = trusted
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
	if dbURL != "" {
		log.Info("portal server listening", "url", "http://"+ln.Addr().String(), "portal", portalURL, "database", st.store.Location())
	} else {
		log.Info("portal server listening", "url", "http://"+ln.Addr().String(), "portal", portalURL,
			"data", st.dir, "admin_token_file", filepath.Join(st.dir, server.AdminTokenFile))
	}

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
func serverAddress(ctx context.Context, ws portal.ServerState, dir, flagURL, listenURL string) (string, string, error) {
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
	return recordAddress(ctx, ws, base, slug)
}

// recordAddress records the base URL and slug.
func recordAddress(ctx context.Context, ws portal.ServerState, base, slug string) (string, string, error) {
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
