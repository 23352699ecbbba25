package studio

import (
	"context"

	"portalstudio/backend/wire"

	"portalstudio/backend/portal"
	"portalstudio/backend/portal/words"
)

// Audiences: who may open the portal, or who is restricted to their own
// tickets.
const (
	OfAccess     = "access"
	OfVisibility = "visibility"
)

// Audience counts and lists the users the access rule matches, or (Of
// visibility) the users with access who are restricted to their own
// tickets. It reads the rules only; whether the portal is enabled does
// not change it.
func (s *Service) Audience(ctx context.Context, req wire.AudienceRequest) (*wire.AudienceResult, error) {
	st, err := s.settings(ctx, req.Settings)
	if err != nil {
		return nil, err
	}
	if req.Limit == 0 {
		req.Limit = 20
	}
	if req.Limit < 0 || req.Limit > 1000 {
		return nil, portal.Errorf(portal.EINVALID, "limit must be from 0 to 1000")
	}
	rule, note, of := AudienceRule(st, req.Of)
	if of == "" {
		return nil, portal.Errorf(portal.EINVALID, "unknown audience %q; use access or visibility", req.Of)
	}
	if req.ListOnly {
		return s.ruleFirst(ctx, of, rule, note, req.Limit)
	}
	return s.RuleAudience(ctx, of, rule, note, req.Limit)
}

// RuleAudience counts and lists the users a rule matches.
func (s *Service) RuleAudience(ctx context.Context, of string, rule *portal.Rule, note string, limit int) (*wire.AudienceResult, error) {
	schema, err := s.validSchema(ctx, rule)
	if err != nil {
		return nil, err
	}
	n, users, err := s.Audiences.Audience(ctx, rule, schema, s.Now(), limit)
	if err != nil {
		return nil, err
	}
	return &wire.AudienceResult{Of: of, Rule: rule.String(), Sentence: words.Rule(rule, schema), Count: n, Users: users, Note: note}, nil
}

// ruleFirst lists the first users a rule matches without counting them.
func (s *Service) ruleFirst(ctx context.Context, of string, rule *portal.Rule, note string, limit int) (*wire.AudienceResult, error) {
	schema, err := s.validSchema(ctx, rule)
	if err != nil {
		return nil, err
	}
	users, err := s.Audiences.AudienceFirst(ctx, rule, nil, schema, s.Now(), limit)
	if err != nil {
		return nil, err
	}
	return &wire.AudienceResult{Of: of, Rule: rule.String(), Sentence: words.Rule(rule, schema), Count: -1, Users: users, Note: note}, nil
}

// validSchema returns the workspace's schema, or EINVALID when rule does
// not fit it.
func (s *Service) validSchema(ctx context.Context, rule *portal.Rule) (*portal.Schema, error) {
	schema, err := s.Store.Schema(ctx)
	if err != nil {
		return nil, err
	}
	if ps := portal.ValidateRule(rule, schema, "rule"); len(ps) > 0 {
		return nil, &portal.Error{Code: portal.EINVALID, Message: ps[0].String(), Problems: ps}
	}
	return schema, nil
}

// AudienceRule returns the rule whose users form the audience of (access
// or visibility) under st, with a note when it is empty by construction.
// "of" comes back normalised, or "" when unknown.
func AudienceRule(st *portal.Settings, of string) (*portal.Rule, string, string) {
	switch of {
	case "", OfAccess:
		if st.Access.Rule == nil {
			return nil, "No access rule is set, so no one has access.", OfAccess
		}
		return st.Access.Rule, "", OfAccess
	case OfVisibility:
		switch {
		case st.Access.Rule == nil:
			return nil, "No access rule is set, so no one has access and no one is restricted.", OfVisibility
		case !st.Visibility.RestrictToOwn:
			return nil, "Ticket visibility is off: no one is restricted.", OfVisibility
		case st.Visibility.Conditions.IsEmpty():
			return st.Access.Rule, "Ticket visibility is on with no conditions: everyone with access is restricted.", OfVisibility
		}
		if st.Access.Rule.IsEveryone() {
			return st.Visibility.Conditions, "", OfVisibility
		}
		return portal.AllOf(st.Access.Rule, st.Visibility.Conditions), "", OfVisibility
	}
	return nil, "", ""
}
