package sqlite

import (
	"context"
	"database/sql"

	"portalstudio/backend/portal"
)

// metaPortalURL is the portal URL of the server serving this workspace
// (set by PinPortalURL).
const metaPortalURL = "server_portal_url"

// PinPortalURL makes url, the address at which the portal server serving
// this workspace answers, the portal URL for good: every settings document
// validated from now on carries it (one naming another URL is corrected,
// not refused), and live settings that name another URL are rewritten as
// a new version saying so. It returns the live settings and the URL they
// named before when it changed them ("" when it did not).
func (s *SettingsStore) PinPortalURL(ctx context.Context, url string) (live *portal.Settings, was string, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaPortalURL, url); err != nil {
			return err
		}
		cur, err := s.loadSettings(ctx, tx, "live")
		if err != nil {
			return err
		}
		live = cur
		next, summary := portal.PinnedLive(cur, url)
		if next == nil {
			return nil
		}
		was = cur.Portal.URL
		if err := s.saveSettings(ctx, tx, "live", next); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings_versions (version, doc, summary, created_at) VALUES (?, ?, ?, ?)`,
			next.Version, string(next.Canonical()), summary, s.Now().Unix()); err != nil {
			return err
		}
		live = next
		return nil
	})
	return live, was, err
}
