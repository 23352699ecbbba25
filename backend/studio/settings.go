package studio

import (
	"context"

	"portalstudio/backend/portal"
)

// Settings returns the draft (default) or live settings.
func (s *Service) Settings(ctx context.Context, which string) (*portal.Settings, error) {
	return s.settings(ctx, which)
}

// ValidateSettings checks a whole settings document against the workspace
// without saving it, and returns it normalised.
func (s *Service) ValidateSettings(ctx context.Context, doc []byte) (*portal.Settings, error) {
	env, err := s.Store.Env(ctx)
	if err != nil {
		return nil, err
	}
	return portal.ParseSettings(doc, env)
}

// ApplySettings validates a whole settings document and, only when every
// part is valid, makes it the draft.
func (s *Service) ApplySettings(ctx context.Context, doc []byte) (*portal.Settings, error) {
	return s.Store.ApplyDraft(ctx, doc)
}

// demoDraft is the draft a new demo workspace starts with: the portal on
// for everyone, and everyone who is not an admin of their company
// restricted to their own tickets.
const demoDraft = `{
  "portal": {"enabled": true, "url": ""},
  "access": {"rule": {"all": []}},
  "visibility": {"restrict_to_own": true, "conditions": {"all": [
    {"attribute": "user.custom.is_admin", "operator": "equals", "value": false}
  ]}},
  "preview_column": true,
  "help_center": {"live": true, "sections": [
    {"id": "getting-started", "title": "Getting started", "kind": "collection", "visible": true},
    {"id": "customer-portal", "title": "Customer portal", "kind": "customer_portal", "visible": true},
    {"id": "popular-articles", "title": "Popular articles", "kind": "article_list", "visible": true}
  ]},
  "messenger": {"tickets_space": true},
  "identity_verification": true
}`

// SeedDemoSettings gives a workspace whose draft was never edited the demo
// draft, so a new demo workspace shows the portal at work. A workspace
// whose draft differs from the defaults keeps it.
func (s *Service) SeedDemoSettings(ctx context.Context) error {
	cur, err := s.Store.Draft(ctx)
	if err != nil {
		return err
	}
	if !cur.Equal(portal.DefaultSettings()) {
		return nil
	}
	_, err = s.Store.ApplyDraft(ctx, []byte(demoDraft))
	return err
}
