package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
)

// searchBuild builds a bulk load's full-text indexes (the tickets'
// search, ticket_fts, and the users' substring search, user_trgm) on a
// second connection, into a file of its own beside the workspace, while
// the import's connection writes everything else: tokenizing the
// tickets' text and gathering the index's terms was a third of a demo
// build's time, all of it on the one thread that writes the workspace,
// and the users' trigrams another 12 s after the load. At the end
// (finish), inside the import's transaction, each index of the
// workspace is made again empty and filled with the built index's rows
// (FTS5's tables: its segments, their terms, the rows' sizes and its
// configuration), as they are: the same format, written by the same
// SQLite. The file is removed whatever happens (close); a file left by
// a process killed meanwhile is removed by the next open of the
// workspace that finds no import writing (removeLeftBuild), or by the
// next bulk load.
type searchBuild struct {
	path  string
	ddls  []string // each index's CREATE VIRTUAL TABLE (buildIndexes)
	db    *sql.DB
	ops   chan []searchOp
	batch []searchOp
	done  chan error  // the writer's error, once ops is closed
	open  bool        // ops not closed yet
	stop  atomic.Bool // the import failed: the writer stops
	ended bool        // the writer's error was received (err)
	err   error
}

// searchOp adds a ticket's entry (body, vis), or removes it (del); or,
// with user, a user's (their folded e-mail and name, either may be nil).
type searchOp struct {
	seq         int64
	body, vis   string
	user        bool
	email, name any
	del         bool
}

// buildIndexes are the full-text indexes a bulk load builds aside.
var buildIndexes = []string{"ticket_fts", "user_trgm"}

// searchBatch is how many entries go to the build's writer at once.
const searchBatch = 512

// searchBuildPath is the file beside the workspace at path that a bulk
// load builds its search index in.
func searchBuildPath(path string) string { return path + "-search-build" }

// startSearchBuild creates the build's file with an empty index of the
// workspace's definition (read in tx), sized and merged as a bulk load's
// (bulkHashSize, no merging until the end), and starts its writer.
func startSearchBuild(ctx context.Context, tx *sql.Tx, workspace string) (*searchBuild, error) {
	ctx = context.WithoutCancel(ctx) // see newImporter
	b := &searchBuild{path: searchBuildPath(workspace)}
	for _, name := range buildIndexes {
		var ddl string
		if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE name = ?`, name).Scan(&ddl); err != nil {
			return nil, fmt.Errorf("read the definition of %s: %w", name, err)
		}
		b.ddls = append(b.ddls, ddl)
	}
	if err := removeBuild(b.path); err != nil {
		return nil, err
	}
	if err := makePrivate(b.path, nil); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite3", "file:"+b.path+"?_journal_mode=OFF&_synchronous=OFF&_cache_size=-65536")
	if err != nil {
		removeBuild(b.path)
		return nil, err
	}
	db.SetMaxOpenConns(1)
	b.db = db
	for _, ddl := range b.ddls {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			b.close()
			return nil, fmt.Errorf("start the search index's build: %w", err)
		}
	}
	if err := errors.Join(ftsAutomerge(ctx, db, 0), ftsHashSize(ctx, db, bulkHashSize)); err != nil {
		b.close()
		return nil, fmt.Errorf("start the search index's build: %w", err)
	}
	btx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.close()
		return nil, err
	}
	// The statements: add and remove a ticket's entry, then a user's.
	var stmts [4]*sql.Stmt
	closeAll := func() {
		for _, st := range stmts {
			if st != nil {
				st.Close()
			}
		}
	}
	for i, name := range []string{"ftsAdd", "ftsDel", "userTrgm", "userTrgmDel"} {
		if stmts[i], err = btx.PrepareContext(ctx, importSQL[name]); err != nil {
			closeAll()
			btx.Rollback()
			b.close()
			return nil, err
		}
	}
	b.ops, b.done, b.open = make(chan []searchOp, 64), make(chan error, 1), true
	go func() {
		var err error
		for batch := range b.ops {
			for _, op := range batch {
				if err != nil || b.stop.Load() {
					break // drain: the import learns of it at finish
				}
				switch {
				case op.user && op.del:
					_, err = stmts[3].ExecContext(ctx, op.seq)
				case op.user:
					_, err = stmts[2].ExecContext(ctx, op.seq, op.email, op.name)
				case op.del:
					_, err = stmts[1].ExecContext(ctx, op.seq)
				default:
					_, err = stmts[0].ExecContext(ctx, op.seq, op.body, op.vis)
				}
			}
		}
		if err == nil && b.stop.Load() {
			err = errors.New("the import stopped")
		}
		// The segments merged once, rather than level by level as they
		// were written (the full-size demo build 223 → 204 s).
		for _, name := range buildIndexes {
			if err == nil {
				_, err = btx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %[1]s (%[1]s) VALUES ('optimize')`, name))
			}
		}
		closeAll()
		if err == nil {
			err = btx.Commit()
		} else {
			btx.Rollback()
		}
		b.done <- err
	}()
	return b, nil
}

