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
	"slices"
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

// replicaSet is what a replica on a PostgreSQL database starts with: the
// database's catalog of workspaces and the front workspace (the one
// --slug names, else the database's only one, else its first), opened.
type replicaSet struct {
	cat   *postgres.Catalog
	front servedStore
	// slugs are the workspaces the catalog listed at the start.
	slugs []string
}

// openReplica opens the catalog of the PostgreSQL database at dbURL and,
// holding its lock so that replicas starting together do this once,
// picks the home workspace (--slug's, else the only one): it prepares
// its shared secrets (written to data when this replica creates them),
// records its address and pins its portal URL. On a database without
// any workspace it makes the first one in the public schema, as a single
// server always did. The front workspace is the home one, else the
// first listed.
func openReplica(ctx context.Context, env *Env, log *slog.Logger, dbURL, data, flagSlug, flagURL, listenURL string, opt server.SecretOptions) (*replicaSet, error) {
	dir := ""
	if data != "" {
		if err := os.MkdirAll(data, 0o700); err != nil {
			return nil, portal.Errorf(portal.EPRECONDITION, "cannot create the data folder %s: %v", data, errReason(err))
		}
		var err error
		if dir, err = filepath.Abs(data); err != nil {
			return nil, err
		}
	}
	pgOpt := postgres.Options{Notice: func(msg string) { fmt.Fprintf(env.Stderr, "portalstudio: %s\n", msg) }}
	cat, err := postgres.OpenCatalog(ctx, dbURL, pgOpt)
	if err != nil {
		return nil, err
	}
	rs := &replicaSet{cat: cat}
	ok := false
	defer func() {
		if !ok {
			if rs.front.store != nil {
				rs.front.store.Close()
			}
			cat.Close()
		}
	}()
	rotating := opt.RotateAdminToken || opt.RotateIdentitySecret || opt.EndSessions
	err = cat.Locked(ctx, func() error {
		list, err := cat.Workspaces(ctx)
		if err != nil {
			return err
		}
		for _, w := range list {
			rs.slugs = append(rs.slugs, w.Slug)
		}
		home, public, err := homeWorkspace(ctx, cat, list, flagSlug, dir)
		if err != nil {
			return err
		}
		if home == "" && rotating {
			return usagef("serve: this database holds %d workspaces (%s); name the one whose secrets or sessions to change with --slug", len(list), strings.Join(rs.slugs, ", "))
		}
		frontSlug := home
		if frontSlug == "" {
			frontSlug = list[0].Slug
		}
		var pg *postgres.Store
		if public {
			pg, err = postgres.Open(ctx, dbURL, pgOpt)
		} else {
			pg, err = cat.Open(ctx, frontSlug, pgOpt)
		}
		if err != nil {
			return err
		}
		rs.front.store = pg
		prepare := func() error {
			if home != "" {
				sec, err := server.PrepareSharedSecrets(ctx, pg, dir, opt)
				if err != nil {
					return err
				}
				for _, note := range sec.Notes {
					log.Info(note, "workspace", home)
				}
			}
			recBase, _, err := pg.ServerAddress(ctx)
			if err != nil {
				return err
			}
			base := recBase
			if flagURL != "" {
				base = flagURL
			} else if base == "" {
				base = listenURL
			}
			base, slug, err := recordAddress(ctx, pg, strings.TrimSuffix(base, "/"), frontSlug)
			if err != nil {
				return err
			}
			rs.front.base, rs.front.slug = base, slug
			return pinPortalURL(ctx, log, pg, base+"/portal/"+slug+"/")
		}
		if err := pg.Locked(ctx, prepare); err != nil {
			return err
		}
		if public {
			if err := cat.Register(ctx, frontSlug); err != nil {
				return err
			}
			if !slices.Contains(rs.slugs, frontSlug) {
				rs.slugs = append(rs.slugs, frontSlug)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rs.front.dir = dir
	ok = true
	return rs, nil
}

// homeWorkspace returns the slug of the workspace whose secrets this
// replica prepares: --slug's; else the database's only one; else none
// ("", the database holding several). public says it is the public
// schema's workspace not yet listed: the first one, made (or adopted,
// when a dataset was moved in) by this start, its slug --slug's, else
// the data folder's name, else the database's.
func homeWorkspace(ctx context.Context, cat *postgres.Catalog, list []postgres.Workspace, flagSlug, dir string) (slug string, public bool, err error) {
	listed := func(s string) bool {
		return slices.ContainsFunc(list, func(w postgres.Workspace) bool { return w.Slug == s })
	}
	publicListed := slices.ContainsFunc(list, func(w postgres.Workspace) bool { return w.Schema == cat.DefaultSchema() })
	slugs := make([]string, len(list))
	for i, w := range list {
		slugs[i] = w.Slug
	}
	if flagSlug != "" {
		s := portal.Slug(flagSlug + ".db")
		if listed(s) {
			return s, false, nil
		}
		hasPublic, err := cat.PublicWorkspace(ctx)
		if err != nil {
			return "", false, err
		}
		switch {
		case publicListed && len(list) == 1:
			return "", false, portal.Errorf(portal.EPRECONDITION, "this database's workspace has the slug %q (portal URLs carry it), not %q; leave --slug out", list[0].Slug, s)
		case !publicListed && (len(list) == 0 || hasPublic):
			if err := postgres.ValidSlug(s); err != nil {
				return "", false, err
			}
			return s, true, nil
		}
		return "", false, portal.Errorf(portal.EPRECONDITION, "this database has no workspace %q (it has %s); make it with portalstudio workspace create, or leave --slug out to serve them all", s, strings.Join(slugs, ", "))
	}
	switch len(list) {
	case 0:
		s := portal.Slug(cat.DatabaseName() + ".db")
		if dir != "" {
			s = portal.Slug(filepath.Base(dir) + ".db")
		}
		return s, true, nil
	case 1:
		return list[0].Slug, false, nil
	}
	return "", false, nil
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
	slugFlag := fs.String("slug", "", "with --database: the workspace whose secrets this replica prepares (--data) and rotates, made on an empty database (default: the database's only workspace; on an empty one, the --data folder's name, else the database's); every workspace is served")
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
	opt := server.SecretOptions{RotateAdminToken: *rotateToken, RotateIdentitySecret: *rotateSecret, EndSessions: *endSessions}
	listenURL := "http://" + ln.Addr().String()
	// A long-running server: each audience engine loads in the background
	// now and catches up after every write. (Its collector keeps Go's
	// default target: audience.CollectForKept is measured for the app's
	// questions, not yet under the server's load.)
	newServer := func(st servedStore, log *slog.Logger) (*server.Server, *audience.Engine, error) {
		notice := func(msg string) { log.Info(msg) }
		var aud *audience.Engine
		if ws, ok := st.store.(*sqlite.Workspace); ok {
			aud = audience.NewEngine(ws, audience.Options{Path: ws.AudiencePath(), Keep: true, Notice: notice})
		} else {
			aud = audience.NewEngine(st.store.(*postgres.Store), audience.Options{Keep: true, Notice: notice})
		}
		cfg := server.Config{Store: st.store, Audiences: aud, IdentitySecret: st.secret, SharedIdentitySecret: dbURL != "", MaxTokenLifetime: *maxTokenLifetime, Slug: st.slug, BaseURL: st.base, Logger: log, Web: env.Web,
			AllowedHosts: allowedHosts(st.base, *allowHost)}
		if *rateLimits {
			cfg.RateLimits = server.DefaultRateLimits
		}
		cfg.TrustedProxies = trusted
		srv, err := server.New(cfg)
		if err != nil {
			aud.Close()
			return nil, nil, err
		}
		return srv, aud, nil
	}
	var st servedStore
	var httpHandler http.Handler
	var tenants *replicaTenants
	if dbURL != "" {
		rs, err := openReplica(ctx, env, log, dbURL, *data, *slugFlag, *baseURL, listenURL, opt)
		if err != nil {
			return err
		}
		defer rs.cat.Close()
		st = rs.front
		srv, aud, err := newServer(st, log.With("workspace", st.slug))
		if err != nil {
			st.store.Close()
			return err
		}
		tenants = &replicaTenants{cat: rs.cat, base: st.base, log: log, newServer: newServer}
		defer tenants.close()
		tenants.keep(st.store, aud)
		router := server.NewRouter(srv, tenants)
		httpHandler = router.Handler()
		st.slug = strings.Join(rs.slugs, ",")
	} else {
		var err error
		if st, err = openDataFolder(ctx, env, log, *data, *baseURL, listenURL, opt); err != nil {
			return err
		}
		defer st.store.Close()
		srv, aud, err := newServer(st, log)
		if err != nil {
			return err
		}
		defer aud.Close()
		httpHandler = srv.Handler()
	}
	hs := &http.Server{
		Handler:           httpHandler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	if dbURL != "" {
		log.Info("portal server listening", "url", listenURL, "portal", st.base+"/portal/<slug>/", "workspaces", st.slug, "database", st.store.Location())
	} else {
		log.Info("portal server listening", "url", listenURL, "portal", st.base+"/portal/"+st.slug+"/",
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