// put hands an entry to the build's writer.
func (b *searchBuild) put(op searchOp) {
	b.batch = append(b.batch, op)
	if len(b.batch) == searchBatch {
		b.ops <- b.batch
		b.batch = make([]searchOp, 0, searchBatch)
	}
}

// end hands the last entries over: the writer merges the index's
// segments and commits while the import finishes its own work.
func (b *searchBuild) end() {
	if !b.open {
		return
	}
	if len(b.batch) > 0 {
		b.ops <- b.batch
		b.batch = nil
	}
	close(b.ops)
	b.open = false
}

// wait ends the entries and waits for the writer.
func (b *searchBuild) wait() error {
	b.end()
	if !b.ended {
		b.err, b.ended = <-b.done, true
	}
	return b.err
}

// finish waits for the build, then makes each index of the workspace
// again, empty, in tx and copies the built one's rows into its tables
// (FTS5's: its segments, their terms, the rows' sizes, its
// configuration). An index is dropped and created rather than emptied,
// so that this connection holds nothing of it in memory when its rows
// change under it. The build's file is attached to tx's connection and
// copied by SQLite, table by table (the full-size demo build's copy 7.6
// → 1.5 s, against reading each row out and writing it back from
// here): the connection cannot be pooled again (bulkTx closes it).
func (b *searchBuild) finish(ctx context.Context, tx *sql.Tx) error {
	ctx = context.WithoutCancel(ctx)
	if err := b.wait(); err != nil {
		return fmt.Errorf("build the search index: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `ATTACH DATABASE ? AS search_build`, b.path); err != nil {
		return fmt.Errorf("open the search index's build: %w", err)
	}
	for i, name := range buildIndexes {
		for _, q := range []string{`DROP TABLE main.` + name, b.ddls[i]} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("make the index %s again: %w", name, err)
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT name FROM search_build.sqlite_master WHERE type = 'table' AND name GLOB ? ORDER BY name`, name+"_*")
		if err != nil {
			return err
		}
		tables, err := scanStrings(rows)
		if err != nil {
			return err
		}
		for _, table := range tables {
			for _, q := range []string{`DELETE FROM main.` + table, `INSERT INTO main.` + table + ` SELECT * FROM search_build.` + table} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("copy the index %s (%s): %w", name, table, err)
				}
			}
		}
	}
	return nil
}

// close stops the writer if it still runs and removes the build's file.
func (b *searchBuild) close() {
	if b.done != nil {
		b.stop.Store(true)
		b.wait()
	}
	if b.db != nil {
		b.db.Close()
	}
	removeBuild(b.path)
}

// removeBuild removes a build's file and those SQLite may keep beside it.
// removeLeftBuild removes the build a bulk load killed meanwhile left
// beside the workspace (about a sixth of its size), when no import holds
// the workspace's write lock: a bulk load makes its build inside its
// import's transaction, so a build there while the lock is free is no
// running load's. It never waits for the lock: while another process
// writes, the file stays, for the next open or bulk load. Only an open
// that finds the file pays for more than a stat.
func (d *DB) removeLeftBuild(ctx context.Context) {
	build := searchBuildPath(d.path)
	if _, err := os.Stat(build); err != nil {
		return
	}
	c, err := d.db.Conn(ctx)
	if err != nil {
		return
	}
	defer func() {
		// The connection no longer waits for locks: closed, not pooled.
		c.Raw(func(any) error { return driver.ErrBadConn })
		c.Close()
	}()
	if _, err := c.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return
	}
	if _, err := c.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		return // an import is writing, or the file is read-only
	}
	removeBuild(build)
	c.ExecContext(ctx, `ROLLBACK`)
}

func removeBuild(path string) error {
	for _, p := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	return nil
}
